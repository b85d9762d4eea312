//! Stream errors that tokio-xmpp turns into a silent reconnect.
//!
//! `StanzaStream` handles a `<stream:error>` by dropping the connection and reconnecting,
//! without telling its user why. For some conditions reconnecting is wrong: `<conflict/>`
//! means another client took over this resource (reconnecting would kick it, and it would
//! kick us back, forever), `<policy-violation/>` means the server wants us gone. rosterm's
//! connector therefore passes the decrypted bytes from the server through [`Watched`], which
//! notes the condition of a stream error; the reconnector checks it before trying again.
//!
//! Only a condition element directly inside `<stream:error>` counts, and only if the
//! connection drops right after it, so stanza payloads cannot fake one.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::session::sieve::{FastLane, Sieve, SieveNotes};

const STREAMS_NS: &[u8] = b"urn:ietf:params:xml:ns:xmpp-streams";
/// How much of the previous read is kept so that a match split across reads is found.
const TAIL: usize = 512;

/// The last stream error condition seen, and when.
#[derive(Debug, Clone, Default)]
pub struct StreamErrorWatch(Arc<Mutex<Option<(String, Instant)>>>);

impl StreamErrorWatch {
    /// The condition seen within `window` before now, if any (and forgets it).
    pub fn take_recent(&self, window: Duration) -> Option<String> {
        let mut guard = self.0.lock().ok()?;
        match guard.take() {
            Some((condition, at)) if at.elapsed() <= window => Some(condition),
            _ => None,
        }
    }

    fn note(&self, condition: String) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = Some((condition, Instant::now()));
        }
    }
}

/// Finds `<stream:error><CONDITION xmlns='urn:ietf:params:xml:ns:xmpp-streams'` in `data`.
pub fn find_condition(data: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(offset) = find(&data[from..], STREAMS_NS) {
        let at = from + offset;
        from = at + STREAMS_NS.len();
        let Some(open) = data[..at].iter().rposition(|b| *b == b'<') else {
            continue;
        };
        let name_end = data[open + 1..at]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .map(|p| open + 1 + p)
            .unwrap_or(at);
        let name = &data[open + 1..name_end];
        let before = trim_end(&data[..open]);
        let inside_stream_error = before.ends_with(b"<stream:error>")
            || before.ends_with(b"<error xmlns='http://etherx.jabber.org/streams'>");
        if inside_stream_error
            && !name.is_empty()
            && name.iter().all(|b| b.is_ascii_lowercase() || *b == b'-')
        {
            return Some(String::from_utf8_lossy(name).into_owned());
        }
    }
    None
}

/// Substring search: jumps between occurrences of the needle's first byte.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(p) = haystack.get(from..)?.iter().position(|b| *b == first) {
        let at = from + p;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn trim_end(data: &[u8]) -> &[u8] {
    let end = data
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &data[..end]
}

/// Notes a stream error in `fresh`, looking across the boundary with the previous read.
fn scan(tail: &mut Vec<u8>, watch: &StreamErrorWatch, fresh: &[u8]) {
    if fresh.is_empty() {
        return;
    }
    // Common path: no namespace in this read, nor across the boundary with the last one.
    let k = STREAMS_NS.len() - 1;
    let mut joint = [0u8; 2 * 34];
    let head = &tail[tail.len().saturating_sub(k)..];
    let tail_of_fresh = &fresh[..fresh.len().min(k)];
    joint[..head.len()].copy_from_slice(head);
    joint[head.len()..head.len() + tail_of_fresh.len()].copy_from_slice(tail_of_fresh);
    let across = find(&joint[..head.len() + tail_of_fresh.len()], STREAMS_NS).is_some();
    if across || find(fresh, STREAMS_NS).is_some() {
        let mut data = tail.clone();
        data.extend_from_slice(fresh);
        if let Some(condition) = find_condition(&data) {
            watch.note(condition);
        }
    }
    // Keep the last TAIL bytes for the next read.
    if fresh.len() >= TAIL {
        tail.clear();
        tail.extend_from_slice(&fresh[fresh.len() - TAIL..]);
    } else {
        let excess = (tail.len() + fresh.len()).saturating_sub(TAIL);
        tail.drain(..excess);
        tail.extend_from_slice(fresh);
    }
}

/// Bytes read from the transport at a time.
const READ_CHUNK: usize = 16 * 1024;

