//! Koschei: continuous scratch rebuilds of RPM packages in Koji when their build
//! dependencies change. This crate is the server (GraphQL API, web app, background
//! services) and the `koschei` command. See ARCHITECTURE.md for the map.

pub mod admin;
pub mod cli;
pub mod config;
pub mod context;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod koji;
pub mod kojisim;
pub mod repodata;
pub mod resolver;
pub mod rpm;
pub mod scheduler;
pub mod services;
pub mod telemetry;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use context::AppContext;

/// Serves the application on `listener` until `shutdown` is cancelled, then finishes
/// in-flight requests and returns.
pub async fn serve(
    ctx: AppContext,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let router = http::router(ctx);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
    Ok(())
}
