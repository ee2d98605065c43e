//! Reading order from the words' own boxes, by recursive X-Y cut.
//!
//! Tesseract's automatic layout reads a Vietnamese official document's
//! header, two blocks side by side ("ỦY BAN NHÂN DÂN…" left, "CỘNG HÒA XÃ
//! HỘI CHỦ NGHĨA VIỆT NAM" right), as lines running across both; so it does
//! the signature block beside the list of recipients, and the cells of a
//! table row. A reader reads the left block, then the right. The cut finds
//! that order from the word boxes alone, after recognition, at no OCR cost:
//! the words are split at the widest horizontal white band across the
//! region, or, when there is none, at a vertical white band (a gutter)
//! running the region's whole height; each part is cut again, and the
//! leaves, in order, are read top to bottom, left to right.

use crate::text::{BBox, Block, Line, PageText, Word};

/// A word with the line it came from (block, line), so that lines are
/// rebuilt after the cut.
#[derive(Clone)]
struct Tagged {
    word: Word,
    line: (usize, usize),
}

/// Reorders `page` into reading order. Tesseract's lines are kept, except
/// that a line running across a gutter is split in two; consecutive parts
/// of one Tesseract paragraph stay one block.
///
/// Where the cut separates columns (a vertical cut with lines of text on
/// both sides) but splits none of Tesseract's lines across them,
/// Tesseract's lines already keep to their columns and its own order
/// stands. A magazine page whose columns wrap round a photo has no gutter
/// running its whole height, and the cut read it in slices across both
/// columns (a real scan of the UNLV set, tesseract-ocr/test 8087_054.3B:
/// CER 0.451, against 0.078 in Tesseract's order). A line split elsewhere
/// does not count: read in Vietnamese, the same page's running foot came
/// back from the cut as two lines ("54 TRAVEL&LEISURE" and, beyond a wide
/// space and after a speck read as "an.", "SEPTEMBER 1993"), and that had
/// put its columns back in slices (CER 0.455, against 0.082 in
/// Tesseract's order). Where the cut separates no columns, it puts
/// Tesseract's lines top to bottom: a plate's two-line caption that
/// Tesseract gave second line first, a curled photo's line that Tesseract
/// put at the end of the page.
///
/// Blocks from `found` on are lines Tesseract's layout dropped and
/// [`crate::layout::recover_dropped`] read again; in Tesseract's order each
/// goes before the first block below it in its column.
pub fn reading_order(page: &PageText, found: usize) -> PageText {
    let mut words = Vec::new();
    for (bi, block) in page.blocks.iter().enumerate() {
        for (li, line) in block.lines.iter().enumerate() {
            for w in &line.words {
                words.push(Tagged {
                    word: w.clone(),
                    line: (bi, li),
                });
            }
        }
    }
    let Some(unit) = line_height(page) else {
        return page.clone();
    };
    let mut leaves = Vec::new();
    let mut columns = Columns::default();
    cut(words, unit, &mut leaves, &mut columns);
    if !columns.found || columns.line_split {
        rebuild(page, leaves)
    } else {
        tesseract_order(page, found)
    }
}

/// What the cut learnt of the page's columns.
#[derive(Default)]
struct Columns {
    /// A vertical cut had lines of text on both sides.
    found: bool,
    /// Such a cut split one of Tesseract's lines: Tesseract read across
    /// the gutter.
    line_split: bool,
}

/// Tesseract's blocks in its order, each recovered block (from `found` on)
/// put before the first block that starts below its top and shares some
/// of its width.
fn tesseract_order(page: &PageText, found: usize) -> PageText {
    let found = found.min(page.blocks.len());
    let mut blocks: Vec<Block> = page.blocks[..found].to_vec();
    for extra in &page.blocks[found..] {
        let b = extra.bbox;
        let at = blocks
            .iter()
            .position(|o| o.bbox.y0 > b.y0 && o.bbox.x0 < b.x1 && b.x0 < o.bbox.x1)
            .unwrap_or(blocks.len());
        blocks.insert(at, extra.clone());
    }
    PageText {
        width: page.width,
        height: page.height,
        blocks,
    }
}

