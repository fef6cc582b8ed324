use std::net::SocketAddr;
use std::path::PathBuf;

use inventory_service::app;
use inventory_service::store::Store;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let seed = std::env::var("SEED_FILE").unwrap_or_else(|_| "seed/stock.json".to_string());
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let store = Store::from_seed_file(&PathBuf::from(seed));

    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let listener = TcpListener::bind(addr).await.unwrap();
    tracing::info!(
        "inventory-service listening on {}",
        listener.local_addr().unwrap()
    );
    axum::serve(listener, app(store.clone()))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .expect("server error");

    if let Ok(snapshot) = std::env::var("SNAPSHOT_FILE") {
        if let Err(err) = store.save_snapshot(&PathBuf::from(&snapshot)).await {
            tracing::error!("could not write the stock snapshot to {snapshot}: {err}");
        }
    }
}

async fn shutdown_signal() {
    tokio::signal::ctrl_c()
        .await
        .expect("install Ctrl+C handler");
}
