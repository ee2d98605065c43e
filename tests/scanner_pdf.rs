//! Scanner PDFs and JPEG 2000 masters: each page's image taken out of the
//! file as stored, giving the same pixels (and so the same OCR text) as
//! the same page given as an image file; the PDF or JP2 itself the master.
//! The PDFs are made as staff get them: by img2pdf (JPEG, and G4 from a
//! TIFF), Ghostscript and OCRmyPDF, from Debian's packages. Hostile PDFs
//! fail their document, named, and the batch goes on.

mod common;

use common::{read, run, samples, tool};
use std::fs;
use std::path::{Path, PathBuf};
use workers::scanpdf::{PagesWithText, ScannerPdf};

const INSTALL: &str = "apt-get install img2pdf ghostscript ocrmypdf libopenjp2-tools (scripts/setup.sh --test installs them)";

fn sample(path: &str) -> PathBuf {
    samples().join("batch").join(path)
}

/// A 1-bit CCITT G4 TIFF of a sample page at 300 dpi, as a document
/// scanner writes one (written here by hand: TIFF 6.0, section 11).
fn g4_tiff(dir: &Path) -> PathBuf {
    let img = image::open(sample("cong-bao-1930/1.tif"))
        .unwrap()
        .to_luma8();
    let g4 = workers::pdfa::encode_page_image(&img, None, 80, 300).unwrap();
    assert_eq!(g4.kind, workers::pdfa::ImageKind::BilevelG4);
    let (w, h) = img.dimensions();
    let entries: [(u16, u16, u32); 12] = [
        (256, 4, w),
        (257, 4, h),
        (258, 3, 1),
        (259, 3, 4),   // CCITT T.6
        (262, 3, 0),   // WhiteIsZero
        (273, 4, 174), // the strip, after the IFD and the two rationals
        (277, 3, 1),
        (278, 4, h),
        (279, 4, g4.data.len() as u32),
        (282, 5, 158),
        (283, 5, 166),
        (296, 3, 2), // inches
    ];
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    t.extend((entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(1u32.to_le_bytes());
        t.extend(value.to_le_bytes());
    }
    t.extend(0u32.to_le_bytes());
    for _ in 0..2 {
        t.extend(300u32.to_le_bytes());
        t.extend(1u32.to_le_bytes());
    }
    assert_eq!(t.len(), 174);
    t.extend(&g4.data);
    let out = dir.join("g4.tif");
    fs::write(&out, t).unwrap();
    out
}

/// A PDF made by Ghostscript's pdfwrite from `args` (PostScript to run).
fn ghostscript_pdf(out: &Path, args: &[&str]) {
    let output = format!("-sOutputFile={}", out.display());
    let mut all = vec!["-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", &output];
    all.extend_from_slice(args);
    let o = tool("gs", &all, INSTALL);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn img2pdf(inputs: &[&Path], out: &Path) {
    let mut args: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();
    args.extend(["-o", out.to_str().unwrap()]);
    let o = tool("img2pdf", &args, INSTALL);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every page's raster, as diachi reads it.
fn pdf_pages(
    pdf: &Path,
    with_text: PagesWithText,
) -> Vec<workers::Result<workers::raster::Raster>> {
    let bytes = fs::read(pdf).unwrap();
    let doc = ScannerPdf::open(pdf, &bytes).unwrap();
    doc.pages()
        .into_iter()
        .map(|p| doc.decode(pdf, p, 200_000_000, with_text))
        .collect()
}

fn decoded(path: &Path) -> workers::raster::Raster {
    workers::raster::decode(path, &fs::read(path).unwrap(), 200_000_000, 300.0).unwrap()
}

fn assert_same_pixels(a: &workers::raster::Raster, b: &workers::raster::Raster, what: &str) {
    assert_eq!(a.gray.dimensions(), b.gray.dimensions(), "{what}");
    assert!(a.gray == b.gray, "{what}: the gray pixels differ");
    assert_eq!(a.color.is_some(), b.color.is_some(), "{what}");
    assert_eq!(a.bilevel, b.bilevel, "{what}");
}

#[test]
fn img2pdf_pages_give_the_files_pixels() {
    let tmp = tempfile::tempdir().unwrap();
    let g4 = g4_tiff(tmp.path());
    let sources = [
        sample("can-tho-1925/10.jpg"),
        g4,
        sample("can-tho-1925/2.png"),
    ];
    let pdf = tmp.path().join("scan.pdf");
    img2pdf(
        &sources.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        &pdf,
    );
    let pages = pdf_pages(&pdf, PagesWithText::Refuse);
    assert_eq!(pages.len(), 3);
    for (page, source) in pages.into_iter().zip(&sources) {
        let page = page.unwrap();
        let file = decoded(source);
        assert_same_pixels(&page, &file, &source.display().to_string());
        // img2pdf sizes the page from the file's resolution.
        assert_eq!(page.dpi, file.dpi, "{}", source.display());
        assert_eq!(page.format, "pdf");
    }
}

#[test]
fn ghostscript_and_ocrmypdf_pdfs() {
    let tmp = tempfile::tempdir().unwrap();
    let jpeg = sample("can-tho-1925/10.jpg");
    // Ghostscript's own JPEG viewer, through pdfwrite: the JPEG is passed
    // through as DCT.
    let gs_pdf = tmp.path().join("gs.pdf");
    let viewjpeg = fs::read_dir("/usr/share/ghostscript")
        .expect(INSTALL)
        .flatten()
        .map(|d| d.path().join("lib/viewjpeg.ps"))
        .find(|p| p.is_file())
        .expect("Ghostscript's viewjpeg.ps");
    ghostscript_pdf(
        &gs_pdf,
        &[
            &format!("--permit-file-read={}", jpeg.display()),
            viewjpeg.to_str().unwrap(),
            "-c",
            &format!("({}) viewJPEG", jpeg.display()),
        ],
    );
    let page = pdf_pages(&gs_pdf, PagesWithText::Refuse).remove(0).unwrap();
    assert_same_pixels(&page, &decoded(&jpeg), "gs");

    // OCRmyPDF's output: the scan plus an invisible text layer in a form.
    let img_pdf = tmp.path().join("img.pdf");
    img2pdf(&[&sample("can-tho-1925/2.png")], &img_pdf);
    let ocrd = tmp.path().join("ocrd.pdf");
    let o = tool(
        "ocrmypdf",
        &[
            "-q",
            "-l",
            "vie",
            "--output-type",
            "pdf",
            img_pdf.to_str().unwrap(),
            ocrd.to_str().unwrap(),
        ],
        INSTALL,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let refused = pdf_pages(&ocrd, PagesWithText::Refuse)
        .remove(0)
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("page 1: it carries an OCR text layer already"),
        "{refused}"
    );
    let page = pdf_pages(&ocrd, PagesWithText::ReocrImageOnly)
        .remove(0)
        .unwrap();
    assert_same_pixels(&page, &decoded(&sample("can-tho-1925/2.png")), "ocrmypdf");
}

/// `bytes` with the first `from` replaced by `to`.
fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("found");
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

/// Through the whole run: the PDF is the master of its pages, the text is
/// the same as the image files', and hostile PDFs fail their own document
/// by name while the others are packaged.
#[test]
fn a_batch_of_pdfs() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    for d in [
        "scan",
        "images",
        "truncated",
        "encrypted",
        "loop",
        "huge",
        "born-digital",
    ] {
        fs::create_dir_all(batch.join(d)).unwrap();
    }
    let g4 = g4_tiff(tmp.path());
    let sources = [sample("can-tho-1925/10.jpg"), g4.clone()];
    let pdf = batch.join("scan/book.pdf");
    img2pdf(&[&sources[0], &sources[1]], &pdf);
    fs::copy(&sources[0], batch.join("images/1.jpg")).unwrap();
    fs::copy(&g4, batch.join("images/2.tif")).unwrap();
    let bytes = fs::read(&pdf).unwrap();
    fs::write(batch.join("truncated/a.pdf"), &bytes[..bytes.len() / 2]).unwrap();
    // A page tree whose Pages node lists itself among its kids (bytes
    // replaced in place: the file holds binary image data).
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let pages_obj = text
        .split(" 0 obj")
        .zip(text.split(" 0 obj").skip(1))
        .find(|(_, body)| {
            body.trim_start().starts_with("<<")
                && body[..body.find(">>").unwrap()].contains("/Type /Pages")
        })
        .map(|(head, _)| {
            head.rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .to_string()
        })
        .expect("a Pages object");
    let looped = replace(
        &bytes,
        b"/Kids [ ",
        format!("/Kids [ {pages_obj} 0 R ").as_bytes(),
    );
    fs::write(batch.join("loop/a.pdf"), looped).unwrap();
    // An image claiming 99999 x 99999 pixels.
    let huge = replace(
        &replace(&bytes, b"/Width 1748", b"/Width 99999"),
        b"/Height 2480",
        b"/Height 99999",
    );
    fs::write(batch.join("huge/a.pdf"), huge).unwrap();
    let o = tool(
        "/usr/bin/python3",
        &[
            "-c",
            &format!(
                "import pikepdf; pikepdf.open({:?}).save({:?}, encryption=pikepdf.Encryption(user='', owner='o', R=6))",
                pdf.to_str().unwrap(),
                batch.join("encrypted/a.pdf").to_str().unwrap()
            ),
        ],
        "apt-get install python3-pikepdf (OCRmyPDF brings it)",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Born-digital: Ghostscript draws visible text.
    ghostscript_pdf(
        &batch.join("born-digital/a.pdf"),
        &[
            "-c",
            "/Helvetica findfont 24 scalefont setfont 72 720 moveto (Can Tho 1925) show showpage",
        ],
    );
    fs::write(
        batch.join("batch.csv"),
        "id,language\nscan,vie\nimages,vie\n",
    )
    .unwrap();

    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(1), "{err}");
    for (doc, why) in [
        ("truncated", "truncated PDF"),
        ("encrypted", "encrypted PDF"),
        ("loop", "its page tree loops"),
        ("huge", "page 1: image is 99999x99999 pixels"),
        (
            "born-digital",
            "page 1: it carries text (a born-digital page)",
        ),
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("FAILED {doc}:")))
            .unwrap_or_else(|| panic!("{doc} not failed:\n{err}"));
        assert!(
            line.contains(&format!("{doc}/a.pdf")) && line.contains(why),
            "{line}"
        );
    }
    let rec: serde_json::Value =
        serde_json::from_str(&read(&out.join("scan/data/metadata/record.json"))).unwrap();
    let pages = rec["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "{rec}");
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p["pdf_page"]["number"], i + 1, "{p}");
        assert_eq!(p["master"], "data/masters/0001.pdf", "{p}");
        assert_eq!(p["source"], "book.pdf");
    }
    assert_eq!(
        fs::read(out.join("scan/data/masters/0001.pdf")).unwrap(),
        bytes,
        "the PDF is the master, byte for byte"
    );
    for n in ["0001", "0002"] {
        assert_eq!(
            read(&out.join(format!("scan/data/text/{n}.txt"))),
            read(&out.join(format!("images/data/text/{n}.txt"))),
            "page {n}: the PDF's text differs from the image files'"
        );
    }
    // METS points each page's div at the PDF, from its page object on.
    let mets = read(&out.join("scan/data/metadata/mets.xml"));
    let offset = pages[1]["pdf_page"]["offset"].as_u64().unwrap();
    assert!(
        mets.contains(&format!("BETYPE=\"BYTE\" BEGIN=\"{offset}\"")),
        "{mets}"
    );
    common::validate("mets", &[out.join("scan/data/metadata/mets.xml")]);
}

