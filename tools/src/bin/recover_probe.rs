//! Shows what layout recovery finds on a page: `cargo run --release -p tools --bin recover_probe -- IMG LANG`
use workers::page::Engines;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let gray = tools::decode(&a[1]).gray;
    let mut engines = tools::engines();
    let mut text = engines
        .get(&a[2], 3)
        .unwrap()
        .recognize(&gray, 300)
        .unwrap();
    println!("mode 3:\n{}", text.plain_text());
    let n = workers::layout::recover_dropped(&gray, 300, &mut text, engines.get(&a[2], 6).unwrap())
        .unwrap();
    println!("recovered {n}:\n{}", text.plain_text());
}
