//! The typesetting decisions that need no font: where lines break, how a
//! word too long for a line is cut, in which order a line's words stand.
//! Pure, so the rules are tested without a PDF.

use std::ops::Range;

/// How far a space may stretch (× its natural width) before a line counts
/// as loose, and how far it may shrink at most.
const STRETCH: f32 = 0.5;
const SHRINK: f32 = 0.33;
/// Badness of a line that cannot be justified at all (TeX's "infinitely bad").
const AWFUL: f32 = 10_000.0;

/// Total-fit line breaking (the Knuth–Plass idea without hyphenation):
/// the breaks that minimise the paragraph's summed demerits, so one tight
/// line is preferred to a very loose one further down. `widths` are the
/// words' widths, `space` the natural width of a space, `measure` the
/// line's width. Every word is in exactly one line; a word wider than the
/// measure gets a line of its own (cut it first with [`split_to_fit`]).
pub fn break_lines(widths: &[f32], space: f32, measure: f32) -> Vec<Range<usize>> {
    let n = widths.len();
    if n == 0 {
        return Vec::new();
    }
    // best[j]: the least demerits of setting words 0..j; from[j] where
    // its last line starts.
    let mut best = vec![f32::INFINITY; n + 1];
    let mut from = vec![0usize; n + 1];
    best[0] = 0.0;
    for i in 0..n {
        if !best[i].is_finite() {
            continue;
        }
        let mut boxes = 0.0;
        for j in i + 1..=n {
            boxes += widths[j - 1];
            let gaps = (j - i - 1) as f32;
            let natural = boxes + gaps * space;
            let last = j == n;
            let badness = if natural > measure {
                if gaps == 0.0 {
                    AWFUL // one word wider than the line: it stands alone
                } else {
                    let r = (natural - measure) / (gaps * space * SHRINK);
                    if r > 1.0 {
                        break; // cannot shrink that far; longer lines are worse
                    }
                    100.0 * r.powi(3)
                }
            } else if last {
                0.0
            } else if gaps == 0.0 {
                AWFUL
            } else {
                let r = (measure - natural) / (gaps * space * STRETCH);
                (100.0 * r.powi(3)).min(AWFUL)
            };
            let demerits = (10.0 + badness).powi(2);
            if best[i] + demerits < best[j] {
                best[j] = best[i] + demerits;
                from[j] = i;
            }
            if natural > measure {
                break;
            }
        }
    }
    let mut lines = Vec::new();
    let mut j = n;
    while j > 0 {
        let i = from[j];
        lines.push(i..j);
        j = i;
    }
    lines.reverse();
    lines
}

/// The width of each space of a justified line, or `None` when the line
/// stays ragged: the last line of a paragraph, a line of one word, or one
/// that would need spaces more than four times their width (a gap that
/// wide reads worse than a ragged edge).
pub fn justified_space(boxes: f32, gaps: usize, space: f32, measure: f32) -> Option<f32> {
    if gaps == 0 {
        return None;
    }
    let s = (measure - boxes) / gaps as f32;
    (s <= space * 4.0).then_some(s.max(space * (1.0 - SHRINK)))
}

/// The spaces a line never breaks at: no-break space (French before `:`),
/// narrow no-break space (French inside « » and before `;` `!` `?`),
/// figure space. They stay inside their word, set as their own glyph.
pub fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2007}')
}

/// A text's words: split at every space a line may break at, never at a
/// no-break one.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() && !is_no_break_space(c))
        .filter(|w| !w.is_empty())
}

