//! A search over the index: the query's words all required, each matched
//! as written or with its marks folded (the written form weighs more, so
//! "Cần Thơ" ranks pages spelling it so first), Khmer words matched as
//! phrases of letter clusters, and the hits grouped by document.

use super::analyze::{term_ranges, term_text, KhmerSplit};
use super::index::Fields;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most words of a query used; the rest are ignored.
const MAX_GROUPS: usize = 16;
/// Page hits looked at for grouping into documents.
const MAX_HITS: usize = 2000;
/// Weight of a match as written against a match with marks folded.
const EXACT_BOOST: f32 = 3.0;

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub q: String,
    /// ISO 639-2 code.
    pub lang: Option<String>,
    /// Collection set slug.
    pub collection: Option<String>,
    /// Years of the document's date, inclusive.
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Documents skipped (paging) and returned.
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageHit {
    /// The page's number in the document; 0 when the match is in the
    /// document's metadata (title, creator, subject, description).
    pub page: u64,
    /// The text around the match, HTML-escaped, matches in `<b>`.
    pub snippet: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocHit {
    pub id: String,
    pub score: f32,
    /// Best first.
    pub pages: Vec<PageHit>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Results {
    /// Documents that match (counted over the first hits).
    pub documents: usize,
    /// Page and metadata entries that match.
    pub entries: usize,
    pub hits: Vec<DocHit>,
}

/// Characters of page text around the first match shown with a hit.
const SNIPPET_CHARS: usize = 220;

/// The text around the first match of `wanted` (query parts, folded), as
/// HTML with every match in `<b>`. A part matches only whole: a Khmer
/// word's letter clusters in a row, not each cluster wherever it stands.
pub fn snippet(text: &str, wanted: &[Vec<String>], khmer: KhmerSplit, max_chars: usize) -> String {
    let ranges = term_ranges(text, khmer);
    let folded: Vec<String> = ranges
        .iter()
        .map(|r| term_text(&text[r.clone()], true))
        .collect();
    let mut marks: Vec<std::ops::Range<usize>> = Vec::new();
    for g in wanted.iter().filter(|g| !g.is_empty()) {
        for i in 0..folded.len().saturating_sub(g.len() - 1) {
            if folded[i..i + g.len()] == g[..] {
                marks.push(ranges[i].start..ranges[i + g.len() - 1].end);
            }
        }
    }
    marks.sort_by_key(|r| r.start);
    // The window: from a quarter of its length before the first match
    // (at a word's start), `max_chars` characters long.
    let first = marks.first().map_or(0, |r| r.start);
    let lead = text[..first]
        .char_indices()
        .rev()
        .nth(max_chars / 4)
        .map_or(0, |(i, _)| i);
    let start = text[lead..first]
        .find(char::is_whitespace)
        .filter(|_| lead > 0)
        .map_or(lead, |i| lead + i + 1);
    let end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| start + i);
    let mut html = String::new();
    let mut at = start;
    for m in marks.iter().filter(|m| m.start >= start && m.end <= end) {
        if m.start < at {
            continue;
        }
        html += &crate::report::esc(&text[at..m.start]);
        html += "<b>";
        html += &crate::report::esc(&text[m.clone()]);
        html += "</b>";
        at = m.end;
    }
    html += &crate::report::esc(&text[at..end]);
    html.trim().to_string()
}

/// The query's required parts: each a list of terms that must follow one
/// another (one Latin word, or a Khmer word's clusters).
fn groups(q: &str, khmer: KhmerSplit) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut last_end = usize::MAX;
    let mut last_khmer = false;
    for r in term_ranges(q, khmer) {
        let raw = &q[r.clone()];
        let is_khmer = raw.chars().any(|c| workers::lang::Script::Khmer.has(c));
        let joined = is_khmer && last_khmer && r.start == last_end && khmer == KhmerSplit::Clusters;
        match out.last_mut() {
            Some(g) if joined => g.push(raw),
            _ => out.push(vec![raw]),
        }
        last_end = r.end;
        last_khmer = is_khmer;
    }
    out.truncate(MAX_GROUPS);
    out
}

fn sequence(field: tantivy::schema::Field, terms: &[String]) -> Box<dyn Query> {
    if terms.len() == 1 {
        Box::new(TermQuery::new(
            Term::from_field_text(field, &terms[0]),
            IndexRecordOption::WithFreqsAndPositions,
        ))
    } else {
        Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))
    }
}

/// The query's parts as [`groups`] has them, folded: what a snippet marks.
fn folded_groups(q: &str, khmer: KhmerSplit) -> Vec<Vec<String>> {
    groups(q, khmer)
        .iter()
        .map(|g| g.iter().map(|t| term_text(t, true)).collect())
        .collect()
}

