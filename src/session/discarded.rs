//! Stanzas the XMPP library discards. tokio-xmpp drops every stanza xmpp-parsers rejects and
//! says so only through the `log` crate ("Received invalid stanza: ..."). rosterm installs a
//! `log` logger that catches exactly those records and nothing else (tokio-xmpp's other log
//! output can carry raw XML, SASL included, and is not let through), and counts them for the
//! session thread they happened on: each session runs its own single-threaded runtime on its
//! own thread, so the thread identifies the session.
//!
//! The sieve repairs what is known to be rejected; this catches the rest, so that nothing is
//! dropped silently.

use std::cell::RefCell;

/// At most this many descriptions are held between two looks by the session.
const MAX_HELD: usize = 16;

thread_local! {
    static DISCARDED: RefCell<(u64, Vec<String>)> = const { RefCell::new((0, Vec::new())) };
}

struct Catcher;

static CATCHER: Catcher = Catcher;

/// Is this a record of a stanza the library discarded?
pub fn is_discard(target: &str, level: log::Level, text: &str) -> bool {
    target.starts_with("tokio_xmpp") && level <= log::Level::Warn && text.contains("invalid stanza")
}

impl log::Log for Catcher {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("tokio_xmpp") && metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        if is_discard(record.target(), record.level(), &text) {
            note(text);
        }
    }

    fn flush(&self) {}
}

/// Counts one discarded stanza on this thread.
pub fn note(text: String) {
    DISCARDED.with(|d| {
        let mut d = d.borrow_mut();
        d.0 += 1;
        if d.1.len() < MAX_HELD {
            d.1.push(text);
        }
    });
}

/// Installs the catcher (once per process; later calls do nothing).
pub fn install() {
    if log::set_logger(&CATCHER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
}

/// Stanzas discarded on this thread since the last call: the count and some descriptions
/// (as tokio-xmpp wrote them: element name and the parser's reason, no content).
pub fn take() -> (u64, Vec<String>) {
    DISCARDED.with(|d| std::mem::take(&mut *d.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_discard_records_count_and_only_on_their_thread() {
        install();
        log::warn!(target: "tokio_xmpp::stanzastream::connected", "Received invalid stanza: invalid stanza received: <{{jabber:client}}presence/> (Invalid value for show.); discarding silently.");
        log::warn!(target: "tokio_xmpp::stanzastream::connected", "Received unsupported stream element");
        log::warn!(target: "other_crate", "invalid stanza");
        log::debug!(target: "tokio_xmpp", "invalid stanza at debug");
        let other = std::thread::spawn(take).join().expect("thread");
        assert_eq!(other.0, 0, "counted on the thread that logged it");
        let (count, texts) = take();
        assert_eq!(count, 1);
        assert!(texts[0].contains("presence"));
        assert_eq!(take().0, 0, "taken once");
    }
}
