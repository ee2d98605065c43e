//! The shape of a Vietnamese syllable, for telling Vietnamese from the
//! Latin garbage a Vietnamese model makes of other scripts. Vietnamese
//! writes one syllable a word, and a syllable is an optional initial
//! consonant (b, ch, ngh, qu, ...), one to three vowels and an optional
//! final consonant (c, ch, m, n, ng, nh, p, t). Garbage such as "iUfndit"
//! breaks that shape; foreign names ("Khleang") break it too, which is why
//! callers ask for a share of a line's words, not all.

use unicode_normalization::UnicodeNormalization;

/// Initial consonants.
const INITIALS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Final consonants.
const FINALS: [&str; 8] = ["ng", "nh", "ch", "c", "m", "n", "p", "t"];

/// Whether `word` (letters only; marks and case are ignored) has the shape
/// of a Vietnamese syllable.
pub fn is_syllable(word: &str) -> bool {
    // Base letters: "Ngưỡng" becomes "nguong" (đ has no decomposition and
    // stays itself).
    let base: String = word
        .nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .flat_map(char::to_lowercase)
        .collect();
    // "gi" is an initial ("giữa") or g + i ("gì"): any initial that
    // leaves a well-formed rest will do.
    std::iter::once("")
        .chain(INITIALS)
        .filter_map(|i| base.strip_prefix(i))
        .any(rhyme)
}

/// Whether `s` is one to three vowels and an optional final consonant.
fn rhyme(s: &str) -> bool {
    let vowels = s.chars().take_while(|c| "aeiouy".contains(*c)).count();
    let rest = &s[vowels..];
    (1..=3).contains(&vowels) && (rest.is_empty() || FINALS.contains(&rest))
}

/// The share (0-1) of the lettered words of `text` that have the shape of a
/// Vietnamese syllable, punctuation and digits at their ends set aside;
/// `None` without lettered words.
pub fn syllable_share(text: &str) -> Option<f32> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .filter(|w| !w.is_empty())
        .collect();
    let good = words.iter().filter(|w| is_syllable(w)).count();
    (!words.is_empty()).then(|| good as f32 / words.len() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_words_are_syllables() {
        let truth = "Vùng đất Cần Thơ nằm ở hữu ngạn sông Hậu giữa lòng đồng bằng \
                     Cửu Long Nghiêng khuỷu Quyền ĐỊA CHÍ TỈNH THƯỜNG gì nghĩa";
        for w in truth.split_whitespace() {
            assert!(is_syllable(w), "{w}");
        }
        assert_eq!(syllable_share("Phụ lục: Danh sách, năm 1925."), Some(1.0));
    }

    #[test]
    fn garbage_is_not() {
        for w in [
            "iUfndit", "iñ18", "fndit", "xer", "TTrTNTTT", "Khleang", "strong", "aaaa",
        ] {
            assert!(!is_syllable(w), "{w}");
        }
        assert_eq!(syllable_share("iUfndit vùng"), Some(0.5));
        assert_eq!(syllable_share("1925 ?"), None);
    }

    /// Every Vietnamese line of the samples' ground truth, names and all,
    /// has at least 80% of its words shaped as syllables.
    #[test]
    fn the_ground_truth_is_mostly_syllables() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/groundtruth");
        let mut lines = 0;
        for doc in std::fs::read_dir(root).unwrap() {
            for page in std::fs::read_dir(doc.unwrap().path()).unwrap() {
                let text = std::fs::read_to_string(page.unwrap().path()).unwrap();
                for line in text.lines() {
                    if crate::script::majority(line) == Some(crate::script::Script::Latin) {
                        let share = syllable_share(line).unwrap();
                        assert!(share >= 0.8, "{share} {line}");
                        lines += 1;
                    }
                }
            }
        }
        assert!(lines > 40, "{lines}");
    }
}
