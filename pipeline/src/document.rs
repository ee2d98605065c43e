//! The document stage: once all its pages are done, in page order, a
//! document becomes a bag: masters (fixity re-checked), PDF/A, ALTO, text and
//! record.json, built in a staging folder and renamed into place whole.

use crate::context::Context;
use crate::discover::DocumentInput;
use crate::page::PageOutput;
use crate::record::{PageRecord, Record, Software};
use std::fs;
use std::path::PathBuf;
use workers::alto::{self, AltoPage};
use workers::bagit::BagBuilder;
use workers::lang::{LangSetting, Language, Languages};
use workers::mets::{FileRef, MetsDocument, MetsPage};
use workers::pdfa::{self, PdfPage};
use workers::resolution::DpiSource;
use workers::xmp::XmpInfo;
use workers::Error;

/// Packages `doc` from its processed `pages` (in order) and returns the
/// bag's final path under the output folder.
pub fn package(
    doc: &DocumentInput,
    setting: &LangSetting,
    pages: &[PageOutput],
    ctx: &Context,
) -> workers::Result<PathBuf> {
    let langs = resolve_languages(setting, pages);
    let langs: Vec<String> = langs.iter().map(|l| l.code().to_string()).collect();
    let langs = langs.as_slice();
    let staging = ctx.out.staging_for(&doc.id);
    if staging.exists() {
        // Left by an interrupted run: never visible as a bag, safe to redo.
        fs::remove_dir_all(&staging).map_err(Error::io(&staging))?;
    }
    let mut bag = BagBuilder::new(&staging)?;
    let title = if doc.metadata.title.is_empty() {
        doc.id.clone()
    } else {
        doc.metadata.title.clone()
    };
    let mut records = Vec::with_capacity(pages.len());
    let mut all_text = String::new();
    for (i, (page, path)) in pages.iter().zip(&doc.pages).enumerate() {
        let n = i + 1;
        let master = format!("masters/{n:04}.{}", page.ext);
        bag.add_master(&master, path, &page.sha256)?;
        let text = page.text().plain_text();
        let text_rel = format!("text/{n:04}.txt");
        bag.add_bytes(&text_rel, text.as_bytes())?;
        if i > 0 {
            all_text.push('\u{000C}'); // form feed between pages, as pdftotext does
        }
        all_text.push_str(&text);
        let alto_rel = format!("alto/{n:04}.xml");
        let page_langs: Vec<String> = page
            .recognized
            .langs
            .iter()
            .map(|l| l.code().to_string())
            .collect();
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
        let settings = format!(
            "lang={}; psm={}; orientation_degrees={}; skew_degrees={}; deskewed={}; dpi={}; models: {}",
            page.recognized.langs,
            page.recognized.segmentation.psm(),
            page.preparation.turn.degrees(),
            page.preparation.skew,
            page.preparation.deskewed,
            page.dpi().1,
            models.join(", ")
        );
        let master_path = format!("data/{master}");
        bag.add_bytes(
            &alto_rel,
            &alto::write(&AltoPage {
                text: page.text(),
                index: n,
                master: &master_path,
                master_sha256: &page.sha256,
                langs: &page_langs,
                date: &ctx.timestamp,
                settings: &settings,
                tesseract_version: &ctx.tesseract_version,
                diachi_version: crate::VERSION,
            }),
        )?;
        records.push(PageRecord {
            index: n,
            source: page.source.clone(),
            master: master_path,
            sha256: page.sha256.clone(),
            width: page.width,
            height: page.height,
            dpi: page.dpi().0,
            dpi_assumed: page.preparation.resolution.source == DpiSource::Assumed,
            skew_degrees: page.preparation.skew,
            deskewed: page.preparation.deskewed,
            exif_orientation: page.exif_orientation,
            orientation_degrees: page.preparation.turn.degrees(),
            orientation_margin: page.preparation.orientation_margin,
            prepared_width: page.text().width,
            prepared_height: page.text().height,
            language: page.recognized.langs.tesseract(),
            mean_confidence: page
                .text()
                .mean_confidence()
                .map(|c| (c * 100.0).round() / 100.0),
            words: page.text().words().count(),
            characters: text.chars().filter(|c| !c.is_whitespace()).count(),
            ink_ratio: page.ink_ratio,
            dpi_source: Some(page.preparation.resolution.source),
            x_height: page.preparation.resolution.x_height,
            declared_dpi: page.declared_dpi.map(|d| d.0),
            segmentation: Some(page.recognized.segmentation),
            ocr_scale: (page.recognized.ocr_scale * 1000.0).round() / 1000.0,
            recovered_lines: page.recognized.recovered_lines,
            doubts: page.preparation.doubts.clone(),
            text: format!("data/{text_rel}"),
            alto: format!("data/{alto_rel}"),
        });
    }
    bag.add_bytes(&format!("{}.txt", doc.id), all_text.as_bytes())?;
    let pdf_pages: Vec<PdfPage> = pages
        .iter()
        .map(|p| PdfPage {
            image: &p.image,
            dpi: p.dpi(),
            text: p.text(),
        })
        .collect();
    let info = XmpInfo {
        title: title.clone(),
        creators: doc.metadata.creator.clone(),
        languages: langs.iter().map(|l| alto::bcp47(l).to_string()).collect(),
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
    bag.add_bytes(
        &format!("{}.pdf", doc.id),
        &pdfa::write(&pdf_pages, &info, seed.as_bytes())?,
    )?;
    let record = Record {
        id: doc.id.clone(),
        title,
        language: langs.to_vec(),
        pages: records,
        software: Software {
            diachi: crate::VERSION.to_string(),
            tesseract: ctx.tesseract_version.clone(),
            models: ctx
                .models
                .iter()
                .filter(|(l, _)| langs.iter().any(|c| c == l.code()))
                .map(|(l, h)| (l.code().to_string(), h.clone()))
                .collect(),
        },
        metadata: doc.metadata.clone(),
        created: ctx.timestamp.clone(),
    };
    let mut json = serde_json::to_vec_pretty(&record).expect("a record always serialises");
    json.push(b'\n');
    bag.add_bytes("metadata/record.json", &json)?;
    let dc = crate::catalog::dublin_core(&doc.id, &record.title, langs, pages.len(), &doc.metadata);
    bag.add_bytes("metadata/dc.xml", &dc.oai_dc().to_document())?;
    let mets = mets_pages(&bag, &record, pages);
    let pdf_rel = format!("{}.pdf", doc.id);
    bag.add_bytes(
        "metadata/mets.xml",
        &workers::mets::write(&MetsDocument {
            id: &doc.id,
            title: &record.title,
            date: &ctx.timestamp,
            dc: &dc,
            pdf: file_ref(&bag, &pdf_rel, "application/pdf"),
            pages: &mets,
            diachi_version: crate::VERSION,
            tesseract_version: &ctx.tesseract_version,
            ocr_settings: &ocr_settings(pages),
        }),
    )?;
    let built = bag.finish(&[
        (
            "Source-Organization",
            ctx.config.bag.source_organization.clone(),
        ),
        ("Bagging-Date", ctx.timestamp[..10].to_string()),
        ("External-Identifier", doc.id.clone()),
        ("External-Description", record.title.clone()),
        ("Bag-Software-Agent", format!("diachi {}", crate::VERSION)),
    ])?;
    let target = ctx.out.bag(&doc.id);
    crate::fault::before_rename();
    write_thumbnails(&doc.id, pages, ctx);
    fs::rename(&built, &target).map_err(Error::io(&target))?;
    fs::File::open(ctx.out.root())
        .and_then(|d| d.sync_all())
        .map_err(Error::io(ctx.out.root()))?;
    Ok(target)
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
/// pages, Vietnamese before Khmer.
fn resolve_languages(setting: &LangSetting, pages: &[PageOutput]) -> Languages {
    match setting {
        LangSetting::Fixed(l) => l.clone(),
        LangSetting::Auto => Languages::new(
            [Language::Vietnamese, Language::Khmer]
                .into_iter()
                .filter(|l| pages.iter().any(|p| p.recognized.langs.contains(*l))),
        )
        .unwrap_or_else(|| Languages::one(Language::Vietnamese)),
    }
}

/// A payload file already in the bag, as METS lists it (path relative to
/// `data/metadata/mets.xml`).
fn file_ref(bag: &BagBuilder, rel: &str, mime: &str) -> FileRef {
    let (sha256, size) = bag.entry(rel).expect("file added before METS is written");
    FileRef {
        href: format!("../{rel}"),
        mime: mime.to_string(),
        size,
        sha256: sha256.to_string(),
    }
}

fn mets_pages(bag: &BagBuilder, record: &Record, pages: &[PageOutput]) -> Vec<MetsPage> {
    record
        .pages
        .iter()
        .zip(pages)
        .map(|(r, p)| {
            let inner = |path: &str| path.trim_start_matches("data/").to_string();
            let mime = match p.ext.as_str() {
                "tif" | "tiff" => "image/tiff",
                "png" => "image/png",
                _ => "image/jpeg",
            };
            MetsPage {
                master: file_ref(bag, &inner(&r.master), mime),
                alto: file_ref(bag, &inner(&r.alto), "application/alto+xml"),
                text: file_ref(bag, &inner(&r.text), "text/plain; charset=utf-8"),
                source: r.source.clone(),
                width: r.width,
                height: r.height,
                dpi: r.dpi,
                dpi_assumed: r.dpi_assumed,
                colour: p.colour,
                skew_degrees: r.skew_degrees,
                deskewed: r.deskewed,
                orientation_degrees: r.orientation_degrees,
                lang: r.language.clone(),
            }
        })
        .collect()
}

/// Thumbnails for the batch report, beside the bags (never in them): losing
/// one only costs the report a picture.
fn write_thumbnails(id: &str, pages: &[PageOutput], ctx: &Context) {
    let dir = ctx.out.thumbnails(id);
    if fs::create_dir_all(&dir).is_err() {
        return;
    }
    for (i, p) in pages.iter().enumerate() {
        let _ = fs::write(dir.join(format!("{:04}.jpg", i + 1)), &p.thumbnail);
    }
}
