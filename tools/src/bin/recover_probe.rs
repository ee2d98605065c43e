//! What layout recovery finds on a page, prepared as diachi prepares it:
//! the mode-3 reading, the regions no word covers, and what reading them
//! adds. `cargo run --release -p tools --bin recover_probe -- PAGE LANG [SAVE.png]` (SAVE: the prepared page)
use workers::page::Engines;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (path, lang) = (&a[1], &a[2]);
    let (gray, dpi) = tools::prepared(path, lang);
    if let Some(save) = a.get(3) {
        gray.save(save).unwrap();
    }
    let mut engines = tools::engines();
    let mut text = engines.get(lang, 3).unwrap().recognize(&gray, dpi).unwrap();
    println!("mode 3:\n{}", text.plain_text());
    if std::env::var_os("BOXES").is_some() {
        for w in text.words() {
            println!("  {:?} {:.0} {}", w.bbox, w.confidence, w.text);
        }
    }
    for r in workers::layout::dropped_regions(&gray, &text) {
        println!("uncovered {r:?}");
    }
    let engine = engines.get(lang, 6).unwrap();
    let n = workers::layout::recover_dropped(&gray, dpi, &mut text, engine)
        .unwrap()
        .lines;
    println!("recovered {n}:\n{}", text.plain_text());
}
