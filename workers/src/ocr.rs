//! OCR: one thin, safe wrapper around Tesseract (through tesseract-rs).
//!
//! Only what diachi needs is exposed. Results are read from Tesseract's TSV
//! renderer, which carries the block/paragraph/line/word structure, boxes and
//! confidences in one call, so no raw iterator (whose lifetime tesseract-rs
//! does not tie to the engine) ever escapes this module.

use crate::text::{nfc, BBox, Block, Line, PageText, Word};
use crate::{Error, Result};
use image::GrayImage;
use std::path::{Path, PathBuf};
use tesseract_rs::{TessPageSegMode, TesseractAPI};

/// The version of the linked libtesseract, e.g. "5.3.0".
pub fn tesseract_version() -> String {
    TesseractAPI::version()
}

/// Runs this program again with `OMP_THREAD_LIMIT=1` unless it is set, and
/// returns only if that failed (with why). Tesseract's OpenMP threads fight
/// page-level parallelism and make it several times slower, and even alone
/// they cost CPU on a busy machine; libgomp reads the variable only when it
/// is loaded, before `main`, so setting it from inside is too late.
pub fn rerun_single_threaded() -> Option<std::io::Error> {
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return None;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Some(e),
    };
    use std::os::unix::process::CommandExt;
    Some(
        std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OMP_THREAD_LIMIT", "1")
            .exec(),
    )
}

/// Sends Tesseract's and Leptonica's own messages ("Detected 137
/// diacritics", "Image too small to scale!!", "Error in pixScale...") to
/// `log` instead of the terminal, where they would land between diachi's
/// lines with no page named. Tesseract's `debug_file` is one setting for
/// the whole process, so this holds for every engine, made before or after.
pub fn log_messages_to(log: &Path) -> Result<()> {
    let path = log
        .to_str()
        .ok_or_else(|| Error::Ocr(format!("{}: not a UTF-8 path", log.display())))?;
    TesseractAPI::new()
        .set_debug_variable("debug_file", path)
        .map_err(|e| Error::Ocr(format!("debug_file: {e}")))?;
    leptonica::log_to(log);
    Ok(())
}

/// Leptonica writes its messages to stderr through a handler it lets a
/// program replace (leptSetStderrHandler, Leptonica 1.79 on).
mod leptonica {
    use std::io::Write;
    use std::path::Path;
    use std::sync::Mutex;

    static LOG: Mutex<Option<std::fs::File>> = Mutex::new(None);

    extern "C" {
        fn leptSetStderrHandler(handler: Option<unsafe extern "C" fn(*const std::ffi::c_char)>);
    }

    unsafe extern "C" fn to_log(msg: *const std::ffi::c_char) {
        if msg.is_null() {
            return;
        }
        // SAFETY: Leptonica passes a NUL-terminated message.
        let text = unsafe { std::ffi::CStr::from_ptr(msg) }.to_string_lossy();
        if let Ok(mut log) = LOG.lock() {
            if let Some(f) = log.as_mut() {
                let _ = f.write_all(text.as_bytes());
            }
        }
    }

    pub fn log_to(path: &Path) {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok();
        if let Ok(mut log) = LOG.lock() {
            *log = file;
        }
        // SAFETY: the handler is a plain function that lives for the
        // whole program and only appends to the file above.
        unsafe { leptSetStderrHandler(Some(to_log)) };
    }
}

/// The tessdata folder: `TESSDATA_PREFIX` if set, else the first of the
/// Debian/Ubuntu and upstream default locations that exists.
pub fn find_tessdata() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TESSDATA_PREFIX") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_dir())
}

/// The traineddata files a Tesseract language string (`vie+khm`) needs.
pub fn model_files(datapath: &Path, lang: &str) -> Vec<(String, PathBuf)> {
    lang.split('+')
        .filter(|l| !l.is_empty())
        .map(|l| (l.to_string(), datapath.join(format!("{l}.traineddata"))))
        .collect()
}

/// A Tesseract engine initialised for one language string and page
/// segmentation mode. Reuse it, one page at a time: start-up loads the
/// models, which costs far more than a page.
pub struct Engine {
    api: TesseractAPI,
    lang: String,
}

impl Engine {
    pub fn new(datapath: &Path, lang: &str, psm: u32) -> Result<Engine> {
        for (l, file) in model_files(datapath, lang) {
            if !file.is_file() {
                return Err(Error::MissingModel {
                    lang: l,
                    datapath: datapath.to_path_buf(),
                });
            }
        }
        let api = TesseractAPI::new();
        api.init(datapath, lang)
            .map_err(|e| Error::Ocr(format!("init {lang}: {e}")))?;
        let engine = Engine {
            api,
            lang: lang.to_string(),
        };
        engine.set_psm(psm)?;
        Ok(engine)
    }

