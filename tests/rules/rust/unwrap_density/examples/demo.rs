fn main() {
    let n: i32 = "4".parse().unwrap();
    println!("{n}");
}
