//! The batch report staff look at after a run: OUT/report.json and a static,
//! self-contained OUT/report.html, with the pages that need a human look
//! listed first.

use crate::config::ReportConfig;
use crate::out_layout::OutLayout;
use crate::record::{PageRecord, Record};
pub use crate::summary::Flag;
use crate::summary::RunSummary;
use base64::Engine as _;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct Report {
    pub created: String,
    pub batch: String,
    pub summary: Summary,
    /// Pages (or documents) that need a human look, most serious first.
    pub review: Vec<Flag>,
    pub documents: Vec<DocumentReport>,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub documents: usize,
    pub packaged: usize,
    pub already_done: usize,
    pub failed: usize,
    pub pages: usize,
    pub seconds: f64,
    pub pages_per_second: f64,
    pub flagged_pages: usize,
}

#[derive(Debug, Serialize)]
pub struct DocumentReport {
    pub id: String,
    pub title: String,
    /// "ok" or "failed".
    pub status: String,
    pub error: Option<String>,
    pub pages: Vec<PageReport>,
}

/// A page as the report shows it: its record (report.json carries the
/// record's fields as they are), why it needs a look, and its thumbnail.
#[derive(Debug, Serialize)]
pub struct PageReport {
    #[serde(flatten)]
    pub page: PageRecord,
    /// Everything said of the page: its flags, then its notes.
    pub warnings: Vec<String>,
    /// Why the page needs a look (empty when it does not).
    pub flags: Vec<String>,
    /// Path of the thumbnail, relative to OUT.
    pub thumbnail: Option<String>,
}

/// What the report says of a page: the flags that send it to a human,
/// most telling first, and notes that are only worth knowing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageCheck {
    /// Why the page likely needs a look: orientation probably wrong, text
    /// probably misread, probably not text.
    pub flags: Vec<String>,
    /// True of the page but no sign of a mistake: an assumed resolution,
    /// a large skew that was corrected, an orientation decided with a
    /// margin that is small but not alarming.
    pub notes: Vec<String>,
    /// How likely the page is to be wrong, 0-1: the review list is sorted
    /// by it, most likely first.
    pub risk: f32,
}

impl PageCheck {
    fn flag(&mut self, risk: f32, why: String) {
        self.flags.push(why);
        self.risk = self.risk.max(risk);
    }
}

/// Looks at a page's record as a reviewer would. The thresholds were set on
/// labelled real and generated pages (bench/flags.py; README, "Review
/// flags"): Khmer pages read well score lower than Latin ones, so the
/// confidence a page must reach depends on its script.
pub fn check_page(p: &PageRecord, cfg: &ReportConfig) -> PageCheck {
    let mut c = PageCheck::default();
    let khmer = p.language.split('+').any(|l| l == "khm");
    let enough = if khmer {
        cfg.low_confidence_khmer
    } else {
        cfg.low_confidence
    };
    // A page with ink but (almost) no words: a picture, a blank sheet with
    // a stain, or text that OCR missed altogether. Orientation and skew
    // mean nothing there, so they are not said.
    let no_text = p.characters < cfg.min_characters;
    if no_text {
        // A few characters of garbage on a near-empty page say something
        // is there; a blank page reads as nothing at all.
        if p.ink_ratio >= cfg.min_ink || p.characters > 0 {
            c.flag(
                0.8,
                format!(
                    "probably not text, or text missed: {} characters on a page {:.1}% inked",
                    p.characters,
                    p.ink_ratio * 100.0
                ),
            );
        } else {
            c.notes
                .push(format!("a blank page: {} characters", p.characters));
        }
    } else {
        match p.mean_confidence {
            Some(conf) if conf < enough => c.flag(
                0.5 + 0.5 * (enough - conf) / enough,
                format!(
                    "text probably misread: mean confidence {conf:.1}, under {enough:.0} for {}",
                    if khmer { "Khmer" } else { "Latin script" }
                ),
            ),
            _ => {}
        }
        if let Some(m) = p.orientation_margin {
            if m < cfg.orientation_margin {
                c.flag(
                    0.9,
                    format!(
                        "orientation probably wrong: upright and upside-down readings only {m:.0} points apart; turned {}°",
                        p.orientation_degrees
                    ),
                );
            } else if m < 2.0 * cfg.orientation_margin {
                c.notes.push(format!(
                    "orientation decided by {m:.0} points; turned {}°",
                    p.orientation_degrees
                ));
            }
        }
        for d in &p.doubts {
            if let workers::page::Doubt::SidewaysNotConfirmed { upright, turned } = d {
                c.flag(
                    0.9,
                    format!(
                        "orientation probably wrong: the lines may run down the page, but reading it turned \
                         was not clearly better ({turned:.0} against {upright:.0}); left as it was"
                    ),
                );
            }
        }
        if p.skew_degrees.abs() > cfg.max_skew {
            c.notes
                .push(format!("large skew: {:.2}°, corrected", p.skew_degrees));
        }
    }
    if p.dpi_assumed {
        c.notes
            .push(format!("resolution not in the file; {} dpi assumed", p.dpi));
    }
    c
}

