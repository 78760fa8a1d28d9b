//! `nspm serve`: the website and JSON API over HTTP or HTTPS, reloading
//! the data when its files change.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use nspm_server::{AppState, Front, Limits, Proxy, Tls, TlsPart};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address and port to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    addr: SocketAddr,
    /// Serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate chain:
    /// the site's certificate first, then its intermediates.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A reverse proxy (an IP address, or a network such as 10.0.0.0/8)
    /// whose X-Forwarded-Proto and X-Forwarded-For are believed; repeat for
    /// several. From any other peer those headers are ignored.
    #[arg(long, value_name = "ADDR")]
    behind_proxy: Vec<Proxy>,
    /// Seconds a client has to send a request's headers. Hidden: it exists
    /// so that tests of slow clients take a second rather than ten.
    #[arg(long, hide = true, value_name = "SECONDS", value_parser = seconds)]
    header_timeout: Option<Duration>,
    /// Seconds shutdown waits for requests in flight. Hidden: it exists so
    /// that tests can tell closing at once from waiting the drain out.
    #[arg(long, hide = true, value_name = "SECONDS", value_parser = seconds)]
    drain_timeout: Option<Duration>,
    #[command(flatten)]
    site: crate::cli::Deploy,
}

fn seconds(text: &str) -> Result<Duration, String> {
    crate::cli::seconds(text)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "expected a number of seconds above 0, up to 86400 (a day)".to_string())
}

pub fn run(cx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let stamp = super::source_date_epoch()?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                // The file watcher's notes on its own bookkeeping (a watch
                // already gone with its directory) are no news to an
                // operator: the server says what happened to the data.
                tracing_subscriber::EnvFilter::new("info,notify=error")
            }),
        )
        .with_writer(|| LossyStderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .with_target(false)
        // Its own complaint about a failed write would go to stderr too,
        // with `eprintln!`, which panics when stderr is gone.
        .log_internal_errors(false)
        .init();
    // The files' time before their text, as on every reload.
    let changed = cx
        .data_dir()
        .and_then(|dir| nspm_server::files_modified(&dir));
    // A certificate that cannot be used stops the server before it
    // listens, rather than at its first visitor.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let files = TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            };
            let tls = files.load()?;
            Some((files, tls))
        }
        _ => None,
    };
    let society = cx.society()?;
    args.site.note_without_base_url(&society);
    let deployment = nspm_server::Deployment {
        stamp,
        base_url: args.site.base_url.clone(),
        today: args.site.fixed_day(stamp),
    };
    let state =
        AppState::for_deployment(society, deployment, changed).context("cannot render the site")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        // Live data only makes sense for files on disk; the embedded copy
        // cannot change while the server runs.
        let live = match cx.data_dir() {
            Some(dir) => {
                state.open_access(&dir).with_context(|| {
                    format!(
                        "cannot open the members' area's access file in {}",
                        dir.display()
                    )
                })?;
                let watch = nspm_server::watch(&dir, state.clone())
                    .with_context(|| format!("cannot watch {} for changes", dir.display()))?;
                tracing::info!(dir = %dir.display(), "watching the data for changes");
                Some(watch)
            }
            None => None,
        };
        reload_on_hangup(live.as_ref(), tls.clone())?;
        tokio::spawn(nspm_server::follow_the_days(state.clone()));
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!("serving {scheme}://{addr}/");
        if !args.behind_proxy.is_empty() {
            let proxies: Vec<String> = args.behind_proxy.iter().map(Proxy::to_string).collect();
            tracing::info!(
                "trusting X-Forwarded-Proto and X-Forwarded-For from {}",
                proxies.join(", ")
            );
        }
        let mut limits = Limits::default();
        if let Some(t) = args.header_timeout {
            limits.header_timeout = t;
        }
        if let Some(t) = args.drain_timeout {
            limits.drain_timeout = t;
        }
        limits.max_connections = Limits::connections_within(raise_descriptor_limit());
        tracing::debug!(
            "taking at most {} connections at once",
            limits.max_connections
        );
        let front = Front {
            tls: tls.map(|(_, tls)| tls),
            proxies: args.behind_proxy,
        };
        nspm_server::serve_with(listener, state, limits, front, shutdown()).await?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Where the certificate chain and key are read from, at start and on
