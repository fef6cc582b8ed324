//! Bytes turned into text only to be parsed as JSON, and files read without a buffer.
use std::fs::File;
use std::io::BufReader;

use serde_json::{from_str, Value};

pub mod config;

pub fn parse_body(body: Vec<u8>) -> Result<Value, Box<dyn std::error::Error>> {
    let v: Value = serde_json::from_str(&String::from_utf8(body)?)?; // optimus-expect: json-from-str-of-bytes
    Ok(v)
}

pub fn parse_slice(bytes: &[u8]) -> Value {
    serde_json::from_str(std::str::from_utf8(bytes).unwrap()).unwrap() // optimus-expect: json-from-str-of-bytes
}

pub fn parse_output(stdout: &[u8]) -> Value {
    from_str(&String::from_utf8_lossy(stdout)).unwrap_or_default() // optimus-expect: json-from-str-of-bytes
}

pub fn parse_copy(bytes: &[u8]) -> Value {
    // optimus-expect-next: json-from-str-of-bytes
    serde_json::from_str::<Value>(&String::from_utf8(bytes.to_vec()).unwrap()).unwrap()
}

pub fn parse_trimmed(stdout: &[u8]) -> Value {
    serde_json::from_str(std::str::from_utf8(stdout).unwrap().trim()).unwrap() // optimus-expect: json-from-str-of-bytes
}

pub fn via_variable(body: Vec<u8>) -> Value {
    let text = String::from_utf8(body).expect("utf-8");
    serde_json::from_str(&text).unwrap() // optimus-expect: json-from-str-of-bytes
}

pub fn text_needed_elsewhere(body: &[u8]) -> Value {
    let text = std::str::from_utf8(body).unwrap();
    eprintln!("payload: {text}");
    serde_json::from_str(text).unwrap()
}

pub fn already_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

pub fn lossy_by_choice(bytes: &[u8], lossy: bool) -> Value {
    // Both parsers side by side: accepting invalid UTF-8 is deliberate here.
    if lossy {
        serde_json::from_str(&String::from_utf8_lossy(bytes)).unwrap()
    } else {
        serde_json::from_slice(bytes).unwrap()
    }
}

pub fn other_format(bytes: Vec<u8>) -> Value {
    // Not serde_json: other crates' from_str are left alone.
    toml::from_str(&String::from_utf8(bytes).unwrap()).unwrap()
}

pub fn unbuffered_file(path: &str) -> Value {
    let file = File::open(path).unwrap();
    serde_json::from_reader(file).unwrap() // optimus-expect: json-from-str-of-bytes
}

pub fn unbuffered_inline(path: &str) -> std::io::Result<Value> {
    Ok(serde_json::from_reader(File::open(path)?)?) // optimus-expect: json-from-str-of-bytes
}

pub fn buffered(path: &str) -> std::io::Result<Value> {
    let reader = BufReader::new(File::open(path)?);
    Ok(serde_json::from_reader(reader)?)
}

pub fn stdin_is_buffered() -> Value {
    serde_json::from_reader(std::io::stdin()).unwrap()
}

pub fn file_parameter(mut file: File) -> Value {
    serde_json::from_reader(&mut file).unwrap() // optimus-expect: json-from-str-of-bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        let v: serde_json::Value = serde_json::from_str(&String::from_utf8(b"1".to_vec()).unwrap()).unwrap();
        assert_eq!(v, 1);
    }
}
