//! `use` aliases are followed.
use serde_json as json;
use std::fs;

pub fn load(path: &str) -> json::Value {
    let f = fs::File::open(path).unwrap();
    json::from_reader(f).unwrap() // optimus-expect: json-from-str-of-bytes
}

pub mod local {
    /// A reader of the crate's own, not `std::fs::File`.
    pub struct File;
}

pub fn own_reader_type(file: local::File) -> json::Value {
    json::from_reader(file).unwrap()
}
