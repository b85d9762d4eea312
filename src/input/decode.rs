//! Bytes from the terminal -> keys and pastes: a pure, incremental decoder.
//!
//! It reads what crossterm 0.29's parser reads (same `KeyEvent`s for the same bytes: control
//! keys, CSI/SS3 cursor and function keys with xterm modifiers, Alt as an ESC prefix,
//! bracketed paste) with two differences that are the reason it exists:
//!
//! - **A lone ESC at the end of a read is never lost.** crossterm holds an ESC that ends a
//!   full 1,024-byte read until the next byte arrives (then reads ESC+x as Alt+x): after a
//!   typed burst that filled the tty buffer, the Escape key did nothing. Here a read that is
//!   one ESC is the Escape key at once (a key press arrives in a read of its own, and Esc
//!   then `q` typed quickly stays Esc, `q`); an ESC that ends a longer read waits for the
//!   rest of its sequence (a full buffer may have cut it) until the input has been quiet for
//!   [`ESC_WAIT`] (the caller calls [`Decoder::flush`]), then it is Escape. If a lone-ESC
//!   read is followed by a read starting with the rest of a paste marker, that ESC was the
//!   marker's first byte: the marker still counts, so the paste stays a paste (only a stray
//!   Escape got through, and Escape never sends anything).
//! - **A paste never acts as keys.** See [`Decoder`] for the end-of-paste rule.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// How long an ESC that ended a read waits for the rest of its sequence.
pub const ESC_WAIT: std::time::Duration = std::time::Duration::from_millis(20);
/// How long the input must stay quiet after an end-of-paste marker before what followed it
/// is read as keys.
pub const PASTE_QUIET: std::time::Duration = std::time::Duration::from_millis(50);
/// Most bytes kept from one paste; the rest is dropped (still as paste, never as keys).
pub const MAX_PASTE: usize = 1 << 20;

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// What the terminal sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    Paste(String),
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Keys,
    /// Inside a bracketed paste: its text so far.
    Paste(Vec<u8>),
    /// An end-of-paste marker arrived; what follows is held (not acted on) until it is known
    /// whether that marker was the real end. See [`Decoder`].
    Closing(Vec<u8>),
}

/// Turns terminal bytes into [`Input`]s; feed it every read, and call [`Decoder::flush`] when
/// [`Decoder::wait`] has passed with no new input.
///
/// **The end of a paste.** A terminal writes a paste as one burst: `ESC[200~`, the text,
/// `ESC[201~`. Pasted text can itself contain `ESC[201~` (copied from a hostile web page);
/// some terminals strip it, others pass it through, and then the bytes after it (say
/// `/quit\r`) would look like typed keys, followed by the terminal's own `ESC[201~`. So a
/// paste ends at the *last* end marker of its burst: after an end marker, the bytes that
/// follow are held, never acted on, until one of
/// - another `ESC[201~` (no `ESC[200~` before it): the held bytes were pasted text, they join
///   the paste (the inner marker itself is dropped), and holding goes on;
/// - an `ESC[200~`: a new paste; the held bytes before it are keys;
/// - [`PASTE_QUIET`] without input ([`Decoder::flush`]): the paste is complete and the held
///   bytes are keys (typed right after the paste, only delayed).
///
/// A stray `ESC[201~` outside any paste is dropped. A paste whose end never comes keeps
/// collecting (as crossterm does): the terminal always sends it.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
    state: State,
    /// The last read was a lone ESC, already given out as the Escape key.
    after_lone_esc: bool,
}

/// One step of decoding in the keys state.
enum Step {
    Input(Input, usize),
    PasteStart(usize),
    PasteEnd(usize),
    Skip(usize),
    Incomplete,
}