/// The median height of the page's lines: the unit of the gaps.
fn line_height(page: &PageText) -> Option<u32> {
    let mut h: Vec<u32> = page.lines().map(|l| l.bbox.height()).collect();
    h.sort_unstable();
    h.get(h.len() / 2).copied().filter(|&h| h > 0)
}

fn bbox(words: &[Tagged]) -> BBox {
    words
        .iter()
        .skip(1)
        .fold(words[0].word.bbox, |b, w| b.union(&w.word.bbox))
}

/// Splits `words` in reading order into `leaves`: at the widest white band
/// across the region, horizontal or vertical, then each part again.
/// Choosing the widest band first keeps a column whole (its gutter is wider
/// than the space between its lines) and still separates a header from the
/// body under it (no gutter runs through the body).
/// `columns` says whether a vertical cut had lines on both sides, and
/// whether it split a line.
fn cut(words: Vec<Tagged>, unit: u32, leaves: &mut Vec<Vec<Tagged>>, columns: &mut Columns) {
    let rows = widest_gap(&words, |b| (b.y0, b.y1), 1);
    // A gutter must be wider than a space between words: a line height
    // (the header blocks of an official document can stand just that far
    // apart). A wide space in one justified line that this splits is joined
    // again in `rebuild`; in a paragraph, wide spaces do not line up.
    let cols = widest_gap(&words, |b| (b.x0, b.x1), unit);
    let split = match (rows, cols) {
        (Some(r), Some(c)) if c.0 > r.0 => Some((c.1, true)),
        (Some(r), _) => Some((r.1, false)),
        (None, Some(c)) => Some((c.1, true)),
        (None, None) => None,
    };
    let Some((at, vertical)) = split else {
        leaves.push(words);
        return;
    };
    let start = |w: &Tagged| {
        if vertical {
            w.word.bbox.x0
        } else {
            w.word.bbox.y0
        }
    };
    let (before, after): (Vec<Tagged>, Vec<Tagged>) =
        words.into_iter().partition(|w| start(w) < at);
    if vertical && several_lines(&before) && several_lines(&after) {
        columns.found = true;
        let left: std::collections::HashSet<_> = before.iter().map(|w| w.line).collect();
        columns.line_split |= after.iter().any(|w| left.contains(&w.line));
    }
    cut(before, unit, leaves, columns);
    cut(after, unit, leaves, columns);
}

/// Whether `words` come from more than one of Tesseract's lines.
fn several_lines(words: &[Tagged]) -> bool {
    words.iter().any(|w| w.line != words[0].line)
}

/// The widest white band (at least `min` wide) between the boxes of
/// `words` projected by `span`: its width and where the words after it
/// start. `None` when the boxes overlap all the way.
fn widest_gap(
    words: &[Tagged],
    span: impl Fn(&BBox) -> (u32, u32),
    min: u32,
) -> Option<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = words.iter().map(|w| span(&w.word.bbox)).collect();
    spans.sort_unstable();
    let mut best: Option<(u32, u32)> = None;
    let mut reach = spans.first()?.1;
    for &(a, b) in &spans[1..] {
        if a > reach {
            let width = a - reach;
            if width >= min.max(1) && best.is_none_or(|(w, _)| width > w) {
                best = Some((width, a));
            }
        }
        reach = reach.max(b);
    }
    best
}

