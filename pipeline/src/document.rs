//! The document stage: once all its pages are done, in page order, a
//! document becomes a bag: masters (fixity re-checked), PDF/A, ALTO, text and
//! record.json, built in a staging folder and renamed into place whole.

use crate::context::Context;
use crate::discover::DocumentInput;
use crate::page::PageOutput;
use crate::record::{Record, Software};
use std::fs;
use std::path::{Path, PathBuf};
use workers::alto::{self, AltoPage};
use workers::bagit::BagBuilder;
use workers::lang::{LangSetting, Language, Languages, Script};
use workers::mets::{FileRef, MetsDocument, MetsPage};
use workers::pdfa::{self, PdfPage};
use workers::record::{PageRecord, SkippedPage};
use workers::resolution::DpiSource;
use workers::xmp::XmpInfo;
use workers::Error;

/// Packages `doc` from its processed `pages` (in order) and returns the
/// bag's final path under the output folder.
pub fn package(
    doc: &DocumentInput,
    setting: &LangSetting,
    pages: &[PageOutput],
    skipped: &[Skipped],
    ctx: &Context,
) -> workers::Result<PathBuf> {
    let langs = resolve_languages(setting, pages);
    let mut bag = open_staging(&doc.id, ctx)?;
    let records = add_page_files(&mut bag, doc, pages, ctx)?;
    let skipped = add_skipped_masters(&mut bag, doc, &records, skipped)?;
    let mut record = build_record(doc, &langs, records, ctx);
    record.skipped = skipped.iter().map(|(s, _)| s.clone()).collect();
    write_access_pdf(&mut bag, doc, &record, &langs, pages, ctx)?;
    write_metadata(&mut bag, doc, &record, pages, &skipped, ctx)?;
    commit_bag(bag, &record, pages, ctx)
}

/// A page staff left out of the derivatives (overrides.csv `skip`).
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Its number in the document, counting every page.
    pub page: usize,
    /// Its file in the batch, and what ingest knew of it.
    pub file: PathBuf,
    pub source: String,
    pub ext: String,
    pub sha256: String,
    pub note: String,
}

/// Masters are never left out: a skipped page's master is the kept page's
/// when its file gave other pages, else it is added on its own (and METS
/// lists it). Each skipped page with its master, and the master's METS
/// reference when added here.
fn add_skipped_masters(
    bag: &mut BagBuilder,
    doc: &DocumentInput,
    records: &[PageRecord],
    skipped: &[Skipped],
) -> workers::Result<Vec<(SkippedPage, Option<FileRef>)>> {
    let mut out: Vec<(SkippedPage, Option<FileRef>)> = Vec::new();
    for s in skipped {
        let kept = doc.pages.iter().position(|p| *p == s.file);
        let earlier = out
            .iter()
            .zip(skipped)
            .find(|(_, t)| t.file == s.file)
            .map(|((p, _), _)| p.master.clone());
        let (master, added) = match (kept, earlier) {
            (Some(i), _) => (records[i].master.clone(), None),
            (None, Some(m)) => (m, None),
            (None, None) => {
                let rel = format!("masters/skipped-{:04}.{}", s.page, s.ext);
                bag.add_master(&rel, &s.file, &s.sha256)?;
                let mime = mime_of(&s.ext);
                (format!("data/{rel}"), Some(file_ref(bag, &rel, mime)))
            }
        };
        out.push((
            SkippedPage {
                page: s.page,
                source: s.source.clone(),
                master,
                note: s.note.clone(),
            },
            added,
        ));
    }
    Ok(out)
}

/// A fresh bag in the staging folder. One left by an interrupted run was
/// never visible as a bag and is safe to redo.
fn open_staging(id: &str, ctx: &Context) -> workers::Result<BagBuilder> {
    let staging = ctx.out.staging_for(id);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(Error::io(&staging))?;
    }
    BagBuilder::new(&staging)
}

