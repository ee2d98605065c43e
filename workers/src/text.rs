//! The recognised text of a page: blocks of lines of words, each with its box
//! in pixels of the prepared raster, and the plain-text and NFC rules that
//! every output (text files, ALTO, PDF text layer) shares.

use serde::Serialize;
use unicode_normalization::{is_nfc, UnicodeNormalization};

/// A rectangle in pixels, origin top-left, `x1`/`y1` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl BBox {
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }
    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
    /// Whether the box is taller than wide: a line that runs down the page.
    pub fn runs_down(&self) -> bool {
        self.height() > self.width()
    }
    /// The row halfway down the box.
    pub fn mid_y(&self) -> u32 {
        (self.y0 + self.y1) / 2
    }

    /// The smallest box holding both.
    pub fn union(&self, o: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    /// NFC text of the word, never empty, never containing white space.
    pub text: String,
    pub bbox: BBox,
    /// The recognizer's confidence, 0 to 100: Tesseract's, or for a word
    /// the Khmer network read ([`crate::neural`]) the mean probability of
    /// its characters.
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub bbox: BBox,
    pub words: Vec<Word>,
}

/// The middle value (the upper one of an even count).
fn median(mut v: Vec<u32>) -> Option<u32> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// Mean confidence of `words`, 0-100; `None` when there is none.
pub fn mean_confidence<'a>(words: impl IntoIterator<Item = &'a Word>) -> Option<f32> {
    let mut n = 0;
    let sum: f32 = words
        .into_iter()
        .inspect(|_| n += 1)
        .map(|w| w.confidence)
        .sum();
    (n > 0).then(|| sum / n as f32)
}

impl Line {
    /// Mean word confidence, 0-100; `None` for a line without words.
    pub fn mean_confidence(&self) -> Option<f32> {
        mean_confidence(&self.words)
    }

    /// Characters in the line's words, spaces between them not counted.
    pub fn char_count(&self) -> usize {
        self.words.iter().map(|w| w.text.chars().count()).sum()
    }

    /// The line's words joined by a space.
    pub fn text(&self) -> String {
        let words: Vec<&str> = self.words.iter().map(|w| w.text.as_str()).collect();
        words.join(" ")
    }
}

/// A paragraph as Tesseract found it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub bbox: BBox,
    pub lines: Vec<Line>,
}

/// A line is noise when no word in it reaches this confidence (0-100).
pub const NOISE_BELOW: f32 = 30.0;

/// A line not shaped like a line of the page's text is noise when no word
/// in it reaches this confidence (0-100): the stacked page edges beside a
/// photographed book page, read as lines running down the page, scored
/// their best words 39-50; a real line read that weakly is rare, and is
/// shaped like its neighbours.
pub const ODD_SHAPE_NOISE_BELOW: f32 = 60.0;

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PageText {
    /// Size of the raster the boxes refer to.
    pub width: u32,
    pub height: u32,
    pub blocks: Vec<Block>,
}

