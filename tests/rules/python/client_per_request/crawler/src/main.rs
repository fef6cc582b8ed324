use futures::stream::{self, StreamExt};
use reqwest::Client;
use std::time::Duration;

async fn fetch_all(urls: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for url in urls {
        let client = Client::new(); // optimus-expect: client-per-request
        out.push(client.get(url).send().await.unwrap().text().await.unwrap());
    }
    out
}

async fn fetch_get(urls: &[String]) {
    for url in urls {
        let _ = reqwest::get(url).await; // optimus-expect: client-per-request
    }
}

async fn fetch_stream(urls: Vec<String>) {
    let bodies = stream::iter(urls)
        .map(|u| async move { reqwest::get(u).await }) // optimus-expect: client-per-request
        .buffer_unordered(8);
    let _ = bodies.collect::<Vec<_>>().await;
}

async fn reused(urls: &[String]) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    for url in urls {
        let _ = client.get(url).send().await;
    }
}

async fn per_proxy(proxies: &[String]) -> Vec<Client> {
    let mut clients = Vec::new();
    for proxy in proxies {
        let c = reqwest::Client::builder()
            .proxy(reqwest::Proxy::all(proxy).unwrap())
            .build()
            .unwrap();
        clients.push(c);
    }
    clients
}

async fn poll(url: &str) {
    loop {
        let _ = reqwest::get(url).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

async fn builder_in_loop(n: usize) {
    let mut i = 0;
    while i < n {
        let c = reqwest::Client::builder().build().unwrap(); // optimus-expect: client-per-request
        let _ = c.get("https://example.com").send().await;
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn many() {
        for _ in 0..3 {
            let _ = reqwest::get("http://localhost").await;
        }
    }
}

fn main() {}
