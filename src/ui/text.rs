//! Fitting text into terminal cells by display width (wide characters count twice).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to at most `width` cells (ending in `…` when cut) and pads it to exactly `width`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = truncate(s, width);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// Cuts `s` to at most `width` cells, ending in `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > width - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// Breaks `text` into rows of at most `width` cells: at its `\n`s, then between words
/// where it can, inside a word longer than a row where it must. An empty line stays an
/// empty row.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    for line in text.split('\n') {
        let mut row = String::new();
        let mut used = 0;
        for word in line.split_inclusive(' ') {
            let w = word.width();
            if used + w.saturating_sub(usize::from(word.ends_with(' '))) > width && used > 0 {
                rows.push(std::mem::take(&mut row).trim_end().to_owned());
                used = 0;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width && !(c == ' ' && used == width) {
                    rows.push(std::mem::take(&mut row));
                    used = 0;
                }
                row.push(c);
                used += cw;
            }
        }
        rows.push(row.trim_end().to_owned());
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_between_words_and_inside_long_ones() {
        assert_eq!(wrap("hello there world", 11), vec!["hello there", "world"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 10), vec!["a", "", "b"]);
        assert_eq!(wrap("日本語テキスト", 6), vec!["日本語", "テキス", "ト"]);
        for row in wrap("some words here and a verylongwordthatbreaks too", 7) {
            assert!(row.width() <= 7, "{row:?}");
        }
    }

    #[test]
    fn fit_pads_and_cuts_by_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語", 4), "日… ");
        assert_eq!(fit("日本", 4), "日本");
        assert_eq!(truncate("x", 0), "");
    }
}