/// A word wider than `measure` cut into pieces that fit, at character
/// boundaries (a 300-letter name must still stay on the page); a word
/// that fits is returned whole.
pub fn split_to_fit(word: &str, measure: f32, width_of: impl Fn(&str) -> f32) -> Vec<String> {
    if width_of(word) <= measure {
        return vec![word.to_string()];
    }
    let mut pieces = Vec::new();
    let mut cur = String::new();
    for c in word.chars() {
        let mut next = cur.clone();
        next.push(c);
        // At least one character per piece, even one wider than the line.
        if !cur.is_empty() && width_of(&next) > measure {
            pieces.push(std::mem::take(&mut cur));
            cur.push(c);
        } else {
            cur = next;
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    pieces
}

/// Whether a word reads right to left: its first strong character is
/// Hebrew, Arabic or another right-to-left script.
pub fn is_rtl(word: &str) -> bool {
    for c in word.chars() {
        let u = c as u32;
        if matches!(u, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF) {
            return true;
        }
        if c.is_alphabetic() {
            return false;
        }
    }
    false
}

/// The visual order of a left-to-right line's words: each run of
/// right-to-left words reads from the right (the one rule of the Unicode
/// bidirectional algorithm a left-to-right document needs for names
/// typed in Hebrew or Arabic; each word's own letters are ordered by the
/// shaper).
pub fn visual_order(rtl: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rtl.len()).collect();
    let mut i = 0;
    while i < rtl.len() {
        if rtl[i] {
            let mut j = i;
            while j < rtl.len() && rtl[j] {
                j += 1;
            }
            order[i..j].reverse();
            i = j;
        } else {
            i += 1;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(text: &str) -> Vec<f32> {
        text.split(' ').map(|w| w.chars().count() as f32).collect()
    }

    #[test]
    fn every_word_is_set_once_in_order_and_lines_fit() {
        let text =
            "the quick brown fox jumps over the lazy dog and keeps running far away into the night";
        let w = widths(text);
        let lines = break_lines(&w, 1.0, 20.0);
        let mut next = 0;
        for l in &lines {
            assert_eq!(l.start, next);
            next = l.end;
            let natural: f32 = w[l.clone()].iter().sum::<f32>() + (l.len() - 1) as f32;
            assert!(natural <= 20.0 + (l.len() - 1) as f32 * SHRINK, "{l:?}");
        }
        assert_eq!(next, w.len());
        assert!(lines.len() >= 4);
    }

    #[test]
    fn total_fit_looks_ahead_rather_than_filling_each_line() {
        // Greedy fills line 1 with "aaaa bb" (7 of 8) and leaves "cccccc"
        // alone with 2 to stretch and no space to stretch: an awful line.
        // Looking ahead, "aaaa" alone is as loose but "bb cccccc" fits exactly.
        let w = [4.0, 2.0, 5.0, 1.0];
        let lines = break_lines(&w, 1.0, 8.0);
        assert_eq!(lines, vec![0..2, 2..4], "4+1+2=7, 5+1+1=7: two even lines");
        let w = [3.0, 3.0, 3.0, 3.0];
        assert_eq!(break_lines(&w, 1.0, 7.0), vec![0..2, 2..4]);
    }

    #[test]
    fn a_word_wider_than_the_line_stands_alone() {
        let lines = break_lines(&[2.0, 50.0, 2.0], 1.0, 10.0);
        assert_eq!(lines, vec![0..1, 1..2, 2..3]);
        assert!(break_lines(&[], 1.0, 10.0).is_empty());
    }

    #[test]
    fn last_lines_and_single_words_stay_ragged() {
        assert_eq!(justified_space(5.0, 0, 1.0, 10.0), None);
        assert_eq!(justified_space(8.0, 2, 1.0, 10.0), Some(1.0));
        assert_eq!(
            justified_space(2.0, 1, 1.0, 10.0),
            None,
            "a gap of 8 spaces"
        );
    }

    #[test]
    fn no_break_spaces_keep_their_words_together() {
        let text = "ci-après «\u{202F}le Sous-traitant\u{202F}»\u{a0}: oui\u{202F}; a \t b\n";
        assert_eq!(
            words(text).collect::<Vec<_>>(),
            [
                "ci-après",
                "«\u{202F}le",
                "Sous-traitant\u{202F}»\u{a0}:",
                "oui\u{202F};",
                "a",
                "b"
            ]
        );
        assert_eq!(words("  ").count(), 0);
        assert_eq!(words("one").collect::<Vec<_>>(), ["one"]);
    }

    #[test]
    fn long_words_are_cut_at_characters_to_fit() {
        let w = |s: &str| s.chars().count() as f32;
        assert_eq!(split_to_fit("short", 10.0, w), vec!["short"]);
        let pieces = split_to_fit(&"é".repeat(25), 10.0, w);
        assert_eq!(
            pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [10, 10, 5]
        );
        assert_eq!(pieces.concat(), "é".repeat(25));
        // A single character wider than the line is still one piece.
        let wide = |s: &str| s.chars().count() as f32 * 20.0;
        assert_eq!(split_to_fit("ab", 10.0, wide), vec!["a", "b"]);
    }

    #[test]
    fn right_to_left_runs_read_from_the_right() {
        assert!(is_rtl("שלום"));
        assert!(is_rtl("(مرحبا)"));
        assert!(!is_rtl("Ñandú"));
        assert!(!is_rtl(")\\("));
        assert_eq!(visual_order(&[false, true, true, false]), vec![0, 2, 1, 3]);
        assert_eq!(visual_order(&[true, true, true]), vec![2, 1, 0]);
        assert_eq!(visual_order(&[false, false]), vec![0, 1]);
    }
}
