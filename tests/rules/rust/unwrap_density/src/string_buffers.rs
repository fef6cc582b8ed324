//! No finding: formatting into a String cannot fail, so these unwraps cannot panic.

use std::fmt::Write;

pub struct Report {
    out: String,
}

impl Report {
    pub fn line(&mut self, name: &str) {
        writeln!(self.out, "name: {name}").unwrap();
        self.out.write_str("---\n").unwrap();
        write!(&mut self.out, "{}", 1).expect("writing to a String cannot fail");
    }
}

pub fn render(items: &[u32], out: &mut String) -> String {
    let mut text = String::new();
    for item in items {
        write!(text, "{item},").unwrap();
    }
    let mut header = String::with_capacity(16);
    writeln!(header, "{} items", items.len()).unwrap();
    write!(out, "{header}").unwrap();
    out.write_char('\n').unwrap();
    let mut summary = format!("{}", items.len());
    std::fmt::Write::write_str(&mut summary, "").unwrap_or(());
    writeln!(&mut summary).unwrap();
    text + &header + &summary
}
