//! The full-text index of a collection (`diachi index`), in
//! `OUT/.diachi/search/`: one entry per page with its text, and one per
//! document with its metadata (page 0). Incremental: a bag is read again
//! only when its tag manifest changed, which covers every file of the bag.

use super::analyze::{DiachiTokenizer, KhmerSplit};
use crate::collection::{Bag, Snapshot};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::{doc, Index, IndexWriter, Term};

/// Bumped whenever the schema or the analyzers change: the index is then
/// built again from scratch.
const VERSION: u32 = 1;

/// The index's fields.
#[derive(Clone, Copy)]
pub struct Fields {
    /// The bag id (exact).
    pub doc: Field,
    /// The page number, 0 for the document's metadata entry.
    pub page: Field,
    /// Text as written (marks kept), lower-cased.
    pub exact: Field,
    /// Text with marks folded; stores the original text, for snippets.
    pub folded: Field,
    /// ISO 639-2 codes of the document.
    pub lang: Field,
    /// Set slug of the document's collection.
    pub collection: Field,
    /// The year of the document's date, when it has one.
    pub year: Field,
}

pub(crate) const EXACT: &str = "diachi_exact";
pub(crate) const FOLDED: &str = "diachi_folded";

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        doc: b.add_text_field("doc", STRING | STORED),
        page: b.add_u64_field("page", INDEXED | STORED | FAST),
        exact: b.add_text_field("exact", text(EXACT)),
        folded: b.add_text_field("folded", text(FOLDED) | STORED),
        lang: b.add_text_field("lang", STRING | STORED),
        collection: b.add_text_field("collection", STRING | STORED),
        year: b.add_i64_field("year", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// Registers diachi's analyzers on an index (they are not stored in it).
pub fn register(index: &Index, khmer: KhmerSplit) {
    for (name, folded) in [(EXACT, false), (FOLDED, true)] {
        index
            .tokenizers()
            .register(name, DiachiTokenizer { folded, khmer });
    }
}

/// An index in memory, with diachi's analyzers (for measurements and
/// tests).
pub(crate) fn in_ram(khmer: KhmerSplit) -> (Index, Fields) {
    let (schema, fields) = schema();
    let index = Index::create_in_ram(schema);
    register(&index, khmer);
    (index, fields)
}

/// What the index knows of itself: its version and each bag's fingerprint.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    version: u32,
    bags: BTreeMap<String, String>,
}

/// What an update did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Pages indexed by this update.
    pub pages: usize,
}

fn tantivy_err(dir: &Path) -> impl Fn(tantivy::TantivyError) -> Error + '_ {
    move |e| Error::Output {
        path: dir.to_path_buf(),
        reason: format!("search index: {e}"),
    }
}

fn io_err(dir: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Output {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Opens the index in `dir`, creating it (or making it anew when its
/// version is not this build's).
pub fn open(dir: &Path, khmer: KhmerSplit) -> Result<(Index, Fields)> {
    let (schema, fields) = schema();
    let current = read_state(dir).version == VERSION && dir.join("meta.json").is_file();
    let index = if current {
        Index::open_in_dir(dir).map_err(tantivy_err(dir))?
    } else {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io_err(dir))?;
        }
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let index = Index::create_in_dir(dir, schema).map_err(tantivy_err(dir))?;
        write_state(
            dir,
            &State {
                version: VERSION,
                bags: BTreeMap::new(),
            },
        )?;
        index
    };
    register(&index, khmer);
    Ok((index, fields))
}

fn write_state(dir: &Path, state: &State) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(state).expect("state serialises");
    let tmp = dir.join("diachi-state.json.tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, dir.join("diachi-state.json")))
        .map_err(io_err(dir))
}

fn read_state(dir: &Path) -> State {
    std::fs::read(dir.join("diachi-state.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Brings the index in `dir` up to date with `snapshot`: new and changed
/// bags (re)indexed, vanished ones removed.
pub fn update(dir: &Path, snapshot: &Snapshot, khmer: KhmerSplit) -> Result<Update> {
    let (index, fields) = open(dir, khmer)?;
    let mut state = read_state(dir);
    let mut writer: IndexWriter = index.writer(50_000_000).map_err(tantivy_err(dir))?;
    let mut update = Update::default();
    for bag in &snapshot.bags {
        match state.bags.get(&bag.id) {
            Some(f) if *f == bag.fingerprint => {
                update.unchanged += 1;
                continue;
            }
            Some(_) => update.changed += 1,
            None => update.added += 1,
        }
        writer.delete_term(Term::from_field_text(fields.doc, &bag.id));
        update.pages += add_bag(&writer, &fields, bag).map_err(tantivy_err(dir))?;
        state.bags.insert(bag.id.clone(), bag.fingerprint.clone());
    }
    let gone: Vec<String> = state
        .bags
        .keys()
        .filter(|id| snapshot.get(id).is_none())
        .cloned()
        .collect();
    for id in gone {
        writer.delete_term(Term::from_field_text(fields.doc, &id));
        state.bags.remove(&id);
        update.removed += 1;
    }
    writer.commit().map_err(tantivy_err(dir))?;
    writer.wait_merging_threads().map_err(tantivy_err(dir))?;
    write_state(dir, &state)?;
    Ok(update)
}

/// The year of a Dublin Core date ("1925", "1925-03-01", "khoảng 1930").
pub fn year(date: &str) -> Option<i64> {
    date.split(|c: char| !c.is_ascii_digit())
        .find(|d| d.len() == 4)
        .and_then(|d| d.parse().ok())
}

/// Adds a bag's entries: its metadata as page 0, then each page's text.
fn add_bag(writer: &IndexWriter, f: &Fields, bag: &Bag) -> tantivy::Result<usize> {
    let r = &bag.record;
    let m = &r.metadata;
    let slug = bag.collection_slug();
    let base = || {
        let mut d = doc!(f.doc => bag.id.as_str());
        for l in &r.language {
            d.add_text(f.lang, l);
        }
        if let Some(slug) = &slug {
            d.add_text(f.collection, slug);
        }
        if let Some(y) = year(&m.date) {
            d.add_i64(f.year, y);
        }
        d
    };
    let meta_text = [
        vec![r.title.clone(), m.description.clone()],
        m.creator.clone(),
        m.subject.clone(),
        m.coverage.clone(),
        m.publisher.clone(),
    ]
    .concat()
    .join("\n");
    let mut d = base();
    d.add_u64(f.page, 0);
    d.add_text(f.exact, &meta_text);
    d.add_text(f.folded, &meta_text);
    writer.add_document(d)?;
    let mut pages = 0;
    for p in &r.pages {
        let Some(text) = read_text(bag, &p.text) else {
            continue;
        };
        let mut d = base();
        d.add_u64(f.page, p.index as u64);
        d.add_text(f.exact, &text);
        d.add_text(f.folded, &text);
        writer.add_document(d)?;
        pages += 1;
    }
    Ok(pages)
}

/// A page's text file, if the bag lists it (a page left out by hand has
/// none).
fn read_text(bag: &Bag, rel: &str) -> Option<String> {
    if rel.is_empty() || !bag.files.contains(rel) {
        return None;
    }
    let bytes = workers::fixity::read_bag_file(&bag.dir.join(rel)).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(year("1925"), Some(1925));
        assert_eq!(year("1925-03-01"), Some(1925));
        assert_eq!(year("khoảng 1930"), Some(1930));
        assert_eq!(year("n.d."), None);
    }
}