/// Each page's master (fixity re-checked on the copy), text and ALTO, and
/// the document's text (pages separated by form feeds, as pdftotext does);
/// returns the pages' records.
fn add_page_files(
    bag: &mut BagBuilder,
    doc: &DocumentInput,
    pages: &[PageOutput],
    ctx: &Context,
) -> workers::Result<Vec<PageRecord>> {
    let mut records: Vec<PageRecord> = Vec::with_capacity(pages.len());
    let mut all_text = String::new();
    let khmer_network = ctx.khmer_net.as_ref().map(|n| n.recognizer());
    for (i, (page, path)) in pages.iter().zip(&doc.pages).enumerate() {
        let mut record = page_record(i + 1, page);
        // The second page of a split spread shares the first's master.
        let first = (i > 0 && doc.pages[i - 1] == *path).then(|| records[i - 1].master.clone());
        match first {
            Some(master) => record.master = master,
            None => bag.add_master(inner(&record.master), path, &page.sha256)?,
        }
        let text = page.text().plain_text();
        bag.add_bytes(inner(&record.text), text.as_bytes())?;
        if i > 0 {
            all_text.push('\u{000C}');
        }
        all_text.push_str(&text);
        let alto = alto::write(&AltoPage {
            text: page.text(),
            index: record.index,
            master: &record.master,
            master_sha256: &page.sha256,
            langs: &page.recognized.langs,
            date: &ctx.timestamp,
            settings: &alto_settings(page, ctx),
            tesseract_version: &ctx.tesseract_version,
            khmer_network: khmer_network
                .as_ref()
                .filter(|_| page.recognized.neural_lines > 0)
                .map(|n| (n, page.recognized.neural_lines)),
            diachi_version: crate::VERSION,
        });
        bag.add_bytes(inner(&record.alto), &alto)?;
        records.push(record);
    }
    bag.add_bytes(&format!("{}.txt", doc.id), all_text.as_bytes())?;
    Ok(records)
}

/// A path of the bag (`data/...`) as the bag builder takes it, inside `data/`.
fn inner(path: &str) -> &str {
    path.trim_start_matches("data/")
}

/// How a page was prepared and read, for ALTO's processing step.
fn alto_settings(page: &PageOutput, ctx: &Context) -> String {
    let models: Vec<String> = page
        .recognized
        .langs
        .iter()
        .map(|l| {
            format!(
                "{l}.traineddata sha256={}",
                ctx.models.get(&l).map_or("?", String::as_str)
            )
        })
        .collect();
    format!(
        "lang={}; psm={}; orientation_degrees={}; skew_degrees={}; deskewed={}; dpi={}; models: {}",
        page.recognized.langs,
        page.recognized.segmentation.psm(),
        page.preparation.turn.degrees(),
        page.preparation.skew,
        page.preparation.deskewed,
        page.dpi().1,
        models.join(", ")
    )
}

/// Page `n`'s record: what record.json, METS and the report say of it.
pub(crate) fn page_record(n: usize, page: &PageOutput) -> PageRecord {
    let (prep, text) = (&page.preparation, page.text());
    PageRecord {
        index: n,
        source: page.source.clone(),
        master: format!("data/masters/{n:04}.{}", page.ext),
        sha256: page.sha256.clone(),
        width: page.width,
        height: page.height,
        dpi: page.dpi().0,
        dpi_assumed: prep.resolution.source == DpiSource::Assumed,
        skew_degrees: prep.skew,
        deskewed: prep.deskewed,
        exif_orientation: page.exif_orientation,
        orientation_degrees: prep.turn.degrees(),
        orientation_margin: prep.orientation_margin,
        upright_read: prep.upright_read,
        part: page.part,
        in_file: page.in_file,
        page_crop: prep.page,
        dewarp: prep.dewarp,
        prepared_width: text.width,
        prepared_height: text.height,
        language: page.recognized.langs.tesseract(),
        mean_confidence: text.mean_confidence().map(|c| (c * 100.0).round() / 100.0),
        words: text.words().count(),
        characters: text.words().map(|w| w.text.chars().count()).sum(),
        ink_ratio: page.ink_ratio,
        dpi_source: Some(prep.resolution.source),
        x_height: prep.resolution.x_height,
        declared_dpi: page.declared_dpi.map(|d| d.0),
        segmentation: Some(page.recognized.segmentation),
        ocr_scale: (page.recognized.ocr_scale * 1000.0).round() / 1000.0,
        recovered_lines: page.recognized.recovered_lines,
        noise_lines: page.recognized.noise_lines,
        latin_runs: page.recognized.latin_runs,
        neural_lines: page.recognized.neural_lines,
        doubts: prep.doubts.clone(),
        by_hand: page.by_hand.clone(),
        document_page: (page.document_page != n && page.document_page > 0)
            .then_some(page.document_page),
        text: format!("data/text/{n:04}.txt"),
        alto: format!("data/alto/{n:04}.xml"),
    }
}

