//! A page's Khmer lines read again by the network, each kept or not.

use super::{Glyph, KhmerNet};
use crate::lang::Script;
use crate::reread::line_crop;
use crate::script::majority;
use crate::text::{nfc, BBox, Line, PageText, Word};
use image::GrayImage;

/// Reads again with `net` the Khmer words of every line that Tesseract
/// read as Khmer, and puts the network's words in their place where
/// [`better`] says. Returns how many lines changed.
///
/// Words holding Latin letters (read again in Latin before this, by
/// [`crate::reread::reread_latin_words`]) are left to Tesseract: the
/// network makes digits of Latin capitals ("(UNESCO)" became "(26500)").
/// So are runs of digits and signs with no Khmer in them (a telephone
/// number: "724 810" became "ខទច"). The others are read in pieces of at
/// most [`MAX_ASPECT`] line heights, cut between words: the network
/// squeezes any line into 127 time steps, and long dense lines lost
/// characters.
pub fn read_khmer_lines(gray: &GrayImage, text: &mut PageText, net: &KhmerNet) -> usize {
    let boxes: Vec<BBox> = text.lines().map(|l| l.bbox).collect();
    let mut changed_lines = 0;
    for line in text.lines_mut() {
        if majority(&line.text()) != Some(Script::Khmer) {
            continue;
        }
        let others: Vec<BBox> = boxes.iter().filter(|b| **b != line.bbox).copied().collect();
        let mut out = Vec::with_capacity(line.words.len());
        let mut changed = false;
        for piece in pieces(&line.words, line.bbox.height()) {
            let old = &line.words[piece.clone()];
            let khmer = old
                .iter()
                .any(|w| w.text.chars().any(|c| Script::Khmer.has(c)));
            let sure = crate::text::mean_confidence(old).is_some_and(|c| c >= TESSERACT_SURE);
            if !for_network(&old[0]) || !khmer || sure {
                out.extend_from_slice(old);
                continue;
            }
            let new = read_piece(gray, line, piece.clone(), &others, net);
            if better(&new) {
                out.extend(new);
                changed = true;
            } else {
                out.extend_from_slice(old);
            }
        }
        if changed {
            line.words = out;
            changed_lines += 1;
        }
    }
    changed_lines
}

/// What the network did to a page, in words, as ALTO's processing step and
/// METS's transcription event say it.
pub fn described(lines: usize) -> String {
    format!(
        "the Khmer words of {lines} line(s) read again by a neural line recognizer (CRNN), its reading kept where it was sure"
    )
}

/// The widest piece of a line read at once, in line heights.
pub const MAX_ASPECT: u32 = 12;

/// Whether the network reads a word: no Latin letter in it.
fn for_network(w: &Word) -> bool {
    !w.text.chars().any(|c| Script::Latin.has(c))
}

/// The line's words cut into runs read together: a run is all for the
/// network or all not ([`for_network`]), and a network run is at most
/// [`MAX_ASPECT`] line heights wide unless one word is wider.
fn pieces(words: &[Word], height: u32) -> Vec<std::ops::Range<usize>> {
    let widest = MAX_ASPECT * height.max(1);
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if let Some(last) = out.last_mut() {
            let first = &words[last.start];
            let same = for_network(first) == for_network(w);
            let fits = !for_network(w) || w.bbox.x1.saturating_sub(first.bbox.x0) <= widest;
            if same && fits {
                last.end = i + 1;
                continue;
            }
        }
        out.push(i..i + 1);
    }
    out
}

/// The network's words for `line.words[piece]`: the piece cut from the page
/// across the line's height, reaching halfway to the words either side.
fn read_piece(
    gray: &GrayImage,
    line: &Line,
    piece: std::ops::Range<usize>,
    others: &[BBox],
    net: &KhmerNet,
) -> Vec<Word> {
    let words = &line.words;
    let x0 = words[piece.start].bbox.x0;
    let x1 = words[piece.clone()]
        .iter()
        .map(|w| w.bbox.x1)
        .max()
        .unwrap_or(x0);
    let region = BBox {
        x0,
        x1,
        ..line.bbox
    };
    let Some(crop) = line_crop(gray, region, 0, others) else {
        return Vec::new();
    };
    // Not into the neighbouring words: at most half the gap.
    let right_end = crop.left + crop.image.width();
    let left = match piece.start.checked_sub(1) {
        Some(i) => crop.left.max(x0 - x0.saturating_sub(words[i].bbox.x1) / 2),
        None => crop.left,
    };
    let right = match words.get(piece.end) {
        Some(w) => right_end.min(x1 + w.bbox.x0.saturating_sub(x1) / 2),
        None => right_end,
    };
    if right <= left {
        return Vec::new();
    }
    let image = image::imageops::crop_imm(
        &crop.image,
        left - crop.left,
        0,
        right - left,
        crop.image.height(),
    )
    .to_image();
    let glyphs = net.read(&image, super::Fit::Natural);
    to_words(&glyphs, left, region)
}

/// A piece Tesseract read at this mean confidence (0-100) or more is not
/// read again. On the realdev notice, of the pieces it read at 90 or more
/// that the network read otherwise, Tesseract's reading was the right one
/// in 8 of 10 ("មូលនិធិសមាហរណកម្ម" at 91, which the network read without
/// its "ម"); under 90 the network's was better in most. Rendered Khmer
/// pages, which Tesseract reads well and surely, cost no more than before.
pub const TESSERACT_SURE: f32 = 90.0;

