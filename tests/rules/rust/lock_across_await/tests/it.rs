// Integration tests are skipped: holding a lock across an await to serialise tests is common.
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

#[tokio::test]
async fn serialised() {
    let _g = LOCK.lock().unwrap();
    tokio::task::yield_now().await;
}
