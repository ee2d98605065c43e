//! Lines in the other script, read again. On a Vietnamese page, a line in
//! Khmer (a temple's name, a caption) comes back from the Vietnamese model
//! as Latin garbage, and the other way round. Each line that may be in the
//! other script is read again on its own ([`Script::reread_lang`]), and the
//! new reading replaces the old when most of its letters are in the other
//! script: a Vietnamese line that was merely hard to read keeps its first
//! reading. Word confidences alone cannot find those lines: Khmer writes no
//! spaces between words, so a Khmer line is often one long word, and
//! Tesseract's word confidence is its least sure letter. Word spacing and
//! the shape of Vietnamese syllables help ([`may_be_in`]).

use crate::ocr::Engine;
use crate::script::Script;
use crate::text::{BBox, Line, PageText};
use crate::Result;
use image::GrayImage;

/// Reads every line of `text` that [`may_be_in`] `script` again with
/// `engine` ([`Script::reread_lang`]), and keeps the new reading when most
/// of its letters are in `script`, at least [`REPLACE_LEAST_LETTERS`], at a
/// confidence of at least [`Script::replaces_from`], and it is
/// [`Script::plausible`].
///
/// The least sure lines are read first, and after [`REREAD_MISSES`] in a
/// row that were not replaced the rest are left: the lines of the other
/// script read worst (the Vietnamese model reads Khmer at 0-60, under the
/// page's own hard lines), and a page with that many weak lines of its own
/// in a row has them in its own script. realdev's Khmer statistics table
/// (khm_phonsobon_5) has 35 rows the Khmer model reads at 0-55; all were
/// read again in Vietnamese (2.1-3.1 s, on 2.3-3.5 s of OCR), and none
/// replaced.
///
/// A line taller than it is wide is no line of either script: it is a
/// column of a page read sideways, which the page's orientation check
/// then turns and reads again. Read again in Khmer, the first reading's
/// columns of page_dewarp's boston_cooking_a stored sideways took 80 s
/// under `auto`, on 1.5 s of OCR.
pub fn reread_lines_in(
    gray: &GrayImage,
    dpi: u32,
    text: &mut PageText,
    engine: &Engine,
    below: f32,
    script: Script,
) -> Result<Reread> {
    let pad = text.median_line_height().unwrap_or(0) / 2;
    let boxes: Vec<BBox> = text.lines().map(|l| l.bbox).collect();
    let mut candidates: Vec<(usize, usize, f32)> = Vec::new();
    for (b, block) in text.blocks.iter().enumerate() {
        for (l, line) in block.lines.iter().enumerate() {
            if !line.bbox.runs_down() && may_be_in(line, script, below) {
                candidates.push((b, l, line.mean_confidence().unwrap_or(0.0)));
            }
        }
    }
    // Stable: lines equally sure stay in reading order.
    candidates.sort_by(|a, b| a.2.total_cmp(&b.2));
    let (mut done, mut misses) = (Reread::default(), 0);
    for (b, l, _) in candidates {
        if misses >= REREAD_MISSES {
            break;
        }
        done.read += 1;
        let block = &mut text.blocks[b];
        let new = read_line(gray, dpi, block.lines[l].bbox, pad, &boxes, engine)?;
        let Some(new) = new.filter(|new| {
            let words = new.text();
            new.mean_confidence()
                .is_some_and(|c| c >= script.replaces_from())
                && crate::script::majority(&words) == Some(script)
                && script.letters(&words) >= REPLACE_LEAST_LETTERS
                && script.plausible(&words)
                && covers(script, &words, &block.lines[l].text())
        }) else {
            misses += 1;
            continue;
        };
        block.lines[l] = new;
        let first = block.lines[0].bbox;
        block.bbox = block.lines.iter().fold(first, |u, l| u.union(&l.bbox));
        done.replaced += 1;
        misses = 0;
    }
    Ok(done)
}

/// What [`reread_lines_in`] did: lines read again, and of those replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reread {
    pub read: usize,
    pub replaced: usize,
}