/// The network's reading of a piece replaces Tesseract's only when its
/// words' mean confidence (character probability, 0-100) is this or more.
/// The network is sure of what it reads well: on pages blurred past what
/// it saw in training it misread whole words at 77-87 while Tesseract read
/// them nearly right, and an icon read as "9" scored 83. Measured on 48
/// rendered Khmer pages (clean, degraded, three blurs, shrunk) and the
/// realdev notice, as the least mean accepted: 0 (any reading) CER 0.0262
/// and 0.046, 90: 0.0228 and 0.041, 95: 0.0221 and 0.040, 97: 0.0218 and
/// 0.053; Tesseract alone 0.0232 and 0.061.
pub const NETWORK_SURE: f32 = 95.0;

/// Whether the network's reading of a piece replaces Tesseract's: it read
/// something, not in Latin letters, and is [`NETWORK_SURE`] of it.
fn better(network: &[Word]) -> bool {
    let text: String = network.iter().map(|w| w.text.as_str()).collect();
    !network.is_empty()
        && majority(&text) != Some(Script::Latin)
        && crate::text::mean_confidence(network).is_some_and(|c| c >= NETWORK_SURE)
}

/// Whether a character the network can output belongs in the text. Its
/// alphabet, learnt from web text, also holds control characters, bidi
/// marks, a byte-order mark, private-use and replacement characters; none
/// is print on a page.
fn printable(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}')
        || matches!(c, '\u{FEFF}' | '\u{FFFD}' | '\u{E000}'..='\u{F8FF}'))
}

/// The network's characters as words: split at white space, each boxed
/// from its characters' spans (`left` is the line image's place on the
/// page) within the line's box, its confidence their mean probability.
fn to_words(glyphs: &[Glyph], left: u32, line: BBox) -> Vec<Word> {
    let mut out = Vec::new();
    let mut run: Vec<&Glyph> = Vec::new();
    let mut flush = |run: &mut Vec<&Glyph>| {
        let text: String = run
            .iter()
            .flat_map(|g| g.text.chars())
            .filter(|&c| printable(c))
            .collect();
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            let text = nfc(&text);
            if !text.is_empty() {
                let x0 = (left as f32 + first.x0).round() as u32;
                let x1 = (left as f32 + last.x1).round() as u32;
                let x0 = x0.clamp(line.x0, line.x1.saturating_sub(1));
                let x1 = x1.clamp(x0 + 1, line.x1.max(x0 + 1));
                let confidence =
                    run.iter().map(|g| g.probability).sum::<f32>() / run.len() as f32 * 100.0;
                out.push(Word {
                    text,
                    bbox: BBox { x0, x1, ..line },
                    confidence,
                });
            }
        }
        run.clear();
    };
    for g in glyphs {
        if g.text.chars().all(char::is_whitespace) {
            flush(&mut run);
        } else if g.text.chars().any(printable) {
            run.push(g);
        }
    }
    flush(&mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x0: f32, x1: f32) -> Glyph {
        Glyph {
            text: text.to_string(),
            x0,
            x1,
            probability: 0.9,
        }
    }

    fn word(text: &str, x0: u32, x1: u32) -> Word {
        Word {
            text: text.to_string(),
            bbox: BBox {
                x0,
                y0: 0,
                x1,
                y1: 40,
            },
            confidence: 50.0,
        }
    }

    /// Pieces: runs of words for the network and runs of words with Latin
    /// letters (a word of both scripts among them), each network run at
    /// most 12 line heights wide unless one word is wider.
    #[test]
    fn lines_are_cut_into_pieces_between_words() {
        let words = [
            word("ក្រសួង", 0, 200),
            word("(២៥)", 210, 300),
            word("UNESCOក", 310, 400),
            word("ខ្មែរ", 410, 700),
            word("ខ្មែរ", 710, 900),
            word("ខ្មែរ", 910, 1000),
            word("ខ្មែរ", 1000, 1700),
        ];
        assert_eq!(pieces(&words, 40), [0..2, 2..3, 3..4, 4..6, 6..7]);
        assert!(!for_network(&words[2]) && for_network(&words[1]));
    }

    /// Words split at spaces, boxed from their printed characters within
    /// the line, with marks that are never print dropped and NFC applied.
    #[test]
    fn characters_become_words_in_their_line() {
        let line = BBox {
            x0: 100,
            y0: 50,
            x1: 400,
            y1: 80,
        };
        let glyphs = [
            glyph("ក", 0.0, 10.0),
            glyph("\u{FEFF}", 10.0, 12.0),
            glyph("ា", 12.0, 20.0),
            glyph(" ", 20.0, 30.0),
            glyph("\u{200E}", 30.0, 32.0),
            glyph("e", 40.0, 50.0),
            glyph("\u{301}", 50.0, 52.0),
            glyph("\u{1}", 52.0, 60.0),
            glyph(" ", 60.0, 70.0),
            glyph("\u{E000}", 70.0, 80.0),
        ];
        let words = to_words(&glyphs, 90, line);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["កា", "é"]);
        assert_eq!((words[0].bbox.x0, words[0].bbox.x1), (100, 110));
        assert_eq!((words[1].bbox.x0, words[1].bbox.x1), (130, 142));
        assert!(words.iter().all(|w| w.bbox.y0 == 50 && w.bbox.y1 == 80));
        assert!((words[0].confidence - 90.0).abs() < 1e-3);
    }
}