/// A transport whose incoming bytes are checked for a stream error and passed through the
/// [`Sieve`] before tokio-xmpp parses them.
pub struct Watched<S> {
    inner: S,
    watch: StreamErrorWatch,
    tail: Vec<u8>,
    sieve: Sieve,
    notes: SieveNotes,
    /// Sieved bytes not yet handed to the reader, from `ready_at` on.
    ready: Vec<u8>,
    ready_at: usize,
    raw: Box<[u8]>,
}

impl<S> Watched<S> {
    pub fn new(
        inner: S,
        watch: StreamErrorWatch,
        notes: SieveNotes,
        lane: Option<FastLane>,
    ) -> Self {
        Watched {
            inner,
            watch,
            tail: Vec::new(),
            sieve: lane.map_or_else(Sieve::default, Sieve::with_lane),
            notes,
            ready: Vec::new(),
            ready_at: 0,
            raw: vec![0; READ_CHUNK].into_boxed_slice(),
        }
    }

    /// Hands out sieved bytes; false when there are none.
    fn hand_out(&mut self, buf: &mut ReadBuf<'_>) -> bool {
        let available = &self.ready[self.ready_at..];
        if available.is_empty() {
            return false;
        }
        let n = available.len().min(buf.remaining());
        buf.put_slice(&available[..n]);
        self.ready_at += n;
        if self.ready_at == self.ready.len() {
            self.ready.clear();
            self.ready_at = 0;
        }
        true
    }

    #[cfg(test)]
    fn scan(&mut self, fresh: &[u8]) {
        scan(&mut self.tail, &self.watch, fresh);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if buf.remaining() == 0 || this.hand_out(buf) {
                return Poll::Ready(Ok(()));
            }
            // Nothing sieved is waiting: read more. A read whose bytes are all removed or
            // held (a tag still open) must not look like the end of the stream (0 bytes),
            // so read again until something comes out or the transport has nothing.
            let mut raw = ReadBuf::new(&mut this.raw);
            match Pin::new(&mut this.inner).poll_read(cx, &mut raw) {
                Poll::Ready(Ok(())) if raw.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    let n = raw.filled().len();
                    let fresh = &this.raw[..n];
                    scan(&mut this.tail, &this.watch, fresh);
                    this.sieve.feed(fresh, &mut this.ready);
                    this.notes.add(this.sieve.take_notes());
                }
                other => return other,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_condition_of_a_stream_error() {
        let xml = b"<presence/><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error></stream:stream>";
        assert_eq!(find_condition(xml).as_deref(), Some("conflict"));
        let xml = b"<stream:error>\n  <policy-violation xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/></stream:error>";
        assert_eq!(find_condition(xml).as_deref(), Some("policy-violation"));
    }

    #[test]
    fn fatal_and_transient_conditions() {
        use crate::session::connect::{stream_error_failure, LoginFailure};
        let account = crate::config::parse(
            std::path::Path::new("c.toml"),
            "[account]\njid = \"a@b\"\npassword = \"p\"\nresource = \"r\"\n",
        )
        .expect("valid")
        .accounts
        .remove(0);
        for fatal in [
            "conflict",
            "policy-violation",
            "host-unknown",
            "not-authorized",
        ] {
            assert!(
                matches!(
                    stream_error_failure(fatal, &account),
                    LoginFailure::Fatal(_)
                ),
                "{fatal}"
            );
        }
        assert!(stream_error_failure("conflict", &account)
            .message()
            .contains("a@b/r"));
        for transient in ["system-shutdown", "connection-timeout", "reset"] {
            assert!(
                matches!(
                    stream_error_failure(transient, &account),
                    LoginFailure::Transient(_)
                ),
                "{transient}"
            );
        }
    }

    #[test]
    fn payloads_cannot_fake_one() {
        // A condition element inside a message, not inside <stream:error>.
        let xml = b"<message><body>hi</body><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></message>";
        assert_eq!(find_condition(xml), None);
        // Escaped text is not markup.
        let xml = b"<message><body>&lt;stream:error&gt;&lt;conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/&gt;</body></message>";
        assert_eq!(find_condition(xml), None);
    }

    #[test]
    fn a_match_split_across_reads_is_found() {
        let watch = StreamErrorWatch::default();
        let mut w = Watched::new(
            tokio::io::empty(),
            watch.clone(),
            SieveNotes::default(),
            Some(FastLane::default()),
        );
        let xml: &[u8] =
            b"<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>";
        for chunk in xml.chunks(7) {
            w.scan(chunk);
        }
        assert_eq!(
            watch.take_recent(Duration::from_secs(5)).as_deref(),
            Some("conflict")
        );
        assert_eq!(
            watch.take_recent(Duration::from_secs(5)),
            None,
            "taken once"
        );
    }
}
