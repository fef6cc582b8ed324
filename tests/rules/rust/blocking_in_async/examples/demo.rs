// Examples are skipped.
pub async fn demo() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}
fn main() {}