    /// Sets the page segmentation mode for the next pages: one engine (one
    /// copy of the models in memory) serves every mode.
    pub fn set_psm(&self, psm: u32) -> Result<()> {
        if psm > 13 {
            return Err(Error::Ocr(format!(
                "page segmentation mode {psm} is not 0-13"
            )));
        }
        self.api
            .set_page_seg_mode(TessPageSegMode::from_int(psm as i32))
            .map_err(|e| Error::Ocr(e.to_string()))
    }

    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// Recognises one 8-bit gray raster at `dpi` (which sets the expected
    /// glyph size) and returns its words in reading order, text in NFC.
    pub fn recognize(&self, gray: &GrayImage, dpi: u32) -> Result<PageText> {
        let (w, h) = gray.dimensions();
        let err = |e: tesseract_rs::TesseractError| Error::Ocr(e.to_string());
        let invert = if has_dark_areas(gray) { "1" } else { "0" };
        self.api
            .set_variable("tessedit_do_invert", invert)
            .map_err(err)?;
        self.api
            .set_image(gray.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(err)?;
        self.api
            .set_source_resolution(dpi.max(70) as i32)
            .map_err(err)?;
        self.api.recognize().map_err(err)?;
        let tsv = self.api.get_tsv_text(0).map_err(err)?;
        // Free the page's image and results now rather than at the next page.
        self.api.clear().map_err(err)?;
        Ok(parse_tsv(&tsv, w, h))
    }
}

/// Whether `gray` has dark areas that may hold text printed light on dark
/// (a heading's band, a boxed label, a cover), for which Tesseract is left
/// to read its weak lines inverted too (`tessedit_do_invert`), keeping the
/// reading it is surer of. On dark print on light paper that second reading
/// is noise, yet it sometimes won over a weak right one: without it the
/// realdev Khmer notice reads at CER 0.028 against 0.040, and Tesseract
/// takes 15% less time on the mixed benchmark batch (README, Benchmarks).
///
/// An area counts as dark when a square of 1/64 of the page's shorter side
/// (16 pixels at least) averages under 80 of 255. Print, even bold, leaves
/// paper between its strokes at that size; a printed band, a photo or a
/// scanner's black border does not. [`MIN_DARK_SQUARES`] of them keep the
/// inverted reading on.
pub fn has_dark_areas(gray: &GrayImage) -> bool {
    let (w, h) = gray.dimensions();
    let side = (w.min(h) / 64).max(16);
    let mut dark = 0;
    for y0 in (0..h.saturating_sub(side - 1)).step_by(side as usize) {
        for x0 in (0..w.saturating_sub(side - 1)).step_by(side as usize) {
            let mut sum = 0u64;
            for y in y0..y0 + side {
                let row = &gray.as_raw()[(y * w + x0) as usize..(y * w + x0 + side) as usize];
                sum += row.iter().map(|&v| v as u64).sum::<u64>();
            }
            if sum < DARK_MEAN * (side * side) as u64 {
                dark += 1;
                if dark >= MIN_DARK_SQUARES {
                    return true;
                }
            }
        }
    }
    false
}

/// A square averaging under this is dark; see [`has_dark_areas`].
const DARK_MEAN: u64 = 80;

/// Dark squares that keep Tesseract's inverted reading on: a boxed label
/// of one short line covers about four.
const MIN_DARK_SQUARES: usize = 4;

/// Parses Tesseract's TSV output (columns: level, page, block, par, line,
/// word, left, top, width, height, conf, text). Words (level 5) with text
/// are grouped by (block, par) into [`Block`]s and by line into [`Line`]s.
pub fn parse_tsv(tsv: &str, width: u32, height: u32) -> PageText {
    let mut page = PageText {
        width,
        height,
        blocks: Vec::new(),
    };
    let mut last_par: Option<(u32, u32)> = None;
    let mut last_line: Option<u32> = None;
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        let text = nfc(cols[11].trim());
        if text.is_empty() {
            continue;
        }
        let bbox = BBox {
            x0: num(6),
            y0: num(7),
            x1: num(6) + num(8),
            y1: num(7) + num(9),
        };
        let confidence = cols[10]
            .trim()
            .parse::<f32>()
            .unwrap_or(0.0)
            .clamp(0.0, 100.0);
        let word = Word {
            text,
            bbox,
            confidence,
        };
        let par = (num(2), num(3));
        if last_par != Some(par) {
            page.blocks.push(Block {
                bbox,
                lines: Vec::new(),
            });
            last_par = Some(par);
            last_line = None;
        }
        let block = page.blocks.last_mut().expect("pushed above");
        if last_line != Some(num(4)) {
            block.lines.push(Line {
                bbox,
                words: Vec::new(),
            });
            last_line = Some(num(4));
        }
        block.bbox = block.bbox.union(&bbox);
        let line = block.lines.last_mut().expect("pushed above");
        line.bbox = line.bbox.union(&bbox);
        line.words.push(word);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_structure() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t10\t20\t10\t96.5\tCa\u{0300}\n\
5\t1\t1\t1\t1\t2\t35\t11\t20\t10\t90\tMau\n\
5\t1\t1\t1\t2\t1\t10\t30\t20\t10\t80\tĐất\n\
5\t1\t1\t1\t2\t2\t40\t30\t20\t10\t-1\t \n\
5\t1\t2\t1\t1\t1\t10\t60\t30\t12\t70.25\tខ្មែរ\n";
        let page = parse_tsv(tsv, 100, 100);
        assert_eq!(page.blocks.len(), 2);
        assert_eq!(page.blocks[0].lines.len(), 2);
        assert_eq!(page.plain_text(), "Cà Mau\nĐất\n\nខ្មែរ\n");
        assert_eq!(
            page.blocks[0].lines[0].bbox,
            BBox {
                x0: 10,
                y0: 10,
                x1: 55,
                y1: 21
            }
        );
        assert_eq!(page.blocks[1].lines[0].words[0].confidence, 70.25);
    }

