//! The parts of HTTP every response shares: security headers, limits, the
//! request log, and the connection loop with its timeouts and graceful
//! shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Longest request target accepted; longer ones get 414.
pub const MAX_URI: usize = 2048;
/// Request line and headers together may not exceed this. Beyond it, or
/// beyond 100 headers, hyper itself answers 431 and closes the connection;
/// such a request never reaches the app, so its response has none of the
/// headers below and it is not in the request log.
pub const MAX_HEADERS: usize = 16 * 1024;

/// How long the server waits for slow clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A client must send a request's line and headers within this time of
    /// connecting, or of its previous response; otherwise the connection is
    /// closed, so that idle or stalled clients cannot hold sockets open.
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// The site uses no scripts, inline styles or frames, so the policy allows
/// only its own stylesheet and images.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the security headers to every response, refuses overlong targets,
/// and logs one line per request.
pub async fn policy(req: Request, next: Next) -> Response {
    // The request line is copied for the log only when the log shows it:
    // with RUST_LOG=warn, a request costs no allocation here.
    let logged = tracing::enabled!(tracing::Level::INFO);
    let start = logged.then(Instant::now);
    let method = req.method().clone();
    let target = logged.then(|| req.uri().clone());
    let mut res = if target_len(req.uri()) > MAX_URI {
        (StatusCode::URI_TOO_LONG, "the request target is too long\n").into_response()
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let (Some(start), Some(target)) = (start, target) {
        let shown: String = target.to_string().chars().take(200).collect();
        tracing::info!(
            method = %method,
            target = %shown,
            status = res.status().as_u16(),
            micros = start.elapsed().as_micros() as u64,
            "request"
        );
    }
    res
}

/// The length of the request target as the client sent it, from its parts
/// (`scheme://authority` only in the absolute form), without building the
/// string.
fn target_len(uri: &axum::http::Uri) -> usize {
    let prefix = match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => scheme.len() + "://".len() + authority.as_str().len(),
        (None, Some(authority)) => authority.as_str().len(),
        _ => 0,
    };
    prefix + uri.path_and_query().map_or(0, |pq| pq.as_str().len())
}

/// A plain-text response, for the few that are not pages or API JSON.
pub fn text(status: StatusCode, message: &'static str) -> Response {
    let mut res = Response::new(Body::from(message));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// Accepts connections until `shutdown` completes, then waits up to
/// [`Limits::drain_timeout`] for requests in flight.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Running out of file descriptors and the like pass; a
                // short pause keeps the loop from spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // Set once the first request reaches the app; see below.
        let started = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&started);
        let service = TowerToHyperService::new(app.clone().map_request(
            move |req: hyper::Request<hyper::body::Incoming>| {
                seen.store(true, Ordering::Relaxed);
                req
            },
        ));
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(MAX_HEADERS);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(MAX_HEADERS as u32);
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let mut conn = Box::pin(graceful.watch(conn));
        tokio::spawn(async move {
            // hyper times out the headers of HTTP/1 requests, but not the
            // bytes it reads first to tell HTTP/1 from HTTP/2: a client that
            // connects and sends nothing, or the start of the HTTP/2
            // preface, would hold the connection for ever. So a connection
            // whose first request has not arrived in time is dropped here.
            let ended = match tokio::time::timeout(limits.header_timeout, &mut conn).await {
                Ok(ended) => ended,
                Err(_) if started.load(Ordering::Relaxed) => conn.await,
                Err(_) => {
                    tracing::debug!(%peer, "connection closed: no request in time");
                    return;
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("shutdown: gave up waiting for open connections");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::target_len;

    #[test]
    fn target_length_is_the_length_of_the_target_as_sent() {
        for target in [
            "/",
            "/committee/",
            "/api/people?country=NO&search=%C3%A5se",
            "http://example.org/committee/?x=1",
            "http://example.org:8080/",
            "example.org:443",
        ] {
            let uri: axum::http::Uri = target.parse().unwrap();
            assert_eq!(target_len(&uri), uri.to_string().len(), "{target}");
            assert_eq!(target_len(&uri), target.len(), "{target}");
        }
    }
}