/// The fewest letters of the other script a line read again must hold to
/// replace the first reading. A stray mark read in Khmer is a letter or
/// two: realdev's vie_namnqd_1, under `auto`, had its digital signature's
/// time stamp "XCĂy 190220250755:13" replaced by "គា 19022025075513", and
/// OCRmyPDF's linn its logo by "ពា"; each page was then recorded as
/// bilingual and read by the Khmer network.
pub const REPLACE_LEAST_LETTERS: usize = 3;

/// Whether `new`, a line read again in `script`, covers the line that
/// `old` read: into Khmer, at least half as many letters as the Latin
/// reading had. A Khmer line holds about as many letters as the Latin
/// model's garbage for it (on the mix's Vietnamese pages, 5-32 Latin
/// letters were replaced by 9-34 Khmer ones); realdev's vie_namnqd_3, read
/// upside down under `auto` and then turned, had its filing line "- Lưu:
/// VT, KSTTT\wrvA." (14 letters) replaced by "បបប". Into Latin, any.
fn covers(script: Script, new: &str, old: &str) -> bool {
    script != Script::Khmer || 2 * script.letters(new) >= Script::Latin.letters(old)
}

/// After this many lines in a row read again and not replaced,
/// [`reread_lines_in`] reads no more.
pub const REREAD_MISSES: usize = 12;

/// Whether a line read in `script`'s other language may be in `script`:
/// it is spaced like `script` ([`crate::script::spaced_like`]), or it is
/// weak (mean word confidence below `below`) and does not look like its
/// own script: spaced like it and [`Script::plausible`] in it, or, read as
/// Latin, made of [`crate::script::latin_words`] at a confidence of
/// [`crate::script::LATIN_WORDS_SURE`] (English, French). Most weak
/// lines are hard lines of the page's own language (a Khmer line in one
/// long word, Vietnamese capitals, an English page's every line); reading
/// those again would cost about a fifth of a Khmer page's OCR, more than
/// the OCR on an English page, and never replaces them.
pub fn may_be_in(line: &Line, script: Script, below: f32) -> bool {
    let own = script.other();
    let (text, confidence) = (line.text(), line.mean_confidence());
    let latin_words = || own == Script::Latin && crate::script::sure_latin_words(&text, confidence);
    match crate::script::spaced_like(line) {
        Some(s) if s == script => true,
        Some(s) if s == own && own.plausible(&text) => false,
        _ if latin_words() => false,
        _ => confidence.is_some_and(|c| c < below),
    }
}

/// Whether a word read by the Khmer model holds Latin text it could not
/// read: an ASCII letter, a sign that Khmer print does not use but the
/// Khmer model makes of Latin letters, or ASCII digits mixed with Khmer
/// letters or digits. On the realdev notice, "(UNESCO)" came back as
/// "(២ស៩6០០)" and "Plug and Play" as "0|9 81៨ 02". Plain numbers ("023",
/// "120210") the Khmer model reads well, and are left.
fn latin_in_khmer(word: &str) -> bool {
    let letters_or_signs = word
        .chars()
        .any(|c| c.is_ascii_alphabetic() || "$#&|/@%»«*".contains(c));
    let digits = word.chars().any(|c| c.is_ascii_digit());
    // The Khmer block holds the Khmer digits too.
    let khmer = word.chars().any(|c| Script::Khmer.has(c));
    letters_or_signs || (digits && khmer)
}

/// At most this many runs are read again on a page: each costs a small
/// OCR call, and a page of Latin text read as Khmer has a better remedy
/// (`--lang auto`, or the right language).
const MAX_LATIN_RUNS: usize = 24;

