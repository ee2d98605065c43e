//! Which way of splitting Khmer finds more words in OCR text: letter
//! clusters (n-gram style) or ICU4X's dictionary words.
//!
//! `khmer_search GT OCR [GT OCR ...]`: pairs of a page's ground truth and
//! its OCR text (a bag's data/text/NNNN.txt). Prints, for each way, how
//! many ground-truth words were searched, how many found their page, and
//! how many pages were returned that lack the word.

use pipeline::search::measure::measure;
use pipeline::search::KhmerSplit;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!("usage: khmer_search GT OCR [GT OCR ...]");
        std::process::exit(2);
    }
    let pages: Vec<(String, String)> = args
        .chunks(2)
        .map(|p| {
            let read = |f: &str| std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            (read(&p[0]), read(&p[1]))
        })
        .collect();
    println!("split\twords\tfound\trecall\tfalse_hits");
    for (name, how) in [
        ("clusters", KhmerSplit::Clusters),
        ("icu-words", KhmerSplit::Words),
    ] {
        let r = measure(&pages, how).expect("in-memory index");
        println!(
            "{name}\t{}\t{}\t{:.3}\t{}",
            r.words,
            r.found,
            r.recall(),
            r.false_hits
        );
    }
}
