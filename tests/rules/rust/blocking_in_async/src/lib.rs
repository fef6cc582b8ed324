//! Blocking calls in async code, and the places where they are fine.
use std::fs;
use std::process::Command;
use std::thread;
use std::time::Duration;

use tokio::time::sleep;

pub mod process;

pub async fn handler(path: &str) -> std::io::Result<String> {
    thread::sleep(Duration::from_millis(10)); // optimus-expect: blocking-call-in-async
    std::thread::sleep(Duration::from_millis(10)); // optimus-expect: blocking-call-in-async
    sleep(Duration::from_millis(10)).await;
    let text = fs::read_to_string(path)?; // optimus-expect: blocking-call-in-async
    let _file = std::fs::File::open(path)?; // optimus-expect: blocking-call-in-async
    let _async_text = tokio::fs::read_to_string(path).await?;
    fs::create_dir_all("cache")?; // one metadata syscall: not reported
    std::fs::set_permissions(path, perms)?; // not reported either
    fs::remove_file(path)?; // nor an unlink
    fs::write(path, text.as_bytes())?; // optimus-expect: blocking-call-in-async
    // optimus-expect-next: blocking-call-in-async
    let _log = std::fs::OpenOptions::new().append(true).open("log.txt")?;
    Ok(text)
}

pub async fn offloaded(path: String) -> String {
    // spawn_blocking and block_in_place run their closure where blocking is allowed.
    let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(path))
        .await
        .unwrap()
        .unwrap();
    tokio::task::block_in_place(|| thread::sleep(Duration::from_millis(1)));
    text
}

pub async fn closures_run_elsewhere(paths: Vec<String>) {
    let worker = move || {
        for p in &paths {
            let _ = fs::remove_file(p);
        }
    };
    std::thread::spawn(worker);
}

pub async fn nested_items() {
    fn helper() -> u64 {
        thread::sleep(Duration::from_millis(1));
        1
    }
    let _ = helper();
}

pub fn sync_code(path: &str) -> String {
    thread::sleep(Duration::from_millis(1));
    fs::read_to_string(path).unwrap_or_default()
}

pub fn spawner(path: String) {
    tokio::spawn(async move {
        let _ = fs::write(&path, b"x"); // optimus-expect: blocking-call-in-async
    });
}

pub async fn http() -> reqwest::Result<String> {
    let client = reqwest::blocking::Client::new(); // optimus-expect: blocking-call-in-async
    let body = reqwest::blocking::get("https://example.com")?.text()?; // optimus-expect: blocking-call-in-async
    drop(client);
    Ok(body)
}

pub async fn async_http() -> reqwest::Result<String> {
    reqwest::get("https://example.com").await?.text().await
}

#[tokio::main]
async fn main() {
    // The entry point runs on the thread that started the runtime: start-up reads are fine.
    let _config = fs::read_to_string("config.toml");
    let _ = Command::new("true").status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sleeps_in_a_test() {
        thread::sleep(Duration::from_millis(1));
    }
}