/// The query for `s`, or `None` when it has no word to look for.
pub fn build(s: &Search, f: &Fields, khmer: KhmerSplit) -> Option<BooleanQuery> {
    let groups = groups(&s.q, khmer);
    if groups.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut all_folded = Vec::new();
    for g in &groups {
        let exact: Vec<String> = g.iter().map(|t| term_text(t, false)).collect();
        let folded: Vec<String> = g.iter().map(|t| term_text(t, true)).collect();
        all_folded.extend(folded.iter().cloned());
        let either = BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(sequence(f.exact, &exact), EXACT_BOOST)) as Box<dyn Query>,
            ),
            (Occur::Should, sequence(f.folded, &folded)),
        ]);
        clauses.push((Occur::Must, Box::new(either)));
    }
    if groups.len() > 1 {
        // The words in the order typed rank above the same words apart.
        clauses.push((Occur::Should, sequence(f.folded, &all_folded)));
    }
    let term = |field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, v),
            IndexRecordOption::Basic,
        ))
    };
    if let Some(l) = &s.lang {
        clauses.push((Occur::Must, term(f.lang, l)));
    }
    if let Some(c) = &s.collection {
        clauses.push((Occur::Must, term(f.collection, c)));
    }
    if s.from.is_some() || s.until.is_some() {
        let bound = |y: Option<i64>| match y {
            Some(y) => Bound::Included(Term::from_field_i64(f.year, y)),
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(bound(s.from), bound(s.until))),
        ));
    }
    Some(BooleanQuery::new(clauses))
}

/// Runs `s` against the index.
pub fn run(
    searcher: &Searcher,
    f: &Fields,
    s: &Search,
    khmer: KhmerSplit,
) -> tantivy::Result<Results> {
    let Some(query) = build(s, f, khmer) else {
        return Ok(Results::default());
    };
    let (top, entries) = searcher.search(
        &query,
        &(TopDocs::with_limit(MAX_HITS).order_by_score(), Count),
    )?;
    let parts = folded_groups(&s.q, khmer);
    let mut order: Vec<DocHit> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (score, addr) in top {
        let d: TantivyDocument = searcher.doc(addr)?;
        let id = d
            .get_first(f.doc)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let page = d.get_first(f.page).and_then(|v| v.as_u64()).unwrap_or(0);
        let i = *at.entry(id.clone()).or_insert_with(|| {
            order.push(DocHit {
                id,
                score,
                pages: Vec::new(),
            });
            order.len() - 1
        });
        let wanted = i >= s.offset && i < s.offset + s.limit;
        if wanted && order[i].pages.len() < 5 {
            let text = d.get_first(f.folded).and_then(|v| v.as_str()).unwrap_or("");
            let snippet = snippet(text, &parts, khmer, SNIPPET_CHARS);
            order[i].pages.push(PageHit {
                page,
                snippet,
                score,
            });
        }
    }
    let documents = order.len();
    let hits = order.into_iter().skip(s.offset).take(s.limit).collect();
    Ok(Results {
        documents,
        entries,
        hits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn khmer_words_are_phrases_latin_words_are_terms() {
        let g = groups("can tho ប្រវត្តិ វត្ត", KhmerSplit::Clusters);
        assert_eq!(
            g,
            vec![
                vec!["can"],
                vec!["tho"],
                vec!["ប្រ", "វ", "ត្តិ"],
                vec!["វ", "ត្ត"]
            ]
        );
        assert!(groups(" ,.;!! ", KhmerSplit::Clusters).is_empty());
    }

    #[test]
    fn snippets_mark_whole_words_around_the_first_match() {
        let want = |q: &str| folded_groups(q, KhmerSplit::Clusters);
        let km = "វត្តឃ្លាំង ជាវត្តចាស់ជាងគេនៅខេត្តឃ្លាំង។";
        let s = snippet(km, &want("វត្តឃ្លាំង"), KhmerSplit::Clusters, 220);
        assert_eq!(s, "<b>វត្តឃ្លាំង</b> ជាវត្តចាស់ជាងគេនៅខេត្តឃ្លាំង។");
        let vi = format!("{} Tỉnh Cần Thơ <1925> & cân thờ", "x ".repeat(100));
        let s = snippet(&vi, &want("can tho"), KhmerSplit::Clusters, 60);
        assert!(s.starts_with("x x"), "{s}");
        assert!(
            s.contains("Tỉnh <b>Cần</b> <b>Thơ</b> &lt;1925&gt; &amp; <b>cân</b> <b>thờ</b>"),
            "{s}"
        );
        assert_eq!(
            snippet("abc def", &want("zzz"), KhmerSplit::Clusters, 3),
            "abc"
        );
    }

    /// Pages spelling the words as typed rank first; without marks, every
    /// spelling is found.
    #[test]
    fn marks_as_typed_rank_first() {
        let (index, f) = super::super::index::in_ram(KhmerSplit::Clusters);
        let mut w = index.writer(15_000_000).unwrap();
        for (id, text) in [
            ("a", "Chợ nổi cân thờ, trên sông Hậu"),
            ("b", "Tỉnh Cần Thơ, trên sông Hậu"),
            ("c", "CAN THO, printed without marks"),
            ("d", "Sóc Trăng"),
        ] {
            w.add_document(
                tantivy::doc!(f.doc => id, f.page => 1u64, f.exact => text, f.folded => text),
            )
            .unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let ids = |q: &str| -> Vec<String> {
            let s = Search {
                q: q.into(),
                limit: 10,
                ..Default::default()
            };
            run(&searcher, &f, &s, KhmerSplit::Clusters)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect()
        };
        assert_eq!(ids("Cần Thơ")[0], "b");
        assert_eq!(ids("cần thơ").len(), 3);
        assert_eq!(ids("can tho")[0], "c");
        assert_eq!(ids("can tho").len(), 3);
        assert_eq!(ids("cân thờ")[0], "a");
        assert_eq!(ids("soc trang"), ["d"]);
        assert!(ids("sông Hậu Sóc").is_empty());
    }
}