    #[test]
    fn missing_model_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = Engine::new(dir.path(), "vie+xyz", 6).err().unwrap();
        assert!(
            matches!(err, Error::MissingModel { ref lang, .. } if lang == "vie"),
            "{err}"
        );
    }

    /// A page of black print on white: lines of bold strokes 3-9 px wide.
    fn printed_page() -> GrayImage {
        GrayImage::from_fn(1200, 1600, |x, y| {
            let in_line = (100..1500).contains(&y) && y % 60 < 30;
            let stroke = (x / 9 + y / 60) % 3 == 0 && (80..1120).contains(&x);
            image::Luma([if in_line && stroke { 0 } else { 235 }])
        })
    }

    #[test]
    fn print_on_paper_has_no_dark_areas() {
        assert!(!has_dark_areas(&printed_page()));
        // Nor have three blots the size of a square.
        let mut page = printed_page();
        for (x0, y0) in [(10, 10), (600, 1540), (1150, 800)] {
            for y in y0..y0 + 20 {
                for x in x0..x0 + 20 {
                    page.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        assert!(!has_dark_areas(&page));
    }

    #[test]
    fn a_dark_band_or_border_is_a_dark_area() {
        // Light print on a dark band across the page, as a heading's box.
        let mut page = printed_page();
        for y in 300..400 {
            for x in 60..1140 {
                let p = page.get_pixel_mut(x, y);
                p[0] = 255 - p[0] / 2 - 100;
            }
        }
        assert!(has_dark_areas(&page));
        // A scanner's black border down one side.
        let mut page = printed_page();
        for y in 0..1600 {
            for x in 0..40 {
                page.put_pixel(x, y, image::Luma([20]));
            }
        }
        assert!(has_dark_areas(&page));
    }

    /// Real recognition, on a line rendered by the test itself.
    #[test]
    fn recognizes_a_rendered_word() {
        let Some(data) = find_tessdata() else {
            panic!("no tessdata folder: install tesseract-ocr-eng or set TESSDATA_PREFIX");
        };
        // A crude 5x7 bitmap font is enough for "HI".
        let mut img = GrayImage::from_pixel(200, 80, image::Luma([255]));
        let glyphs = [
            "10001", "10001", "10001", "11111", "10001", "10001", "10001",
        ];
        let i_glyph = ["111", "010", "010", "010", "010", "010", "111"];
        let draw = |img: &mut GrayImage, rows: &[&str], ox: u32| {
            for (y, row) in rows.iter().enumerate() {
                for (x, c) in row.chars().enumerate() {
                    if c == '1' {
                        for dy in 0..6 {
                            for dx in 0..6 {
                                img.put_pixel(
                                    ox + x as u32 * 6 + dx,
                                    12 + y as u32 * 6 + dy,
                                    image::Luma([0]),
                                );
                            }
                        }
                    }
                }
            }
        };
        draw(&mut img, &glyphs, 40);
        draw(&mut img, &i_glyph, 90);
        let engine = Engine::new(&data, "eng", 7).unwrap();
        let page = engine.recognize(&img, 300).unwrap();
        assert_eq!(page.plain_text().trim(), "HI");
        assert!(page.mean_confidence().unwrap() > 50.0);
    }
}
