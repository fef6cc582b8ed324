//! Async code: tokio tests are test code.

pub async fn fetch(url: &str) -> String {
    url.to_string()
}

#[tokio::test]
async fn fetches() {
    assert_eq!(fetch("x").await.len(), 1);
    Some(2).unwrap();
}
