//! Login failures in one sentence each, and whether retrying can help: wrong password and
//! certificate problems are fatal (retrying cannot fix them), a server that is down, slow or
//! shutting down is transient (back off, retry).

use tokio_xmpp::error::{AuthError, ProtocolError};
use tokio_xmpp::rustls;

use super::srv::DialError;
use super::{CertProbe, ConnectError, LoginFailure, Progress, Refused, Stage};
use crate::config::Account;

/// Turns a login error into one sentence, and says whether retrying can help.
pub fn classify(err: &tokio_xmpp::Error, account: &Account, probe: &CertProbe) -> LoginFailure {
    use tokio_xmpp::Error as E;
    let jid = &account.jid;
    let domain = jid.domain().as_str();
    let server = account.server.as_deref().unwrap_or(domain);
    match err {
        E::Auth(AuthError::Fail(condition)) => LoginFailure::Fatal(format!(
            "Login failed: the server rejected the password for {jid} ({}); check account.password.",
            sasl_condition(condition)
        )),
        E::Auth(AuthError::NoMechanism) => LoginFailure::Fatal(format!(
            "Login failed: {server} offers no login method rosterm supports (SCRAM-SHA-1/256, PLAIN)."
        )),
        E::Auth(e) => LoginFailure::Fatal(format!("Login failed: {e}.")),
        E::Protocol(ProtocolError::NoTls) => LoginFailure::Fatal(format!(
            "{server} does not offer STARTTLS; rosterm never sends a password without TLS (try tls = \"direct\")."
        )),
        E::StreamError(e) => {
            let text = crate::sanitize::sanitize(&e.to_string(), 200);
            let condition = [
                "host-unknown",
                "conflict",
                "policy-violation",
                "not-authorized",
                "system-shutdown",
                "see-other-host",
            ]
                .into_iter()
                .find(|c| text.contains(c));
            match condition {
                Some(c) => stream_error_failure(c, account),
                None => LoginFailure::Transient(format!("The server closed the stream: {text}.")),
            }
        }
        E::Connection(inner) => {
            let inner: &(dyn std::error::Error + 'static) = inner.as_ref();
            match inner.downcast_ref::<ConnectError>() {
                Some(ConnectError::Tls(io)) => tls_failure(io, domain, probe),
                Some(ConnectError::Name(n)) => LoginFailure::Fatal(format!("{n}; check account.jid.")),
                Some(ConnectError::Dial(d @ DialError::NoService { .. })) => LoginFailure::Fatal(d.to_string()),
                Some(ConnectError::Dial(d @ DialError::Unreachable { .. })) => LoginFailure::Transient(d.to_string()),
                Some(ConnectError::Dial(DialError::Host(kind, text))) => {
                    LoginFailure::Transient(io_failure(&std::io::Error::new(*kind, text.clone()), server))
                }
                None => LoginFailure::Transient(format!("Cannot connect to {server}: {inner}.")),
            }
        }
        E::Io(io) => LoginFailure::Transient(io_failure(io, server)),
        E::Disconnected => LoginFailure::Transient(format!("{server} closed the connection during login.")),
        other => LoginFailure::Transient(format!("Cannot connect to {server}: {}.", crate::sanitize::sanitize(&other.to_string(), 200))),
    }
}

/// The sentence for an attempt that got no answer within `secs`, from how far it got (and
/// which SRV targets it had given up on by then).
pub fn stalled(progress: &Progress, account: &Account, secs: u64) -> LoginFailure {
    let stage = progress.get();
    let server = match (&account.server, account.port) {
        (Some(server), Some(port)) => format!("{server}:{port}"),
        (Some(server), None) => server.clone(),
        (None, _) => account.jid.domain().to_string(),
    };
    let what = match stage {
        Stage::Connecting => {
            let tried = progress.tried();
            let tried = match tried.is_empty() {
                true => String::new(),
                false => format!("tried {}; ", tried.join(", ")),
            };
            return LoginFailure::Transient(format!(
                "Cannot connect to {server}: {tried}no answer within {secs} s."
            ));
        }
        Stage::Stream => "did not answer with an XMPP stream",
        Stage::Tls => "did not answer the TLS handshake",
        Stage::Login => "did not answer the login",
    };
    LoginFailure::Transient(format!(
        "{server} accepted the connection but {what} within {secs} s."
    ))
}

/// What a stream error condition means for reconnecting: `None` when retrying is fine.
pub fn stream_error_failure(condition: &str, account: &Account) -> LoginFailure {
    let jid = &account.jid;
    let domain = jid.domain().as_str();
    let full = match &account.resource {
        Some(r) => format!("{jid}/{r}"),
        None => jid.to_string(),
    };
    match condition {
        "host-unknown" => LoginFailure::Fatal(format!(
            "The server does not serve the domain {domain} (host-unknown); check account.jid."
        )),
        "conflict" => LoginFailure::Fatal(format!(
            "Another client logged in as {full} and replaced this session (conflict); rosterm stopped reconnecting so the two do not keep kicking each other out. /reconnect takes the session back."
        )),
        "policy-violation" => LoginFailure::Fatal(
            "The server closed the session for a policy violation (policy-violation); rosterm stopped reconnecting. /reconnect tries again.".into(),
        ),
        "not-authorized" => LoginFailure::Fatal(format!(
            "The server no longer accepts this session for {jid} (not-authorized); check account.password."
        )),
        "system-shutdown" => LoginFailure::Transient(
            "The server is shutting down (system-shutdown); rosterm reconnects when it is back."
                .into(),
        ),
        "see-other-host" => LoginFailure::Transient(format!(
            "{domain} asked rosterm to use another host (see-other-host); rosterm follows that once per reconnect and retries the configured server."
        )),
        other => LoginFailure::Transient(format!("The server closed the stream ({other}).")),
    }
}

fn tls_failure(io: &std::io::Error, domain: &str, probe: &CertProbe) -> LoginFailure {
    let rustls_err = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>());
    match rustls_err {
        Some(rustls::Error::InvalidCertificate(reason)) => {
            LoginFailure::Fatal(certificate_sentence(reason, domain, probe.take()))
        }
        Some(other) => LoginFailure::Fatal(format!("TLS with {domain} failed: {other}.")),
        None => LoginFailure::Transient(format!("TLS with {domain} failed: {io}.")),
    }
}

