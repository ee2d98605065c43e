//! Greedy CTC decoding, as khmer-ocr-ocm's `ctc_greedy_decode`: the best
//! class of each time step, repeats collapsed, blanks dropped. Each
//! character also keeps the steps it spans (for its position on the line)
//! and its probability (for confidence).

/// The blank class.
const BLANK: usize = 0;

/// One decoded character.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub class: usize,
    /// First and last time step of its run.
    pub first: usize,
    pub last: usize,
    /// The highest softmax probability over its run, 0 to 1.
    pub probability: f32,
}

/// Decodes `logits` (time steps of `classes` values each, row by row).
pub fn decode(logits: &[f32], classes: usize) -> Vec<Glyph> {
    let mut out: Vec<Glyph> = Vec::new();
    let mut prev = BLANK;
    for (t, step) in logits.chunks_exact(classes).enumerate() {
        let (best, max) =
            step.iter().enumerate().fold(
                (0, f32::NEG_INFINITY),
                |b, (i, &v)| if v > b.1 { (i, v) } else { b },
            );
        // softmax at the best class: 1 / sum(e^(v - max)).
        let probability = 1.0 / step.iter().map(|v| (v - max).exp()).sum::<f32>();
        if best != BLANK {
            match out.last_mut() {
                Some(g) if best == prev => {
                    g.last = t;
                    g.probability = g.probability.max(probability);
                }
                _ => out.push(Glyph {
                    class: best,
                    first: t,
                    last: t,
                    probability,
                }),
            }
        }
        prev = best;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Repeats collapse, a blank between two equal classes keeps both, and
    /// each character spans its steps.
    #[test]
    fn collapses_repeats_and_drops_blanks() {
        let steps = [1, 1, 0, 1, 2, 2, 0, 0, 3];
        let logits: Vec<f32> = steps
            .iter()
            .flat_map(|&c| (0..4).map(move |i| if i == c { 5.0 } else { 0.0 }))
            .collect();
        let g = decode(&logits, 4);
        let classes: Vec<usize> = g.iter().map(|g| g.class).collect();
        assert_eq!(classes, [1, 1, 2, 3]);
        assert_eq!((g[0].first, g[0].last), (0, 1));
        assert_eq!((g[2].first, g[2].last), (4, 5));
        let p = 1.0 / (1.0 + 3.0 * (-5.0f32).exp());
        assert!((g[3].probability - p).abs() < 1e-6);
    }
}
