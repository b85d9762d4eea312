//! What the sieve knows about the stanza it is in, and the repairs of a `<presence>`'s
//! `<show>`, `<priority>` and `<status>` children (see the module docs of `sieve`).

use super::lexer::Tag;
use super::{Change, Note, NS};

/// Longest `<show>`/`<priority>` text looked at; longer is invalid anyway.
const MAX_FIELD: usize = 64;
/// Longest original value carried in a note.
const MAX_MARK: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Show,
    Priority,
}

/// The text of a `<show>` or `<priority>` being read.
#[derive(Debug)]
pub(super) struct Capture {
    field: Field,
    text: Vec<u8>,
    /// Markup inside, or too long: the value is invalid.
    pub bad: bool,
}

impl Capture {
    pub fn push_text(&mut self, chunk: &[u8]) {
        let room = MAX_FIELD.saturating_sub(self.text.len());
        if chunk.len() > room {
            self.bad = true;
        }
        self.text.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
}

/// What to do with a start tag.
pub(super) enum Open {
    /// Write it as read.
    Emit,
    /// Already written (or held back); the element is open.
    Done,
    /// Remove it with its subtree, noting why (if it is worth a note).
    Removed(Option<Change>),
}

#[derive(Debug, Default)]
pub(super) struct StanzaCtx {
    name: String,
    from: Option<String>,
    presence: bool,
    shows: u8,
    priorities: u8,
    /// `xml:lang` values of the `<status>` elements seen.
    langs: Vec<Vec<u8>>,
    in_status: bool,
    pub capture: Option<Capture>,
    /// Original values for the `<sieve/>` note added before `</presence>`.
    marks: Vec<(&'static str, String)>,
}

/// A child in the stanza's own namespace (`jabber:client`), as `<show>` and friends are.
fn default_ns(tag: &Tag) -> bool {
    !tag.name().contains(&b':') && tag.attr(b"xmlns").is_none_or(|ns| ns == b"jabber:client")
}

/// An element declaring the sieve's own namespace: only the sieve writes those.
fn forged_note(tag: &Tag) -> bool {
    tag.attrs
        .iter()
        .any(|a| tag.raw[a.0..a.1].starts_with(b"xmlns") && &tag.raw[a.2..a.3] == NS.as_bytes())
}

fn lossy(bytes: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(max)]).into_owned()
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    &bytes[start..end.max(start)]
}

/// An original value, safe to put in an attribute and short.
fn mark(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | '&' | '\'' | '"'))
        .take(MAX_MARK)
        .collect()
}

/// A priority as RFC 6121 allows it, clamped into -128..127; `None` if not a number.
pub fn parse_priority(text: &[u8]) -> Option<i8> {
    let s = std::str::from_utf8(text).ok()?;
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let clamped = match s.parse::<i64>() {
        Ok(n) => n.clamp(i8::MIN.into(), i8::MAX.into()),
        Err(_) if s.starts_with('-') => i8::MIN.into(),
        Err(_) => i8::MAX.into(),
    };
    i8::try_from(clamped).ok()
}

impl StanzaCtx {
    pub fn begin(tag: &Tag) -> Self {
        StanzaCtx {
            name: lossy(tag.name(), 32),
            from: tag.attr(b"from").map(|f| lossy(f, 3072)),
            presence: tag.name() == b"presence",
            ..StanzaCtx::default()
        }
    }

    pub fn note(&self, what: Change) -> Note {
        Note {
            stanza: if self.name.is_empty() {
                "stream".into()
            } else {
                self.name.clone()
            },
            from: self.from.clone(),
            what,
        }
    }