impl PageText {
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.lines().flat_map(|l| l.words.iter())
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.blocks.iter().flat_map(|b| b.lines.iter())
    }

    pub fn lines_mut(&mut self) -> impl Iterator<Item = &mut Line> {
        self.blocks.iter_mut().flat_map(|b| b.lines.iter_mut())
    }

    pub fn words_mut(&mut self) -> impl Iterator<Item = &mut Word> {
        self.lines_mut().flat_map(|l| l.words.iter_mut())
    }

    /// Mean word confidence (0 to 100); `None` when no word was found.
    pub fn mean_confidence(&self) -> Option<f32> {
        let (n, sum) = self.words().fold((0usize, 0f64), |(n, s), w| {
            (n + 1, s + f64::from(w.confidence))
        });
        (n > 0).then(|| (sum / n as f64) as f32)
    }

    /// The median height of the page's lines, pixels; `None` without lines.
    pub fn median_line_height(&self) -> Option<u32> {
        median(self.lines().map(|l| l.bbox.height()).collect())
    }

    /// The median height of the page's words, pixels; `None` without words.
    pub fn median_word_height(&self) -> Option<u32> {
        median(self.words().map(|w| w.bbox.height()).collect())
    }

    /// The median of the lines' mean word confidences; `None` when no word
    /// was found. Unlike the mean over words, a line or two in another
    /// script (read as many weak words) barely moves it, while a page read
    /// upside down has most of its lines weak.
    pub fn median_line_confidence(&self) -> Option<f32> {
        let mut confs: Vec<f32> = self.lines().filter_map(Line::mean_confidence).collect();
        confs.sort_by(f32::total_cmp);
        confs.get(confs.len() / 2).copied()
    }

    /// Takes out the lines that are noise rather than text, and says how
    /// many: lines none of whose words Tesseract is even [`NOISE_BELOW`]
    /// sure of (the edges of a book's other pages, wood grain, a thumb),
    /// and lines with no letter or digit that it is less than sure of (a
    /// page edge read as "|"). Measured on real captures (bench/real.py):
    /// the garbage lines of a book photo's page edges score 0-26; misread
    /// lines of real text, 29-39, and most have a word above 40.
    ///
    /// A line shaped like no line of the page's text goes too unless a
    /// word in it reaches [`ODD_SHAPE_NOISE_BELOW`]: running down the page
    /// over more than two of its median line heights (a stripe of the
    /// page edges: 49x523 px where the lines were 86 px high), or under a
    /// quarter of that median high (a speck read as "a").
    pub fn drop_noise(&mut self) -> usize {
        let median = self.median_line_height().unwrap_or(0);
        let noise = |l: &Line| {
            let best = l.words.iter().map(|w| w.confidence).fold(0f32, f32::max);
            let signs_only = !l
                .words
                .iter()
                .any(|w| w.text.chars().any(char::is_alphanumeric));
            let h = l.bbox.height();
            let odd = (l.bbox.runs_down() && h > 2 * median) || h * 4 < median;
            best < NOISE_BELOW
                || (signs_only && best < 90.0)
                || (odd && best < ODD_SHAPE_NOISE_BELOW)
        };
        let before = self.lines().count();
        for block in &mut self.blocks {
            block.lines.retain(|l| !noise(l));
        }
        self.blocks.retain(|b| !b.lines.is_empty());
        before - self.lines().count()
    }

    /// Moves every box by (`dx`, `dy`): boxes read on a crop of the page
    /// into page coordinates.
    pub fn translate(&mut self, dx: u32, dy: u32) {
        self.boxes_mut(|b| {
            b.x0 += dx;
            b.x1 += dx;
            b.y0 += dy;
            b.y1 += dy;
        });
    }

    /// Applies `f` to every box: blocks', lines' and words'.
    fn boxes_mut(&mut self, mut f: impl FnMut(&mut BBox)) {
        for block in &mut self.blocks {
            f(&mut block.bbox);
            for line in &mut block.lines {
                f(&mut line.bbox);
                for word in &mut line.words {
                    f(&mut word.bbox);
                }
            }
        }
    }

    /// Scales every box to a raster of `width` x `height`: boxes read on an
    /// enlarged or reduced copy of the page into the page's own pixels.
    pub fn scale_to(&mut self, width: u32, height: u32) {
        let (fx, fy) = (
            f64::from(width) / f64::from(self.width.max(1)),
            f64::from(height) / f64::from(self.height.max(1)),
        );
        let s = |v: u32, f: f64, max: u32| ((f64::from(v) * f).round() as u32).min(max);
        self.boxes_mut(|b| {
            *b = BBox {
                x0: s(b.x0, fx, width),
                y0: s(b.y0, fy, height),
                x1: s(b.x1, fx, width),
                y1: s(b.y1, fy, height),
            }
        });
        (self.width, self.height) = (width, height);
    }

    /// The page as plain text: words joined by a space, lines by a newline,
    /// paragraphs by an empty line; ends with a newline unless empty. NFC.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for (bi, block) in self.blocks.iter().enumerate() {
            if bi > 0 {
                out.push('\n');
            }
            for line in &block.lines {
                out.push_str(&line.text());
                out.push('\n');
            }
        }
        out
    }
}

