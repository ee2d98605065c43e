//! How well a way of splitting Khmer finds words: the words of each page's
//! ground truth (ICU4X's dictionary words of two letter clusters or more,
//! as a reader would type them) searched in an index of the page's OCR
//! text. Recall is the share of words whose page is found; false hits are
//! pages returned whose ground truth lacks the word.

use super::analyze::{term_ranges, KhmerSplit};
use super::index::in_ram;
use super::query::{run, Search};
use std::collections::BTreeSet;
use tantivy::doc;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Recall {
    pub words: usize,
    pub found: usize,
    pub false_hits: usize,
}

impl Recall {
    pub fn recall(&self) -> f64 {
        self.found as f64 / self.words.max(1) as f64
    }
}

fn khmer_word(w: &str) -> bool {
    w.chars().all(|c| workers::lang::Script::Khmer.has(c))
        && term_ranges(w, KhmerSplit::Clusters).len() >= 2
}

/// The query words of a ground truth text.
pub fn query_words(gt: &str) -> BTreeSet<String> {
    term_ranges(gt, KhmerSplit::Words)
        .into_iter()
        .map(|r| gt[r].to_string())
        .filter(|w| khmer_word(w))
        .collect()
}

/// Indexes `pages` (ground truth, OCR text) split by `how`, and searches
/// every ground-truth word.
pub fn measure(pages: &[(String, String)], how: KhmerSplit) -> tantivy::Result<Recall> {
    let (index, f) = in_ram(how);
    let mut w = index.writer(20_000_000)?;
    for (i, (_, ocr)) in pages.iter().enumerate() {
        w.add_document(doc!(f.doc => i.to_string(), f.page => 1u64, f.exact => ocr.as_str(), f.folded => ocr.as_str()))?;
    }
    w.commit()?;
    let searcher = index.reader()?.searcher();
    let mut r = Recall::default();
    for (i, (gt, _)) in pages.iter().enumerate() {
        for word in query_words(gt) {
            let s = Search {
                q: word.clone(),
                limit: pages.len(),
                ..Default::default()
            };
            let got = run(&searcher, &f, &s, how)?;
            r.words += 1;
            for hit in &got.hits {
                if hit.id == i.to_string() {
                    r.found += 1;
                } else if let Ok(j) = hit.id.parse::<usize>() {
                    if !pages[j].0.contains(&word) {
                        r.false_hits += 1;
                    }
                }
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_find_every_word_of_a_clean_text_and_icu_words_miss_some() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/groundtruth");
        let pages: Vec<(String, String)> = [
            "wat-khleang/scan_1.txt",
            "wat-khleang/scan_2.txt",
            "song-ngu/p1.txt",
        ]
        .iter()
        .map(|p| {
            let t = std::fs::read_to_string(format!("{root}/{p}")).unwrap();
            (t.clone(), t)
        })
        .collect();
        let clusters = measure(&pages, KhmerSplit::Clusters).unwrap();
        assert!(clusters.words >= 20, "{clusters:?}");
        assert_eq!(clusters.found, clusters.words, "{clusters:?}");
        assert_eq!(clusters.false_hits, 0, "{clusters:?}");
        // A word typed alone is segmented without its context, and ICU4X
        // cuts some differently than inside the sentence (4 of 61 here).
        let words = measure(&pages, KhmerSplit::Words).unwrap();
        assert_eq!(words.words, clusters.words);
        assert!(words.found < words.words, "{words:?}");
    }
}