impl Decoder {
    /// Decodes one read; complete inputs are appended to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Input>) {
        let idle = matches!(self.state, State::Keys) && self.pending.is_empty();
        let after_lone_esc = std::mem::take(&mut self.after_lone_esc);
        if idle && bytes == b"\x1b" {
            self.after_lone_esc = true;
            out.push(key(KeyCode::Esc, KeyModifiers::NONE));
            return;
        }
        if idle
            && after_lone_esc
            && [&PASTE_START[1..], &PASTE_END[1..]]
                .iter()
                .any(|m| bytes.starts_with(m))
        {
            // That ESC was a paste marker's first byte, cut off by a full buffer.
            self.pending.push(0x1b);
        }
        self.pending.extend_from_slice(bytes);
        self.run(false, out);
    }

    /// The input has been quiet for [`Decoder::wait`]: decide what held bytes are.
    pub fn flush(&mut self, out: &mut Vec<Input>) {
        self.run(true, out);
    }

    /// How long to wait for more input before [`Decoder::flush`], if anything is held.
    pub fn wait(&self) -> Option<std::time::Duration> {
        match self.state {
            State::Paste(_) => None,
            State::Closing(_) => Some(PASTE_QUIET),
            State::Keys => (!self.pending.is_empty()).then_some(ESC_WAIT),
        }
    }

    fn run(&mut self, quiet: bool, out: &mut Vec<Input>) {
        let mut pos = 0;
        loop {
            let rest = &self.pending[pos..];
            match &mut self.state {
                State::Keys => match step(rest) {
                    Step::Input(input, n) => {
                        out.push(input);
                        pos += n;
                    }
                    Step::PasteStart(n) => {
                        self.state = State::Paste(Vec::new());
                        pos += n;
                    }
                    Step::PasteEnd(n) | Step::Skip(n) => pos += n,
                    Step::Incomplete if rest.is_empty() || !quiet => break,
                    Step::Incomplete => pos += flush_partial(rest, out),
                },
                State::Paste(text) => match find(rest, PASTE_END) {
                    Some(i) => {
                        push_capped(text, &rest[..i]);
                        self.state = State::Closing(std::mem::take(text));
                        pos += i + PASTE_END.len();
                    }
                    None => {
                        // Keep a possible partial marker for the next read.
                        let keep = partial_suffix(rest, PASTE_END);
                        push_capped(text, &rest[..rest.len() - keep]);
                        pos += rest.len() - keep;
                        break;
                    }
                },
                State::Closing(text) => {
                    let start = find(rest, PASTE_START);
                    // An end marker before any new start: what was held is pasted text.
                    let end = find(rest, PASTE_END).filter(|e| start.is_none_or(|s| *e < s));
                    match (end, start) {
                        (Some(e), _) => {
                            push_capped(text, &rest[..e]);
                            pos += e + PASTE_END.len();
                        }
                        (None, Some(_)) => self.close_paste(out),
                        (None, None) if quiet => self.close_paste(out),
                        // More than a paste's worth held without a pause: still paste.
                        (None, None) if rest.len() > MAX_PASTE => {
                            let n = rest.len() - partial_suffix(rest, PASTE_END);
                            push_capped(text, &rest[..n]);
                            pos += n;
                        }
                        (None, None) => break,
                    }
                }
            }
        }
        self.pending.drain(..pos);
    }

    fn close_paste(&mut self, out: &mut Vec<Input>) {
        if let State::Closing(text) = std::mem::take(&mut self.state) {
            out.push(Input::Paste(String::from_utf8_lossy(&text).into_owned()));
        }
    }
}

/// After quiet input, an incomplete sequence is what it can be: a lone ESC is the Escape key,
/// ESC + an incomplete rest is Escape followed by the rest; a cut UTF-8 character is dropped.
fn flush_partial(rest: &[u8], out: &mut Vec<Input>) -> usize {
    if rest.first() == Some(&0x1b) {
        out.push(key(KeyCode::Esc, KeyModifiers::NONE));
        1
    } else {
        rest.len()
    }
}

