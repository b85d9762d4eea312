//! The XML console's record: the stanzas an account sent and received while the console
//! was recording (`/console`), newest last, bounded, sanitized like all remote text.

use std::collections::VecDeque;
use std::time::SystemTime;

use crate::event::ConsoleDir;
use crate::sanitize::sanitize;

/// Lines kept per account; older ones are dropped (and counted).
pub const MAX_LINES: usize = 2000;
/// Longest stanza kept whole, in characters.
const MAX_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLine {
    pub at: SystemTime,
    pub dir: ConsoleDir,
    /// Sanitized and capped.
    pub text: String,
    /// The stanza's element name (`presence`, `message`, `iq`), for filtering.
    pub kind: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Console {
    pub lines: VecDeque<ConsoleLine>,
    /// Lines dropped because the record was full.
    pub dropped: u64,
}

impl Console {
    pub fn push(&mut self, at: SystemTime, dir: ConsoleDir, xml: &str) {
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(ConsoleLine {
            at,
            dir,
            text: sanitize(xml, MAX_CHARS),
            kind: crate::raw::stanza_name(xml).unwrap_or("other"),
        });
    }

    pub fn clear(&mut self) {
        *self = Console::default();
    }
}

/// Does a line pass the console's filter (`presence`, `message`, `iq`, `dropped`, or any
/// other text, matched case-insensitively in the stanza)?
pub fn passes(line: &ConsoleLine, filter: Option<&str>) -> bool {
    match filter {
        None => true,
        Some("dropped") => line.dir == ConsoleDir::Dropped,
        Some(kind @ ("presence" | "message" | "iq")) => line.kind == kind,
        Some(text) => line.text.to_lowercase().contains(&text.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_sanitized_kinded_bounded_and_filtered() {
        let mut c = Console::default();
        let at = SystemTime::UNIX_EPOCH;
        c.push(
            at,
            ConsoleDir::In,
            "<presence from='bob@x'><status>\u{1b}]0;PWNED\u{7}</status></presence>",
        );
        c.push(
            at,
            ConsoleDir::Out,
            "<message to='bob@x'><body>hi</body></message>",
        );
        c.push(at, ConsoleDir::Dropped, "invalid stanza received: <iq/>");
        assert!(!c.lines[0].text.contains('\u{1b}'), "{}", c.lines[0].text);
        assert_eq!(c.lines[0].kind, "presence");
        assert_eq!(c.lines[1].kind, "message");
        let shown = |f| c.lines.iter().filter(|l| passes(l, f)).count();
        assert_eq!(shown(None), 3);
        assert_eq!(shown(Some("presence")), 1);
        assert_eq!(shown(Some("dropped")), 1);
        assert_eq!(shown(Some("BODY")), 1);
        for _ in 0..MAX_LINES {
            c.push(at, ConsoleDir::In, "<iq/>");
        }
        assert_eq!(c.lines.len(), MAX_LINES);
        assert_eq!(c.dropped, 3);
    }
}