/// Unicode NFC, the one normalisation form of every text diachi writes.
pub fn nfc(s: &str) -> String {
    if is_nfc(s) {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

#[cfg(test)]
mod tests {

    /// The garbage lines of a real book photo (dewarp_boston_cooking_a, the
    /// stacked edges of the other pages) go; weak lines of real text, and a
    /// strong "|", stay.
    #[test]
    fn noise_lines_go_and_weak_text_stays() {
        let b = BBox {
            x0: 0,
            y0: 0,
            x1: 10,
            y1: 10,
        };
        let line = |words: &[(&str, f32)]| Line {
            bbox: b,
            words: words
                .iter()
                .map(|&(t, c)| Word {
                    text: t.into(),
                    bbox: b,
                    confidence: c,
                })
                .collect(),
        };
        let lines = vec![
            line(&[("cn", 0.0), ("genre", 0.0), ("eres", 9.0), ("RESTS", 3.0)]),
            line(&[("A", 0.0), ("tat", 21.0)]),
            line(&[("|", 26.0)]),
            line(&[("—", 80.0), ("·", 60.0)]),
            line(&[("[ri.Be.wu]", 35.0)]),
            line(&[("4]", 60.0)]),
            line(&[("|", 93.0)]),
            line(&[("248", 83.0), ("BOSTON", 0.0), ("COOK", 96.0)]),
        ];
        let mut page = PageText {
            width: 10,
            height: 10,
            blocks: vec![Block { bbox: b, lines }],
        };
        assert_eq!(page.drop_noise(), 4);
        let kept: Vec<String> = page.lines().map(Line::text).collect();
        assert_eq!(kept, ["[ri.Be.wu]", "4]", "|", "248 BOSTON COOK"]);
    }

    /// A weak line shaped like no line of the page goes: a stripe of page
    /// edges running down the page, a speck. A weak line of the page's
    /// height stays, as does a strong odd one and a weak page number "1"
    /// (taller than wide, but a line high).
    #[test]
    fn weak_lines_of_odd_shape_go() {
        let line = |x0, y0, x1, y1, text: &str, confidence| {
            let bbox = BBox { x0, y0, x1, y1 };
            Line {
                bbox,
                words: vec![Word {
                    text: text.into(),
                    bbox,
                    confidence,
                }],
            }
        };
        let lines = vec![
            line(500, 100, 1800, 186, "Gravy", 95.0),
            line(500, 200, 1800, 286, "Pour off liquid", 92.0),
            line(500, 300, 1800, 386, "weak but real", 45.0),
            line(500, 400, 1800, 486, "From liquid skim", 90.0),
            line(34, 153, 83, 676, "Pere", 39.0),
            line(78, 794, 101, 1023, "Bs", 50.0),
            line(87, 1103, 89, 1105, "a", 43.0),
            line(34, 1200, 83, 1723, "Dress,", 88.0),
            line(1100, 3000, 1130, 3080, "1", 45.0),
        ];
        let mut page = PageText {
            width: 2448,
            height: 3264,
            blocks: vec![Block {
                bbox: BBox {
                    x0: 0,
                    y0: 0,
                    x1: 2448,
                    y1: 3264,
                },
                lines,
            }],
        };
        assert_eq!(page.drop_noise(), 3);
        let kept: Vec<String> = page.lines().map(Line::text).collect();
        assert_eq!(
            kept,
            [
                "Gravy",
                "Pour off liquid",
                "weak but real",
                "From liquid skim",
                "Dress,",
                "1"
            ]
        );
    }

    /// Boxes read on a page enlarged twice come back in the page's pixels,
    /// and moving them shifts every box alike.
    #[test]
    fn boxes_scale_and_move_together() {
        let b = |x0, y0, x1, y1| BBox { x0, y0, x1, y1 };
        let word = Word {
            text: "Cần".into(),
            bbox: b(20, 40, 60, 70),
            confidence: 90.0,
        };
        let mut page = PageText {
            width: 200,
            height: 300,
            blocks: vec![Block {
                bbox: b(20, 40, 60, 70),
                lines: vec![Line {
                    bbox: b(20, 40, 60, 70),
                    words: vec![word],
                }],
            }],
        };
        page.scale_to(100, 150);
        assert_eq!((page.width, page.height), (100, 150));
        page.translate(5, 1);
        for bbox in [
            page.blocks[0].bbox,
            page.blocks[0].lines[0].bbox,
            page.blocks[0].lines[0].words[0].bbox,
        ] {
            assert_eq!(bbox, b(15, 21, 35, 36));
        }
    }
    use super::*;

    fn word(text: &str, conf: f32) -> Word {
        let b = BBox {
            x0: 0,
            y0: 0,
            x1: 1,
            y1: 1,
        };
        Word {
            text: text.into(),
            bbox: b,
            confidence: conf,
        }
    }

    #[test]
    fn nfc_composes_vietnamese() {
        // "Việt" with the dot below and circumflex as combining marks.
        let decomposed = "Vie\u{0323}\u{0302}t";
        assert_eq!(nfc(decomposed), "Việt");
        assert_eq!(nfc("Việt").len(), "Việt".len());
    }

    #[test]
    fn plain_text_layout() {
        let b = BBox {
            x0: 0,
            y0: 0,
            x1: 1,
            y1: 1,
        };
        let line = |ws: &[&str]| Line {
            bbox: b,
            words: ws.iter().map(|w| word(w, 90.0)).collect(),
        };
        let page = PageText {
            width: 1,
            height: 1,
            blocks: vec![
                Block {
                    bbox: b,
                    lines: vec![line(&["Cần", "Thơ"]), line(&["1925"])],
                },
                Block {
                    bbox: b,
                    lines: vec![line(&["ខ្មែរ"])],
                },
            ],
        };
        assert_eq!(page.plain_text(), "Cần Thơ\n1925\n\nខ្មែរ\n");
        assert_eq!(page.mean_confidence(), Some(90.0));
        assert_eq!(PageText::default().mean_confidence(), None);
    }

    /// Twenty Khmer lines of two words at 88 and one Vietnamese line read by
    /// the Khmer model as ten words at 30: the mean over words falls to 76,
    /// the median over lines stays 88.
    #[test]
    fn one_foreign_line_barely_moves_the_median() {
        let b = BBox {
            x0: 0,
            y0: 0,
            x1: 1,
            y1: 1,
        };
        let line = |n: usize, conf: f32| Line {
            bbox: b,
            words: (0..n).map(|_| word("x", conf)).collect(),
        };
        let mut lines: Vec<Line> = (0..20).map(|_| line(2, 88.0)).collect();
        lines.insert(3, line(10, 30.0));
        let page = PageText {
            width: 1,
            height: 1,
            blocks: vec![Block { bbox: b, lines }],
        };
        assert!((page.mean_confidence().unwrap() - 76.4).abs() < 0.1);
        assert_eq!(page.median_line_confidence(), Some(88.0));
        assert_eq!(PageText::default().median_line_confidence(), None);
    }
}
