// Tests are skipped.
#[tokio::test]
async fn sleeps() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}
