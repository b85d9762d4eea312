//! The accounts: one `[account]` table, or `[[account]]` tables, one per account. Each is
//! checked on its own (JID, password source, resource, name, its `presence` overrides; the
//! connection keys in `connection`), then against the others (names unique, no JID and
//! resource twice).
//! Errors name the table as `account` (a single `[account]`) or `account[N]` (1-based).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use jid::BareJid;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::connection::{self, TlsMode};
use super::presence::{self, PresenceOverride, RawPresence};
use super::{bad, resolve_relative, Bad, Secret};

/// The longest `account.name`, in characters.
const MAX_NAME: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    Literal(Secret),
    /// Run with `sh -c`; the first line of stdout is the password.
    Command(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub jid: BareJid,
    pub password: PasswordSource,
    pub resource: Option<String>,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub ca_file: Option<PathBuf>,
    /// SHA-256 of the server's certificate (DER), trusted instead of a CA chain when set.
    pub cert_fingerprint: Option<[u8; 32]>,
    /// Seconds of silence before rosterm probes the connection (dead after this + up to 15 s).
    pub keepalive: u64,
    /// The DNS server to ask (SRV and addresses) instead of the system's resolver.
    pub dns_server: Option<SocketAddr>,
    /// Shown on screen; unique among the accounts. Defaults to the JID.
    pub name: String,
    /// What this account sends instead of the global `[presence]`.
    pub presence: PresenceOverride,
}

/// `account` as written: one table, or an array of tables.
pub(super) enum RawAccounts {
    One(Box<RawAccount>),
    Many(Vec<RawAccount>),
}

