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

/// Cuts a line of styled spans to `width` cells; when something is cut, the last cell is
/// `…` (in the style of the span it cuts).
pub fn fit_line(line: ratatui::text::Line<'_>, width: usize) -> ratatui::text::Line<'_> {
    use ratatui::text::Span;
    if line.width() <= width || width == 0 {
        return line;
    }
    let room = width - 1;
    let mut used = 0;
    let mut spans = Vec::new();
    for span in &line.spans {
        let w = span.content.width();
        if used + w <= room {
            used += w;
            spans.push(span.clone());
            continue;
        }
        let mut cut = String::new();
        for c in span.content.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > room {
                break;
            }
            cut.push(c);
            used += cw;
        }
        spans.push(Span::styled(cut + "…", span.style));
        break;
    }
    ratatui::text::Line { spans, ..line }
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
    fn a_cut_line_ends_with_an_ellipsis() {
        use ratatui::text::{Line, Span};
        let line = Line::from(vec![Span::raw("Bob  "), Span::raw("a long status")]);
        let cut = fit_line(line.clone(), 10);
        assert_eq!(cut.to_string(), "Bob  a lo…");
        assert_eq!(cut.width(), 10);
        assert_eq!(fit_line(line.clone(), 18).to_string(), "Bob  a long status");
        assert_eq!(fit_line(line, 5).to_string(), "Bob …");
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
