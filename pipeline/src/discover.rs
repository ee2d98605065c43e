//! Batch discovery: the documents of a batch folder, their pages in natural
//! file-name order, and the rows of batch.csv (DESIGN.md, input contract).

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Extensions read as pages (case-insensitive): images, and scanner PDFs
/// (a file of pages).
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "tif", "tiff", "png", "jpg", "jpeg", "jp2", "j2k", "jpf", "pdf",
];

/// Dublin Core metadata of a document, from its batch.csv row.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    pub title: String,
    pub creator: Vec<String>,
    pub date: String,
    /// The raw language field, parsed later (empty when not given).
    pub language: String,
    pub subject: Vec<String>,
    pub coverage: Vec<String>,
    pub description: String,
    pub publisher: Vec<String>,
    pub rights: String,
    pub source: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub identifier: Vec<String>,
    /// The collection the document belongs to (batch.csv `collection`): an
    /// OAI-PMH set and a search filter of `diachi serve`. Empty: none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Columns batch.csv has beyond the Dublin Core ones, kept as they are.
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct DocumentInput {
    pub id: String,
    pub dir: PathBuf,
    pub pages: Vec<PathBuf>,
    pub metadata: Metadata,
}

/// Something about the batch as a whole that the user must hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Not fatal: reported, the batch goes on.
    Warning(String),
    /// The named document cannot be processed (counted as failed).
    DocumentError { id: String, reason: String },
}

#[derive(Debug)]
pub struct Batch {
    pub root: PathBuf,
    pub documents: Vec<DocumentInput>,
    pub notices: Vec<Notice>,
}

/// Finds the documents of `root`. Fails only when `root` itself cannot be
/// read or batch.csv cannot be parsed at all; anything wrong with one
/// document is a [`Notice`].
pub fn discover(root: &Path) -> Result<Batch> {
    let entries = std::fs::read_dir(root).map_err(|e| Error::Batch {
        path: root.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut notices = Vec::new();
    let dirs = document_dirs(entries, &mut notices);
    let mut rows = read_csv(root, &mut notices)?;
    let mut documents = Vec::new();
    for (id, dir) in dirs {
        match document(id, dir, &mut rows, &mut notices) {
            Ok(doc) => documents.push(doc),
            Err(notice) => notices.push(notice),
        }
    }
    for (id, row) in rows.unwrap_or_default() {
        notices.push(Notice::Warning(match row {
            Err(reason) => format!("{reason}; row ignored"),
            Ok(_) => format!("batch.csv: row for '{id}' matches no document folder"),
        }));
    }
    Ok(Batch {
        root: root.to_path_buf(),
        documents,
        notices,
    })
}

/// The batch's document folders, in natural order of their names; hidden
/// entries and files are passed over, names that are not UTF-8 reported.
fn document_dirs(entries: std::fs::ReadDir, notices: &mut Vec<Notice>) -> Vec<(String, PathBuf)> {
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            notices.push(Notice::Warning(format!(
                "{}: folder name is not valid UTF-8; skipped",
                path.display()
            )));
            continue;
        };
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        dirs.push((name.to_string(), path));
    }
    dirs.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    dirs
}

/// One document folder with its pages and its batch.csv row (taken out of
/// `rows`), or the notice that says why it cannot be a document.
fn document(
    id: String,
    dir: PathBuf,
    rows: &mut Option<Rows>,
    notices: &mut Vec<Notice>,
) -> std::result::Result<DocumentInput, Notice> {
    if let Err(reason) = check_id(&id) {
        return Err(Notice::DocumentError { id, reason });
    }
    let pages = match pages(&dir, notices) {
        Ok(p) if p.is_empty() => {
            let reason = format!(
                "{}: no TIFF, PNG, JPEG, JPEG 2000 or PDF pages",
                dir.display()
            );
            return Err(Notice::DocumentError { id, reason });
        }
        Ok(p) => p,
        Err(reason) => return Err(Notice::DocumentError { id, reason }),
    };
    let metadata = match rows.as_mut().map(|r| r.remove(&id)) {
        Some(Some(Ok(m))) => m,
        Some(Some(Err(reason))) => return Err(Notice::DocumentError { id, reason }),
        Some(None) => {
            notices.push(Notice::Warning(format!(
                "{id}: no row in batch.csv; packaged with default metadata"
            )));
            Metadata::default()
        }
        None => Metadata::default(),
    };
    Ok(DocumentInput {
        id,
        dir,
        pages,
        metadata,
    })
}

