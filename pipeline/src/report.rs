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
    /// The interface language of report.html (`report.language`).
    pub language: String,
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
    /// The most pixels of pages prepared and read at once, which sets peak
    /// memory (`run.pixels_in_flight` bounds it).
    pub peak_pixels_in_flight: u64,
    /// Tesseract engines the run loaded: one a language string in use at
    /// once, and again when an idle one was dropped.
    pub engines_loaded: usize,
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
    /// What was found, typed, for the HTML in its own language.
    #[serde(skip)]
    pub check: PageCheck,
    /// Path of the thumbnail, relative to OUT.
    pub thumbnail: Option<String>,
}

/// The language of the report's interface (`report.language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ui {
    #[default]
    Vi,
    En,
}

impl Ui {
    pub fn from_setting(s: &str) -> Ui {
        if s == "en" {
            Ui::En
        } else {
            Ui::Vi
        }
    }

    /// The words in this language.
    pub(crate) fn t(self, en: &'static str, vi: &'static str) -> &'static str {
        match self {
            Ui::En => en,
            Ui::Vi => vi,
        }
    }
}

/// One thing the report says of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Ink (or a few garbage characters) but no text.
    NotText { characters: usize, ink: f32 },
    /// Mean word confidence under the page's script's threshold.
    Misread {
        confidence: f32,
        under: f32,
        khmer: bool,
    },
    /// The upright and upside-down readings were close.
    OrientationClose { margin: f32, turned: i32 },
    /// The lines may run down the page, but reading it turned did not
    /// clearly win.
    SidewaysDoubt { upright: f32, turned: f32 },
    /// Orientation finding was off, and the lines seem to run down the page.
    LinesRunDown,
    /// A note: no ink, no text.
    Blank { characters: usize },
    /// A note: an orientation decided by a modest margin.
    OrientationDecided { margin: f32, turned: i32 },
    /// A note: a large skew, corrected.
    LargeSkew { degrees: f32 },
    /// A note: the resolution was not in the file.
    DpiAssumed { dpi: f32 },
}

impl Reason {
    /// The reason in words, in the interface's language.
    pub fn text(&self, ui: Ui) -> String {
        match (self, ui) {
            (Reason::NotText { characters, ink }, Ui::En) => format!(
                "probably not text, or text missed: {characters} characters on a page {:.1}% inked",
                ink * 100.0
            ),
            (Reason::NotText { characters, ink }, Ui::Vi) => format!(
                "có lẽ không phải chữ, hoặc chữ bị bỏ sót: {characters} ký tự trên trang có {:.1}% mực",
                ink * 100.0
            ),
            (Reason::Misread { confidence, under, khmer }, Ui::En) => format!(
                "text probably misread: mean confidence {confidence:.1}, under {under:.0} for {}",
                if *khmer { "Khmer" } else { "Latin script" }
            ),
            (Reason::Misread { confidence, under, khmer }, Ui::Vi) => format!(
                "chữ có lẽ bị nhận dạng sai: độ tin cậy trung bình {confidence:.1}, dưới mức {under:.0} cho {}",
                if *khmer { "chữ Khmer" } else { "chữ Latinh" }
            ),
            (Reason::OrientationClose { margin, turned }, Ui::En) => format!(
                "orientation probably wrong: upright and upside-down readings only {margin:.0} points apart; turned {turned}°"
            ),
            (Reason::OrientationClose { margin, turned }, Ui::Vi) => format!(
                "chiều trang có lẽ sai: đọc xuôi và đọc ngược chỉ chênh {margin:.0} điểm; đã xoay {turned}°"
            ),
            (Reason::SidewaysDoubt { upright, turned }, Ui::En) => format!(
                "orientation probably wrong: the lines may run down the page, but reading it turned \
                 was not clearly better ({turned:.0} against {upright:.0}); left as it was"
            ),
            (Reason::SidewaysDoubt { upright, turned }, Ui::Vi) => format!(
                "chiều trang có lẽ sai: các dòng có thể chạy dọc trang, nhưng đọc trang đã xoay \
                 không rõ tốt hơn ({turned:.0} so với {upright:.0}); giữ nguyên"
            ),
            (Reason::LinesRunDown, Ui::En) => "orientation probably wrong: the lines seem to run \
                 down the page, and orientation finding is off"
                .to_string(),
            (Reason::LinesRunDown, Ui::Vi) => "chiều trang có lẽ sai: các dòng có vẻ chạy dọc \
                 trang, và việc tìm chiều trang đang tắt"
                .to_string(),
            (Reason::Blank { characters }, Ui::En) => format!("a blank page: {characters} characters"),
            (Reason::Blank { characters }, Ui::Vi) => format!("trang trắng: {characters} ký tự"),
            (Reason::OrientationDecided { margin, turned }, Ui::En) => {
                format!("orientation decided by {margin:.0} points; turned {turned}°")
            }
            (Reason::OrientationDecided { margin, turned }, Ui::Vi) => {
                format!("chiều trang được quyết định với cách biệt {margin:.0} điểm; đã xoay {turned}°")
            }
            (Reason::LargeSkew { degrees }, Ui::En) => format!("large skew: {degrees:.2}°, corrected"),
            (Reason::LargeSkew { degrees }, Ui::Vi) => format!("trang nghiêng nhiều: {degrees:.2}°, đã chỉnh thẳng"),
            (Reason::DpiAssumed { dpi }, Ui::En) => format!("resolution not in the file; {dpi} dpi assumed"),
            (Reason::DpiAssumed { dpi }, Ui::Vi) => {
                format!("tệp không ghi độ phân giải; coi là {dpi} dpi")
            }
        }
    }
}