impl<'de> Deserialize<'de> for RawAccounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrMany;
        impl<'de> Visitor<'de> for OneOrMany {
            type Value = RawAccounts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an [account] table or [[account]] tables")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawAccounts, A::Error> {
                RawAccount::deserialize(MapAccessDeserializer::new(map))
                    .map(|a| RawAccounts::One(Box::new(a)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawAccounts, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(RawAccounts::Many)
            }
        }
        deserializer.deserialize_any(OneOrMany)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an account table")]
pub(super) struct RawAccount {
    jid: Option<String>,
    name: Option<String>,
    password: Option<String>,
    password_command: Option<String>,
    resource: Option<String>,
    server: Option<String>,
    port: Option<i64>,
    tls: Option<String>,
    ca_file: Option<PathBuf>,
    cert_fingerprint: Option<String>,
    keepalive: Option<i64>,
    dns_server: Option<String>,
    presence: Option<RawPresence>,
}

/// Every account, in file order; at least one.
pub(super) fn validate_all(
    raw: Option<RawAccounts>,
    config_path: &Path,
) -> Result<Vec<Account>, Bad> {
    let tables: Vec<(String, RawAccount)> = match raw {
        None => Vec::new(),
        Some(RawAccounts::One(account)) => vec![("account".to_owned(), *account)],
        Some(RawAccounts::Many(accounts)) => (1..)
            .map(|i| format!("account[{i}]"))
            .zip(accounts)
            .collect(),
    };
    if tables.is_empty() {
        return Err(bad(
            "[account]",
            "missing; it needs at least jid and password (or password_command)",
        ));
    }
    let mut accounts = Vec::with_capacity(tables.len());
    let mut places = Vec::with_capacity(tables.len());
    for (at, raw) in tables {
        accounts.push(validate(raw, &at, config_path)?);
        places.push(at);
    }
    check_distinct(&accounts, &places)?;
    Ok(accounts)
}

/// One account table; `at` is its place in errors (`account`, `account[2]`).
fn validate(raw: RawAccount, at: &str, config_path: &Path) -> Result<Account, Bad> {
    let key = |name: &str| format!("{at}.{name}");
    let jid = jid(raw.jid, &key("jid"))?;
    let name = name(raw.name, &jid, &key("name"))?;
    let password = password(raw.password, raw.password_command, at)?;
    let resource = resource(raw.resource, &jid, &key("resource"))?;
    let presence = presence::validate(raw.presence.unwrap_or_default(), &key("presence"))?;
    Ok(Account {
        jid,
        password,
        resource,
        server: connection::server(raw.server, &key("server"))?,
        port: connection::port(raw.port, &key("port"))?,
        tls: connection::tls(raw.tls, &key("tls"))?,
        ca_file: raw.ca_file.map(|p| resolve_relative(config_path, p)),
        cert_fingerprint: connection::fingerprint(raw.cert_fingerprint, &key("cert_fingerprint"))?,
        keepalive: connection::keepalive(raw.keepalive, &key("keepalive"))?,
        dns_server: connection::dns_server(raw.dns_server, &key("dns_server"))?,
        name,
        presence,
    })
}

fn jid(raw: Option<String>, key: &str) -> Result<BareJid, Bad> {
    let text = raw.ok_or_else(|| {
        bad(
            key,
            "missing; set it to your bare JID, e.g. \"alice@example.org\"",
        )
    })?;
    let jid = BareJid::new(&text).map_err(|e| {
        bad(
            key,
            format!(
                "{text:?} is not a valid JID ({e}); expected a bare JID like \"alice@example.org\""
            ),
        )
    })?;
    if jid.node().is_none() {
        return Err(bad(
            key,
            format!("{text:?} has no user part; expected a bare JID like \"alice@example.org\""),
        ));
    }
    Ok(jid)
}

/// Non-empty, at most [`MAX_NAME`] characters, no control characters; the JID when unset.
fn name(raw: Option<String>, jid: &BareJid, key: &str) -> Result<String, Bad> {
    let Some(name) = raw else {
        return Ok(jid.to_string());
    };
    if name.trim().is_empty() {
        return Err(bad(
            key,
            "is empty; write a name, or remove it to show the JID",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(bad(
            key,
            format!(
                "{name:?} is {} characters long; at most {MAX_NAME} fit on screen",
                name.chars().count()
            ),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(bad(
            key,
            format!("{name:?} holds a control character (a tab, a newline...); use printable text"),
        ));
    }
    Ok(name)
}

/// `at` is the account's table: the error may be about `password` or `password_command`.
fn password(
    literal: Option<String>,
    command: Option<String>,
    at: &str,
) -> Result<PasswordSource, Bad> {
    match (literal, command) {
        (Some(_), Some(_)) => Err(bad(
            format!("{at}.password"),
            "set either password or password_command, not both",
        )),
        (Some(p), None) => Ok(PasswordSource::Literal(Secret(p))),
        (None, Some(cmd)) if !cmd.trim().is_empty() => Ok(PasswordSource::Command(cmd)),
        (None, Some(_)) => Err(bad(format!("{at}.password_command"), "is empty")),
        (None, None) => Err(bad(
            format!("{at}.password"),
            "missing; set password or password_command",
        )),
    }
}

fn resource(raw: Option<String>, jid: &BareJid, key: &str) -> Result<Option<String>, Bad> {
    let Some(r) = raw else { return Ok(None) };
    if r.trim().is_empty() {
        return Err(bad(key, "is empty; remove it to let the server choose"));
    }
    jid::FullJid::new(&format!("{jid}/{r}"))
        .map_err(|e| bad(key, format!("{r:?} is not a valid resource ({e})")))?;
    Ok(Some(r))
}

/// No two accounts share a name, or a JID and resource (each login would knock the other off).
fn check_distinct(accounts: &[Account], places: &[String]) -> Result<(), Bad> {
    for (i, a) in accounts.iter().enumerate() {
        for (b, other) in accounts[..i].iter().zip(places) {
            if a.jid == b.jid && a.resource == b.resource {
                let resource = a
                    .resource
                    .as_deref()
                    .map_or("unset".into(), |r| format!("{r:?}"));
                return Err(bad(
                    format!("{}.resource", places[i]),
                    format!(
                        "same jid ({}) and resource ({resource}) as {other}; \
                         each login of one JID needs its own resource",
                        a.jid
                    ),
                ));
            }
            if a.name == b.name {
                let default = if a.name == a.jid.as_str() {
                    " (an account without a name is named after its JID)"
                } else {
                    ""
                };
                return Err(bad(
                    format!("{}.name", places[i]),
                    format!(
                        "{:?} is also the name of {other}{default}; names must be unique",
                        a.name
                    ),
                ));
            }
        }
    }
    Ok(())
}
