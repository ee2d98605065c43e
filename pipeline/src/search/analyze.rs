//! How page text becomes search terms, the same way for the index and for
//! a query: words of Latin script (Vietnamese) split at anything that is
//! not a letter, digit or combining mark, and lower-cased; Khmer, which
//! writes no spaces between words, split into orthographic syllables or
//! into dictionary words ([`KhmerSplit`]). The folded analyzer also drops
//! Vietnamese marks, so that "can tho" finds "Cần Thơ".

use std::ops::Range;
use std::sync::LazyLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

/// How a run of Khmer letters is cut into terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KhmerSplit {
    /// Letter clusters: a consonant or independent vowel with its
    /// subscript consonants and vowel signs (ក្រុ, ង), the units an
    /// n-gram index of Khmer uses; a query word is a phrase of them.
    /// Needs no dictionary, so an OCR slip costs one syllable, not a word.
    Clusters,
    /// Words found by ICU4X's Khmer word segmenter.
    Words,
}

/// Vietnamese marks folded away (NFD, combining marks dropped, đ as d).
/// Khmer and other scripts pass through in NFC.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            '\u{0300}'..='\u{036F}' => {}
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            c => out.push(c),
        }
    }
    out.nfc().collect()
}

/// Whether `s` carries any Vietnamese mark (or đ): such a query ranks the
/// exactly marked spelling first.
pub fn has_marks(s: &str) -> bool {
    fold(s) != s
}

/// A Khmer letter, sign or digit: what a Khmer run of terms is made of
/// (Khmer punctuation, U+17D4-U+17DA, ends a term).
fn is_khmer(c: char) -> bool {
    matches!(c, '\u{1780}'..='\u{17D3}' | '\u{17DD}' | '\u{17E0}'..='\u{17E9}' | '\u{19E0}'..='\u{19FF}')
}

/// A Khmer letter that opens a syllable: a consonant or an independent
/// vowel (unless it follows the subscript sign COENG), or a digit.
fn opens_syllable(c: char) -> bool {
    matches!(c, '\u{1780}'..='\u{17B3}' | '\u{17E0}'..='\u{17E9}')
}

const COENG: char = '\u{17D2}';

/// Letters, digits and combining marks (Latin's: enough to keep a
/// Vietnamese word whole if its text ever arrives decomposed).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

/// Byte ranges of the terms of `text`, in order.
pub fn term_ranges(text: &str, khmer: KhmerSplit) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_khmer(c) {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if !is_khmer(c) && c != '\u{200C}' && c != '\u{200D}' {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            khmer_terms(text, start..end, khmer, &mut out);
        } else if is_word_char(c) {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if !is_word_char(c) || is_khmer(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            out.push(start..end);
        } else {
            chars.next();
        }
    }
    out
}

static WORDS: LazyLock<icu_segmenter::WordSegmenterBorrowed<'static>> = LazyLock::new(|| {
    icu_segmenter::WordSegmenter::new_auto(
        icu_segmenter::options::WordBreakInvariantOptions::default(),
    )
});

fn khmer_terms(text: &str, run: Range<usize>, how: KhmerSplit, out: &mut Vec<Range<usize>>) {
    let s = &text[run.clone()];
    let letters = |r: &Range<usize>| {
        s[r.clone()]
            .chars()
            .any(|c| opens_syllable(c) || c.is_alphanumeric())
    };
    match how {
        KhmerSplit::Clusters => {
            let mut start = None;
            let mut prev = '\0';
            for (i, c) in s.char_indices() {
                let khmer_punct = matches!(c, '\u{17D4}'..='\u{17DA}');
                if khmer_punct || (opens_syllable(c) && prev != COENG) {
                    if let Some(b) = start.take() {
                        out.push(run.start + b..run.start + i);
                    }
                    if !khmer_punct {
                        start = Some(i);
                    }
                } else if start.is_none() && !khmer_punct {
                    // A sign with no letter before it (an OCR slip) opens
                    // a syllable of its own.
                    start = Some(i);
                }
                prev = c;
            }
            if let Some(b) = start {
                out.push(run.start + b..run.end);
            }
        }
        KhmerSplit::Words => {
            let breaks: Vec<usize> = WORDS.segment_str(s).collect();
            for w in breaks.windows(2) {
                let r = w[0]..w[1];
                if letters(&r) {
                    out.push(run.start + r.start..run.start + r.end);
                }
            }
        }
    }
}

/// A term as indexed: lower-cased NFC, with joiners dropped, and folded
/// for the folded fields.
pub fn term_text(raw: &str, folded: bool) -> String {
    let lower: String = raw
        .chars()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}'))
        .flat_map(char::to_lowercase)
        .nfc()
        .collect();
    if folded {
        fold(&lower)
    } else {
        lower
    }
}

/// The tantivy tokenizer for diachi's text fields; offsets point into the
/// original text, so a snippet highlights the page's own spelling.
#[derive(Debug, Clone, Copy)]
pub struct DiachiTokenizer {
    pub folded: bool,
    pub khmer: KhmerSplit,
}

pub struct VecTokens {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for DiachiTokenizer {
    type TokenStream<'a> = VecTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokens {
        let tokens = term_ranges(text, self.khmer)
            .into_iter()
            .enumerate()
            .map(|(position, r)| Token {
                offset_from: r.start,
                offset_to: r.end,
                position,
                text: term_text(&text[r], self.folded),
                position_length: 1,
            })
            .filter(|t| !t.text.is_empty())
            .collect();
        VecTokens { tokens, next: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str, how: KhmerSplit, folded: bool) -> Vec<String> {
        term_ranges(s, how)
            .into_iter()
            .map(|r| term_text(&s[r], folded))
            .collect()
    }

    #[test]
    fn vietnamese_words_fold() {
        assert_eq!(fold("Cần Thơ, Đồng Tháp"), "Can Tho, Dong Thap");
        assert_eq!(
            terms("Tỉnh Cần Thơ (1925): đê-bao", KhmerSplit::Clusters, true),
            ["tinh", "can", "tho", "1925", "de", "bao"]
        );
        assert_eq!(
            terms("Tỉnh Cần Thơ", KhmerSplit::Clusters, false),
            ["tỉnh", "cần", "thơ"]
        );
        assert!(has_marks("cần") && !has_marks("can tho"));
    }

    #[test]
    fn khmer_syllables_keep_subscripts_and_signs() {
        // ប្រវត្តិ វត្ត ឃ្លាំង: pra-vat-ti (history) vat (temple) khleang.
        let s = "ប្រវត្តិវត្តឃ្លាំង។";
        assert_eq!(
            terms(s, KhmerSplit::Clusters, false),
            ["ប្រ", "វ", "ត្តិ", "វ", "ត្ត", "ឃ្លាំ", "ង"]
        );
    }

    #[test]
    fn khmer_words_from_icu() {
        let s = "ប្រវត្តិវត្តឃ្លាំង";
        let words = terms(s, KhmerSplit::Words, false);
        assert_eq!(words.concat(), s);
        assert!(words.len() >= 2, "{words:?}");
    }

    #[test]
    fn mixed_text_and_offsets() {
        let s = "Chùa ខ្មែរ 12";
        let r = term_ranges(s, KhmerSplit::Clusters);
        let got: Vec<&str> = r.iter().map(|r| &s[r.clone()]).collect();
        assert_eq!(got, ["Chùa", "ខ្មែ", "រ", "12"]);
    }
}