    /// A start tag at `depth` (stanza = 2) inside this stanza.
    pub fn open(&mut self, depth: usize, tag: &Tag, empty: bool, out: &mut Vec<u8>) -> Open {
        if depth > 2 && forged_note(tag) {
            return Open::Removed(Some(Change::Duplicate("a note in the sieve's namespace")));
        }
        if !self.presence {
            return Open::Emit;
        }
        if depth == 4 && self.in_status {
            return Open::Removed(Some(Change::Duplicate("markup inside a status")));
        }
        if depth != 3 || !default_ns(tag) {
            return Open::Emit;
        }
        let field = match tag.name() {
            b"show" => Field::Show,
            b"priority" => Field::Priority,
            b"status" => return self.open_status(tag, empty, out),
            _ => return Open::Emit,
        };
        let capture = Capture {
            field,
            text: Vec::new(),
            bad: false,
        };
        if empty {
            // Nothing to wait for: judge the empty value now.
            let (_, change) = self.finish(capture, out);
            return match change {
                Some(change) => Open::Removed(Some(change)),
                None => Open::Removed(None),
            };
        }
        self.capture = Some(capture);
        Open::Done
    }

    /// Keeps the first `<status>` per language, with `xml:lang` as its only attribute.
    fn open_status(&mut self, tag: &Tag, empty: bool, out: &mut Vec<u8>) -> Open {
        let lang = tag.attr(b"xml:lang").unwrap_or_default().to_vec();
        if self.langs.contains(&lang) {
            return Open::Removed(Some(Change::Duplicate("a second status in one language")));
        }
        out.extend_from_slice(b"<status");
        if let Some(value) = tag.attr(b"xml:lang") {
            out.extend_from_slice(b" xml:lang='");
            out.extend_from_slice(value);
            out.push(b'\'');
        }
        out.extend_from_slice(if empty { b"/>" } else { b">" });
        self.langs.push(lang);
        self.in_status = !empty;
        Open::Done
    }

    /// An end tag for the element at `depth`: whether to write it, and a change to note.
    pub fn close(&mut self, depth: usize, out: &mut Vec<u8>) -> (bool, Option<Change>) {
        if depth == 3 {
            self.in_status = false;
            if let Some(capture) = self.capture.take() {
                return self.finish(capture, out);
            }
        }
        if depth == 2 && self.presence && !self.marks.is_empty() {
            out.extend_from_slice(b"<sieve xmlns='");
            out.extend_from_slice(NS.as_bytes());
            out.push(b'\'');
            for (name, value) in &self.marks {
                out.extend_from_slice(format!(" {name}='{value}'").as_bytes());
            }
            out.extend_from_slice(b"/>");
        }
        (true, None)
    }

    /// Writes the repaired field (or nothing); the end tag must then not be written.
    fn finish(&mut self, capture: Capture, out: &mut Vec<u8>) -> (bool, Option<Change>) {
        let text = trim(&capture.text);
        match capture.field {
            Field::Show => {
                self.shows = self.shows.saturating_add(1);
                if self.shows > 1 {
                    return (false, Some(Change::Duplicate("a second show")));
                }
                let valid = matches!(text, b"away" | b"chat" | b"dnd" | b"xa");
                if valid && !capture.bad {
                    out.extend_from_slice(b"<show>");
                    out.extend_from_slice(text);
                    out.extend_from_slice(b"</show>");
                    return (false, None);
                }
                self.marks.push(("show", mark(text)));
                (false, Some(Change::BadShow(mark(text))))
            }
            Field::Priority => {
                self.priorities = self.priorities.saturating_add(1);
                if self.priorities > 1 {
                    return (false, Some(Change::Duplicate("a second priority")));
                }
                let exact = std::str::from_utf8(text)
                    .ok()
                    .and_then(|s| s.parse::<i8>().ok());
                if let (Some(p), false) = (exact, capture.bad) {
                    out.extend_from_slice(format!("<priority>{p}</priority>").as_bytes());
                    return (false, None);
                }
                if let Some(p) = parse_priority(text).filter(|_| !capture.bad) {
                    out.extend_from_slice(format!("<priority>{p}</priority>").as_bytes());
                }
                self.marks.push(("priority", mark(text)));
                (false, Some(Change::BadPriority(mark(text))))
            }
        }
    }
}