/// The document's record.json.
fn build_record(
    doc: &DocumentInput,
    langs: &Languages,
    pages: Vec<PageRecord>,
    ctx: &Context,
) -> Record {
    let read_by_network = pages.iter().any(|p| p.neural_lines > 0);
    let title = if doc.metadata.title.is_empty() {
        doc.id.clone()
    } else {
        doc.metadata.title.clone()
    };
    Record {
        id: doc.id.clone(),
        title,
        language: langs.iter().map(|l| l.code().to_string()).collect(),
        pages,
        software: Software {
            diachi: crate::VERSION.to_string(),
            tesseract: ctx.tesseract_version.clone(),
            models: ctx
                .models
                .iter()
                .filter(|(l, _)| langs.contains(**l))
                .map(|(l, h)| (l.code().to_string(), h.clone()))
                .collect(),
            khmer_network: ctx
                .khmer_net
                .as_ref()
                .filter(|_| read_by_network)
                .map(|n| n.recognizer()),
        },
        metadata: doc.metadata.clone(),
        created: ctx.timestamp.clone(),
        overrides_sha256: ctx.overrides.digest(&doc.id),
        skipped: Vec::new(),
    }
}

/// The searchable PDF/A: page images with their text layers, and XMP.
/// Its file identifier is seeded from the document and its masters, so the
/// same inputs give the same bytes.
fn write_access_pdf(
    bag: &mut BagBuilder,
    doc: &DocumentInput,
    record: &Record,
    langs: &Languages,
    pages: &[PageOutput],
    ctx: &Context,
) -> workers::Result<()> {
    let pdf_pages: Vec<PdfPage> = pages
        .iter()
        .map(|p| PdfPage {
            image: &p.image,
            dpi: p.dpi(),
            text: p.text(),
        })
        .collect();
    let info = XmpInfo {
        title: record.title.clone(),
        creators: doc.metadata.creator.clone(),
        languages: langs.iter().map(|l| l.bcp47().to_string()).collect(),
        date: ctx.timestamp.clone(),
        producer: format!(
            "diachi {} (lopdf; Tesseract {})",
            crate::VERSION,
            ctx.tesseract_version
        ),
        creator_tool: format!("diachi {}", crate::VERSION),
    };
    let seed: String = format!("{}\n{}", doc.id, ctx.timestamp)
        + &pages
            .iter()
            .map(|p| p.sha256.as_str())
            .collect::<Vec<_>>()
            .join("\n");
    let pdf = pdfa::write(&pdf_pages, &info, seed.as_bytes())?;
    bag.add_bytes(&format!("{}.pdf", doc.id), &pdf)
}

/// record.json, Dublin Core and METS (which lists the files already in the
/// bag with their checksums).
fn write_metadata(
    bag: &mut BagBuilder,
    doc: &DocumentInput,
    record: &Record,
    pages: &[PageOutput],
    skipped: &[(SkippedPage, Option<FileRef>)],
    ctx: &Context,
) -> workers::Result<()> {
    let mut json = serde_json::to_vec_pretty(record).expect("a record always serialises");
    json.push(b'\n');
    bag.add_bytes("metadata/record.json", &json)?;
    let dc = crate::catalog::dublin_core(
        &doc.id,
        &record.title,
        &record.language,
        pages.len(),
        &doc.metadata,
    );
    bag.add_bytes("metadata/dc.xml", &dc.oai_dc().to_document())?;
    let mets_pages = mets_pages(bag, record, pages);
    let mets = workers::mets::write(&MetsDocument {
        id: &doc.id,
        title: &record.title,
        date: &ctx.timestamp,
        dc: &dc,
        pdf: file_ref(bag, &format!("{}.pdf", doc.id), "application/pdf"),
        pages: &mets_pages,
        diachi_version: crate::VERSION,
        tesseract_version: &ctx.tesseract_version,
        ocr_settings: &ocr_settings(pages),
        khmer_network: record.software.khmer_network.as_ref(),
        skipped,
    });
    bag.add_bytes("metadata/mets.xml", &mets)
}

