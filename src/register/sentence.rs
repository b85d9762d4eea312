//! A server's refusal of a registration, a password change or an account removal, in one
//! sentence that says what to do (pure; the server's own text is sanitized here).

use crate::sanitize::{sanitize, MAX_STATUS};

/// What was asked of the server when it refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The registration form (`iq get`).
    Form,
    /// Creating the account (`iq set` with the filled form).
    Create,
    /// `/password`.
    Password,
    /// `/unregister`.
    Remove,
}

/// The server's optional text, sanitized, as " (text)"; empty when there is none.
fn said(text: Option<&str>) -> String {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!(" (the server says: {})", sanitize(t, MAX_STATUS)),
        None => String::new(),
    }
}

/// The sentence for an IQ error with `condition` (RFC 6120 §8.3.3, e.g. "conflict") and
/// its text, for the account `jid`.
pub fn refusal(asked: Asked, condition: &str, text: Option<&str>, jid: &jid::BareJid) -> String {
    let domain = jid.domain().as_str();
    let said = said(text);
    match (asked, condition) {
        (Asked::Form | Asked::Create, "not-allowed" | "service-unavailable" | "forbidden"
            | "feature-not-implemented" | "registration-required") => not_allowed(domain, &said),
        (Asked::Create, "conflict") => format!(
            "The account {jid} already exists on {domain}{said}; choose another name, or log in with it."
        ),
        (Asked::Create, "not-acceptable" | "bad-request" | "jid-malformed") => format!(
            "{domain} refused to create {jid}{said}; check the name and the fields and try again."
        ),
        (_, "policy-violation" | "resource-constraint") => format!(
            "{domain} refused for now{said}; try again later."
        ),
        (Asked::Password, "not-allowed" | "not-authorized" | "forbidden" | "service-unavailable"
            | "feature-not-implemented") => format!(
            "{domain} does not let clients change passwords ({condition}){said}; use its web site or ask its admin."
        ),
        (Asked::Password, "not-acceptable" | "bad-request") => format!(
            "{domain} refused the new password ({condition}){said}; try another one."
        ),
        (Asked::Remove, "not-allowed" | "not-authorized" | "forbidden" | "service-unavailable"
            | "feature-not-implemented") => format!(
            "{domain} does not let clients delete accounts ({condition}){said}; the account {jid} still exists."
        ),
        (Asked::Form, _) => format!(
            "{domain} did not send a registration form ({condition}){said}."
        ),
        (Asked::Create, _) => format!("{domain} refused to create {jid} ({condition}){said}."),
        (Asked::Password, _) => format!(
            "{domain} did not change the password ({condition}){said}; the old one still works."
        ),
        (Asked::Remove, _) => format!(
            "{domain} did not delete the account ({condition}){said}; {jid} still exists."
        ),
    }
}

/// Registration is switched off on the server.
pub fn not_allowed(domain: &str, said: &str) -> String {
    format!(
        "{domain} does not allow creating accounts from a client (in-band registration is off){said}; register on its web site or ask its admin."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> jid::BareJid {
        jid::BareJid::new("alice@example.org").unwrap()
    }

    #[test]
    fn each_refusal_names_the_account_or_the_server_and_what_to_do() {
        let cases = [
            (Asked::Form, "service-unavailable", None, "example.org does not allow creating accounts from a client (in-band registration is off); register on its web site or ask its admin."),
            (Asked::Create, "not-allowed", None, "example.org does not allow creating accounts"),
            (Asked::Create, "conflict", Some("The requested username already exists."), "The account alice@example.org already exists on example.org (the server says: The requested username already exists.); choose another name, or log in with it."),
            (Asked::Create, "not-acceptable", Some("Password: Required value missing"), "example.org refused to create alice@example.org (the server says: Password: Required value missing); check"),
            (Asked::Create, "policy-violation", Some("Too many registrations"), "example.org refused for now (the server says: Too many registrations); try again later."),
            (Asked::Create, "internal-server-error", None, "example.org refused to create alice@example.org (internal-server-error)."),
            (Asked::Form, "item-not-found", None, "example.org did not send a registration form (item-not-found)."),
            (Asked::Password, "not-authorized", None, "example.org does not let clients change passwords (not-authorized); use its web site"),
            (Asked::Password, "internal-server-error", None, "example.org did not change the password (internal-server-error); the old one still works."),
            (Asked::Remove, "forbidden", None, "example.org does not let clients delete accounts (forbidden); the account alice@example.org still exists."),
            (Asked::Remove, "internal-server-error", None, "example.org did not delete the account (internal-server-error); alice@example.org still exists."),
        ];
        for (asked, condition, text, expected) in cases {
            let got = refusal(asked, condition, text, &alice());
            assert!(
                got.starts_with(expected),
                "{asked:?} {condition}:\n got {got}\nwant {expected}"
            );
            assert!(!got.contains('\n'), "one line: {got}");
        }
    }

    #[test]
    fn the_servers_text_is_sanitized_and_capped() {
        let hostile = format!("evil\u{1b}[2J\u{202e}text{}", "x".repeat(5000));
        let got = refusal(Asked::Create, "conflict", Some(&hostile), &alice());
        assert!(
            !got.contains('\u{1b}') && !got.contains('\u{202e}'),
            "{got:?}"
        );
        assert!(got.chars().count() < 800, "capped: {}", got.len());
        // An empty or blank text adds nothing.
        let plain = refusal(Asked::Create, "conflict", Some("  "), &alice());
        assert!(
            plain.starts_with("The account alice@example.org already exists on example.org;"),
            "{plain}"
        );
    }
}