/// SIGHUP.
#[derive(Debug, Clone)]
struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
}

impl TlsFiles {
    fn load(&self) -> anyhow::Result<Tls> {
        let (chain, key) = self.read()?;
        Tls::from_pem(&chain, &key).map_err(|e| self.explain(e))
    }

    /// Puts the files' certificate in use in `tls`, once renewed.
    fn reload(&self, tls: &Tls) -> anyhow::Result<()> {
        let (chain, key) = self.read()?;
        tls.replace_pem(&chain, &key).map_err(|e| self.explain(e))
    }

    fn read(&self) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
        let read = |path: &Path, what: &str| {
            std::fs::read(path)
                .with_context(|| format!("cannot read the TLS {what} {}", path.display()))
        };
        Ok((read(&self.cert, "certificate")?, read(&self.key, "key")?))
    }

    /// The error, naming the file at fault.
    fn explain(&self, e: nspm_server::TlsError) -> anyhow::Error {
        let (cert, key) = (self.cert.display(), self.key.display());
        let at = match e.part() {
            TlsPart::Certificate => format!("the TLS certificate {cert}"),
            TlsPart::Key => format!("the TLS key {key}"),
            TlsPart::Both => format!("the TLS certificate {cert} and key {key}"),
        };
        anyhow::anyhow!("cannot use {at}: {e}")
    }
}

/// SIGHUP means "read the data again now", as it does for most daemons:
/// for a change the watch cannot see (a file linked from elsewhere, a
/// network file system), or to be sure. It also reads the TLS certificate
/// and key again, as a renewal's hook asks nginx to. Without this the
/// signal would end the process at once, requests in flight and all.
fn reload_on_hangup(
    live: Option<&nspm_server::LiveData>,
    tls: Option<(TlsFiles, Tls)>,
) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .context("cannot listen for SIGHUP")?;
        let reloader = live.map(nspm_server::LiveData::reloader);
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match &reloader {
                    Some(r) => {
                        tracing::info!("SIGHUP: reloading the data");
                        if !r.reload_now() {
                            tracing::warn!("data not reloaded: the data is no longer watched");
                        }
                    }
                    None => {
                        tracing::info!(
                            "SIGHUP: nothing to reload, the data is built into the binary"
                        );
                    }
                }
                if let Some((files, tls)) = &tls {
                    match files.reload(tls) {
                        Ok(()) => tracing::info!(
                            cert = %files.cert.display(),
                            "SIGHUP: TLS certificate reloaded"
                        ),
                        Err(e) => tracing::error!("SIGHUP: {e:#}; the certificate in use stays"),
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = (live, tls);
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// The log's way to stderr. A line that cannot be written is dropped:
/// serving never stops for logging, whether stderr is a pipe whose reader
/// has gone (`nspm serve 2>&1 | head`, a log collector that restarts) or
/// a full disk. Once the pipe is broken it stays so, and the lines that
/// follow are not even tried.
#[derive(Debug, Clone, Copy)]
struct LossyStderr;

static STDERR_BROKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl std::io::Write for LossyStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering;
        if !STDERR_BROKEN.load(Ordering::Relaxed)
            && let Err(e) = std::io::stderr().write_all(buf)
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            STDERR_BROKEN.store(true, Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Raises the soft limit on open file descriptors to the hard one, as far
/// as the system allows, since each connection takes one; returns the
/// limit in effect (`None`: unlimited).
#[cfg(unix)]
fn raise_descriptor_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current == limit.maximum {
        return limit.current;
    }
    let raised = rustix::process::Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    match setrlimit(Resource::Nofile, raised) {
        Ok(()) => limit.maximum,
        Err(e) => {
            tracing::warn!(
                soft = ?limit.current,
                hard = ?limit.maximum,
                error = %e,
                "cannot raise the limit on open files"
            );
            limit.current
        }
    }
}

#[cfg(not(unix))]
fn raise_descriptor_limit() -> Option<u64> {
    // Windows has no such limit on sockets.
    None
}
