//! The parts of HTTP every response shares: security headers, limits, the
//! request log, and the connection loop with its timeouts, its cap on
//! connections, TLS and graceful shutdown.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulConnection;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::{Front, Transport};

/// Longest request target accepted; longer ones get 414.
pub const MAX_URI: usize = 2048;
/// Request line and headers together may not exceed this. Beyond it, or
/// beyond 100 headers, hyper itself answers 431 and closes the connection;
/// such a request never reaches the app, so its response has none of the
/// headers below and it is not in the request log.
pub const MAX_HEADERS: usize = 16 * 1024;

/// How long the server waits for slow clients, and how many it serves at
/// once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A client must send a request's line and headers within this time of
    /// connecting, or of its previous response; otherwise the connection is
    /// closed, so that idle or stalled clients cannot hold sockets open. An
    /// HTTP/2 connection is closed when it has had no stream open for this
    /// long.
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub drain_timeout: Duration,
    /// Connections open at once. One more is accepted and closed at once,
    /// which costs the server next to nothing, so that it never runs out
    /// of file descriptors; see [`Limits::connections_within`].
    pub max_connections: usize,
}

impl Limits {
    /// The most connections the server takes at once.
    pub const MAX_CONNECTIONS: usize = 10_000;

    /// How many connections fit in `descriptors` open files (`None`: no
    /// limit): a margin stays for the listener, the runtime, the data
    /// files and the file watcher, and no more than
    /// [`Limits::MAX_CONNECTIONS`], whose buffers a small host can hold.
    pub fn connections_within(descriptors: Option<u64>) -> usize {
        let Some(descriptors) = descriptors else {
            return Limits::MAX_CONNECTIONS;
        };
        let margin = (descriptors / 4).min(64);
        usize::try_from(descriptors - margin)
            .unwrap_or(usize::MAX)
            .clamp(1, Limits::MAX_CONNECTIONS)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
            // The soft limit most systems start a process with.
            max_connections: Limits::connections_within(Some(1024)),
        }
    }
}

/// How often an HTTP/2 connection that has sent nothing is pinged, and how
/// long it has to answer before it is closed: a peer that has gone away
/// without closing (a laptop shut, a network lost) does not keep a stream
/// and its descriptor for ever.
const PING_INTERVAL: Duration = Duration::from_secs(20);
const PING_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a connection asked to close has to show that its peer still
/// reads: an HTTP/2 peer answers the ping that comes with the GOAWAY at
/// once. One that has sent nothing by then, with no request open and no
/// bytes waiting for the peer to take them, is dropped; otherwise an
/// HTTP/2 client that made a request and went quiet would hold its
/// connection until the drain timeout on shutdown, and for ever when idle.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Connections refused for the limit are logged at most this often, so
/// that a flood of them does not become a flood of log lines.
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The content security policy of every page up to its `form-action`,
/// which the public site and the members' area set apart. The site uses no
/// scripts, inline styles or frames, so the policy allows only its own
/// stylesheet, images and web manifest, and reads of its own resources
/// (`connect-src 'self'`). With every script forbidden, no page of the
/// site can make such a read: the directive lets tools that inspect a page
/// from inside it (Lighthouse reads `/robots.txt` so) see what any visitor
/// can fetch anyway, and reaches nothing beyond the site's own origin.
macro_rules! csp_up_to_forms {
    () => {
        "default-src 'none'; connect-src 'self'; style-src 'self'; img-src 'self' data:; \
         manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    };
}
pub(crate) use csp_up_to_forms;

/// The public site's policy: it has no form, so nothing may be sent.
const CSP: &str = concat!(csp_up_to_forms!(), "form-action 'none'");

/// Browsers that have seen the site over https go there directly for a
/// year. Not for subdomains: the society's other hosts are not ours to
/// commit.
const HSTS: &str = "max-age=31536000";

/// Adds the security headers to every response, refuses overlong targets,
/// and logs one line per request.
pub async fn policy(req: Request, next: Next) -> Response {
    // Only a request that came over TLS (ours or a trusted proxy's) may
    // pin the site to https: over plain HTTP the header means nothing and
    // anyone could have written it.
    let secure = req
        .extensions()
        .get::<Transport>()
        .is_some_and(|t| t.secure);
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
    // The members' area sets its own, which lets its forms be sent.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The members' area sets its own, so that its forms send an Origin.
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if let (Some(start), Some(target)) = (start, target) {
        let shown: String = redacted(&target).chars().take(200).collect();
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

/// A request target as the log shows it: a calendar feed's secret is
/// left out (`/members/feeds/<redacted>/calendar.ics`), since whoever reads
/// the log could otherwise read the calendar. Headers, and with them
/// credentials and cookies, are never logged at all.
fn redacted(target: &axum::http::Uri) -> String {
    let text = target.to_string();
    const FEEDS: &str = "/members/feeds/";
    match target.path().strip_prefix(FEEDS) {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            let query = target.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{FEEDS}<redacted>{tail}{query}")
        }
        None => text,
    }
}

/// RFC 9112 §3.2: an HTTP/1.1 request names its host in one Host header,
/// and no request has two or one that is not a host and optional port.
/// HTTP/1.0 may leave it out, and HTTP/2 names the host in `:authority`
/// (which hyper puts in the URI), so for them a Host header is optional.
/// This is a rule for messages off the wire, so the connection loop
/// applies it, not [`crate::app`], which tests also drive with requests
/// built in memory.
fn names_its_host<B>(req: &axum::http::Request<B>) -> bool {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) => req.version() != Version::HTTP_11,
        (Some(host), None) => is_host(host.as_bytes()),
        (Some(_), Some(_)) => false,
    }
}

