//! The society's website and read-only JSON API over HTTP, built on axum.
//!
//! [`app`] builds the router over an [`AppState`], so tests drive it with
//! `app(state).oneshot(request)` and no socket; [`serve`] runs it on a
//! listener until shutdown. The state holds one loaded snapshot of the data
//! behind an atomic pointer: a reload swaps in a whole new snapshot, so no
//! request ever sees half of one and half of the other.

mod api;
mod error;
mod state;

use axum::Router;
use axum::routing::get;

pub use error::AppError;
pub use state::{AppState, Snapshot};

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api", api::router())
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Serves the app on `listener` until `shutdown` completes, then finishes
/// the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
