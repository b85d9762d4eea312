//! The `ascii` preset's last step: every cell of a frame in ASCII, for terminals or fonts
//! without Unicode. The theme's own glyphs are ASCII already (`assets/themes/ascii.toml`);
//! this catches the rest: box lines, arrows and marks drawn by the panes, and text from the
//! network (a name in Greek becomes question marks rather than bytes the terminal cannot
//! show, which would also shift the rest of the row). A wide character keeps its two cells:
//! its sign and the blank ratatui already put in the cell it covers.

use ratatui::buffer::Buffer;

/// Every cell of `buf` in ASCII.
pub fn to_ascii(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if !cell.symbol().is_ascii() {
            let sign = sign_of(cell.symbol());
            cell.set_char(sign);
        }
    }
}

/// The ASCII sign drawn for a grapheme that is not ASCII: its nearest look-alike, or '?'.
pub fn sign_of(symbol: &str) -> char {
    let mut chars = symbol.chars();
    let Some(first) = chars.next() else {
        return ' ';
    };
    if !chars.all(is_mark_or_selector) {
        return '?';
    }
    sign_of_char(first)
}

/// Combining accents and variation selectors: "e\u{301}" is drawn as 'e'.
fn is_mark_or_selector(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{fe00}'..='\u{fe0f}')
}

fn sign_of_char(c: char) -> char {
    match c {
        c if c.is_ascii() => c,
        '│' | '┃' | '║' | '▏' | '▌' => '|',
        '─' | '━' | '═' | '–' | '—' => '-',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' => {
            '+'
        }
        '→' | '›' | '▸' | '▶' => '>',
        '←' | '‹' | '◂' | '◀' => '<',
        '↑' | '▴' | '▲' => '^',
        '↓' | '▾' | '▼' => 'v',
        '⇄' | '↔' => '=',
        '…' => '~',
        '·' | '•' | '∙' => '.',
        '✓' | '✔' => 'v',
        '✗' | '✘' | '✖' | '×' => 'x',
        '⚠' => '!',
        '✉' => '#',
        '◉' | '●' => '@',
        '○' | '◌' | '◎' => 'o',
        '■' | '▪' | '★' | '✦' => '*',
        '“' | '”' | '„' | '«' | '»' => '"',
        '‘' | '’' | '‚' => '\'',
        '⏎' | '␍' => '/',
        '\u{a0}' => ' ',
        _ => latin_base(c),
    }
}

/// A Latin letter with a diacritic drawn as the letter ('é' as 'e'), so names stay readable.
fn latin_base(c: char) -> char {
    const FROM: &str = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ";
    const TO: &str = "aaaaaaceeeeiiiinoooooouuuuyyAAAAAACEEEEIIIINOOOOOOUUUUY";
    FROM.chars()
        .position(|f| f == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sign_is_one_ascii_character_and_names_stay_readable() {
        for symbol in [
            "│", "└", "→", "⇄", "…", "✉", "日", "🇫🇷", "é", "e\u{301}", "👍🏽",
        ] {
            assert!(sign_of(symbol).is_ascii_graphic(), "{symbol}");
        }
        let name: String = "Zoë Café"
            .chars()
            .map(|c| sign_of(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(name, "Zoe Cafe");
        assert_eq!(sign_of("e\u{301}"), 'e');
        assert_eq!(sign_of("🇫🇷"), '?');
        assert_eq!(sign_of("⇄"), '=');
    }

    #[test]
    fn a_frame_in_ascii_has_no_other_byte() {
        let mut buf = Buffer::with_lines(["┌─ Zoë 日本 ✉3 ─┐", "│ ◐ ⇄ bob… │"]);
        to_ascii(&mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(text.is_ascii(), "{text}");
        assert!(text.starts_with("+- Zoe ?"), "{text}");
    }
}
