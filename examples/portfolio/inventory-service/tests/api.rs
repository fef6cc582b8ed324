use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use inventory_service::app;
use inventory_service::store::{StockLevel, Store};
use tower::ServiceExt;

fn seeded() -> Store {
    Store::from_levels(vec![StockLevel {
        sku: "KETTLE-7".into(),
        warehouse: "rtm-2".into(),
        on_hand: 4,
        reserved: 0,
    }])
}

async fn send(
    store: Store,
    method: &str,
    uri: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app(store).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn get_known_sku() {
    let (status, body) = send(seeded(), "GET", "/stock/KETTLE-7", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["on_hand"], 4);
}

#[tokio::test]
async fn reserve_too_much_is_conflict() {
    let (status, body) = send(
        seeded(),
        "POST",
        "/stock/KETTLE-7/reserve",
        r#"{"quantity": 9}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["available"], 4);
}

#[tokio::test]
async fn unknown_sku_is_404() {
    let (status, _) = send(seeded(), "GET", "/stock/NOPE", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