/// Why the server's certificate was refused, and what would fix it, in one sentence.
fn certificate_sentence(
    reason: &rustls::CertificateError,
    domain: &str,
    refused: Option<Refused>,
) -> String {
    use rustls::CertificateError as C;
    let cert = match &refused {
        Some(r) => format!("The server's certificate (SHA-256 {})", r.fingerprint),
        None => "The server's certificate".into(),
    };
    if refused.as_ref().is_some_and(|r| r.pin_mismatch) {
        return format!("{cert} is not the one pinned in account.cert_fingerprint; refusing to connect to {domain}.");
    }
    match reason {
        C::Expired => format!("{cert} for {domain} has expired; it must be renewed on the server."),
        C::ExpiredContext { not_after, .. } => format!(
            "{cert} for {domain} expired on {}; it must be renewed on the server.",
            utc_date(not_after.as_secs())
        ),
        C::NotValidYetContext { not_before, .. } => format!(
            "{cert} for {domain} is not valid until {}; check this computer's clock.",
            utc_date(not_before.as_secs())
        ),
        C::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
            let names: Vec<String> = presented
                .iter()
                .take(5)
                .map(|n| crate::sanitize::sanitize(presented_name(n), 100))
                .collect();
            format!(
                "{cert} is issued for {}, not for {domain}; check account.jid and account.server (or the server's certificate).",
                names.join(", ")
            )
        }
        other => format!(
            "{cert} is not trusted for {domain}: {}. If this is your own server, set account.ca_file to its CA certificate (or pin it with account.cert_fingerprint).",
            cert_reason(other)
        ),
    }
}

/// rustls lists presented names in their `Debug` form, `DnsName("example.org")`: the name.
fn presented_name(debug: &str) -> &str {
    debug
        .split_once("(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .unwrap_or(debug)
}

fn cert_reason(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match reason {
        C::UnknownIssuer => "it is signed by an unknown authority (self-signed?)".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it is issued for a different name".into()
        }
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".into(),
        C::Revoked => "it has been revoked".into(),
        other => {
            // Keep the variant's name only (the rest is OIDs and byte arrays).
            let debug = format!("{other:?}");
            let name = debug.split(['{', '(', ' ']).next().unwrap_or("unknown");
            format!("it does not chain to a trusted authority ({name})")
        }
    }
}

/// "2026-11-30" for seconds since the Unix epoch (UTC).
fn utc_date(secs: u64) -> String {
    crate::domain::civil_date((secs / 86_400) as i64)
}

fn io_failure(io: &std::io::Error, server: &str) -> String {
    use std::io::ErrorKind as K;
    match io.kind() {
        K::ConnectionRefused => format!("Cannot connect to {server}: connection refused (is the server running, and the port right?)."),
        K::TimedOut => format!("Cannot connect to {server}: timed out."),
        K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof => {
            format!("{server} closed the connection during login.")
        }
        _ => format!("Cannot connect to {server}: {}.", crate::sanitize::sanitize(&io.to_string(), 200)),
    }
}

fn sasl_condition(c: &xmpp_parsers::sasl::DefinedCondition) -> &'static str {
    use xmpp_parsers::sasl::DefinedCondition as D;
    match c {
        D::NotAuthorized => "not-authorized: wrong password or unknown account",
        D::AccountDisabled => "account-disabled",
        D::CredentialsExpired => "credentials-expired",
        D::EncryptionRequired => "encryption-required",
        D::InvalidAuthzid => "invalid-authzid",
        D::InvalidMechanism => "invalid-mechanism",
        D::MalformedRequest => "malformed-request",
        D::MechanismTooWeak => "mechanism-too-weak",
        D::TemporaryAuthFailure => "temporary-auth-failure",
        D::Aborted => "aborted",
        D::IncorrectEncoding => "incorrect-encoding",
    }
}

#[cfg(test)]
mod tests {
    use super::utc_date;

    #[test]
    fn presented_names_without_their_kind() {
        use super::presented_name;
        assert_eq!(presented_name("DnsName(\"a.example\")"), "a.example");
        assert_eq!(presented_name("IpAddress(\"127.0.0.1\")"), "127.0.0.1");
        assert_eq!(presented_name("b.example"), "b.example");
    }

    #[test]
    fn dates_from_unix_seconds() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_798_675_199), "2026-12-30");
    }
}