/// Builds the report from the records of the bags in OUT and this run's
/// failures.
pub fn build(
    out: &Path,
    batch: &Path,
    created: &str,
    records: &[Record],
    failed: &[(String, String)],
    summary: &RunSummary,
    cfg: &ReportConfig,
) -> Report {
    let mut review = Vec::new();
    let mut documents = Vec::new();
    for (id, error) in failed {
        review.push(Flag {
            document: id.clone(),
            page: None,
            source: None,
            reasons: vec![format!("failed: {error}")],
            risk: 1.0,
        });
        documents.push(DocumentReport {
            id: id.clone(),
            title: id.clone(),
            status: "failed".into(),
            error: Some(error.clone()),
            pages: Vec::new(),
        });
    }
    let mut flagged_pages = 0;
    for r in records {
        let mut pages = Vec::new();
        for p in &r.pages {
            let check = check_page(p, cfg);
            if !check.flags.is_empty() {
                flagged_pages += 1;
                review.push(Flag {
                    document: r.id.clone(),
                    page: Some(p.index),
                    source: Some(p.source.clone()),
                    reasons: check.flags.clone(),
                    risk: check.risk,
                });
            }
            let warnings = [check.flags.clone(), check.notes].concat();
            let thumb = OutLayout::new(out)
                .thumbnails(&r.id)
                .join(format!("{:04}.jpg", p.index));
            pages.push(PageReport {
                page: p.clone(),
                flags: check.flags,
                warnings,
                thumbnail: thumb.is_file().then(|| {
                    thumb
                        .strip_prefix(out)
                        .unwrap_or(&thumb)
                        .to_string_lossy()
                        .into_owned()
                }),
            });
        }
        documents.push(DocumentReport {
            id: r.id.clone(),
            title: r.title.clone(),
            status: "ok".into(),
            error: None,
            pages,
        });
    }
    // Most likely wrong first; failed documents (risk 1) lead.
    review.sort_by(|a, b| b.risk.total_cmp(&a.risk));
    let pages: usize = records.iter().map(|r| r.pages.len()).sum();
    Report {
        created: created.to_string(),
        batch: batch.display().to_string(),
        summary: Summary {
            documents: records.len() + failed.len(),
            packaged: summary.packaged.len(),
            already_done: summary.already_done.len(),
            failed: failed.len(),
            pages,
            seconds: (summary.seconds * 10.0).round() / 10.0,
            pages_per_second: if summary.seconds > 0.0 {
                ((summary.pages as f64 / summary.seconds) * 100.0).round() / 100.0
            } else {
                0.0
            },
            flagged_pages,
        },
        review,
        documents,
    }
}

/// Writes OUT/report.json and OUT/report.html (each via a temporary file
/// and a rename, so a reader never sees half a report).
pub fn write(out: &Path, report: &Report) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(report).expect("a report always serialises");
    json.push(b'\n');
    replace(&out.join("report.json"), &json)?;
    replace(&out.join("report.html"), html(out, report).as_bytes())
}

fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

