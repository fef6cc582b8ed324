//! HTTP API of the inventory service.

pub mod store;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::store::{parse_levels, ReserveError, StockLevel, Store};

#[derive(Debug, Deserialize)]
pub struct Quantity {
    pub quantity: u32,
}

pub fn app(store: Store) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/stock", get(list_stock))
        .route("/stock/:sku", get(get_stock))
        .route("/stock/:sku/restock", post(restock))
        .route("/stock/:sku/reserve", post(reserve))
        .route("/stock/:sku/release", post(release))
        .route("/admin/import", post(import_stock))
        .route("/admin/reload", post(reload_seed))
        .with_state(store)
}

async fn healthz(State(store): State<Store>) -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "available_units": store.total_available() }))
}

async fn list_stock(State(store): State<Store>) -> Json<Vec<StockLevel>> {
    Json(store.list())
}

async fn get_stock(State(store): State<Store>, Path(sku): Path<String>) -> Response {
    match store.get(&sku) {
        Some(level) => Json(level).into_response(),
        None => not_found(&sku),
    }
}

async fn restock(
    State(store): State<Store>,
    Path(sku): Path<String>,
    Json(body): Json<Quantity>,
) -> Response {
    match store.restock(&sku, body.quantity) {
        Some(level) => Json(level).into_response(),
        None => not_found(&sku),
    }
}

async fn reserve(
    State(store): State<Store>,
    Path(sku): Path<String>,
    Json(body): Json<Quantity>,
) -> Response {
    match store.reserve(&sku, body.quantity) {
        Ok(level) => Json(level).into_response(),
        Err(ReserveError::UnknownSku) => not_found(&sku),
        Err(ReserveError::Insufficient { available }) => (
            StatusCode::CONFLICT,
            Json(json!({ "error": "insufficient stock", "available": available })),
        )
            .into_response(),
    }
}

async fn release(
    State(store): State<Store>,
    Path(sku): Path<String>,
    Json(body): Json<Quantity>,
) -> Response {
    match store.release(&sku, body.quantity) {
        Some(level) => Json(level).into_response(),
        None => not_found(&sku),
    }
}

/// Replaces all stock with an ERP export posted as the body.
async fn import_stock(State(store): State<Store>, body: Bytes) -> Response {
    match parse_levels(body.to_vec()) {
        Ok(levels) => imported(&store, levels),
        Err(err) => bad_request(&err.to_string()),
    }
}

/// Replaces all stock with the seed file again (after the nightly export lands there).
async fn reload_seed(State(store): State<Store>) -> Response {
    let path = std::env::var("SEED_FILE").unwrap_or_else(|_| "seed/stock.json".to_string());
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) => return bad_request(&format!("cannot read {path}: {err}")),
    };
    match parse_levels(bytes) {
        Ok(levels) => imported(&store, levels),
        Err(err) => bad_request(&err.to_string()),
    }
}

fn imported(store: &Store, levels: Vec<StockLevel>) -> Response {
    let count = levels.len();
    store.replace(levels);
    Json(json!({ "imported": count })).into_response()
}

fn bad_request(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

fn not_found(sku: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "unknown sku", "sku": sku })),
    )
        .into_response()
}