/// What the report says of a page: the flags that send it to a human,
/// most telling first, and notes that are only worth knowing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageCheck {
    /// Why the page likely needs a look: orientation probably wrong, text
    /// probably misread, probably not text.
    pub flags: Vec<Reason>,
    /// True of the page but no sign of a mistake: an assumed resolution,
    /// a large skew that was corrected, an orientation decided with a
    /// margin that is small but not alarming.
    pub notes: Vec<Reason>,
    /// How likely the page is to be wrong, 0-1: the review list is sorted
    /// by it, most likely first.
    pub risk: f32,
}

impl PageCheck {
    fn flag(&mut self, risk: f32, why: Reason) {
        self.flags.push(why);
        self.risk = self.risk.max(risk);
    }

    /// Flags then notes, in words.
    pub fn said(&self, ui: Ui) -> (Vec<String>, Vec<String>) {
        let words = |v: &[Reason]| v.iter().map(|r| r.text(ui)).collect();
        (words(&self.flags), words(&self.notes))
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
    if p.characters < cfg.min_characters {
        // A few characters of garbage on a near-empty page say something
        // is there; a blank page reads as nothing at all.
        if p.ink_ratio >= cfg.min_ink || p.characters > 0 {
            c.flag(
                0.8,
                Reason::NotText {
                    characters: p.characters,
                    ink: p.ink_ratio,
                },
            );
        } else {
            c.notes.push(Reason::Blank {
                characters: p.characters,
            });
        }
    } else {
        if let Some(conf) = p.mean_confidence.filter(|&c| c < enough) {
            c.flag(
                0.5 + 0.5 * (enough - conf) / enough,
                Reason::Misread {
                    confidence: conf,
                    under: enough,
                    khmer,
                },
            );
        }
        // A close margin means nothing where the Khmer network read the
        // page surely: it reads only upright lines so.
        if let Some(m) = p.orientation_margin.filter(|_| !p.upright_read) {
            let turned = p.orientation_degrees as i32;
            if m < cfg.orientation_margin {
                c.flag(0.9, Reason::OrientationClose { margin: m, turned });
            } else if m < 2.0 * cfg.orientation_margin {
                c.notes
                    .push(Reason::OrientationDecided { margin: m, turned });
            }
        }
        for d in &p.doubts {
            match d {
                workers::page::Doubt::SidewaysNotConfirmed { upright, turned } => c.flag(
                    0.9,
                    Reason::SidewaysDoubt {
                        upright: *upright,
                        turned: *turned,
                    },
                ),
                workers::page::Doubt::LinesRunDown => c.flag(0.9, Reason::LinesRunDown),
                workers::page::Doubt::UpsideDownUnsure { .. } => {}
            }
        }
        if p.skew_degrees.abs() > cfg.max_skew {
            c.notes.push(Reason::LargeSkew {
                degrees: p.skew_degrees,
            });
        }
    }
    if p.dpi_assumed {
        c.notes.push(Reason::DpiAssumed { dpi: p.dpi });
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
            // report.json and the terminal speak English, for scripts.
            let (flags, notes) = check.said(Ui::En);
            if !flags.is_empty() {
                flagged_pages += 1;
                review.push(Flag {
                    document: r.id.clone(),
                    page: Some(p.index),
                    source: Some(p.source.clone()),
                    reasons: flags.clone(),
                    risk: check.risk,
                });
            }
            let warnings = [flags.clone(), notes].concat();
            let thumb = OutLayout::new(out)
                .thumbnails(&r.id)
                .join(format!("{:04}.jpg", p.index));
            pages.push(PageReport {
                page: p.clone(),
                flags,
                warnings,
                check,
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
        language: cfg.language.clone(),
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
            peak_pixels_in_flight: summary.peak_pixels_in_flight,
            engines_loaded: summary.engines_loaded,
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
fn review_section(h: &mut String, out: &Path, r: &Report, ui: Ui) {
    let _ = writeln!(
        h,
        "<h2 id=\"review\">{} ({})</h2>",
        ui.t("Needs review", "Cần xem lại"),
        r.review.len()
    );
    if r.review.is_empty() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            ui.t("Nothing flagged.", "Không có trang nào cần xem lại.")
        );
        return;
    }
    let _ = writeln!(
        h,
        "<p>{}</p>",
        ui.t(
            "Most likely wrong first. Beside each page, the page as it was read and the text read from it.",
            "Trang dễ sai nhất đứng trước. Bên cạnh mỗi trang là ảnh trang đã xử lý và chữ nhận dạng được."
        )
    );
    let heads = [
        ui.t("document", "tài liệu"),
        ui.t("page", "trang"),
        ui.t("file", "tệp"),
        ui.t("why", "lý do"),
        ui.t("page image and text read", "ảnh trang và chữ nhận dạng"),
    ];
    let _ = writeln!(h, "<table><tr>{}</tr>", header_cells(&heads));
    for f in &r.review {
        let page = f.page.and_then(|n| {
            r.documents
                .iter()
                .find(|d| d.id == f.document)
                .and_then(|d| d.pages.iter().find(|p| p.page.index == n))
        });
        let class = if f.page.is_none() { "failed" } else { "flag" };
        let why = match page {
            Some(p) => p.check.said(ui).0,
            // A failed document: the error names files, in English.
            None => f
                .reasons
                .iter()
                .map(|x| x.replacen("failed: ", ui.t("failed: ", "lỗi: "), 1))
                .collect(),
        };
        let _ = writeln!(
            h,
            "<tr class=\"{class}\" data-doc=\"{}\" data-page=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"why\">{}</td><td>{}</td></tr>",
            esc(&f.document),
            f.page.map_or(String::new(), |p| p.to_string()),
            esc(&f.document),
            f.page.map_or("—".into(), |p| p.to_string()),
            esc(f.source.as_deref().unwrap_or("")),
            why.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>"),
            page.map_or(String::new(), |p| side_by_side(out, &f.document, p, ui)),
        );
    }
    h.push_str("</table>\n");
}

/// A flagged page's prepared image (its reading-size preview, else its
/// thumbnail) beside the text read from it, so that a reader can judge in
/// seconds.
fn side_by_side(out: &Path, doc: &str, p: &PageReport, ui: Ui) -> String {
    let preview = OutLayout::new(out)
        .thumbnails(doc)
        .join(format!("{:04}-preview.jpg", p.page.index));
    let image = match std::fs::read(&preview) {
        Ok(bytes) => format!(
            "<img class=\"preview\" alt=\"page {}\" src=\"data:image/jpeg;base64,{}\">",
            p.page.index,
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        Err(_) => thumb_img(out, p),
    };
    let text = std::fs::read_to_string(out.join(doc).join(&p.page.text)).unwrap_or_default();
    let shown: String = text.chars().take(6000).collect();
    let more = if shown.len() < text.len() {
        "\n…"
    } else {
        ""
    };
    let body = if text.trim().is_empty() {
        format!(
            "<em>{}</em>",
            ui.t("(no text read)", "(không nhận dạng được chữ nào)")
        )
    } else {
        esc(&shown) + more
    };
    format!("<div class=\"pair\">{image}<pre class=\"text\">{body}</pre></div>")
}

/// Every document, page by page.
fn documents_section(h: &mut String, out: &Path, r: &Report, ui: Ui) {
    let _ = writeln!(h, "<h2>{}</h2>", ui.t("Documents", "Tài liệu"));
    for d in &r.documents {
        let status = match d.status.as_str() {
            "failed" => ui.t("failed", "lỗi"),
            _ => ui.t("ok", "xong"),
        };
        let _ = writeln!(
            h,
            "<h3 id=\"doc-{0}\">{0} — {1} ({2})</h3>",
            esc(&d.id),
            esc(&d.title),
            status
        );
        if let Some(e) = &d.error {
            let _ = writeln!(h, "<p class=\"failed\">{}</p>", esc(e));
            continue;
        }
        let heads = [
            ui.t("page", "trang"),
            ui.t("image", "ảnh"),
            ui.t("file", "tệp"),
            ui.t("skew", "độ nghiêng"),
            ui.t("orientation", "chiều"),
            ui.t("language", "ngôn ngữ"),
            ui.t("confidence", "độ tin cậy"),
            ui.t("characters", "số ký tự"),
            ui.t("flags and notes", "cảnh báo và ghi chú"),
        ];
        let _ = writeln!(h, "<table><tr>{}</tr>", header_cells(&heads));
        for p in &d.pages {
            let class = if p.flags.is_empty() {
                ""
            } else {
                " class=\"flag\""
            };
            let (flags, notes) = p.check.said(ui);
            let said: Vec<String> = flags
                .iter()
                .map(|x| format!("<b>{}</b>", esc(x)))
                .chain(notes.iter().map(|x| esc(x)))
                .collect();
            let number = match p.page.document_page {
                Some(d) => format!(
                    "{} ({} {d})",
                    p.page.index,
                    ui.t("overrides.csv page", "trang trong overrides.csv")
                ),
                None => p.page.index.to_string(),
            };
            let _ = writeln!(
                h,
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{:.2}°{}</td><td>{}°</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                number,
                thumb_img(out, p),
                esc(&p.page.source),
                p.page.skew_degrees,
                if p.page.deskewed { ui.t(" (corrected)", " (đã chỉnh)") } else { "" },
                p.page.orientation_degrees,
                esc(&p.page.language),
                p.page.mean_confidence.map_or("—".into(), |c| format!("{c:.1}")),
                p.page.characters,
                said.join("<br>"),
            );
        }
        h.push_str("</table>\n");
    }
}

/// A table's header cells.
fn header_cells(heads: &[&str]) -> String {
    heads.iter().map(|x| format!("<th>{x}</th>")).collect()
}

pub(crate) fn esc(s: &str) -> String {
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
.none{color:#888;font-style:italic}h2{margin-top:2em}\
.pair{display:flex;gap:1em;align-items:flex-start}img.preview{max-width:440px;width:32vw}\
pre.text{white-space:pre-wrap;flex:1;min-width:18em;max-width:36em;max-height:40em;overflow:auto;margin:0;font-size:90%}\
td.why{min-width:14em;max-width:22em}";

/// A static page: no script, no network; thumbnails are embedded. In the
/// report's language, `vi` or `en`.
pub fn html(out: &Path, r: &Report) -> String {
    let ui = Ui::from_setting(&r.language);
    let s = &r.summary;
    let mut h = String::new();
    let heads = [
        ui.t("documents", "tài liệu"),
        ui.t("packaged now", "đóng gói lần này"),
        ui.t("already done", "đã xong trước"),
        ui.t("failed", "lỗi"),
        ui.t("pages", "trang"),
        ui.t("time", "thời gian"),
        ui.t("pages/s", "trang/giây"),
        ui.t("pages to review", "trang cần xem lại"),
    ];
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n\
<h1>{}</h1>\n<p>{} <code>{}</code>, {}</p>\n\
<table id=\"summary\"><tr>{}</tr>\n\
<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1} s</td><td>{:.2}</td><td>{}</td></tr></table>\n",
        ui.t("en", "vi"),
        ui.t("diachi report", "Báo cáo diachi"),
        ui.t("diachi batch report", "Báo cáo lô số hóa diachi"),
        ui.t("Batch", "Lô"),
        esc(&r.batch),
        esc(&r.created),
        header_cells(&heads),
        s.documents, s.packaged, s.already_done, s.failed, s.pages, s.seconds, s.pages_per_second, s.flagged_pages
    );
    review_section(&mut h, out, r, ui);
    documents_section(&mut h, out, r, ui);
    h.push_str("</body></html>\n");
    h
}
