//! The one gate between network text and the terminal.
//!
//! Every string that comes from the network (status, nick, resource, roster name, error text)
//! goes through [`sanitize`] in the session before it reaches the store, so nothing the UI
//! draws can carry an escape sequence, a control character, a bidi override or an invisible
//! character, and no field can grow without bound.

/// Longest status text kept, in characters.
pub const MAX_STATUS: usize = 500;
/// Longest name, nick or resource kept, in characters.
pub const MAX_NAME: usize = 120;
/// Marker appended to a truncated string.
pub const TRUNCATED: char = '…';

/// Makes untrusted text safe to draw on one terminal line.
///
/// - C0 controls (incl. ESC, CR, LF) become their visible Unicode "control picture" (`␛`),
///   so a hostile status shows what it tried instead of silently vanishing;
///   tabs become a single space, newlines a `⏎`.
/// - DEL becomes `␡`; C1 controls (U+0080..U+009F) become `�`.
/// - Bidi embeddings/overrides/isolates, zero-width and other invisible format characters
///   are removed.
/// - The result holds at most `max_chars` characters; longer input is cut and ends in `…`.
pub fn sanitize(input: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(input.len().min(max_chars.saturating_mul(4)));
    let mut count = 0usize;
    for c in input.chars() {
        let mapped = match c {
            '\t' => Some(' '),
            '\n' => Some('⏎'),
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
            '\u{7f}' => Some('␡'),
            '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
            c if is_invisible(c) => None,
            c => Some(c),
        };
        let Some(mapped) = mapped else { continue };
        if count == max_chars {
            out.pop();
            out.push(TRUNCATED);
            return out;
        }
        out.push(mapped);
        count += 1;
    }
    out
}

/// Format characters that change how surrounding text is shown without being visible.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}'                // soft hyphen
        | '\u{061c}'              // arabic letter mark
        | '\u{115f}' | '\u{1160}' // hangul fillers
        | '\u{180e}'              // mongolian vowel separator
        | '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM
        | '\u{2028}' | '\u{2029}' // line/paragraph separators
        | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{206f}' // word joiner, invisible operators, bidi isolates
        | '\u{3164}'              // hangul filler
        | '\u{fe00}'..='\u{fe0f}' // variation selectors
        | '\u{feff}'              // BOM / zero-width no-break space
        | '\u{fff9}'..='\u{fffb}' // interlinear annotations
        | '\u{e0000}'..='\u{e007f}' // tag characters
        | '\u{e0100}'..='\u{e01ef}' // variation selectors supplement
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_and_inert() {
        let s = sanitize("\u{1b}]0;pwned\u{7}\u{1b}[31mred", 100);
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'));
        assert_eq!(s, "␛]0;pwned␇␛[31mred");
    }

    #[test]
    fn c1_del_cr_lf_tab() {
        assert_eq!(
            sanitize("a\u{9b}b\u{7f}c\r\nd\te", 100),
            "a\u{fffd}b␡c␍⏎d e"
        );
    }

    #[test]
    fn bidi_and_zero_width_removed() {
        let s = sanitize("ab\u{202e}cd\u{200b}e\u{2066}f\u{feff}g\u{e0041}", 100);
        assert_eq!(s, "abcdefg");
    }

    #[test]
    fn keeps_ordinary_unicode() {
        assert_eq!(sanitize("Café ☕ 日本語 — ok", 100), "Café ☕ 日本語 — ok");
    }

    #[test]
    fn long_input_is_cut_with_marker() {
        let long = "x".repeat(1_000_000);
        let s = sanitize(&long, MAX_STATUS);
        assert_eq!(s.chars().count(), MAX_STATUS);
        assert!(s.ends_with(TRUNCATED));
        assert_eq!(sanitize("abc", 3), "abc");
        assert_eq!(sanitize("abcd", 3), "ab…");
    }

    #[test]
    fn output_never_holds_a_control_character() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let s = sanitize(&all, usize::MAX);
        assert!(s.chars().all(|c| !c.is_control()), "control char survived");
        assert!(s.chars().all(|c| !is_invisible(c)));
    }
}