/// On a page read in Khmer, the runs of words that hold Latin text
/// ([`latin_in_khmer`]: acronyms, names, addresses in parentheses) read
/// again with `engine` ([`Script::reread_lang`] of Latin) as one line each,
/// and replaced when the new reading is in Latin letters, at a confidence
/// of at least [`Script::replaces_from`] or above the Khmer reading's (the
/// Vietnamese model is seldom sure of capitals: "(UNESCO)" read right
/// scores 55, against 0 for the Khmer model's "(២ស៩6០០)"). Returns how
/// many runs were replaced.
pub fn reread_latin_words(
    gray: &GrayImage,
    dpi: u32,
    text: &mut PageText,
    engine: &Engine,
) -> Result<usize> {
    let boxes: Vec<BBox> = text.lines().map(|l| l.bbox).collect();
    let (mut replaced, mut tried) = (0, 0);
    for line in text.lines_mut() {
        // The run's own line is not blanked: its box is the line's.
        let others: Vec<BBox> = boxes.iter().filter(|b| **b != line.bbox).copied().collect();
        let mut i = 0;
        while i < line.words.len() && tried < MAX_LATIN_RUNS {
            if !latin_in_khmer(&line.words[i].text) {
                i += 1;
                continue;
            }
            // A run goes on over plain numbers too: "@)123 3 023 724 810".
            let mut end = i + 1;
            while end < line.words.len() && {
                let w = &line.words[end].text;
                latin_in_khmer(w)
                    || w.chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
            } {
                end += 1;
            }
            tried += 1;
            let run = line.words[i..end]
                .iter()
                .fold(line.words[i].bbox, |b, w| b.union(&w.bbox));
            let new = read_line(gray, dpi, run, 0, &others, engine)?.map(|mut n| {
                // Pieces of the Khmer words either side that the padding
                // took in are not the run's.
                n.words
                    .retain(|w| (run.x0..run.x1).contains(&((w.bbox.x0 + w.bbox.x1) / 2)));
                n
            });
            let old = crate::text::mean_confidence(&line.words[i..end]).unwrap_or(0.0);
            let good = new.as_ref().is_some_and(|n| {
                let conf = n.mean_confidence().unwrap_or(0.0);
                (conf >= Script::Latin.replaces_from() || conf > old)
                    && crate::script::majority(&n.text()) == Some(Script::Latin)
            });
            match new {
                Some(n) if good => {
                    let count = n.words.len();
                    line.words.splice(i..end, n.words);
                    replaced += 1;
                    i += count;
                }
                _ => i = end,
            }
        }
    }
    Ok(replaced)
}

/// Reads the region of one line as one line (the engine's page segmentation
/// mode 6 reads a one-line block as well as mode 7 does); `None` when
/// nothing is read there.
///
/// The region is padded by a quarter of the line's height or `pad`,
/// whichever is more: a line of capitals is short, and the marks above
/// Vietnamese capitals (Ấ, Ỗ) lie outside the first model's boxes. The
/// `others` lines' boxes are blanked in the outer half of the padding. Of
/// what is read there, one line is kept: the one with the most letters
/// among those whose middle lies within the line's box. Pieces of the
/// neighbouring lines that the padding takes in lie outside it, and a
/// Khmer line's row of vowel signs, which Tesseract sometimes reads as a
/// line of its own, is shorter.
pub fn read_line(
    gray: &GrayImage,
    dpi: u32,
    bbox: BBox,
    pad: u32,
    others: &[BBox],
    engine: &Engine,
) -> Result<Option<Line>> {
    let Some(crop) = line_crop(gray, bbox, pad, others) else {
        return Ok(None);
    };
    let mut read = engine.recognize(&crop.image, dpi)?;
    read.translate(crop.left, crop.top);
    Ok(read
        .lines()
        .filter(|l| (bbox.y0..bbox.y1).contains(&l.bbox.mid_y()))
        .max_by_key(|l| l.char_count())
        .cloned())
}

/// The region of one line cut from the page, and where it lies.
pub struct LineCrop {
    pub image: GrayImage,
    pub left: u32,
    pub top: u32,
}

