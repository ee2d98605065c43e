//! `BATCH/overrides.csv`: decisions staff take by hand after a run, which
//! the next run applies instead of diachi's own. A spreadsheet file with the
//! columns `id, page, rotate, language, skip, note`:
//! - `page`: the page's number in the document, as the report shows it;
//! - `rotate`: 0, 90, 180 or 270, a clockwise turn of the page as stored,
//!   applied instead of diachi's orientation decision;
//! - `language`: the page's OCR language (`vie`, `khm`, `vie+khm`);
//! - `skip`: `yes` leaves the page out of the PDF, ALTO and text, never
//!   its master out of the bag;
//! - `note`: why, kept in record.json and METS.
//!
//! A bad row (an unknown id, a page that is not a number, a bad value) is
//! reported with its line and changes nothing; the others apply.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use workers::lang::LangSetting;

/// The file's name in the batch folder.
pub const FILE: &str = "overrides.csv";

/// One page's decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The page's number in the document, from 1.
    pub page: usize,
    /// Clockwise degrees: 0, 90, 180 or 270.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotate: Option<u32>,
    /// The OCR language, as written (parsed when read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub skip: bool,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub note: String,
    /// The line of overrides.csv (for messages), not recorded.
    #[serde(skip)]
    pub line: usize,
}

impl Override {
    /// Whether reading the page again is needed (not only leaving it out).
    pub fn rereads(&self) -> bool {
        self.rotate.is_some() || self.language.is_some()
    }
}

/// Every document's overrides, read and checked.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    by_doc: BTreeMap<String, Vec<Override>>,
}

impl Overrides {
    /// Reads `BATCH/overrides.csv` if there is one. Rows for documents not
    /// in `ids`, and rows with bad values, are left out, each with a
    /// message naming its line.
    pub fn load(batch: &Path, ids: &[&str]) -> Result<(Overrides, Vec<String>)> {
        let path = batch.join(FILE);
        if !path.exists() {
            return Ok((Overrides::default(), Vec::new()));
        }
        let bad_file = |reason: String| Error::Batch {
            path: path.clone(),
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_path(&path)
            .map_err(|e| bad_file(e.to_string()))?;
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| bad_file(e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(id_col), Some(page_col)) = (col("id"), col("page")) else {
            return Err(bad_file("needs the columns id and page".into()));
        };
        let mut o = Overrides::default();
        let mut warnings = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let line = i + 2;
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(format!("{FILE} line {line}: {e}; ignored"));
                    continue;
                }
            };
            let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").to_string();
            match parse_row(
                &get(Some(id_col)),
                &get(Some(page_col)),
                &get(col("rotate")),
                &get(col("language")),
                &get(col("skip")),
                get(col("note")),
                ids,
            ) {
                Ok((id, mut ov)) => {
                    ov.line = line;
                    let list = o.by_doc.entry(id.clone()).or_default();
                    if list.iter().any(|x| x.page == ov.page) {
                        warnings.push(format!(
                            "{FILE} line {line}: page {} of '{id}' is already overridden on an earlier line; ignored",
                            ov.page
                        ));
                        continue;
                    }
                    list.push(ov);
                }
                Err(why) => warnings.push(format!("{FILE} line {line}: {why}; ignored")),
            }
        }
        for list in o.by_doc.values_mut() {
            list.sort_by_key(|x| x.page);
        }
        Ok((o, warnings))
    }

    /// A document's overrides, by page.
    pub fn of(&self, id: &str) -> &[Override] {
        self.by_doc.get(id).map_or(&[], Vec::as_slice)
    }

    /// A digest of a document's overrides, kept in its record.json: a run
    /// redoes a document whose overrides no longer match it. `None` for a
    /// document with none.
    pub fn digest(&self, id: &str) -> Option<String> {
        let list = self.by_doc.get(id)?;
        let json = serde_json::to_string(list).expect("serialisable");
        Some(workers::fixity::sha256_hex(json.as_bytes()))
    }
}

fn parse_row(
    id: &str,
    page: &str,
    rotate: &str,
    language: &str,
    skip: &str,
    note: String,
    ids: &[&str],
) -> std::result::Result<(String, Override), String> {
    if !ids.contains(&id) {
        return Err(format!("no document '{id}' in the batch"));
    }
    let page: usize = page
        .parse()
        .ok()
        .filter(|&p| p >= 1)
        .ok_or_else(|| format!("page '{page}' is not a page number (1, 2, ...)"))?;
    let rotate = match rotate {
        "" => None,
        r => Some(
            r.trim_end_matches('°')
                .parse::<u32>()
                .ok()
                .filter(|d| [0, 90, 180, 270].contains(d))
                .ok_or_else(|| format!("rotate '{r}' is not 0, 90, 180 or 270"))?,
        ),
    };
    let language = match language {
        "" => None,
        l => {
            let parsed = LangSetting::parse(l).map_err(|e| format!("language '{l}': {e}"))?;
            if matches!(parsed, LangSetting::Auto) {
                return Err("language 'auto' is diachi's own choice, not a decision".into());
            }
            Some(l.to_string())
        }
    };
    let skip = match skip.to_ascii_lowercase().as_str() {
        "" | "no" | "0" | "false" | "không" => false,
        "yes" | "1" | "true" | "x" | "có" => true,
        s => return Err(format!("skip '{s}' is not yes or no")),
    };
    if rotate.is_none() && language.is_none() && !skip {
        return Err("no decision (rotate, language or skip) in it".into());
    }
    Ok((
        id.to_string(),
        Override {
            page,
            rotate,
            language,
            skip,
            note,
            line: 0,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_and_bad_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE),
            "id,page,rotate,language,skip,note\n\
             a,2,90,,,sideways\n\
             a,3,,khm,,Khmer page\n\
             b,1,,,yes,blank verso\n\
             ghost,1,90,,,\n\
             a,x,90,,,\n\
             a,4,45,,,\n\
             a,5,,klingon,,\n\
             a,6,,,maybe,\n\
             a,7,,,,nothing\n\
             a,2,180,,,again\n",
        )
        .unwrap();
        let (o, warnings) = Overrides::load(dir.path(), &["a", "b"]).unwrap();
        assert_eq!(o.of("a").len(), 2);
        assert_eq!(o.of("a")[0].rotate, Some(90));
        assert_eq!(o.of("a")[1].language.as_deref(), Some("khm"));
        assert!(o.of("b")[0].skip);
        let lines: Vec<&str> = warnings
            .iter()
            .map(|w| &w[..w.find(':').unwrap()])
            .collect();
        assert_eq!(
            lines,
            [
                "overrides.csv line 5",
                "overrides.csv line 6",
                "overrides.csv line 7",
                "overrides.csv line 8",
                "overrides.csv line 9",
                "overrides.csv line 10",
                "overrides.csv line 11"
            ],
            "{warnings:#?}"
        );
        assert!(warnings[0].contains("no document 'ghost'"));
        assert!(o.digest("a").is_some() && o.digest("c").is_none());
        assert_ne!(o.digest("a"), o.digest("b"));
    }
}
