//! A library with panicking calls in production code and in tests.

use std::collections::HashMap;

// A comment that says .unwrap() and panic!("x") does not count.
pub fn port(config: &HashMap<String, String>) -> u16 {
    let text = "call .unwrap() or .expect(\"x\") in a string: not counted";
    let raw = config.get("port").unwrap(); // optimus-expect: unwrap-density
    let _ = text;
    raw.parse().expect("port must be a number")
}

pub fn name(config: &HashMap<String, String>) -> String {
    let fallback = config.get("default").cloned().unwrap_or_default();
    let first = config.get("name").cloned().unwrap_or(fallback);
    let _len = config.get("len").map(|s| s.len()).unwrap_or_else(|| 0);
    let parsed: Result<u8, String> = Err("bad".into());
    let _err = parsed.expect_err("must fail");
    first
}

pub fn check(value: i32) {
    if value < 0 {
        panic!("negative value: {value}");
    }
    println!("{}", "12".parse::<i32>().unwrap());
}

pub fn last(items: &[i32]) -> i32 {
    *items
        .last()
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let mut config = HashMap::new();
        config.insert("port".to_string(), "80".to_string());
        assert_eq!(port(&config), 80);
        "1".parse::<i32>().unwrap();
        Some(1).expect("present");
        panic!("only in tests");
    }
}

#[cfg(all(test, feature = "slow"))]
mod slow_tests {
    #[test]
    fn slow() {
        Some(1).unwrap();
    }
}

#[test]
fn top_level_test() {
    Some(1).unwrap();
}
