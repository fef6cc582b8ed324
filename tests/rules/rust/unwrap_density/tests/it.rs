#[test]
fn integration() {
    Some(1).unwrap();
    "2".parse::<i32>().expect("number");
}

fn helper() -> i32 {
    "3".parse().unwrap()
}