/// A lossless JPEG 2000 master (OpenJPEG's own encoder) gives the PNG's
/// pixels, and the JP2 is the master.
#[test]
fn jpeg2000_masters() {
    let tmp = tempfile::tempdir().unwrap();
    let png = sample("can-tho-1925/2.png");
    let jp2 = tmp.path().join("2.jp2");
    let o = tool(
        "opj_compress",
        &["-i", png.to_str().unwrap(), "-o", jp2.to_str().unwrap()],
        INSTALL,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = decoded(&jp2);
    assert_same_pixels(&page, &decoded(&png), "jp2");
    assert_eq!(page.format, "jp2");
    // A JP2 whose header declares 400 dpi (a resc box: 15748 per metre).
    let with_res = add_resolution_box(&fs::read(&jp2).unwrap(), 15748);
    let res = workers::raster::decode(&jp2, &with_res, 200_000_000, 300.0).unwrap();
    assert_eq!((res.dpi, res.dpi_assumed), ((400.0, 400.0), false));
    // Cut short, it fails with the file named.
    let bytes = fs::read(&jp2).unwrap();
    let err =
        workers::raster::decode(&jp2, &bytes[..bytes.len() / 3], 200_000_000, 300.0).unwrap_err();
    assert!(err.to_string().contains("2.jp2"), "{err}");
}

/// The JP2 with a `res ` box holding a `resc` box of `per_metre` grid
/// points a metre both ways, inside its `jp2h` header box.
fn add_resolution_box(jp2: &[u8], per_metre: u16) -> Vec<u8> {
    let mut resc = Vec::new();
    resc.extend(18u32.to_be_bytes());
    resc.extend(b"resc");
    for _ in 0..2 {
        resc.extend(per_metre.to_be_bytes());
        resc.extend(1u16.to_be_bytes());
    }
    resc.extend([0, 0]);
    let mut res = Vec::new();
    res.extend((8 + resc.len() as u32).to_be_bytes());
    res.extend(b"res ");
    res.extend(resc);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 8 <= jp2.len() {
        let len = u32::from_be_bytes(jp2[i..i + 4].try_into().unwrap()) as usize;
        let len = if len == 0 { jp2.len() - i } else { len };
        if &jp2[i + 4..i + 8] == b"jp2h" {
            out.extend(((len + res.len()) as u32).to_be_bytes());
            out.extend(&jp2[i + 4..i + len]);
            out.extend(&res);
        } else {
            out.extend(&jp2[i..i + len]);
        }
        i += len;
    }
    out
}

/// A page stored as JBIG2 (ITU-T T.88), as some scanners and OCRmyPDF's
/// optimiser write: here an immediate generic region coded with MMR, built
/// by hand around a G4 coding of a sample page, in place of img2pdf's G4
/// image. It decodes to the same pixels.
#[test]
fn jbig2_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let g4_file = g4_tiff(tmp.path());
    let pdf = tmp.path().join("g4.pdf");
    img2pdf(&[&g4_file], &pdf);
    let img = image::open(sample("cong-bao-1930/1.tif"))
        .unwrap()
        .to_luma8();
    let (w, h) = img.dimensions();
    let mmr = workers::pdfa::encode_page_image(&img, None, 80, 300)
        .unwrap()
        .data;
    // Segments (T.88, 7.2): number, type, no referrals, page 1, length.
    let segment = |number: u32, kind: u8, data: &[u8]| -> Vec<u8> {
        let mut s = number.to_be_bytes().to_vec();
        s.extend([kind, 0, 1]);
        s.extend((data.len() as u32).to_be_bytes());
        s.extend(data);
        s
    };
    let mut page_info = Vec::new();
    for v in [w, h, 0, 0] {
        page_info.extend(v.to_be_bytes());
    }
    page_info.extend([0, 0, 0]); // flags, no striping
    let mut region = Vec::new();
    for v in [w, h, 0, 0] {
        region.extend(v.to_be_bytes());
    }
    region.extend([0, 1]); // combination OR; generic region flags: MMR
    region.extend(&mmr);
    let jbig2 = [
        segment(0, 48, &page_info),
        segment(1, 39, &region),
        segment(2, 49, &[]),
    ]
    .concat();

    let mut doc = lopdf::Document::load(&pdf).unwrap();
    let id = doc
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_stream().is_ok_and(|s| {
                s.dict.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"Image")
            })
        })
        .map(|(id, _)| *id)
        .unwrap();
    let stream = doc.get_object_mut(id).unwrap().as_stream_mut().unwrap();
    stream
        .dict
        .set("Filter", lopdf::Object::Name(b"JBIG2Decode".to_vec()));
    stream.dict.remove(b"DecodeParms");
    stream.set_content(jbig2);
    let jb2_pdf = tmp.path().join("jbig2.pdf");
    doc.save(&jb2_pdf).unwrap();

    let page = pdf_pages(&jb2_pdf, PagesWithText::Refuse)
        .remove(0)
        .unwrap();
    assert_same_pixels(&page, &decoded(&g4_file), "jbig2");
}
