//! The byte-level pass: tags, attributes, text and other markup, one byte state at a time,
//! with a fast path for text. Decisions about what to keep are in `repair`.

use super::held::Held;
use super::lane::FastLane;
use super::repair::{Open, StanzaCtx};
use super::{Change, Note, MAX_DEPTH, MAX_TOKEN};

/// A start tag longer than this loses its further attributes (a stanza is capped at 256 KiB
/// by the server anyway; this bounds what the sieve holds).
const MAX_TAG: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    /// `<?...?>`
    Pi,
    /// `<!--...-->`
    Comment,
    /// `<![CDATA[...]]>`
    Cdata,
    /// `<!DOCTYPE ...>` and anything else after `<!`
    Decl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Text,
    /// Just after `<`.
    Lt,
    /// After `<!`, until the kind of markup is known.
    Bang,
    StartName,
    /// Inside a start tag, between attributes.
    InTag,
    AttrName,
    /// After an attribute name, before `=`.
    AfterAttrName,
    /// After `=`, before the quote.
    BeforeValue,
    /// Inside a value quoted with this byte.
    Value(u8),
    /// After `/` in a start tag.
    Slash,
    /// After `</`.
    EndName,
    /// Inside other markup; the number of terminator bytes matched so far.
    Markup(Markup, u8),
}

/// The start tag being read, rebuilt without the attributes that are dropped.
#[derive(Debug, Default)]
pub(super) struct Tag {
    /// `<name attr='value' ...` (no closing `>`).
    pub raw: Vec<u8>,
    pub name_end: usize,
    pub name_long: bool,
    /// (name start, name end, value start, value end) in `raw`.
    pub attrs: Vec<(usize, usize, usize, usize)>,
    attr_start: usize,
    attr_len: usize,
    value_start: usize,
    dropped: bool,
}

impl Tag {
    pub fn name(&self) -> &[u8] {
        &self.raw[1..self.name_end]
    }

    /// The value of an attribute, as written (escaped).
    pub fn attr(&self, name: &[u8]) -> Option<&[u8]> {
        self.attrs
            .iter()
            .find(|a| &self.raw[a.0..a.1] == name)
            .map(|a| &self.raw[a.2..a.3])
    }

    fn reset(&mut self) {
        self.raw.clear();
        self.raw.push(b'<');
        self.name_end = 1;
        self.name_long = false;
        self.attrs.clear();
    }
}

/// The streaming sieve for one connection's incoming bytes (see the module docs of `sieve`).
#[derive(Debug)]
pub struct Sieve {
    lex: Lex,
    /// Depth of the innermost open element (the stream header is 1, stanzas 2).
    depth: usize,
    /// Inside a removed subtree: how many of its elements are open.
    skip: usize,
    tag: Tag,
    end_name: Vec<u8>,
    bang: Vec<u8>,
    stanza: StanzaCtx,
    /// Changes made since the last `take_notes`.
    notes: Vec<Note>,
    /// What is held back for the fast lane.
    held: Held,
}

