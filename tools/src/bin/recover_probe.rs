//! Shows what layout recovery finds on a page: `cargo run --release -p tools --bin recover_probe -- IMG LANG`
use workers::page::Engines;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let gray = image::open(&a[1]).expect("an image").to_luma8();
    let mut engines = workers::page::EngineCache::new(workers::ocr::find_tessdata().unwrap());
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
