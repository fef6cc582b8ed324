fn main() {
    Some(5).unwrap();
}