impl Default for Sieve {
    fn default() -> Self {
        Sieve {
            lex: Lex::Text,
            depth: 0,
            skip: 0,
            tag: Tag::default(),
            end_name: Vec::new(),
            bang: Vec::new(),
            stanza: StanzaCtx::default(),
            notes: Vec::new(),
            held: Held::default(),
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl Sieve {
    /// The changes made so far, oldest first (and forgets them).
    pub fn take_notes(&mut self) -> Vec<Note> {
        std::mem::take(&mut self.notes)
    }

    /// A sieve that reads ordinary presences and roster items itself and parks them in
    /// `lane`.
    pub fn with_lane(lane: FastLane) -> Self {
        Sieve {
            held: Held::new(lane),
            ..Sieve::default()
        }
    }

    /// Passes `input` through, appending what is kept to `out` (what is held for the fast
    /// lane only once it is complete).
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.held.resume(out);
        self.run(input, out);
        self.held.suspend(out);
    }

    fn run(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        while i < input.len() {
            if self.lex == Lex::Text {
                i += self.text(&input[i..], out);
                continue;
            }
            if let Lex::Value(quote) = self.lex {
                i += self.value(&input[i..], quote);
                continue;
            }
            self.byte(input[i], out);
            i += 1;
        }
    }

    /// Text up to the next `<`; returns the bytes consumed.
    fn text(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let end = input.iter().position(|b| *b == b'<');
        let chunk = &input[..end.unwrap_or(input.len())];
        if self.skip == 0 {
            match self.stanza.capture.as_mut() {
                Some(capture) => capture.push_text(chunk),
                None => out.extend_from_slice(chunk),
            }
        }
        match end {
            Some(at) => {
                self.lex = Lex::Lt;
                at + 1
            }
            None => input.len(),
        }
    }

    /// Attribute value bytes up to the closing quote; returns the bytes consumed.
    fn value(&mut self, input: &[u8], quote: u8) -> usize {
        let end = input.iter().position(|b| *b == quote);
        let chunk = &input[..end.unwrap_or(input.len())];
        let tag = &mut self.tag;
        tag.attr_len += chunk.len();
        if self.skip == 0 && !tag.dropped {
            if tag.attr_len > MAX_TOKEN {
                tag.dropped = true;
            } else {
                tag.raw.extend_from_slice(chunk);
            }
        }
        let Some(at) = end else {
            return input.len();
        };
        self.close_attribute(quote);
        self.lex = Lex::InTag;
        at + 1
    }

    fn close_attribute(&mut self, quote: u8) {
        if self.skip > 0 {
            return;
        }
        let tag = &mut self.tag;
        if tag.dropped {
            tag.raw.truncate(tag.attr_start);
            let len = tag.attr_len;
            self.note(Change::LongAttribute(len));
        } else {
            let value_end = tag.raw.len();
            tag.raw.push(quote);
            let name_end = tag.value_start - 2;
            tag.attrs
                .push((tag.attr_start + 1, name_end, tag.value_start, value_end));
        }
    }

    fn note(&mut self, what: Change) {
        self.notes.push(self.stanza.note(what));
    }

    /// Emits bytes of markup that is not a tag, unless removed or inside a captured text.
    fn markup_out(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        if self.skip > 0 {
            return;
        }
        match self.stanza.capture.as_mut() {
            Some(capture) => capture.bad = true,
            None => out.extend_from_slice(bytes),
        }
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        self.lex = match self.lex {
            Lex::Lt => self.after_lt(b, out),
            Lex::Bang => self.after_bang(b, out),
            Lex::StartName => match b {
                b'>' => self.open(false, out),
                b'/' => Lex::Slash,
                _ if is_space(b) => Lex::InTag,
                _ => {
                    self.push_name(b);
                    Lex::StartName
                }
            },
            Lex::InTag => match b {
                b'>' => self.open(false, out),
                b'/' => Lex::Slash,
                _ if is_space(b) => Lex::InTag,
                _ => self.begin_attribute(b),
            },
            Lex::AttrName => match b {
                b'=' => self.equals(),
                _ if is_space(b) => Lex::AfterAttrName,
                _ => {
                    self.push_attr_byte(b);
                    Lex::AttrName
                }
            },
            Lex::AfterAttrName => match b {
                b'=' => self.equals(),
                _ if is_space(b) => Lex::AfterAttrName,
                // Not XML; rxml will say so. Keep going without holding more.
                _ => self.begin_attribute(b),
            },
            Lex::BeforeValue => match b {
                b'"' | b'\'' => {
                    if self.skip == 0 && !self.tag.dropped {
                        self.tag.raw.push(b);
                    }
                    self.tag.value_start = self.tag.raw.len();
                    self.tag.attr_len = 0;
                    Lex::Value(b)
                }
                _ if is_space(b) => Lex::BeforeValue,
                _ => Lex::InTag,
            },
            Lex::Slash => match b {
                b'>' => self.open(true, out),
                _ => Lex::InTag,
            },
            Lex::EndName => match b {
                b'>' => self.close(out),
                _ => {
                    if self.skip == 0 && self.end_name.len() <= MAX_TOKEN {
                        self.end_name.push(b);
                    }
                    Lex::EndName
                }
            },
            Lex::Markup(kind, matched) => self.markup_byte(kind, matched, b, out),
            Lex::Text | Lex::Value(_) => unreachable_text(),
        };
    }

    fn after_lt(&mut self, b: u8, out: &mut Vec<u8>) -> Lex {
        match b {
            b'/' => {
                self.end_name.clear();
                Lex::EndName
            }
            b'?' => {
                self.markup_out(b"<?", out);
                Lex::Markup(Markup::Pi, 0)
            }
            b'!' => {
                self.bang.clear();
                Lex::Bang
            }
            _ => {
                self.tag.reset();
                self.push_name(b);
                Lex::StartName
            }
        }
    }

    fn after_bang(&mut self, b: u8, out: &mut Vec<u8>) -> Lex {
        self.bang.push(b);
        let kind = if self.bang == b"--" {
            Markup::Comment
        } else if self.bang == b"[CDATA[" {
            Markup::Cdata
        } else if b"--".starts_with(&self.bang) || b"[CDATA[".starts_with(&self.bang) {
            return Lex::Bang;
        } else {
            Markup::Decl
        };
        let mut head = b"<!".to_vec();
        head.extend_from_slice(&self.bang);
        self.markup_out(&head, out);
        if kind == Markup::Decl && b == b'>' {
            return Lex::Text;
        }
        Lex::Markup(kind, 0)
    }

    fn markup_byte(&mut self, kind: Markup, matched: u8, b: u8, out: &mut Vec<u8>) -> Lex {
        self.markup_out(&[b], out);
        let (repeat, need) = match kind {
            Markup::Pi => (b'?', 1),
            Markup::Comment => (b'-', 2),
            Markup::Cdata => (b']', 2),
            Markup::Decl => (0, 0),
        };
        if b == b'>' && matched >= need {
            return Lex::Text;
        }
        let matched = if need > 0 && b == repeat {
            (matched + 1).min(need)
        } else {
            0
        };
        Lex::Markup(kind, matched)
    }

    fn push_name(&mut self, b: u8) {
        if self.skip > 0 {
            return;
        }
        let tag = &mut self.tag;
        if tag.name_end > MAX_TOKEN {
            tag.name_long = true;
        } else {
            tag.raw.push(b);
            tag.name_end += 1;
        }
    }

    fn begin_attribute(&mut self, b: u8) -> Lex {
        let tag = &mut self.tag;
        tag.attr_start = tag.raw.len();
        tag.attr_len = 1;
        tag.dropped = tag.raw.len() > MAX_TAG;
        if self.skip == 0 && !tag.dropped {
            tag.raw.push(b' ');
            tag.raw.push(b);
        }
        Lex::AttrName
    }

    fn push_attr_byte(&mut self, b: u8) {
        let tag = &mut self.tag;
        tag.attr_len += 1;
        if tag.attr_len > MAX_TOKEN {
            tag.dropped = true;
        }
        if self.skip == 0 && !tag.dropped {
            tag.raw.push(b);
        }
    }

    fn equals(&mut self) -> Lex {
        if self.skip == 0 && !self.tag.dropped {
            self.tag.raw.push(b'=');
        }
        // The value's length is counted from the quote; the name's overflow stays recorded.
        Lex::BeforeValue
    }

    /// A start tag is complete.
    fn open(&mut self, empty: bool, out: &mut Vec<u8>) -> Lex {
        if self.skip > 0 {
            self.skip += usize::from(!empty);
            return Lex::Text;
        }
        if self.tag.name() == b"stream:stream" {
            return self.stream_header(out);
        }
        let depth = self.depth + 1;
        let removal = if self.stanza.capture.is_some() {
            // Markup inside <show> or <priority>: the value is invalid.
            if let Some(capture) = self.stanza.capture.as_mut() {
                capture.bad = true;
            }
            Some(None)
        } else if self.tag.name_long {
            Some(Some(Change::LongName))
        } else if depth > MAX_DEPTH + 2 {
            Some(Some(Change::TooDeep))
        } else {
            None
        };
        if let Some(change) = removal {
            if let Some(change) = change {
                self.note(change);
            }
            self.skip = usize::from(!empty);
            return Lex::Text;
        }
        if depth == 2 {
            self.stanza = StanzaCtx::begin(&self.tag);
        }
        let start = out.len();
        match self.stanza.open(depth, &self.tag, empty, out) {
            Open::Emit => {
                out.extend_from_slice(&self.tag.raw);
                out.extend_from_slice(if empty { b"/>" } else { b">" });
            }
            Open::Done => {}
            Open::Removed(change) => {
                if let Some(change) = change {
                    self.note(change);
                }
                self.skip = usize::from(!empty);
                return Lex::Text;
            }
        }
        self.held.open(depth, &self.tag, start);
        if !empty {
            self.depth = depth;
        } else {
            if depth == 2 {
                self.stanza = StanzaCtx::default();
            }
            self.held.closed(depth, out);
        }
        Lex::Text
    }

    /// A (new) stream header: everything starts again below it.
    fn stream_header(&mut self, out: &mut Vec<u8>) -> Lex {
        self.depth = 1;
        self.stanza = StanzaCtx::default();
        self.held.stream_header(&self.tag);
        out.extend_from_slice(&self.tag.raw);
        out.push(b'>');
        Lex::Text
    }

    /// An end tag is complete.
    fn close(&mut self, out: &mut Vec<u8>) -> Lex {
        if self.skip > 0 {
            self.skip -= 1;
            return Lex::Text;
        }
        let (write, change) = self.stanza.close(self.depth, out);
        if let Some(change) = change {
            self.note(change);
        }
        if write {
            self.held.before_end_tag(self.depth, out);
            out.extend_from_slice(b"</");
            out.extend_from_slice(&self.end_name);
            out.push(b'>');
        }
        if self.depth == 2 {
            self.stanza = StanzaCtx::default();
        }
        self.held.closed(self.depth, out);
        self.depth = self.depth.saturating_sub(1);
        Lex::Text
    }
}

/// Text and attribute values are handled by the fast paths in `feed`.
fn unreachable_text() -> Lex {
    Lex::Text
}