/// Finishes the bag (tag files, manifests), writes the report's thumbnails,
/// and renames the bag into place, synced: `OUT/<id>/` appears whole or not
/// at all.
fn commit_bag(
    bag: BagBuilder,
    record: &Record,
    pages: &[PageOutput],
    ctx: &Context,
) -> workers::Result<PathBuf> {
    let built = bag.finish(&[
        (
            "Source-Organization",
            ctx.config.bag.source_organization.clone(),
        ),
        ("Bagging-Date", ctx.timestamp[..10].to_string()),
        ("External-Identifier", record.id.clone()),
        ("External-Description", record.title.clone()),
        ("Bag-Software-Agent", format!("diachi {}", crate::VERSION)),
    ])?;
    let target = ctx.out.bag(&record.id);
    crate::fault::before_rename();
    write_thumbnails(record, pages, ctx);
    if workers::bagit::is_bag(&target) {
        replace_bag(&built, &target, &record.id, ctx)?;
    } else {
        fs::rename(&built, &target).map_err(Error::io(&target))?;
    }
    fs::File::open(ctx.out.root())
        .and_then(|d| d.sync_all())
        .map_err(Error::io(ctx.out.root()))?;
    Ok(target)
}

/// Puts a new bag in the place of the old one in one step, so that a reader
/// sees one or the other, never neither (Linux's renameat2 with
/// RENAME_EXCHANGE), then keeps the old bag under
/// `OUT/.diachi/superseded/<id>/<timestamp>/`.
fn replace_bag(built: &Path, target: &Path, id: &str, ctx: &Context) -> workers::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).expect("no NUL in a path");
    let (from, to) = (c(built), c(target));
    // SAFETY: two NUL-terminated paths, relative to the working directory.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r != 0 {
        return Err(Error::io(target)(std::io::Error::last_os_error()));
    }
    // `built` now holds the old bag. Two replaced within one batch
    // timestamp are kept side by side, never one over the other.
    let base = ctx.out.superseded(id, &ctx.timestamp);
    let keep = (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                base.with_file_name(format!(
                    "{}-{n}",
                    base.file_name().unwrap_or_default().to_string_lossy()
                ))
            }
        })
        .find(|p| !p.exists())
        .expect("a free name");
    if let Some(parent) = keep.parent() {
        fs::create_dir_all(parent).map_err(Error::io(parent))?;
    }
    fs::rename(built, &keep).map_err(Error::io(&keep))
}

/// The page segmentation modes the pages were read in, for METS.
fn ocr_settings(pages: &[PageOutput]) -> String {
    let mut modes: Vec<u32> = pages
        .iter()
        .map(|p| p.recognized.segmentation.psm())
        .collect();
    modes.sort_unstable();
    modes.dedup();
    let modes: Vec<String> = modes.iter().map(u32::to_string).collect();
    format!("page segmentation mode {}", modes.join(", "))
}

/// The document's languages: those given, or with `auto` those found on its
/// pages whose script holds at least [`MIN_LANGUAGE_SHARE`] of the text's
/// letters, Vietnamese before Khmer.
fn resolve_languages(setting: &LangSetting, pages: &[PageOutput]) -> Languages {
    match setting {
        LangSetting::Fixed(l) => l.clone(),
        LangSetting::Auto => {
            let (khmer, latin) = pages.iter().fold((0, 0), |(k, l), p| {
                let (pk, pl) = Script::counts(&p.recognized.text.plain_text());
                (k + pk, l + pl)
            });
            let found = [Language::Vietnamese, Language::Khmer]
                .into_iter()
                .filter(|l| pages.iter().any(|p| p.recognized.langs.contains(*l)));
            present_languages(found, khmer, latin)
        }
    }
}

/// Under `auto`, a language found on a document's pages is one of its
/// languages (dc:language, MARC 041) only when this share of the letters
/// read is in its script. A Vietnamese decree whose stamp the Khmer model
/// read as two Khmer letters (realdev vie_namnqd_1 and _8) is Vietnamese;
/// the pages still record both models they were read with.
const MIN_LANGUAGE_SHARE: f64 = 0.02;

