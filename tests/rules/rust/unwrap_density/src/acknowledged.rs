//! No finding: lock poisoning, Clippy-acknowledged calls, and only two counted calls.

use std::sync::{Mutex, RwLock};

pub fn bump(counter: &Mutex<u32>, table: &RwLock<Vec<u32>>) -> u32 {
    let mut value = counter.lock().unwrap();
    *value += 1;
    table.write().expect("table lock poisoned").push(*value);
    let first = table.read().unwrap()[0];
    println!("{}", counter.lock().unwrap());
    first
}

#[expect(clippy::expect_used, reason = "the config is validated at start-up")]
pub fn port(raw: &str) -> u16 {
    raw.parse().expect("validated port")
}

#[allow(clippy::unwrap_used, clippy::panic)]
pub mod strict {
    pub fn first(items: &[u8]) -> u8 {
        if items.is_empty() {
            panic!("empty");
        }
        *items.first().unwrap()
    }
}

pub fn two(a: Option<u8>, b: Option<u8>) -> u8 {
    a.unwrap() + b.unwrap()
}
