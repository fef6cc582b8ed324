//! Processes: std's Command blocks, tokio's is awaited.
use std::process::Command;

use reqwest::blocking;

pub async fn git_version() -> std::io::Result<String> {
    let out = Command::new("git").arg("--version").output()?; // optimus-expect: blocking-call-in-async
    let mut cmd = Command::new("make");
    cmd.arg("all");
    let status = cmd.status()?; // optimus-expect: blocking-call-in-async
    let mut child = Command::new("sleep").arg("1").spawn()?;
    child.wait()?; // optimus-expect: blocking-call-in-async
    let _ = status;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub async fn tokio_process() -> std::io::Result<()> {
    tokio::process::Command::new("git").arg("--version").output().await?;
    Ok(())
}

pub async fn aliased_module() -> reqwest::Result<String> {
    blocking::get("https://example.com")?.text() // optimus-expect: blocking-call-in-async
}

pub async fn spawn_only() -> std::io::Result<()> {
    // Spawning is not waiting: the child runs on its own.
    let _child = Command::new("daemon").spawn()?;
    Ok(())
}

pub async fn futures_block_on() -> u8 {
    futures::executor::block_on(async { 1 }) // optimus-expect: blocking-call-in-async
}
