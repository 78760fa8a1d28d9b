//! `nspm serve`: the website and JSON API over HTTP, reloading the data
//! when its files change.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use nspm_server::{AppState, Limits};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address and port to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    addr: SocketAddr,
    /// Seconds a client has to send a request's headers. Hidden: it exists
    /// so that tests of slow clients take a second rather than ten.
    #[arg(long, hide = true, value_name = "SECONDS", value_parser = seconds)]
    header_timeout: Option<Duration>,
}

fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("expected a positive number of seconds, not {text:?}"))
}

pub fn run(cx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let stamp = super::source_date_epoch()?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .with_target(false)
        .init();
    let society = cx.society()?;
    let state = AppState::with_stamp(society, stamp).context("cannot render the site")?;
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
        let _live = match cx.data_dir() {
            Some(dir) => {
                let watch = nspm_server::watch(&dir, state.clone())
                    .with_context(|| format!("cannot watch {} for changes", dir.display()))?;
                tracing::info!(dir = %dir.display(), "watching the data for changes");
                Some(watch)
            }
            None => None,
        };
        tracing::info!("serving http://{addr}/");
        let mut limits = Limits::default();
        if let Some(t) = args.header_timeout {
            limits.header_timeout = t;
        }
        nspm_server::serve_with(listener, state, limits, shutdown()).await?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
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
