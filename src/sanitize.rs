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
///   are removed, with one exception: a zero-width joiner (U+200D) *between two pictographs*
///   is kept, so emoji sequences stay one glyph (👩‍💻); anywhere else (between letters, at an
///   end, doubled) it could only hide or fake text, and is removed.
/// - A regional indicator that is not half of a pair (🇫🇷 is a pair, the flag of France)
///   becomes its capital letter: terminals disagree on a lone one's width (1 or 2 cells), and
///   a disagreement leaves stray glyphs behind after a redraw. Pairs are read left to right,
///   as the Unicode grapheme rules do.
/// - The result holds at most `max_chars` characters; longer input is cut and ends in `…`.
pub fn sanitize(input: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(input.len().min(max_chars.saturating_mul(4)));
    let mut count = 0usize;
    let mut chars = input.chars().peekable();
    // The last character kept, and whether it opened a regional-indicator pair.
    let mut last: Option<char> = None;
    let mut open_pair = false;
    while let Some(c) = chars.next() {
        let last_opened_pair = open_pair;
        let mapped = match c {
            '\t' => Some(' '),
            '\n' => Some('⏎'),
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
            '\u{7f}' => Some('␡'),
            '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
            '\u{200d}' => {
                let joins = last.is_some_and(is_pictograph)
                    && chars.peek().copied().is_some_and(is_pictograph);
                joins.then_some(c)
            }
            c if is_invisible(c) => None,
            c if is_regional_indicator(c) => {
                let pair = open_pair || chars.peek().copied().is_some_and(is_regional_indicator);
                open_pair = !open_pair && pair;
                Some(if pair { c } else { regional_letter(c) })
            }
            c => Some(c),
        };

        let Some(mapped) = mapped else { continue };
        if count == max_chars {
            cut(&mut out, last_opened_pair);
            return out;
        }
        out.push(mapped);
        last = Some(mapped);
        count += 1;
    }
    out
}

/// Longest message body kept, in characters (a longer one ends in `…`; the screen shows
/// fewer lines still, with a "[… N more lines]" marker).
pub const MAX_BODY: usize = 20_000;

/// Makes an untrusted message body safe to draw over several lines: each line (split on
/// `\n`; `\r\n` and a lone `\r` count as one line break) goes through [`sanitize`], so the
/// only control character left is `\n`. Trailing blank lines are dropped. At most
/// `max_chars` characters in all (line breaks count as one each).
pub fn sanitize_body(input: &str, max_chars: usize) -> String {
    let normalized = input.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalized.len().min(max_chars.saturating_mul(4)));
    let mut left = max_chars;
    for (i, line) in normalized.trim_end_matches('\n').split('\n').enumerate() {
        if i > 0 {
            if left == 0 {
                out.pop();
                out.push(TRUNCATED);
                break;
            }
            out.push('\n');
            left -= 1;
        }
        let clean = sanitize(line, left.max(1));
        let used = clean.chars().count();
        if used >= left && line.chars().count() > left {
            out.push_str(&clean);
            break;
        }
        left = left.saturating_sub(used);
        out.push_str(&clean);
    }
    out
}

/// Replaces the last character by [`TRUNCATED`], never leaving half a pair or a joiner with
/// nothing to join behind. `open_pair`: the last character opened a regional-indicator pair.
fn cut(out: &mut String, open_pair: bool) {
    if let Some(last) = out.pop() {
        if is_regional_indicator(last) && !open_pair {
            // It closed a pair: its partner is now alone.
            if let Some(partner) = out.pop() {
                out.push(regional_letter(partner));
            }
        }
    }
    if out.ends_with('\u{200d}') {
        out.pop();
    }
    out.push(TRUNCATED);
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)
}

/// 🇫 -> F.
fn regional_letter(c: char) -> char {
    char::from_u32(u32::from(c) - 0x1f1e6 + u32::from(b'A')).unwrap_or('?')
}

