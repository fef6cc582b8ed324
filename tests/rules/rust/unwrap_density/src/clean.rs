//! Mentions unwrap and expect only in safe forms.

pub fn safe(value: Option<u8>) -> u8 {
    // never value.unwrap() here
    let label = "value.expect(\"no\")";
    let _ = label;
    value.unwrap_or(0)
}