/// Lines and blocks again, leaf by leaf: within a leaf, words are grouped by
/// their Tesseract line (in order of the lines' tops) and kept in reading
/// order along it; a leaf starts a new block unless it continues the
/// previous leaf's Tesseract paragraph below it.
fn rebuild(page: &PageText, leaves: Vec<Vec<Tagged>>) -> PageText {
    let mut out = PageText {
        width: page.width,
        height: page.height,
        blocks: Vec::new(),
    };
    let mut last_block = None;
    let mut last_line = None;
    let mut last_bottom = 0;
    for leaf in leaves {
        let top = bbox(&leaf).y0;
        // A leaf that starts above the last one's bottom begins a new column.
        let new_column = top < last_bottom;
        last_bottom = bbox(&leaf).y1;
        let mut lines: Vec<((usize, usize), Vec<Word>)> = Vec::new();
        for t in leaf {
            match lines.iter_mut().find(|(id, _)| *id == t.line) {
                Some((_, ws)) => ws.push(t.word),
                None => lines.push((t.line, vec![t.word])),
            }
        }
        for (_, ws) in &mut lines {
            ws.sort_by_key(|w| w.bbox.x0);
        }
        lines.sort_by_key(|(_, ws)| ws.iter().map(|w| w.bbox.mid_y()).min());
        let block_id = lines.first().map(|(id, _)| id.0);
        // The rest of the last line, beyond a wide space, is no new column.
        let continues = lines.first().map(|(id, _)| *id) == last_line && last_line.is_some();
        let new_column = new_column && !continues;
        if block_id != last_block || new_column || out.blocks.is_empty() {
            last_line = None;
            out.blocks.push(Block {
                bbox: lines[0].1[0].bbox,
                lines: Vec::new(),
            });
        }
        last_block = block_id;
        let block = out.blocks.last_mut().expect("pushed");
        for (id, words) in lines {
            let bbox = words
                .iter()
                .skip(1)
                .fold(words[0].bbox, |b, w| b.union(&w.bbox));
            block.bbox = block.bbox.union(&bbox);
            match block.lines.last_mut() {
                // The rest of a line split only by a wide space: one line again.
                Some(prev) if last_line == Some(id) => {
                    prev.bbox = prev.bbox.union(&bbox);
                    prev.words.extend(words);
                }
                _ => block.lines.push(Line { bbox, words }),
            }
            last_line = Some(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x0: u32, y0: u32) -> Word {
        Word {
            text: text.into(),
            bbox: BBox {
                x0,
                y0,
                x1: x0 + 20 * text.chars().count() as u32,
                y1: y0 + 30,
            },
            confidence: 90.0,
        }
    }

    fn line(words: Vec<Word>) -> Line {
        let bbox = words
            .iter()
            .skip(1)
            .fold(words[0].bbox, |b, w| b.union(&w.bbox));
        Line { bbox, words }
    }

    fn page(blocks: Vec<Vec<Line>>) -> PageText {
        PageText {
            width: 2000,
            height: 3000,
            blocks: blocks
                .into_iter()
                .map(|lines| Block {
                    bbox: lines
                        .iter()
                        .skip(1)
                        .fold(lines[0].bbox, |b, l| b.union(&l.bbox)),
                    lines,
                })
                .collect(),
        }
    }

    /// The header of an official document, read by Tesseract as lines
    /// across both blocks, comes out left block first, then right block,
    /// then the body.
    #[test]
    fn side_by_side_header_is_read_left_block_first() {
        let p = page(vec![
            vec![
                line(vec![
                    word("ỦY", 100, 100),
                    word("BAN", 180, 100),
                    word("CỘNG", 1100, 100),
                    word("HÒA", 1220, 100),
                ]),
                line(vec![
                    word("TỈNH", 100, 150),
                    word("ĐỘC", 1100, 150),
                    word("LẬP", 1200, 150),
                ]),
            ],
            vec![line(
                (0..12).map(|i| word("chữ", 100 + 100 * i, 300)).collect(),
            )],
        ]);
        let o = reading_order(&p, p.blocks.len());
        assert_eq!(
            o.plain_text(),
            format!(
                "ỦY BAN\nTỈNH\n\nCỘNG HÒA\nĐỘC LẬP\n\n{}\n",
                ["chữ"; 12].join(" ")
            )
        );
    }

    /// A plain paragraph (spaces of half a line height, as print has them)
    /// is left as Tesseract read it.
    #[test]
    fn a_paragraph_keeps_its_order() {
        let p = page(vec![vec![
            line(vec![
                word("một", 100, 100),
                word("hai", 175, 100),
                word("ba", 250, 100),
            ]),
            line(vec![word("bốn", 100, 140), word("năm", 175, 140)]),
        ]]);
        assert_eq!(reading_order(&p, p.blocks.len()), p);
    }

    /// Two columns with no line across them: the left column is read whole
    /// before the right.
    #[test]
    fn columns_are_read_one_after_the_other() {
        let p = page(vec![vec![
            line(vec![word("a1", 100, 100), word("b1", 1000, 100)]),
            line(vec![word("a2", 100, 140), word("b2", 1000, 140)]),
        ]]);
        assert_eq!(
            reading_order(&p, p.blocks.len()).plain_text(),
            "a1\na2\n\nb1\nb2\n"
        );
    }

    /// The tops of a column's lines in two paragraphs.
    const Y: [u32; 5] = [100, 140, 180, 400, 440];

    /// A column of one-word lines at `x`, one at each top in `ys`, each
    /// word named for its column and top.
    fn column(x: u32, name: &str, ys: &[u32]) -> Vec<Line> {
        ys.iter()
            .map(|&y| line(vec![word(&format!("{name}{y}"), x, y)]))
            .collect()
    }

    /// Two columns whose lines Tesseract kept apart, each its own block,
    /// over a line across the foot of both (as a magazine's text runs
    /// under a photo): no gutter runs the whole height, so the cut would
    /// slice both columns at the paragraph gap they share, and read the
    /// top of each before the bottom of the first. No line is split, so
    /// Tesseract's order stands.
    #[test]
    fn blocks_whose_lines_keep_to_their_columns_keep_tesseracts_order() {
        let foot = vec![line(vec![word(&"chữ".repeat(17), 100, 600)])];
        let p = page(vec![column(100, "a", &Y), column(1000, "b", &Y), foot]);
        assert_eq!(reading_order(&p, p.blocks.len()), p);
    }

    /// The same columns over a running foot whose wide space the cut splits
    /// ("54 TRAVEL&LEISURE" far left of "SEPTEMBER 1993"), with a speck
    /// read as a word above its left end, in a block of its own (as
    /// 8087_054.3B's "an."): the foot comes back as two lines, but that
    /// split is not across the columns, so Tesseract's order still stands.
    #[test]
    fn a_foot_split_at_its_wide_space_keeps_tesseracts_order() {
        let caption = vec![line(vec![word(&"chữ".repeat(17), 100, 600)])];
        let foot = vec![line(vec![
            word("54", 100, 700),
            word("TRAVEL", 160, 700),
            word("SEPTEMBER", 700, 700),
        ])];
        let speck = vec![line(vec![word("an", 100, 690)])];
        let p = page(vec![
            speck,
            column(100, "a", &Y),
            column(1000, "b", &Y),
            caption,
            foot,
        ]);
        assert_eq!(reading_order(&p, p.blocks.len()), p);
    }

    /// In Tesseract's order, a recovered title goes first and a recovered
    /// line of the right column goes before the block under it there.
    #[test]
    fn recovered_blocks_go_where_they_stand() {
        let foot = vec![line(vec![word(&"chữ".repeat(17), 100, 600)])];
        let title = vec![line(vec![word("title", 100, 20)])];
        let lost = vec![line(vec![word("lost", 1000, 300)])];
        let p = page(vec![
            column(100, "a", &[100, 140, 180, 400, 440]),
            column(1000, "b", &[100, 140, 180]),
            column(1000, "b", &[400, 440]),
            foot,
            title,
            lost,
        ]);
        let o = reading_order(&p, 4);
        let firsts: Vec<&str> = o
            .blocks
            .iter()
            .map(|b| b.lines[0].words[0].text.as_str())
            .collect();
        assert_eq!(
            firsts[..5],
            ["title", "a100", "b100", "lost", "b400"],
            "{firsts:?}"
        );
    }

    /// Two one-line blocks given bottom first are read top first.
    #[test]
    fn whole_blocks_are_put_top_first() {
        let p = page(vec![
            vec![line(vec![word("second", 100, 200)])],
            vec![line(vec![word("first", 100, 100)])],
        ]);
        assert_eq!(
            reading_order(&p, p.blocks.len()).plain_text(),
            "first\n\nsecond\n"
        );
    }

    #[test]
    fn empty_page_stays_empty() {
        assert_eq!(reading_order(&page(vec![]), 0).blocks.len(), 0);
    }
}