/// Whether `value` is `uri-host [":" port]` (RFC 3986): a name, an IPv4
/// address or a bracketed IPv6 one, then perhaps a colon and digits. An
/// empty host is only for targets without an authority, which no `http`
/// URL is.
fn is_host(value: &[u8]) -> bool {
    // The port follows the last colon, unless that colon is inside the
    // brackets of an IPv6 address.
    let end = match value.iter().rposition(|&b| b == b':') {
        Some(colon) if !value[colon..].contains(&b']') => colon,
        _ => value.len(),
    };
    let (host, port) = value.split_at(end);
    let host_ok = match host {
        [b'[', inner @ .., b']'] => {
            !inner.is_empty()
                && inner
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() || b":.".contains(b))
        }
        _ => {
            !host.is_empty()
                && host
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(b))
        }
    };
    host_ok && port.iter().skip(1).all(u8::is_ascii_digit)
}

/// The answer to a request that does not name its host as it should.
async fn refuse_host(req: Request) -> Response {
    let mut res = text(
        StatusCode::BAD_REQUEST,
        "the request must name its host in exactly one valid Host header\n",
    );
    // What follows such a request on the same connection cannot be trusted
    // to mean what it seems to, as after any malformed request.
    if req.version() <= Version::HTTP_11 {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
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

/// Accepts connections until `shutdown` completes, then asks each to close
/// and waits up to [`Limits::drain_timeout`] for those with requests in
/// flight. Each request carries its [`Transport`], as `front` sees it.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    front: Front,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEADERS as u32)
        .keep_alive_interval(PING_INTERVAL)
        .keep_alive_timeout(PING_TIMEOUT);
    let builder = Arc::new(builder);
    let tls = front.tls.clone();
    let front = Arc::new(front);
    // Requests that break HTTP's own rules get their answer through the
    // same policy as the app's: its headers, its log line.
    let refuse = Router::new()
        .fallback(refuse_host)
        .layer(axum::middleware::from_fn(policy));
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let mut refusals = Refusals::default();
    // Every connection holds a receiver: the signal to close reaches them
    // all, and the sender sees when the last of them has ended.
    let (stop, stopping) = watch::channel(());
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
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            // Closed before a byte is read: the cheapest answer there is.
            drop(stream);
            refusals.count(limits.max_connections);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = Watched {
            stream,
            activity: Arc::clone(&activity),
        };
        let conn = Connection {
            builder: Arc::clone(&builder),
            served: app.clone(),
            refused: refuse.clone(),
            front: Arc::clone(&front),
            activity,
            peer,
            idle: limits.header_timeout,
        };
        let mut stop = stopping.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => conn.serve(TokioIo::new(io), stop).await,
                Some(tls) => {
                    // The certificate in use now: a renewed one counts
                    // from the next connection.
                    let acceptor = tls.acceptor();
                    // The handshake counts as the start of the first
                    // request: a peer that does not finish it within the
                    // header timeout is dropped, as one that sends half a
                    // request line is.
                    let handshake = tokio::select! {
                        done = tokio::time::timeout(conn.idle, handshake(acceptor, io)) => done,
                        _ = stop.changed() => return drop(slot),
                    };
                    match handshake {
                        Ok(Ok(Some(tls))) => conn.serve(TokioIo::new(tls), stop).await,
                        Ok(Ok(None)) => tracing::debug!(%peer, "plain HTTP on the TLS port"),
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    drop(stopping);
    stop.send_replace(());
    tokio::select! {
        () = stop.closed() => {}
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("shutdown: gave up waiting for open connections");
        }
    }
    Ok(())
}

/// What a client that speaks plain HTTP to the TLS port is told, as nginx
/// and Caddy tell it, rather than being sent TLS bytes it cannot read.
const PLAIN_ON_TLS: &str = "HTTP/1.0 400 Bad Request\r\n\
    Content-Type: text/plain; charset=utf-8\r\n\
    Content-Length: 51\r\n\
    Connection: close\r\n\r\n\
    this server speaks HTTPS only: use an https:// URL\n";

/// A TLS record starts with its content type, and a client's first is a
/// handshake.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// Performs the TLS handshake; `None` for a client that sent plain HTTP,
/// which has been answered so.
async fn handshake(
    acceptor: TlsAcceptor,
    mut io: Watched,
) -> std::io::Result<Option<tokio_rustls::server::TlsStream<Watched>>> {
    let mut first = [0u8; 1];
    if io.stream.peek(&mut first).await? == 1 && first[0] != TLS_HANDSHAKE_RECORD {
        use tokio::io::AsyncWriteExt as _;
        io.stream.write_all(PLAIN_ON_TLS.as_bytes()).await?;
        io.stream.shutdown().await?;
        return Ok(None);
    }
    acceptor.accept(io).await.map(Some)
}

/// One accepted connection, ready to be served over plain TCP or TLS.
struct Connection {
    builder: Arc<Builder<TokioExecutor>>,
    served: Router,
    refused: Router,
    front: Arc<Front>,
    activity: Arc<Activity>,
    peer: SocketAddr,
    idle: Duration,
}

impl Connection {
    async fn serve<I>(self, io: I, stop: watch::Receiver<()>)
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let Connection {
            builder,
            served,
            refused,
            front,
            activity,
            peer,
            idle,
        } = self;
        let requests = Arc::clone(&activity);
        let from: IpAddr = peer.ip();
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            let open = requests.open();
            // Computed per request: a proxy's headers differ from one
            // request to the next on the same connection.
            let transport = front.transport(from, req.headers());
            req.extensions_mut().insert(transport);
            let router = if names_its_host(&req) {
                served.clone()
            } else {
                refused.clone()
            };
            async move {
                let res = router.oneshot(req).await?;
                Ok::<_, Infallible>(res.map(|body| Tracked { body, _open: open }))
            }
        });
        let conn = builder.serve_connection(io, service).into_owned();
        drive(conn, &activity, stop, idle, peer).await;
    }
}