/// The "Needs review" table: failed documents, then flagged pages, each with
/// its reasons and page image.
fn review_section(h: &mut String, out: &Path, r: &Report) {
    let _ = writeln!(
        h,
        "<h2 id=\"review\">Needs review ({})</h2>",
        r.review.len()
    );
    if r.review.is_empty() {
        h.push_str("<p>Nothing flagged.</p>\n");
    } else {
        h.push_str("<table><tr><th>document</th><th>page</th><th>file</th><th>why</th><th>page image</th></tr>\n");
        for f in &r.review {
            let page = f.page.and_then(|n| {
                r.documents
                    .iter()
                    .find(|d| d.id == f.document)
                    .and_then(|d| d.pages.iter().find(|p| p.page.index == n))
            });
            let class = if f.page.is_none() { "failed" } else { "flag" };
            let _ = writeln!(
                h,
                "<tr class=\"{class}\" data-doc=\"{}\" data-page=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.document),
                f.page.map_or(String::new(), |p| p.to_string()),
                esc(&f.document),
                f.page.map_or("—".into(), |p| p.to_string()),
                esc(f.source.as_deref().unwrap_or("")),
                f.reasons.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>"),
                page.map_or(String::new(), |p| thumb_img(out, p)),
            );
        }
        h.push_str("</table>\n");
    }
}

/// Every document, page by page.
fn documents_section(h: &mut String, out: &Path, r: &Report) {
    h.push_str("<h2>Documents</h2>\n");
    for d in &r.documents {
        let _ = writeln!(
            h,
            "<h3 id=\"doc-{0}\">{0} — {1} ({2})</h3>",
            esc(&d.id),
            esc(&d.title),
            esc(&d.status)
        );
        if let Some(e) = &d.error {
            let _ = writeln!(h, "<p class=\"failed\">{}</p>", esc(e));
            continue;
        }
        h.push_str("<table><tr><th>page</th><th>image</th><th>file</th><th>skew</th><th>orientation</th><th>language</th><th>confidence</th><th>characters</th><th>warnings</th></tr>\n");
        for p in &d.pages {
            let class = if p.warnings.is_empty() {
                ""
            } else {
                " class=\"flag\""
            };
            let _ = writeln!(
                h,
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{:.2}°{}</td><td>{}°</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                p.page.index,
                thumb_img(out, p),
                esc(&p.page.source),
                p.page.skew_degrees,
                if p.page.deskewed { " (corrected)" } else { "" },
                p.page.orientation_degrees,
                esc(&p.page.language),
                p.page.mean_confidence.map_or("—".into(), |c| format!("{c:.1}")),
                p.page.characters,
                p.warnings.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>"),
            );
        }
        h.push_str("</table>\n");
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn thumb_img(out: &Path, p: &PageReport) -> String {
    let Some(rel) = &p.thumbnail else {
        return "<span class=none>no thumbnail</span>".into();
    };
    match std::fs::read(out.join(rel)) {
        Ok(bytes) => format!(
            "<img alt=\"page {}\" src=\"data:image/jpeg;base64,{}\">",
            p.page.index,
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        Err(_) => "<span class=none>no thumbnail</span>".into(),
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f0f0f0}.flag{background:#fff3e0}.failed{background:#fde0e0}img{max-width:120px;border:1px solid #999}\
.none{color:#888;font-style:italic}h2{margin-top:2em}";

/// A static page: no script, no network; thumbnails are embedded.
pub fn html(out: &Path, r: &Report) -> String {
    let s = &r.summary;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>diachi report</title><style>{STYLE}</style></head><body>\n\
<h1>diachi batch report</h1>\n<p>Batch <code>{}</code>, {}</p>\n\
<table id=\"summary\"><tr><th>documents</th><th>packaged now</th><th>already done</th><th>failed</th><th>pages</th><th>time</th><th>pages/s</th><th>pages to review</th></tr>\n\
<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1} s</td><td>{:.2}</td><td>{}</td></tr></table>\n",
        esc(&r.batch), esc(&r.created), s.documents, s.packaged, s.already_done, s.failed, s.pages, s.seconds, s.pages_per_second, s.flagged_pages
    );
    review_section(&mut h, out, r);
    documents_section(&mut h, out, r);
    h.push_str("</body></html>\n");
    h
}