fn push_capped(text: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_PASTE.saturating_sub(text.len());
    text.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Length of the longest suffix of `bytes` that is a proper prefix of `marker`.
fn partial_suffix(bytes: &[u8], marker: &[u8]) -> usize {
    (1..marker.len())
        .rev()
        .find(|&n| bytes.ends_with(&marker[..n]))
        .unwrap_or(0)
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Input {
    Input::Key(KeyEvent::new(code, modifiers))
}

/// Decodes the first key (or marker) in `b`, in the keys state.
fn step(b: &[u8]) -> Step {
    let Some(&first) = b.first() else {
        return Step::Incomplete;
    };
    let ctrl = KeyModifiers::CONTROL;
    let (code, mods) = match first {
        0x1b => return escape(b),
        b'\r' => (KeyCode::Enter, KeyModifiers::NONE),
        b'\t' => (KeyCode::Tab, KeyModifiers::NONE),
        0x7f => (KeyCode::Backspace, KeyModifiers::NONE),
        // Raw mode: LF is Ctrl-J, as in crossterm.
        c @ 0x01..=0x1a => (KeyCode::Char(char::from(c - 1 + b'a')), ctrl),
        c @ 0x1c..=0x1f => (KeyCode::Char(char::from(c - 0x1c + b'4')), ctrl),
        0 => (KeyCode::Char(' '), ctrl),
        _ => return utf8(b),
    };
    Step::Input(key(code, mods), 1)
}

fn utf8(b: &[u8]) -> Step {
    let need = match b[0] {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return Step::Skip(1),
    };
    if b.len() < need {
        return match b[1..].iter().all(|c| c & 0xc0 == 0x80) {
            true => Step::Incomplete,
            false => Step::Skip(1),
        };
    }
    match std::str::from_utf8(&b[..need])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => {
            let mods = match c.is_uppercase() {
                true => KeyModifiers::SHIFT,
                false => KeyModifiers::NONE,
            };
            Step::Input(key(KeyCode::Char(c), mods), need)
        }
        None => Step::Skip(1),
    }
}

/// `b` starts with ESC.
fn escape(b: &[u8]) -> Step {
    match b.get(1) {
        None => Step::Incomplete,
        Some(b'[') => csi(b),
        Some(b'O') => match b.get(2) {
            None => Step::Incomplete,
            Some(&f) => match cursor_key(f) {
                Some(code) => Step::Input(key(code, KeyModifiers::NONE), 3),
                None => Step::Skip(3),
            },
        },
        // ESC ESC: the first is the Escape key; the second is read on its own.
        Some(0x1b) => Step::Input(key(KeyCode::Esc, KeyModifiers::NONE), 1),
        Some(_) => match step(&b[1..]) {
            Step::Input(Input::Key(mut k), n) => {
                k.modifiers |= KeyModifiers::ALT;
                Step::Input(Input::Key(k), n + 1)
            }
            Step::Incomplete => Step::Incomplete,
            _ => Step::Input(key(KeyCode::Esc, KeyModifiers::NONE), 1),
        },
    }
}

/// Final bytes shared by CSI and SS3 cursor/function keys.
fn cursor_key(f: u8) -> Option<KeyCode> {
    Some(match f {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => return None,
    })
}

/// Longest CSI sequence accepted; anything longer is junk and skipped.
const MAX_CSI: usize = 64;

/// `b` starts with ESC `[`.
fn csi(b: &[u8]) -> Step {
    let Some(end) = b.iter().skip(2).position(|c| !(0x20..0x40).contains(c)) else {
        return match b.len() > MAX_CSI {
            true => Step::Skip(b.len()),
            false => Step::Incomplete,
        };
    };
    let end = end + 2;
    let len = end + 1;
    let f = b[end];
    if !(0x40..=0x7e).contains(&f) {
        return Step::Skip(end);
    }
    let params: Vec<u16> = std::str::from_utf8(&b[2..end])
        .unwrap_or("")
        .split(';')
        .map(|p| {
            p.split(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    let mods = modifiers(params.get(1).copied().unwrap_or(1));
    let code = match (f, params.first().copied().unwrap_or(0)) {
        (b'~', 200) => return Step::PasteStart(len),
        (b'~', 201) => return Step::PasteEnd(len),
        (b'Z', _) => return Step::Input(key(KeyCode::BackTab, KeyModifiers::SHIFT), len),
        (b'~', n) => match tilde_key(n) {
            Some(code) => code,
            None => return Step::Skip(len),
        },
        (f, _) => match cursor_key(f) {
            Some(code) => code,
            None => return Step::Skip(len),
        },
    };
    Step::Input(key(code, mods), len)
}

fn tilde_key(n: u16) -> Option<KeyCode> {
    let f = |k: u16| u8::try_from(k).ok().map(KeyCode::F);
    match n {
        1 | 7 => Some(KeyCode::Home),
        2 => Some(KeyCode::Insert),
        3 => Some(KeyCode::Delete),
        4 | 8 => Some(KeyCode::End),
        5 => Some(KeyCode::PageUp),
        6 => Some(KeyCode::PageDown),
        11..=15 => f(n - 10),
        17..=21 => f(n - 11),
        23..=26 => f(n - 12),
        28..=29 => f(n - 15),
        31..=34 => f(n - 17),
        _ => None,
    }
}

/// xterm's modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4).
fn modifiers(param: u16) -> KeyModifiers {
    let bits = param.saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    for (bit, flag) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
    ] {
        if bits & bit != 0 {
            m |= flag;
        }
    }
    m
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