/// Serves one connection to its end. It is asked to close (HTTP/1: once
/// the response in progress is sent; HTTP/2: a GOAWAY, then the open
/// streams finish) when the server stops, or when it has had no request
/// open for `idle`; one asked to close whose peer stays silent is dropped.
async fn drive<C>(
    conn: C,
    activity: &Activity,
    mut stop: watch::Receiver<()>,
    idle: Duration,
    peer: SocketAddr,
) where
    C: GracefulConnection,
    C::Error: std::fmt::Display,
{
    let mut conn = std::pin::pin!(conn);
    // When the connection was asked to close, if it was.
    let mut asked: Option<Instant> = None;
    let timer = tokio::time::sleep(idle);
    let mut timer = std::pin::pin!(timer);
    loop {
        tokio::select! {
            ended = conn.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stop.changed(), if asked.is_none() => {
                conn.as_mut().graceful_shutdown();
                let now = Instant::now();
                asked = Some(now);
                timer.as_mut().reset((now + CLOSE_GRACE).into());
            }
            () = timer.as_mut() => {
                let now = Instant::now();
                let next = match (asked, activity.idle_for(now)) {
                    // A request is open: look again a whole timeout later.
                    (_, None) => now + idle,
                    (None, Some(quiet)) if quiet >= idle => {
                        tracing::debug!(%peer, "closing an idle connection");
                        conn.as_mut().graceful_shutdown();
                        asked = Some(now);
                        now + CLOSE_GRACE
                    }
                    (None, Some(quiet)) => now + (idle - quiet),
                    // A peer that has answered since it was asked is
                    // alive: hyper finishes its streams and closes, or
                    // closes it when it stops answering pings.
                    (Some(since), Some(_)) if activity.heard_since(since) => now + idle,
                    // Bytes wait for a slow reader: the connection is still
                    // busy, though the app is done with it.
                    (Some(_), Some(_)) if activity.write_blocked() => now + CLOSE_GRACE,
                    (Some(since), Some(_)) if now >= since + CLOSE_GRACE => {
                        tracing::debug!(%peer, "connection dropped: the peer stopped reading");
                        return;
                    }
                    (Some(since), Some(_)) => since + CLOSE_GRACE,
                };
                timer.as_mut().reset(next.into());
            }
        }
    }
}

/// What one connection is doing, for its idle timeout. Times are counted
/// in microseconds from the connection's start, so that they fit atomics.
#[derive(Debug)]
struct Activity {
    start: Instant,
    /// Requests that have reached the app and whose response body has not
    /// been handed to hyper in full.
    open: AtomicUsize,
    /// When `open` last fell to zero (the start until it first does).
    idle_since: AtomicU64,
    /// When the peer last sent anything.
    heard: AtomicU64,
    /// Whether the last write to the socket had to wait: the peer reads
    /// more slowly than the server sends.
    blocked: AtomicBool,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            open: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            heard: AtomicU64::new(0),
            blocked: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn wrote(&self, written: &Poll<std::io::Result<usize>>) {
        self.blocked.store(written.is_pending(), Ordering::Release);
    }

