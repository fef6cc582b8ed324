//! A lock whose type the file does not show: `.read()` and `.write()` are not assumed locks.
use std::collections::HashMap;

pub struct Cache {
    inner: std::sync::Arc<std::sync::Mutex<HashMap<String, String>>>,
}

async fn fetch(_key: &str) -> String {
    String::new()
}

impl Cache {
    pub async fn get(&self, key: &str, file: &mut Source) -> String {
        // `read()` of an unknown type: not a lock as far as this file shows.
        let buffer = file.read();
        let value = fetch(key).await;
        if let Some(hit) = self.inner.lock().unwrap().get(key).cloned() { // optimus-expect: lock-across-await
            fetch(&hit).await;
        }
        buffer.len();
        value
    }

    pub async fn put(&self, key: String) {
        let value = fetch(&key).await;
        self.inner.lock().unwrap().insert(key, value);
    }
}

pub struct Source;

impl Source {
    fn read(&mut self) -> Vec<u8> {
        Vec::new()
    }
}
