// Benches are skipped.
fn bench(b: &[u8]) {
    let _: serde_json::Value = serde_json::from_str(std::str::from_utf8(b).unwrap()).unwrap();
}