    /// Counts a request as open until the returned guard is dropped.
    fn open(self: &Arc<Activity>) -> Open {
        self.open.fetch_add(1, Ordering::AcqRel);
        Open(Arc::clone(self))
    }

    /// How long the connection has had no request open, or `None` while it
    /// has one.
    fn idle_for(&self, now: Instant) -> Option<Duration> {
        if self.open.load(Ordering::Acquire) > 0 {
            return None;
        }
        let since = Duration::from_micros(self.idle_since.load(Ordering::Acquire));
        Some(now.duration_since(self.start).saturating_sub(since))
    }

    fn write_blocked(&self) -> bool {
        self.blocked.load(Ordering::Acquire)
    }

    /// Whether the peer has sent anything since `when`.
    fn heard_since(&self, when: Instant) -> bool {
        let heard = Duration::from_micros(self.heard.load(Ordering::Acquire));
        self.start + heard >= when
    }
}

/// One open request of a connection; see [`Activity::open`].
#[derive(Debug)]
struct Open(Arc<Activity>);

impl Drop for Open {
    fn drop(&mut self) {
        // The time is stored before the count falls, so that whoever sees
        // no request open also sees when the last one ended.
        self.0.idle_since.store(self.0.now(), Ordering::Release);
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request open until hyper has taken all
/// of it (or dropped it, for a client that went away).
#[derive(Debug)]
struct Tracked {
    body: Body,
    _open: Open,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A connection's socket, noting when the peer last sent anything.
#[derive(Debug)]
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            let now = this.activity.now();
            this.activity.heard.store(now, Ordering::Release);
        }
        read
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.activity.wrote(&written);
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.activity.wrote(&written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Connections refused since the last log line about them.
#[derive(Debug, Default)]
struct Refusals {
    unlogged: u64,
    logged: Option<Instant>,
}

impl Refusals {
    fn count(&mut self, limit: usize) {
        self.unlogged += 1;
        let now = Instant::now();
        if self
            .logged
            .is_none_or(|at| now.duration_since(at) >= REFUSAL_LOG_INTERVAL)
        {
            tracing::warn!(
                limit,
                refused = self.unlogged,
                "too many connections: refusing new ones"
            );
            self.unlogged = 0;
            self.logged = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Limits, is_host, redacted, target_len};

    #[test]
    fn the_log_shows_no_feed_secret() {
        let shown = |t: &str| redacted(&t.parse().unwrap());
        assert_eq!(
            shown("/members/feeds/nspmfeed_SECRET/calendar.ics?x=1"),
            "/members/feeds/<redacted>/calendar.ics?x=1"
        );
        assert_eq!(
            shown("/members/feeds/nspmfeed_SECRET"),
            "/members/feeds/<redacted>"
        );
        assert_eq!(
            shown("http://h/members/feeds/nspmfeed_SECRET/calendar.ics"),
            "/members/feeds/<redacted>/calendar.ics"
        );
        assert_eq!(shown("/members/people/?q=1"), "/members/people/?q=1");
    }

    #[test]
    fn a_host_is_a_name_or_address_and_an_optional_port() {
        for host in [
            "localhost",
            "example.org:8080",
            "[::1]:8080",
            "[2001:db8::1]",
            "10.0.0.1",
            "a:",
            "xn--bcher-kva.example",
        ] {
            assert!(is_host(host.as_bytes()), "{host}");
        }
        for host in [
            "",
            "local host",
            "user@localhost",
            "localhost/x",
            "localhost?x",
            "http://localhost",
            "localhost:80x",
            "a:b:80",
            "[::1",
            "[]:80",
            "::1",
            ":80",
        ] {
            assert!(!is_host(host.as_bytes()), "{host}");
        }
    }

    #[test]
    fn the_answer_to_plain_http_on_the_tls_port_says_its_length() {
        let (head, body) = super::PLAIN_ON_TLS.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
    }

    #[test]
    fn connections_leave_room_for_the_servers_own_descriptors() {
        assert_eq!(Limits::connections_within(Some(1024)), 960);
        assert_eq!(Limits::connections_within(Some(128)), 96);
        assert_eq!(Limits::connections_within(Some(4)), 3);
        assert_eq!(Limits::connections_within(Some(0)), 1);
        assert_eq!(
            Limits::connections_within(Some(1 << 20)),
            Limits::MAX_CONNECTIONS
        );
        assert_eq!(Limits::connections_within(None), Limits::MAX_CONNECTIONS);
    }

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