/// Emoji and pictographs, roughly Unicode's Extended_Pictographic (what a ZWJ joins):
/// Miscellaneous Technical, Symbols and Dingbats, Miscellaneous Symbols and Arrows, and the
/// supplementary pictograph blocks, skin-tone modifiers included; not regional indicators.
fn is_pictograph(c: char) -> bool {
    matches!(c,
        '\u{2300}'..='\u{23ff}'
        | '\u{2600}'..='\u{27bf}'
        | '\u{2b00}'..='\u{2bff}'
        | '\u{1f000}'..='\u{1f1e5}'
        | '\u{1f200}'..='\u{1faff}'
        | '\u{1fc00}'..='\u{1fffd}'
    )
}

/// Format characters that change how surrounding text is shown without being visible.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}'                // soft hyphen
        | '\u{061c}'              // arabic letter mark
        | '\u{115f}' | '\u{1160}' // hangul fillers
        | '\u{180e}'              // mongolian vowel separator
        | '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM (ZWJ: see sanitize)
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
    fn bodies_keep_their_lines_and_nothing_else() {
        assert_eq!(
            sanitize_body("hi\r\nthere\rfriend\n\n", 100),
            "hi\nthere\nfriend"
        );
        assert_eq!(sanitize_body("a\u{1b}[2Jb\n\u{202e}c", 100), "a␛[2Jb\nc");
        let long = sanitize_body(&"x\n".repeat(50), 9);
        assert_eq!(long.chars().count(), 9);
        assert!(long.ends_with(TRUNCATED));
        assert_eq!(sanitize_body(&"y".repeat(30), 10).chars().count(), 10);
    }

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
    fn zero_width_joiner_kept_only_between_pictographs() {
        // Emoji sequences stay whole: technologist, heart on fire (VS16 dropped), skin tone.
        assert_eq!(sanitize("👩\u{200d}💻", 10), "👩\u{200d}💻");
        assert_eq!(sanitize("❤\u{fe0f}\u{200d}🔥", 10), "❤\u{200d}🔥");
        assert_eq!(sanitize("👩🏽\u{200d}💻", 10), "👩🏽\u{200d}💻");
        // Anywhere else it is a spoofing tool: between letters, at the ends, doubled.
        assert_eq!(sanitize("pay\u{200d}pal", 20), "paypal");
        assert_eq!(sanitize("\u{200d}👩\u{200d}", 20), "👩");
        assert_eq!(sanitize("👩\u{200d}a", 20), "👩a");
        assert_eq!(sanitize("a\u{200d}👩", 20), "a👩");
        assert_eq!(sanitize("👩\u{200d}\u{200d}💻", 20), "👩\u{200d}💻");
        assert_eq!(sanitize("🇫\u{200d}🇷", 20), "FR");
    }

    #[test]
    fn regional_indicators_only_in_pairs() {
        assert_eq!(sanitize("🇫🇷", 10), "🇫🇷");
        assert_eq!(sanitize("🇫🇷🇩🇪 ok", 10), "🇫🇷🇩🇪 ok");
        // The odd one out (pairs read left to right) becomes its letter.
        assert_eq!(sanitize("a🇫b", 10), "aFb");
        assert_eq!(sanitize("🇫🇷🇩", 10), "🇫🇷D");
        assert_eq!(sanitize("🇫 🇷", 10), "F R");
        // Cutting never leaves half a pair or a dangling joiner.
        assert_eq!(sanitize("🇫🇷x", 2), "F…");
        assert_eq!(sanitize("a🇫🇷", 2), "a…");
        assert_eq!(sanitize("👩\u{200d}💻x", 3), "👩…");
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
        assert!(s.chars().all(|c| !is_invisible(c) || c == '\u{200d}'));
        assert!(
            !s.contains('\u{200d}'),
            "no pictographs here: no joiner kept"
        );
    }
}
