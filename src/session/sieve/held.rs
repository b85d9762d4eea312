//! What the sieve holds back for the fast lane (see `fast` and `lane`): a `<presence>`
//! until it is complete, and each `<item>` of a roster query. A complete one that the fast
//! lane reads is parked and replaced in the output (a presence by its stub, a query's items
//! by one marker before `</query>`); one it declines is passed on as it is.

use xmpp_parsers::roster::Item;

use super::fast;
use super::lane::FastLane;
use super::lexer::Tag;

/// A presence or roster item longer than this (after sieving) is passed on as it is read
/// rather than held.
const MAX_HOLD: usize = 16 * 1024;

#[derive(Debug, Default)]
pub(super) struct Held {
    /// None: every stanza is passed on as it is.
    lane: Option<FastLane>,
    /// The element being held: where it starts in the output, and its depth.
    hold: Option<(usize, usize)>,
    /// Its bytes so far, between two `feed`s.
    bytes: Vec<u8>,
    /// Inside an IQ result (roster pushes, one item each, are left to the generic path).
    in_iq: bool,
    /// Inside an IQ's roster query: the items read so far.
    roster: Option<Vec<Item>>,
    /// The stream header's `xml:lang`, which a `<status>` without its own inherits.
    stream_lang: String,
    last_to: fast::LastTo,
}

impl Held {
    pub fn new(lane: FastLane) -> Self {
        Held {
            lane: Some(lane),
            ..Held::default()
        }
    }

    /// A `feed` begins: what was held is put back at the end of `out`.
    pub fn resume(&mut self, out: &mut Vec<u8>) {
        if let Some((_, depth)) = self.hold {
            self.hold = Some((out.len(), depth));
            out.append(&mut self.bytes);
        }
    }

    /// A `feed` ends: what is still held is taken out of `out` (or let go, if too long).
    pub fn suspend(&mut self, out: &mut Vec<u8>) {
        if let Some((start, _)) = self.hold {
            if out.len() - start > MAX_HOLD {
                self.hold = None;
            } else {
                self.bytes.extend_from_slice(&out[start..]);
                out.truncate(start);
            }
        }
    }

    pub fn stream_header(&mut self, tag: &Tag) {
        self.hold = None;
        self.roster = None;
        self.in_iq = false;
        self.stream_lang = tag
            .attr(b"xml:lang")
            .and_then(fast::unescape)
            .unwrap_or_default();
    }

    /// A start tag at `depth`, kept, has been written to the output from `start` on.
    pub fn open(&mut self, depth: usize, tag: &Tag, start: usize) {
        if self.lane.is_none() {
            return;
        }
        let name = tag.name();
        match depth {
            2 => {
                self.roster = None;
                self.in_iq = name == b"iq" && tag.attr(b"type") == Some(b"result");
                if name == b"presence" {
                    self.hold = Some((start, depth));
                }
            }
            3 if self.in_iq
                && name == b"query"
                && tag.attr(b"xmlns") == Some(b"jabber:iq:roster") =>
            {
                self.roster = Some(Vec::new());
            }
            4 if self.roster.is_some() && name == b"item" => {
                self.hold = Some((start, depth));
            }
            _ => {}
        }
    }

    /// The end tag of the element at `depth` is about to be written.
    pub fn before_end_tag(&mut self, depth: usize, out: &mut Vec<u8>) {
        if depth != 3 {
            return;
        }
        let (Some(items), Some(lane)) = (self.roster.take(), self.lane.as_ref()) else {
            return;
        };
        if items.is_empty() {
            return;
        }
        if let Some(marker) = lane.park_items(items) {
            out.extend_from_slice(&marker);
        }
    }

    /// The element at `depth` is complete in `out`.
    pub fn closed(&mut self, depth: usize, out: &mut Vec<u8>) {
        let (Some((start, held_depth)), Some(lane)) = (self.hold, self.lane.as_ref()) else {
            return;
        };
        if held_depth != depth {
            if depth == 2 {
                // The stanza ended with something deeper still held (cannot happen: a held
                // element is never removed); let it go rather than hold the stream.
                self.hold = None;
            }
            return;
        }
        self.hold = None;
        if depth == 2 {
            let Some(p) = fast::presence_to(&out[start..], &self.stream_lang, &mut self.last_to)
            else {
                return;
            };
            if let Some(stub) = lane.park(p) {
                out.truncate(start);
                out.extend_from_slice(&stub);
            }
        } else if let (Some(items), Some(item)) =
            (self.roster.as_mut(), fast::roster_item(&out[start..]))
        {
            items.push(item);
            out.truncate(start);
        }
    }
}