/// A document id becomes a folder and a file name in the bag: no path
/// separators, no `..`, nothing hidden, no control characters.
pub fn check_id(id: &str) -> std::result::Result<(), String> {
    if id.is_empty()
        || id.starts_with('.')
        || id.contains(['/', '\\'])
        || id.chars().any(char::is_control)
    {
        return Err(format!(
            "'{}' is not a usable document id (no '/', '\\', leading '.' or control characters)",
            id.escape_debug()
        ));
    }
    Ok(())
}

fn pages(dir: &Path, notices: &mut Vec<Notice>) -> std::result::Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            found.push((name, path));
        } else {
            notices.push(Notice::Warning(format!(
                "{}: not a page image; ignored",
                path.display()
            )));
        }
    }
    found.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

type Rows = BTreeMap<String, std::result::Result<Metadata, String>>;

/// batch.csv, if present: id -> metadata, or why the row is unusable.
fn read_csv(root: &Path, notices: &mut Vec<Notice>) -> Result<Option<Rows>> {
    let path = root.join("batch.csv");
    if !path.exists() {
        return Ok(None);
    }
    let bad = |reason: String| Error::Batch {
        path: path.clone(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(&path)
        .map_err(|e| bad(e.to_string()))?;
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{FEFF}')
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    if !headers.iter().any(|h| h == "id") {
        return Err(bad("no 'id' column in the header row".into()));
    }
    let mut rows = Rows::new();
    for (n, record) in reader.byte_records().enumerate() {
        let line = n + 2; // header is line 1
        let record = record.map_err(|e| bad(e.to_string()))?;
        let mut fields = BTreeMap::new();
        let mut broken = None;
        for (h, value) in headers.iter().zip(record.iter()) {
            match std::str::from_utf8(value) {
                Ok(v) => {
                    fields.insert(h.clone(), workers::text::nfc(v.trim()));
                }
                Err(_) => broken = Some(h.clone()),
            }
        }
        let Some(id) = fields.get("id").cloned().filter(|i| !i.is_empty()) else {
            notices.push(Notice::Warning(format!(
                "batch.csv line {line}: no id; row ignored"
            )));
            continue;
        };
        let entry = match broken {
            Some(col) => Err(format!(
                "batch.csv line {line}: column '{col}' is not valid UTF-8"
            )),
            None => check_id(&id)
                .map_err(|e| format!("batch.csv line {line}: {e}"))
                .map(|_| metadata(fields)),
        };
        if rows.contains_key(&id) {
            rows.insert(
                id.clone(),
                Err(format!(
                    "batch.csv line {line}: id '{id}' appears more than once"
                )),
            );
        } else {
            rows.insert(id, entry);
        }
    }
    Ok(Some(rows))
}

fn metadata(mut f: BTreeMap<String, String>) -> Metadata {
    let mut take = |k: &str| f.remove(k).unwrap_or_default();
    let list = |s: String| -> Vec<String> {
        s.split(';')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect()
    };
    let m = Metadata {
        title: take("title"),
        creator: list(take("creator")),
        date: take("date"),
        language: take("language"),
        subject: list(take("subject")),
        coverage: list(take("coverage")),
        description: take("description"),
        publisher: list(take("publisher")),
        rights: take("rights"),
        source: take("source"),
        kind: take("type"),
        identifier: list(take("identifier")),
        collection: take("collection").trim().to_string(),
        extra: BTreeMap::new(),
    };
    f.remove("id");
    Metadata { extra: f, ..m }
}

/// Natural order: digit runs compare by value, so `2.tif` < `10.tif`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let da = a.chars().next().is_some_and(|c| c.is_ascii_digit());
        let db = b.chars().next().is_some_and(|c| c.is_ascii_digit());
        let split = |s: &str, digits: bool| {
            let n = s
                .find(|c: char| c.is_ascii_digit() != digits)
                .unwrap_or(s.len());
            (s[..n].to_string(), s[n..].to_string())
        };
        let (ha, ra) = split(a, da);
        let (hb, rb) = split(b, db);
        let ord = if da && db {
            let (ta, tb) = (ha.trim_start_matches('0'), hb.trim_start_matches('0'));
            ta.len()
                .cmp(&tb.len())
                .then(ta.cmp(tb))
                .then(ha.len().cmp(&hb.len()))
        } else {
            ha.to_lowercase().cmp(&hb.to_lowercase()).then(ha.cmp(&hb))
        };
        if ord != Ordering::Equal {
            return ord;
        }
        a = &a[a.len() - ra.len()..];
        b = &b[b.len() - rb.len()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn natural_order() {
        let mut v = vec![
            "10.tif",
            "2.tif",
            "1.tif",
            "page_10.png",
            "page_9.png",
            "01.tif",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "1.tif",
                "01.tif",
                "2.tif",
                "10.tif",
                "page_9.png",
                "page_10.png"
            ]
        );
    }

    #[test]
    fn ids_that_escape_are_refused() {
        for id in ["../../x", "a/b", ".hidden", "", "a\\b"] {
            assert!(check_id(id).is_err(), "{id}");
        }
        assert!(check_id("Địa chí 1925").is_ok());
    }

    #[test]
    fn batch_with_csv() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (doc, files) in [
            ("b", vec!["10.png", "2.png", "notes.txt"]),
            ("a", vec!["1.tif"]),
            ("empty", vec![]),
        ] {
            fs::create_dir(root.join(doc)).unwrap();
            for f in files {
                fs::write(root.join(doc).join(f), b"x").unwrap();
            }
        }
        fs::write(
            root.join("batch.csv"),
            "id,title,creator,language,shelfmark,collection\n\
             a,\"Địa chí, tập 1\",Nguyễn A; Trần B,vie;khm,K-12, Địa chí Cần Thơ \n\
             ghost,Nothing,,,,\n\
             b,B,,,,\n\
             b,B again,,,,\n",
        )
        .unwrap();
        let batch = discover(root).unwrap();
        let ids: Vec<&str> = batch.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
        let a = &batch.documents[0];
        assert_eq!(a.metadata.title, "Địa chí, tập 1");
        assert_eq!(a.metadata.creator, ["Nguyễn A", "Trần B"]);
        assert_eq!(a.metadata.extra["shelfmark"], "K-12");
        assert_eq!(a.metadata.collection, "Địa chí Cần Thơ");
        assert!(!a.metadata.extra.contains_key("collection"));
        let text: Vec<String> = batch.notices.iter().map(|n| format!("{n:?}")).collect();
        let has = |s: &str| text.iter().any(|t| t.contains(s));
        assert!(has("appears more than once"), "{text:?}");
        assert!(has("'ghost' matches no document folder"), "{text:?}");
        assert!(has("notes.txt: not a page image"), "{text:?}");
        assert!(
            has("no TIFF, PNG, JPEG, JPEG 2000 or PDF pages"),
            "{text:?}"
        );
    }

    #[test]
    fn broken_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a")).unwrap();
        fs::write(dir.path().join("a/1.png"), b"x").unwrap();
        fs::write(
            dir.path().join("batch.csv"),
            b"id,title\na,bad \xff title\n",
        )
        .unwrap();
        let batch = discover(dir.path()).unwrap();
        assert!(batch.documents.is_empty());
        assert_eq!(
            batch.notices,
            [Notice::DocumentError {
                id: "a".into(),
                reason: "batch.csv line 2: column 'title' is not valid UTF-8".into()
            }]
        );
    }
}
