//! An account's connection keys: `server`, `port`, `tls`, `cert_fingerprint`, `keepalive`,
//! `dns_server`. Each check takes the raw value and its key as errors name it
//! (`account[2].port`).

use std::net::{IpAddr, SocketAddr};

use super::{bad, Bad};

/// Default for `account.keepalive`.
pub const DEFAULT_KEEPALIVE: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    StartTls,
    Direct,
}

pub(super) fn server(raw: Option<String>, key: &str) -> Result<Option<String>, Bad> {
    check(
        raw,
        key,
        |s| (!s.trim().is_empty() && !s.contains(char::is_whitespace)).then(|| s.clone()),
        |s| format!("{s:?} is not a host name or address"),
    )
}

pub(super) fn port(raw: Option<i64>, key: &str) -> Result<Option<u16>, Bad> {
    check(
        raw,
        key,
        |p| u16::try_from(*p).ok().filter(|p| *p > 0),
        |p| format!("{p} is not a TCP port; expected 1..65535"),
    )
}

pub(super) fn tls(raw: Option<String>, key: &str) -> Result<TlsMode, Bad> {
    let mode = |t: &String| match t.as_str() {
        "starttls" => Some(TlsMode::StartTls),
        "direct" => Some(TlsMode::Direct),
        _ => None,
    };
    let why = |t: &String| format!("{t:?} is not a TLS mode; expected \"starttls\" or \"direct\"");
    Ok(check(raw, key, mode, why)?.unwrap_or(TlsMode::StartTls))
}

pub(super) fn fingerprint(raw: Option<String>, key: &str) -> Result<Option<[u8; 32]>, Bad> {
    check(
        raw,
        key,
        |f| parse_fingerprint(f),
        |f| {
            format!("{f:?} is not a SHA-256 fingerprint; expected \"sha256:\" and 64 hex digits (colons allowed), as rosterm prints for a refused certificate")
        },
    )
}

pub(super) fn keepalive(raw: Option<i64>, key: &str) -> Result<u64, Bad> {
    let keepalive = check(
        raw,
        key,
        |k| u64::try_from(*k).ok().filter(|k| (2..=3600).contains(k)),
        |k| format!("{k} is out of range; expected 2..3600 seconds"),
    )?;
    Ok(keepalive.unwrap_or(DEFAULT_KEEPALIVE))
}

pub(super) fn dns_server(raw: Option<String>, key: &str) -> Result<Option<SocketAddr>, Bad> {
    check(
        raw,
        key,
        |d| parse_dns_server(d),
        |d| {
            format!("{d:?} is not a DNS server address; expected an IP address with an optional port, such as \"127.0.0.1\", \"127.0.0.1:5353\" or \"[::1]:53\"")
        },
    )
}

/// An optional value through `parse`; `why` says what is wrong when it gives `None`.
fn check<T, U>(
    value: Option<T>,
    key: &str,
    parse: impl FnOnce(&T) -> Option<U>,
    why: impl FnOnce(&T) -> String,
) -> Result<Option<U>, Bad> {
    match value {
        None => Ok(None),
        Some(v) => parse(&v).map(Some).ok_or_else(|| bad(key, why(&v))),
    }
}

/// Parses "sha256:AB:CD:..." (or the hex alone) into the 32 digest bytes.
pub fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let hex: String = text
        .trim()
        .strip_prefix("sha256:")
        .or_else(|| text.trim().strip_prefix("SHA256:"))
        .unwrap_or(text.trim())
        .chars()
        .filter(|c| *c != ':')
        .collect();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353"; port 53 when none is given.
fn parse_dns_server(text: &str) -> Option<SocketAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, 53));
    }
    text.parse::<SocketAddr>().ok().filter(|a| a.port() != 0)
}
