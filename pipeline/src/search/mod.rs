//! Full-text search over a collection: the analyzers, the index that
//! `diachi index` builds, and the queries `diachi serve` answers.

pub mod analyze;
pub mod index;
pub mod measure;
pub mod query;

use crate::{Error, Result};
pub use analyze::KhmerSplit;
pub use query::{DocHit, PageHit, Results, Search};
use std::path::Path;
use tantivy::{IndexReader, ReloadPolicy};

/// How Khmer is split for the index diachi builds (measured against ICU4X
/// words: see the README's search section).
pub const KHMER: KhmerSplit = KhmerSplit::Clusters;

/// `diachi index OUT`: brings OUT's search index up to date with its bags.
pub fn index_out(out: &Path) -> Result<(index::Update, Vec<crate::collection::Unreadable>)> {
    let snap = crate::collection::scan(out, None).map_err(|e| Error::Batch {
        path: out.to_path_buf(),
        reason: e.to_string(),
    })?;
    let update = index::update(
        &crate::out_layout::OutLayout::new(out).search_index(),
        &snap,
        KHMER,
    )?;
    Ok((update, snap.unreadable))
}

/// An open index, ready for queries; it sees each update once committed.
pub struct Finder {
    reader: IndexReader,
    fields: index::Fields,
    khmer: KhmerSplit,
}

impl Finder {
    /// Opens (or creates empty) the index in `dir`.
    pub fn open(dir: &Path, khmer: KhmerSplit) -> Result<Finder> {
        let (index, fields) = index::open(dir, khmer)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|e| Error::Output {
                path: dir.to_path_buf(),
                reason: format!("search index: {e}"),
            })?;
        Ok(Finder {
            reader,
            fields,
            khmer,
        })
    }

    pub fn search(&self, s: &Search) -> tantivy::Result<Results> {
        query::run(&self.reader.searcher(), &self.fields, s, self.khmer)
    }

    /// Makes an update committed by another writer visible now.
    pub fn reload(&self) {
        let _ = self.reader.reload();
    }
}