/// Cuts the line `bbox` out of the page, padded by a quarter of its height
/// or `pad`, whichever is more, with the `others` lines' boxes blanked in
/// the outer half of the padding ([`read_line`] says why). `None` when the
/// box is empty.
pub fn line_crop(gray: &GrayImage, bbox: BBox, pad: u32, others: &[BBox]) -> Option<LineCrop> {
    let pad = (bbox.height() / 4).max(pad).max(2);
    let left = bbox.x0.saturating_sub(pad);
    let top = bbox.y0.saturating_sub(pad);
    let right = (bbox.x1 + pad).min(gray.width());
    let bottom = (bbox.y1 + pad).min(gray.height());
    if right <= left || bottom <= top {
        return None;
    }
    let mut crop =
        image::imageops::crop_imm(gray, left, top, right - left, bottom - top).to_image();
    // The other lines' boxes are blanked in the outer half of the padding:
    // it takes in pieces of the lines above and below, and reading them
    // costs more than the line itself (the Khmer model is slow on Latin
    // text). The inner half is kept whole, for this line's own marks,
    // which the neighbours' boxes may overlap.
    let keep = bbox.y0.saturating_sub(pad / 2)..bbox.y1 + pad / 2;
    for o in others.iter().filter(|o| **o != bbox) {
        let (x0, x1) = (o.x0.max(left), o.x1.min(right));
        for y in o.y0.max(top)..o.y1.min(bottom) {
            if keep.contains(&y) {
                continue;
            }
            for x in x0..x1 {
                crop.put_pixel(x - left, y - top, image::Luma([255]));
            }
        }
    }
    Some(LineCrop {
        image: crop,
        left,
        top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Khmer reading replaces a Latin line only when it holds at least
    /// half as many letters: the readings of realdev's vie_namnqd_3 upside
    /// down under `auto`, and of the mix's Khmer titles on Vietnamese pages.
    #[test]
    fn a_khmer_reading_must_cover_the_line() {
        assert!(!covers(Script::Khmer, "បបប", "- Lưu: VT, KSTTT\\wrvA."));
        assert!(covers(Script::Khmer, "វត្តខ្លែង", "inÌÏgn"));
        assert!(covers(Script::Khmer, "វត្តម៉ាហាទុប", "ỉñt1ữ§U"));
        assert!(covers(
            Script::Khmer,
            "L t0 u0{H trợ812118181ñ t1 ង្គយ៉លងំ(២បពទ្វឬ",
            "L t0 u0{H trợ812118181ñ t1 8iruá[U0 ngụ"
        ));
        // Into Latin, no bound.
        assert!(covers(Script::Latin, "Lưu", "ការិយាល័យ"));
    }

    /// What the Khmer model made of the realdev notice's Latin names is
    /// found; its Khmer words, quoted or not, are not.
    #[test]
    fn latin_garbage_in_khmer_is_found() {
        for garbage in ["(២ស៩6០០)", "0|9", "$//007", "(&0»)", "%%/%.៣ឯ០.0០។.#"]
        {
            assert!(latin_in_khmer(garbage), "{garbage}");
        }
        for khmer in ["វេទិការដ្ឋាភិបាល", "“ការពន្លឿន", "(ក.ប.ទ.)", "២០២៥", "។"]
        {
            assert!(!latin_in_khmer(khmer), "{khmer}");
        }
    }

    /// realdev's Khmer statistics table: the Khmer model reads most of its
    /// rows at 0-55, and the Vietnamese model makes nothing of them either.
    /// The reread stops after [`REREAD_MISSES`] of them, where it read all 35.
    #[test]
    fn a_table_of_weak_rows_is_not_read_again_row_after_row() {
        let tessdata = crate::ocr::find_tessdata().expect("tessdata installed");
        let raster = crate::raster::realdev("khm_phonsobon_5.jpg");
        let khm_setting = crate::lang::LangSetting::parse("khm").unwrap();
        let mut engines = crate::page::EngineCache::new(tessdata.clone());
        let options = crate::page::PrepareOptions::default();
        let page = crate::page::prepare(raster, &khm_setting, &options, &mut engines).unwrap();
        let (gray, dpi) = (&page.gray, page.ppi());
        let khm = Engine::new(&tessdata, "khm", 6).unwrap();
        let vie = Engine::new(&tessdata, Script::Latin.reread_lang(), 6).unwrap();
        let mut text = khm.recognize(gray, dpi).unwrap();
        let below = Script::Khmer.reread_below();
        let weak = text
            .lines()
            .filter(|l| may_be_in(l, Script::Latin, below))
            .count();
        assert!(weak > 2 * REREAD_MISSES, "{weak} rows to read again");
        let before = text.plain_text();
        let done = reread_lines_in(gray, dpi, &mut text, &vie, below, Script::Latin).unwrap();
        assert_eq!(
            done,
            Reread {
                read: REREAD_MISSES,
                replaced: 0
            }
        );
        assert_eq!(text.plain_text(), before);
    }

    /// On a page read in Vietnamese, a weak line of English or French is
    /// not read again in Khmer; the Vietnamese model's garbage of a Khmer
    /// line still is, however it is spaced, and so is an English line read
    /// too unsurely to vouch for.
    #[test]
    fn latin_lines_of_other_languages_are_not_read_again_in_khmer() {
        let b = BBox {
            x0: 0,
            y0: 0,
            x1: 1000,
            y1: 40,
        };
        let line = |text: &str, confidence: f32| Line {
            bbox: b,
            words: text
                .split(' ')
                .map(|w| crate::text::Word {
                    text: w.to_string(),
                    bbox: b,
                    confidence,
                })
                .collect(),
        };
        let below = Script::Latin.reread_below();
        let english = "To record a sequence, simply press RECORD and PLAY,";
        assert!(!Script::Latin.plausible(english));
        assert!(!may_be_in(&line(english, 85.0), Script::Khmer, below));
        assert!(!may_be_in(
            &line("Recording a Sequence", 88.0),
            Script::Khmer,
            below
        ));
        assert!(may_be_in(&line(english, 50.0), Script::Khmer, below));
        let garbage = "ãñr gì9ob# 8atfi|minñmñ-agtnifmidif\" tnipmsue “minig]sasinn8Ñnru:";
        assert!(may_be_in(&line(garbage, 75.0), Script::Khmer, below));
        let table = "12 |ntmlDnq) 105 2/204 |_ 1218.683 899,688 961/742| 510/935 78.92%| 2/206";
        assert!(may_be_in(&line(table, 60.0), Script::Khmer, below));
        // Three words in five of Latin shape, but read at 18: garbage.
        let unsure = "RJU t6:g5912a66:80 8 đo thẳng 866010916 Ì9tpinansn9tningeì";
        assert!(crate::script::latin_words(unsure));
        assert!(may_be_in(&line(unsure, 18.5), Script::Khmer, below));
        // On a page read in Khmer, Latin words are no reason to keep a line.
        let khmer_page = Script::Khmer.reread_below();
        assert!(may_be_in(&line(english, 85.0), Script::Latin, khmer_page));
    }

    /// The bilingual sample read with Vietnamese alone: its Khmer lines come
    /// back as garbage. Read again with both languages, the first comes back
    /// right while the Vietnamese lines are left as they were. The second
    /// (វត្តខ្លែង) stays misread: Tesseract keeps the Vietnamese model's
    /// reading of it (confidence 78) when given both, on the page as on the
    /// line, so `vie+khm` misreads it too.
    #[test]
    fn khmer_lines_on_a_vietnamese_page_are_read_in_khmer() {
        let tessdata = crate::ocr::find_tessdata().expect("tessdata installed");
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        let page = image::open(samples.join("batch/song-ngu/p1.tif"))
            .unwrap()
            .to_luma8();
        let page = crate::deskew::deskew(page, None, 15.0, 0.1, None).gray;
        let vie = Engine::new(&tessdata, "vie", 6).unwrap();
        let both = Engine::new(&tessdata, Script::Khmer.reread_lang(), 6).unwrap();
        let mut text = vie.recognize(&page, 300).unwrap();
        let before = text.plain_text();
        assert!(!before.contains("វត្តម៉ាហាទុប"), "{before}");
        let done = reread_lines_in(&page, 300, &mut text, &both, 90.0, Script::Khmer).unwrap();
        let after = text.plain_text();
        assert_eq!(done.replaced, 1, "{after}");
        assert!(after.contains("វត្តម៉ាហាទុប"), "{after}");
        // The Vietnamese lines, weak ones included, are as they were.
        let truth = std::fs::read_to_string(samples.join("groundtruth/song-ngu/p1.txt")).unwrap();
        for line in truth.lines() {
            if crate::script::majority(line) == Some(Script::Latin) {
                assert_eq!(before.contains(line), after.contains(line), "{line}");
            }
        }
        assert!(after.contains("Sóc Trăng có hơn chín mươi ngôi chùa Khmer."));
        // Every word box still lies on the page.
        assert!(text
            .words()
            .all(|w| w.bbox.x1 <= page.width() && w.bbox.y1 <= page.height()));
    }

    /// A "line" taller than wide (a column of a page read sideways) is not
    /// read again, weak as it is; the same line lying across is.
    #[test]
    fn lines_running_down_are_not_read_again() {
        let tessdata = crate::ocr::find_tessdata().expect("tessdata installed");
        let khm = Engine::new(&tessdata, Script::Khmer.reread_lang(), 6).unwrap();
        let page = GrayImage::from_pixel(400, 400, image::Luma([255]));
        let reread = |bbox: BBox| {
            let words = vec![crate::text::Word {
                text: "uiIJ".into(),
                bbox,
                confidence: 12.0,
            }];
            let mut text = PageText {
                width: 400,
                height: 400,
                blocks: vec![crate::text::Block {
                    bbox,
                    lines: vec![Line { bbox, words }],
                }],
            };
            reread_lines_in(&page, 300, &mut text, &khm, 70.0, Script::Khmer).unwrap()
        };
        let (down, across) = (
            BBox {
                x0: 180,
                y0: 40,
                x1: 220,
                y1: 360,
            },
            BBox {
                x0: 40,
                y0: 180,
                x1: 360,
                y1: 220,
            },
        );
        assert_eq!(reread(down).read, 0);
        assert_eq!(reread(across).read, 1);
    }

    /// A Khmer page with a Vietnamese line and heading set tight between
    /// its Khmer lines (real scans, cut and stacked, as a Khmer font's page
    /// sets a Latin line): read in Khmer, the Vietnamese lines come back as
    /// Khmer garbage, spaced like Latin. Read again, they come back exactly,
    /// with no piece of the line below or above (the heading's marks nearly
    /// touch the line above), and the Khmer lines are untouched.
    #[test]
    fn vietnamese_lines_on_a_khmer_page_are_read_in_vietnamese() {
        let tessdata = crate::ocr::find_tessdata().expect("tessdata installed");
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        let open = |p: &str| image::open(samples.join(p)).unwrap().to_luma8();
        let khmer = open("batch/wat-khleang/scan_1.png");
        let vietnamese = open("batch/can-tho-1925/1.tif");
        let mut page = GrayImage::from_pixel(khmer.width(), 900, image::Luma([255]));
        let mut stack = |from: &GrayImage, y0: u32, y1: u32, at: i64| {
            let strip = image::imageops::crop_imm(from, 0, y0, from.width(), y1 - y0);
            image::imageops::overlay(&mut page, &strip.to_image(), 0, at);
        };
        // Khmer lines 1-3, "Vùng đất Cần Thơ ...", the heading "ĐỊA CHÍ
        // TỈNH CẦN THƠ" 2 pixels below its descenders, Khmer lines 4-5.
        stack(&khmer, 180, 485, 0);
        stack(&vietnamese, 312, 368, 305);
        stack(&vietnamese, 182, 238, 363);
        stack(&khmer, 485, 680, 430);
        let khm = Engine::new(&tessdata, "khm", 6).unwrap();
        let vie = Engine::new(&tessdata, Script::Latin.reread_lang(), 6).unwrap();
        let mut text = khm.recognize(&page, 300).unwrap();
        let before = text.plain_text();
        let cantho =
            std::fs::read_to_string(samples.join("groundtruth/can-tho-1925/1.txt")).unwrap();
        let wanted = [
            cantho.lines().nth(2).unwrap(),
            cantho.lines().next().unwrap(),
        ];
        assert!(wanted.iter().all(|l| !before.contains(l)), "{before}");
        let done = reread_lines_in(
            &page,
            300,
            &mut text,
            &vie,
            Script::Khmer.reread_below(),
            Script::Latin,
        )
        .unwrap();
        let after = text.plain_text();
        assert_eq!(done.replaced, 2, "{after}");
        for line in wanted {
            assert!(after.lines().any(|l| l == line), "{line} not in\n{after}");
        }
        // The Khmer lines read right in Khmer are still there.
        let wat =
            std::fs::read_to_string(samples.join("groundtruth/wat-khleang/scan_1.txt")).unwrap();
        let right: Vec<&str> = wat.lines().filter(|l| before.contains(l)).collect();
        assert!(right.len() >= 3, "{before}");
        for line in right {
            assert!(after.lines().any(|l| l == line), "{line}");
        }
    }
}
