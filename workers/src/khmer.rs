//! Khmer vowels put back in logical order. Khmer writes the vowels េ ែ ៃ
//! to the left of the consonant they follow in speech, and ើ ោ as េ on the
//! left with ី or ា on the right. Unicode stores them after the consonant
//! (and its subscripts): ធ្វើ is ធ ្ វ ើ. Where Tesseract's khm model is
//! unsure of a syllable it sometimes gives what it saw, left to right:
//! "់េលី" for "់លើ" (the realdev line crop), "េធ្វី" for ធ្វើ.
//! Such a sequence is never written: a vowel sign must follow a consonant,
//! and េ and ី are never stored around a consonant (ើ is one character,
//! with no decomposition, so NFC does not mend it).

/// A Khmer consonant (U+1780-U+17A2): what a dependent vowel follows.
fn consonant(c: char) -> bool {
    ('\u{1780}'..='\u{17A2}').contains(&c)
}

/// Signs written on a consonant before its vowel: the register shifters
/// and robat.
fn on_consonant(c: char) -> bool {
    matches!(c, '\u{17C9}' | '\u{17CA}' | '\u{17CC}')
}

/// The vowels written left of their consonant.
fn prebase(c: char) -> bool {
    matches!(c, '\u{17C1}' | '\u{17C2}' | '\u{17C3}')
}

/// The sign that sets the next consonant below as a subscript.
pub(crate) const COENG: char = '\u{17D2}';
const E: char = '\u{17C1}';

/// Where the consonant cluster starting at `i` ends: a consonant, its
/// subscripts (coeng + consonant), and the signs written on it. `i` when
/// there is no consonant at `i`.
fn cluster_end(c: &[char], i: usize) -> usize {
    if !c.get(i).is_some_and(|&x| consonant(x)) {
        return i;
    }
    let mut j = i + 1;
    while c.get(j) == Some(&COENG) && c.get(j + 1).is_some_and(|&x| consonant(x)) {
        j += 2;
    }
    while c.get(j).is_some_and(|&x| on_consonant(x)) {
        j += 1;
    }
    j
}

/// `word` with its vowels in logical order, or `None` when they are already.
/// Only a vowel that nothing before it can carry (the word's start, a
/// vowel, a sign) is moved; after a consonant it may be that consonant's
/// (ទេវី is written so), and is left alone:
/// - េ, a cluster, then ី or ា, becomes the cluster then ើ or ោ;
/// - any other of េ ែ ៃ moves after the cluster that follows it.
pub fn logical_order(word: &str) -> Option<String> {
    let c: Vec<char> = word.chars().collect();
    if !c.iter().any(|&x| prebase(x)) {
        return None;
    }
    let mut out: Vec<char> = Vec::with_capacity(c.len());
    let mut i = 0;
    while i < c.len() {
        let end = cluster_end(&c, i + 1);
        if !prebase(c[i]) || end == i + 1 {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let carried = out.last().is_some_and(|&p| consonant(p) || on_consonant(p));
        let after = c.get(end).copied();
        let cluster = &c[i + 1..end];
        match (c[i], after) {
            (E, Some('\u{17B8}')) if !carried => {
                out.extend_from_slice(cluster);
                out.push('\u{17BE}');
                i = end + 1;
            }
            (E, Some('\u{17B6}')) if !carried => {
                out.extend_from_slice(cluster);
                out.push('\u{17C4}');
                i = end + 1;
            }
            (v, _) if !carried => {
                out.extend_from_slice(cluster);
                out.push(v);
                i = end;
            }
            _ => {
                out.push(c[i]);
                i += 1;
            }
        }
    }
    let fixed: String = out.into_iter().collect();
    (fixed != word).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_khm_model_gave_in_visual_order_is_put_right() {
        // From the realdev line crop (khm_seanghay_1).
        assert_eq!(logical_order("ទម្រង់េលី").as_deref(), Some("ទម្រង់លើ"));
        assert_eq!(logical_order("។េធ្វី").as_deref(), Some("។ធ្វើ"));
        // A word that starts with a vowel sign.
        assert_eq!(logical_order("ៃន").as_deref(), Some("នៃ"));
        assert_eq!(logical_order("េបា").as_deref(), Some("បោ"));
    }

    #[test]
    fn words_in_logical_order_are_left_alone() {
        // After a consonant a vowel may be that consonant's: ទេវី is
        // written so, and "ការរេធ្វី" cannot be told from such a word.
        for word in [
            "ទេវី",
            "ការរេធ្វី",
            "ធ្វើ",
            "លើ",
            "នៃ",
            "កេសា",
            "ប្រៃសណីយ៍",
            "សេចក្តី",
            "ដែល",
            "ខែធ្នូ",
            "ការ",
        ] {
            assert_eq!(logical_order(word), None, "{word}");
        }
    }
}
