//! The sieve: a streaming pass over the decrypted bytes from the server, below tokio-xmpp's
//! parser, that takes out what would stall or kill the session and repairs what would make
//! the library drop a presence silently.
//!
//! Why here: tokio-xmpp's XML parser (rxml) turns a name or attribute value over 8 KiB into
//! a stream error (the connection is lost, the server redelivers the stanza on resumption,
//! and the loop starts again), xso builds nested elements in time quadratic in the depth
//! (30,000 levels: ~40 s of CPU), and xmpp-parsers rejects a whole presence for one bad
//! `<show>` or `<priority>`, which tokio-xmpp then discards with only a log line. Stanzas
//! from contacts and strangers reach all three, so the bytes are fixed before they do.
//!
//! What it does, and never more:
//! - An element nested more than [`MAX_DEPTH`] levels below its stanza is removed with its
//!   subtree. An attribute whose name or value is longer than [`MAX_TOKEN`] bytes is removed.
//!   An element whose name is that long is removed with its subtree.
//! - In a `<presence>`: a `<show>` whose value is not away/chat/dnd/xa (or a second one) and
//!   a `<priority>` that is not an integer in -128..127 (out of range is clamped) are replaced
//!   by a `<sieve xmlns='urn:x-rosterm:sieve'/>` note carrying the original text, which the
//!   translator turns into a mark on the contact. A second `<status>` in the same language
//!   and anything inside a `<status>` but its text are removed, as are its attributes other
//!   than `xml:lang`.
//! - Top-level elements (stanzas, stream features, XEP-0198 nonzas) are never removed, so
//!   stream management's stanza count stays true.
//! - Every change is recorded as a [`Note`] with the stanza's kind and sender, for the log
//!   and the status line.
//!
//! It is a lexer, not a validator: what it does not understand passes through unchanged for
//! rxml to judge. Cost is linear in the input, and it holds at most one start tag (capped)
//! and one short `<show>`/`<priority>` text at a time.

mod fast;
mod held;
mod lane;
mod lexer;
mod repair;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use lane::FastLane;
pub use lexer::Sieve;

/// Deepest element kept, counted from its stanza (the stanza's children are at depth 1).
pub const MAX_DEPTH: usize = 32;
/// Longest element name, attribute name or attribute value kept, in bytes (rxml's limit is
/// 8,192; escaped text is never shorter than what it decodes to).
pub const MAX_TOKEN: usize = 4096;
/// Namespace of the notes the sieve leaves in a repaired presence.
pub const NS: &str = "urn:x-rosterm:sieve";

/// One change the sieve made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The stanza's element name (`presence`, `message`, `iq`, ...), at most 32 bytes.
    pub stanza: String,
    /// The stanza's `from`, as sent (unsanitized, at most 3,072 bytes; may be absent).
    pub from: Option<String>,
    pub what: Change,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A subtree nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// An element whose name is longer than [`MAX_TOKEN`].
    LongName,
    /// An attribute with a name or value longer than [`MAX_TOKEN`] bytes (its length).
    LongAttribute(usize),
    /// A `<show>` with a value the protocol does not define (the value, shortened).
    BadShow(String),
    /// A `<priority>` out of range or not a number (the value, shortened).
    BadPriority(String),
    /// A second `<show>` or `<priority>`, a second `<status>` in one language, or markup
    /// inside a `<status>`.
    Duplicate(&'static str),
}

impl Note {
    /// Something was taken out (not merely corrected): worth telling the user at once.
    pub fn is_removal(&self) -> bool {
        matches!(
            self.what,
            Change::TooDeep | Change::LongName | Change::LongAttribute(_)
        )
    }

    /// One phrase for the log and the status line (the sender still needs sanitizing).
    pub fn describe(&self) -> String {
        let what = match &self.what {
            Change::TooDeep => format!("removed an element nested over {MAX_DEPTH} levels deep"),
            Change::LongName => "removed an element with an over-long name".into(),
            Change::LongAttribute(n) => format!("removed a {n}-byte attribute"),
            Change::BadShow(v) => format!("invalid show {v:?} shown as available"),
            Change::BadPriority(v) => format!("invalid priority {v:?}"),
            Change::Duplicate(what) => format!("ignored {what}"),
        };
        match &self.from {
            Some(from) => format!("{} from {from}: {what}", self.stanza),
            None => format!("{}: {what}", self.stanza),
        }
    }
}

/// Most notes held between two looks by the session; older ones are counted, not kept.
const MAX_HELD: usize = 64;

/// Notes passed from the transport (which writes them) to the session (which reports them).
#[derive(Debug, Clone, Default)]
pub struct SieveNotes(Arc<NoteQueue>);

#[derive(Debug, Default)]
struct NoteQueue {
    pending: AtomicBool,
    held: Mutex<(VecDeque<Note>, u64)>,
}

impl SieveNotes {
    pub fn add(&self, notes: Vec<Note>) {
        if notes.is_empty() {
            return;
        }
        if let Ok(mut held) = self.0.held.lock() {
            for note in notes {
                if held.0.len() == MAX_HELD {
                    held.0.pop_front();
                    held.1 += 1;
                }
                held.0.push_back(note);
            }
            self.0.pending.store(true, Ordering::Release);
        }
    }

    /// The notes since the last call, and how many more were not kept.
    pub fn take(&self) -> (Vec<Note>, u64) {
        if !self.0.pending.swap(false, Ordering::AcqRel) {
            return (Vec::new(), 0);
        }
        match self.0.held.lock() {
            Ok(mut held) => {
                let lost = std::mem::take(&mut held.1);
                (held.0.drain(..).collect(), lost)
            }
            Err(_) => (Vec::new(), 0),
        }
    }
}

#[cfg(test)]
mod tests;
