//! Whether a server that listens also *serves* its domain: one plain c2s stream header, and
//! the first answer read. A port that is listened on can still answer `host-unknown` while
//! the host is being set up (seen once in CI: a client's first login after a restart was told
//! "does not serve localhost"); the harness returns a server only once this says `Serving`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

/// What one probe saw.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Answer {
    /// `<stream:features>` came: a client is served.
    Serving,
    /// Anything else (a stream error such as host-unknown, a closed socket, no answer within
    /// a second): the text, for the harness's failure message.
    NotYet(String),
}

/// Opens a stream to `domain` on 127.0.0.1:`port`, reads until the features or a stream
/// error, then closes the stream politely (no error lands in the server's log).
pub(super) fn probe(port: u16, domain: &str) -> Answer {
    match exchange(port, domain) {
        Ok(text) if text.contains("<stream:features") => Answer::Serving,
        Ok(text) => Answer::NotYet(text),
        Err(e) => Answer::NotYet(format!("probe: {e}")),
    }
}

fn exchange(port: u16, domain: &str) -> std::io::Result<String> {
    let mut conn = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    conn.set_read_timeout(Some(Duration::from_secs(1)))?;
    let header = format!(
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' to='{domain}' version='1.0'>"
    );
    conn.write_all(header.as_bytes())?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = conn.read(&mut buf)?;
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen);
        let done =
            n == 0 || text.contains("</stream:features>") || text.contains("</stream:error>");
        if done {
            let _ = conn.write_all(b"</stream:stream>");
            // Until the server closes too: it then logs a clean disconnect.
            while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
            return Ok(text.into_owned());
        }
    }
}