/// Of the languages `found`, those whose script holds at least
/// [`MIN_LANGUAGE_SHARE`] of the `khmer` + `latin` letters; the one with
/// the most letters when none does; Vietnamese when nothing was found.
fn present_languages(
    found: impl Iterator<Item = Language>,
    khmer: usize,
    latin: usize,
) -> Languages {
    let total = (khmer + latin).max(1) as f64;
    let letters = |l: Language| match l.script() {
        Script::Khmer => khmer,
        Script::Latin => latin,
    };
    let found: Vec<Language> = found.collect();
    let present = found
        .iter()
        .copied()
        .filter(|&l| letters(l) as f64 >= MIN_LANGUAGE_SHARE * total);
    Languages::new(present)
        .or_else(|| {
            found
                .iter()
                .copied()
                .max_by_key(|&l| letters(l))
                .map(Languages::one)
        })
        .unwrap_or_else(|| Languages::one(Language::Vietnamese))
}

/// A payload file already in the bag, as METS lists it (path relative to
/// `data/metadata/mets.xml`).
/// A master's media type (IANA), which METS and MIX give, from its
/// extension.
fn mime_of(ext: &str) -> &'static str {
    match ext {
        "tif" | "tiff" => "image/tiff",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "jp2" => "image/jp2",
        "jpf" => "image/jpx",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn file_ref(bag: &BagBuilder, rel: &str, mime: &str) -> FileRef {
    let (sha256, size) = bag.entry(rel).expect("file added before METS is written");
    FileRef {
        href: format!("../{rel}"),
        mime: mime.to_string(),
        size,
        sha256: sha256.to_string(),
    }
}

fn mets_pages<'a>(bag: &BagBuilder, record: &'a Record, pages: &[PageOutput]) -> Vec<MetsPage<'a>> {
    record
        .pages
        .iter()
        .zip(pages)
        .map(|(r, p)| {
            let mime = mime_of(&p.ext);
            MetsPage {
                master: file_ref(bag, inner(&r.master), mime),
                alto: file_ref(bag, inner(&r.alto), "application/alto+xml"),
                text: file_ref(bag, inner(&r.text), "text/plain; charset=utf-8"),
                colour: p.colour,
                record: r,
            }
        })
        .collect()
}

/// Thumbnails for the batch report, beside the bags (never in them): losing
/// one only costs the report a picture. A page the report will flag also
/// has its reading-size preview (the page stage made it only for those).
fn write_thumbnails(record: &Record, pages: &[PageOutput], ctx: &Context) {
    let dir = ctx.out.thumbnails(&record.id);
    if fs::create_dir_all(&dir).is_err() {
        return;
    }
    for (i, p) in pages.iter().enumerate() {
        let _ = fs::write(ctx.out.thumbnail(&record.id, i + 1), &p.thumbnail);
        let preview = dir.join(format!("{:04}-preview.jpg", i + 1));
        if !p.preview.is_empty() {
            let _ = fs::write(&preview, &p.preview);
        } else {
            // A page flagged in an earlier run of this document.
            let _ = fs::remove_file(&preview);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{Khmer, Vietnamese};

    fn present(found: &[Language], khmer: usize, latin: usize) -> Vec<Language> {
        present_languages(found.iter().copied(), khmer, latin)
            .iter()
            .collect()
    }

    #[test]
    fn a_language_needs_its_share_of_the_letters() {
        // A stamp read as two Khmer letters on a page of Vietnamese.
        assert_eq!(present(&[Vietnamese, Khmer], 2, 1700), [Vietnamese]);
        // A Khmer page with a few Latin names.
        assert_eq!(present(&[Vietnamese, Khmer], 2000, 30), [Khmer]);
        // Both, each with its share.
        assert_eq!(
            present(&[Vietnamese, Khmer], 300, 1700),
            [Vietnamese, Khmer]
        );
        // None with a share (nothing read): the one with most letters, else
        // Vietnamese.
        assert_eq!(present(&[Khmer], 0, 0), [Khmer]);
        assert_eq!(present(&[], 0, 0), [Vietnamese]);
    }
}
