//! The fast lane for presence: a presence the sieve has already passed through is read here,
//! straight into xmpp-parsers' `Presence`, instead of by rxml and xso in tokio-xmpp. A
//! presence is the most frequent stanza by far (a roster of 20,000 sends 20,000 at login and
//! a storm more), and the generic path spends most of a presence's cost building it.
//!
//! What this reads is the sieve's output, so it is already bounded in depth and token length
//! and its `<show>`, `<priority>` and `<status>` are repaired. It reads the plain shape only:
//! ASCII names without prefixes, no comments, CDATA or processing instructions, no `\r`, no
//! control characters, no attributes other than the ones xmpp-parsers reads on the presence.
//! Anything else gives `None`, and the presence takes the generic path unchanged: this lane
//! may decline any presence, but what it reads must equal what xso would have built (the
//! tests compare the two on the same bytes).

use jid::Jid;
use xmpp_parsers::message::Lang;
use xmpp_parsers::minidom::rxml::NcName;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::{Presence, Priority, Show, Type};

const CLIENT_NS: &str = "jabber:client";

/// A start tag: its name, attributes (name, unescaped value) and whether it is empty.
struct Start<'a> {
    name: &'a [u8],
    attrs: Vec<(&'a [u8], String)>,
    empty: bool,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// The last `to` read: every presence on a stream is addressed to the same JID, so it is
/// parsed once.
#[derive(Debug, Default)]
pub struct LastTo(Option<(String, Jid)>);

impl LastTo {
    fn jid(&mut self, text: String) -> Option<Jid> {
        if let Some((known, jid)) = &self.0 {
            if *known == text {
                return Some(jid.clone());
            }
        }
        let jid = Jid::new(&text).ok()?;
        self.0 = Some((text, jid.clone()));
        Some(jid)
    }
}

/// Reads one sieved `<presence>` (the whole stanza, nothing after it); `lang` is the
/// `xml:lang` in force around it (the stream header's).
#[cfg(test)]
pub fn presence(bytes: &[u8], lang: &str) -> Option<Presence> {
    presence_to(bytes, lang, &mut LastTo::default())
}

/// [`presence`], remembering the last `to` in `last_to`.
pub fn presence_to(bytes: &[u8], lang: &str, last_to: &mut LastTo) -> Option<Presence> {
    let mut r = Reader::new(bytes)?;
    let start = r.start_tag()?;
    if start.name != b"presence" {
        return None;
    }
    let mut p = Presence::new(Type::None);
    let mut lang = lang.to_owned();
    for (name, value) in start.attrs {
        match name {
            b"from" => p.from = Some(Jid::new(&value).ok()?),
            b"to" => p.to = Some(last_to.jid(value)?),
            b"id" => p.id = Some(value),
            b"type" => p.type_ = presence_type(&value)?,
            b"xmlns" if value == CLIENT_NS => {}
            b"xml:lang" => lang = value,
            _ => return None,
        }
    }
    if !start.empty {
        r.children(&mut p, &lang)?;
    }
    (r.at == bytes.len()).then_some(p)
}

fn presence_type(value: &str) -> Option<Type> {
    Some(match value {
        "error" => Type::Error,
        "probe" => Type::Probe,
        "subscribe" => Type::Subscribe,
        "subscribed" => Type::Subscribed,
        "unavailable" => Type::Unavailable,
        "unsubscribe" => Type::Unsubscribe,
        "unsubscribed" => Type::Unsubscribed,
        _ => return None,
    })
}

fn show(value: &str) -> Option<Show> {
    Some(match value {
        "away" => Show::Away,
        "chat" => Show::Chat,
        "dnd" => Show::Dnd,
        "xa" => Show::Xa,
        _ => return None,
    })
}

fn is_name(name: &[u8]) -> bool {
    name.first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`, unless they hold a `\r` or a control character (line-end
    /// normalization and XML's refusal of those are left to rxml).
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let plain = !bytes
            .iter()
            .any(|b| *b == b'\r' || (*b < 0x20 && !matches!(b, b'\t' | b'\n')));
        plain.then_some(Reader { bytes, at: 0 })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.at += 1;
        }
    }

    fn name(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| !is_space(b) && !matches!(b, b'=' | b'>' | b'/' | b'<'))
        {
            self.at += 1;
        }
        let name = &self.bytes[start..self.at];
        let local = name.strip_prefix(b"xml:").unwrap_or(name);
        is_name(local).then_some(name)
    }

    /// `<name attr='v' ...>` or `.../>`, at `at`.
    fn start_tag(&mut self) -> Option<Start<'a>> {
        (self.peek()? == b'<').then_some(())?;
        self.at += 1;
        let name = self.name()?;
        let mut attrs = Vec::new();
        loop {
            self.skip_space();
            match self.peek()? {
                b'>' => {
                    self.at += 1;
                    return Some(Start {
                        name,
                        attrs,
                        empty: false,
                    });
                }
                b'/' => {
                    self.at += 1;
                    (self.peek()? == b'>').then_some(())?;
                    self.at += 1;
                    return Some(Start {
                        name,
                        attrs,
                        empty: true,
                    });
                }
                _ => attrs.push(self.attribute()?),
            }
        }
    }

    fn attribute(&mut self) -> Option<(&'a [u8], String)> {
        let name = self.name()?;
        self.skip_space();
        (self.peek()? == b'=').then_some(())?;
        self.at += 1;
        self.skip_space();
        let quote = self.peek().filter(|q| matches!(q, b'\'' | b'"'))?;
        self.at += 1;
        let len = self.bytes[self.at..].iter().position(|b| *b == quote)?;
        let raw = &self.bytes[self.at..self.at + len];
        self.at += len + 1;
        if raw.contains(&b'<') {
            return None;
        }
        // Attribute-value normalization: a literal tab or newline reads as a space (a
        // character reference to one stays what it is).
        let value = if raw.iter().any(|b| matches!(b, b'\t' | b'\n')) {
            let spaced: Vec<u8> = raw
                .iter()
                .map(|b| if matches!(b, b'\t' | b'\n') { b' ' } else { *b })
                .collect();
            unescape(&spaced)?
        } else {
            unescape(raw)?
        };
        Some((name, value))
    }

    /// Text up to the next `<` (unescaped), or `None` if it is not plain.
    fn text(&mut self) -> Option<String> {
        let len = self.bytes[self.at..]
            .iter()
            .position(|b| *b == b'<')
            .unwrap_or(self.bytes.len() - self.at);
        let raw = &self.bytes[self.at..self.at + len];
        self.at += len;
        if raw.contains(&b'>') && raw.windows(3).any(|w| w == b"]]>") {
            return None;
        }
        unescape(raw)
    }

    /// `</name>`, at `at`.
    fn end_tag(&mut self, name: &[u8]) -> Option<()> {
        let rest = &self.bytes[self.at..];
        let inner = rest.strip_prefix(b"</")?.strip_prefix(name)?;
        let spaces = inner.iter().take_while(|b| is_space(**b)).count();
        (inner.get(spaces) == Some(&b'>')).then_some(())?;
        self.at += 2 + name.len() + spaces + 1;
        Some(())
    }

    fn at_end_tag(&self) -> bool {
        self.bytes[self.at..].starts_with(b"</")
    }

    /// The presence's children, through `</presence>`.
    fn children(&mut self, p: &mut Presence, lang: &str) -> Option<()> {
        let mut shows = 0;
        let mut priorities = 0;
        loop {
            let text = self.text()?;
            if !text.bytes().all(is_space) {
                return None;
            }
            if self.at_end_tag() {
                return self.end_tag(b"presence");
            }
            let start = self.start_tag()?;
            let ns = child_ns(&start, CLIENT_NS)?;
            match (start.name, ns == CLIENT_NS) {
                (b"show", true) => {
                    shows += 1;
                    p.show = Some(show(&self.field(&start, &[])?)?);
                }
                (b"priority", true) => {
                    priorities += 1;
                    p.priority = Priority(self.field(&start, &[])?.trim().parse().ok()?);
                }
                (b"status", true) => {
                    let own = start.attrs.iter().find(|(n, _)| *n == b"xml:lang");
                    let key = Lang(own.map_or(lang, |(_, v)| v.as_str()).to_owned());
                    let text = self.field(&start, &[b"xml:lang"])?;
                    if p.statuses.insert(key, text).is_some() {
                        return None;
                    }
                }
                _ => p.payloads.push(self.element(start, ns)?),
            }
            if shows > 1 || priorities > 1 {
                return None;
            }
        }
    }

    /// A text-only child in the client namespace with only the attributes named.
    fn field(&mut self, start: &Start<'a>, allowed: &[&[u8]]) -> Option<String> {
        let others = start
            .attrs
            .iter()
            .any(|(n, _)| *n != b"xmlns" && !allowed.contains(n));
        if others {
            return None;
        }
        if start.empty {
            return Some(String::new());
        }
        let text = self.text()?;
        self.end_tag(start.name)?;
        Some(text)
    }

    /// A payload element and its subtree, as xso builds it for `Presence::payloads`.
    fn element(&mut self, start: Start<'a>, ns: String) -> Option<Element> {
        let name = std::str::from_utf8(start.name).ok()?;
        let mut builder = Element::builder(name, ns.clone());
        for (attr, value) in &start.attrs {
            if *attr == b"xmlns" {
                continue;
            }
            let attr = std::str::from_utf8(attr).ok()?;
            if attr.contains(':') {
                return None;
            }
            builder = builder.attr(NcName::try_from(attr).ok()?, value.as_str());
        }
        let mut el = builder.build();
        if start.empty {
            return Some(el);
        }
        loop {
            let text = self.text()?;
            if !text.is_empty() {
                el.append_text(text);
            }
            if self.at_end_tag() {
                self.end_tag(start.name)?;
                return Some(el);
            }
            let child = self.start_tag()?;
            let child_ns = child_ns(&child, &ns)?;
            el.append_child(self.element(child, child_ns)?);
        }
    }
}

/// An element's namespace: its `xmlns`, else its parent's. Prefixed names and namespace
/// declarations with a prefix are not read here.
fn child_ns(start: &Start<'_>, parent: &str) -> Option<String> {
    if start.name.contains(&b':') {
        return None;
    }
    let mut ns = parent.to_owned();
    for (name, value) in &start.attrs {
        if name.starts_with(b"xmlns:") {
            return None;
        }
        if *name == b"xmlns" {
            ns.clone_from(value);
        }
    }
    Some(ns)
}

/// Unescapes the predefined entities and character references; `None` for anything else
/// (an unknown entity, a reference to a character XML does not allow, invalid UTF-8).
pub fn unescape(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    if !text.contains('&') {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        out.push(entity(&after[..semi])?);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn entity(name: &str) -> Option<char> {
    let code = match name {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => match name.strip_prefix("#x") {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => name.strip_prefix('#')?.parse().ok()?,
        },
    };
    char::from_u32(code).filter(|c| xml_char(*c))
}

/// A character XML 1.0 allows (§2.2).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[path = "fast_roster.rs"]
mod roster;
pub use roster::roster_item;

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
