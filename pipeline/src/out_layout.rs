//! Where things go in an output folder: the bags, the report, and diachi's
//! own state under `OUT/.diachi/`. Every path of that folder is named here
//! once.

use std::path::{Path, PathBuf};

/// The layout of one output folder.
#[derive(Debug, Clone)]
pub struct OutLayout {
    root: PathBuf,
}

impl OutLayout {
    pub fn new(root: impl Into<PathBuf>) -> OutLayout {
        OutLayout { root: root.into() }
    }

    /// The output folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `OUT/<id>/`: a document's bag, present only when complete.
    pub fn bag(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// `OUT/.diachi/`: the run's own state, never part of a bag.
    pub fn state(&self) -> PathBuf {
        self.root.join(".diachi")
    }

    /// Where bags are built before they are renamed into place.
    pub fn staging(&self) -> PathBuf {
        self.state().join("staging")
    }

    /// A document's bag while it is built.
    pub fn staging_for(&self, id: &str) -> PathBuf {
        self.staging().join(id)
    }

    /// The file a run holds an exclusive lock on.
    pub fn lock(&self) -> PathBuf {
        self.state().join("lock")
    }

    /// The batch timestamp an interrupted run recorded, for its resumption.
    pub fn timestamp(&self) -> PathBuf {
        self.state().join("timestamp")
    }

    /// Tesseract's and Leptonica's own messages, kept off the terminal.
    pub fn engine_log(&self) -> PathBuf {
        self.state().join("tesseract.log")
    }

    /// Where a bag replaced by a later run (its overrides changed) is kept,
    /// never deleted: `OUT/.diachi/superseded/<id>/<timestamp>/`.
    pub fn superseded(&self, id: &str, timestamp: &str) -> PathBuf {
        self.state()
            .join("superseded")
            .join(id)
            .join(timestamp.replace(':', "-"))
    }

    /// A file written once to check that the folder is writable.
    pub fn write_test(&self) -> PathBuf {
        self.state().join("write-test")
    }

    /// A document's report thumbnails, beside the bags (never in them).
    pub fn thumbnails(&self, id: &str) -> PathBuf {
        self.state().join("thumbs").join(id)
    }

    /// The thumbnail of a document's page (1-based).
    pub fn thumbnail(&self, id: &str, page: usize) -> PathBuf {
        self.thumbnails(id).join(format!("{page:04}.jpg"))
    }

    /// `OUT/.diachi/search/`: the full-text index (`diachi index`).
    pub fn search_index(&self) -> PathBuf {
        self.state().join("search")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_stays_under_dot_diachi() {
        let l = OutLayout::new("/o");
        assert_eq!(l.bag("a"), Path::new("/o/a"));
        for p in [
            l.staging_for("a"),
            l.lock(),
            l.timestamp(),
            l.write_test(),
            l.thumbnails("a"),
        ] {
            assert!(p.starts_with("/o/.diachi"), "{}", p.display());
        }
        assert_eq!(l.thumbnails("a"), Path::new("/o/.diachi/thumbs/a"));
    }
}
