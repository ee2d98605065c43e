//! The shared catalog: Dublin Core for each document, and `diachi catalog`,
//! which exports every bag of an output folder as CSV, oai_dc or MARCXML.

use crate::discover::Metadata;
use crate::record::Record;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use workers::dc::DublinCore;

/// A document's Dublin Core: batch.csv's fields plus what diachi derives:
/// identifier (the document id first), format (MIME type and extent in
/// pages) and language (ISO 639-2 codes).
pub fn dublin_core(
    id: &str,
    title: &str,
    langs: &[String],
    pages: usize,
    m: &Metadata,
) -> DublinCore {
    let one = |s: &str| {
        if s.trim().is_empty() {
            vec![]
        } else {
            vec![s.to_string()]
        }
    };
    let mut identifier = vec![id.to_string()];
    identifier.extend(m.identifier.iter().filter(|i| *i != id).cloned());
    DublinCore {
        title: vec![title.to_string()],
        creator: m.creator.clone(),
        subject: m.subject.clone(),
        description: one(&m.description),
        publisher: m.publisher.clone(),
        date: one(&m.date),
        kind: one(&m.kind),
        format: vec![
            "application/pdf".into(),
            format!("{pages} {}", if pages == 1 { "page" } else { "pages" }),
        ],
        identifier,
        source: one(&m.source),
        language: langs.to_vec(),
        coverage: m.coverage.clone(),
        rights: one(&m.rights),
        ..Default::default()
    }
}

/// Export formats of `diachi catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    OaiDc,
    MarcXml,
}

/// Reads the record.json of every bag in `out`, in natural id order.
pub fn records(out: &Path) -> Result<Vec<Record>> {
    let paths: Vec<PathBuf> = crate::verify::bag_dirs(out)?
        .into_iter()
        .map(|bag| bag.join("data/metadata/record.json"))
        .filter(|p| p.is_file())
        .collect();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(workers::Error::io(p))?;
            serde_json::from_str(&text).map_err(|e| Error::Batch {
                path: p.clone(),
                reason: format!("not a diachi record: {e}"),
            })
        })
        .collect()
}

fn dc_of(r: &Record) -> DublinCore {
    dublin_core(&r.id, &r.title, &r.language, r.pages.len(), &r.metadata)
}

/// The access PDF of a record, relative to the output folder.
fn pdf_path(r: &Record) -> String {
    format!("{0}/data/{0}.pdf", r.id)
}

/// Writes the catalog of `out` in `format`; returns the paths written:
/// `catalog.csv`, `catalog.marcxml` or `catalog-oai_dc/<id>.xml`.
pub fn export(out: &Path, format: Format) -> Result<Vec<PathBuf>> {
    let records = records(out)?;
    if records.is_empty() {
        return Err(Error::Batch {
            path: out.to_path_buf(),
            reason: "no diachi bags here (no */data/metadata/record.json)".into(),
        });
    }
    let write = |path: PathBuf, bytes: &[u8]| -> Result<PathBuf> {
        std::fs::write(&path, bytes).map_err(|e| Error::Output {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(path)
    };
    match format {
        Format::Csv => Ok(vec![write(out.join("catalog.csv"), &csv(&records)?)?]),
        Format::MarcXml => {
            let dcs: Vec<DublinCore> = records.iter().map(dc_of).collect();
            let urls: Vec<String> = records.iter().map(pdf_path).collect();
            let inputs: Vec<workers::marc::MarcInput> = records
                .iter()
                .zip(&dcs)
                .zip(&urls)
                .map(|((r, dc), url)| workers::marc::MarcInput {
                    id: &r.id,
                    dc,
                    pages: r.pages.len(),
                    pdf_url: url,
                    timestamp: &r.created,
                })
                .collect();
            Ok(vec![write(
                out.join("catalog.marcxml"),
                &workers::marc::collection(&inputs),
            )?])
        }
        Format::OaiDc => {
            let dir = out.join("catalog-oai_dc");
            std::fs::create_dir_all(&dir).map_err(|e| Error::Output {
                path: dir.clone(),
                reason: e.to_string(),
            })?;
            records
                .iter()
                .map(|r| {
                    write(
                        dir.join(format!("{}.xml", r.id)),
                        &dc_of(r).oai_dc().to_document(),
                    )
                })
                .collect()
        }
    }
}

/// Separator of several values in one CSV cell (DSpace's; set the same in
/// Omeka S CSV Import).
pub const MULTI: &str = "||";

/// One row per document, `dc.*` headings as DSpace's batch metadata editing
/// and Omeka S CSV Import read them, plus the bag and PDF paths.
fn csv(records: &[Record]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = [
        "id",
        "dc.title",
        "dc.creator",
        "dc.subject",
        "dc.description",
        "dc.publisher",
        "dc.date",
        "dc.type",
        "dc.format",
        "dc.format.extent",
        "dc.identifier",
        "dc.source",
        "dc.language.iso",
        "dc.coverage.spatial",
        "dc.rights",
        "dc.relation.ispartof",
        "bag",
        "pdf",
    ];
    let err = |e: csv::Error| Error::Output {
        path: "catalog.csv".into(),
        reason: e.to_string(),
    };
    w.write_record(head).map_err(err)?;
    for r in records {
        let dc = dc_of(r);
        let j = |v: &[String]| v.join(MULTI);
        let row = [
            r.id.clone(),
            j(&dc.title),
            j(&dc.creator),
            j(&dc.subject),
            j(&dc.description),
            j(&dc.publisher),
            j(&dc.date),
            j(&dc.kind),
            dc.format[0].clone(),
            dc.format[1].clone(),
            j(&dc.identifier),
            j(&dc.source),
            j(&dc.language),
            j(&dc.coverage),
            j(&dc.rights),
            // The batch.csv collection: DSpace's "is part of" field.
            r.metadata.collection.clone(),
            r.id.clone(),
            pdf_path(r),
        ];
        w.write_record(&row).map_err(err)?;
    }
    w.into_inner().map_err(|e| Error::Output {
        path: "catalog.csv".into(),
        reason: e.to_string(),
    })
}
