//! `rosterm who [JID...] [--json]`: log in with the same config, collect presence until the
//! login burst settles, print who is online (or the state of the given JIDs), and exit.
//! For scripts and status bars.

use std::time::Duration;

use jid::BareJid;

use crate::domain::AccountId;
use crate::domain::Availability;
use crate::domain::ConnState;
use crate::sessions::{Received, Sessions};
use crate::store::{AccountState, State};

#[path = "who_room.rs"]
pub mod room;

/// The burst is over when no presence arrived for this long after the roster.
pub const SETTLE: Duration = Duration::from_millis(1500);
/// Never wait longer than this for presence after the roster.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// Applies session events until every account has its roster (or has failed) and presence
/// has settled. Errors with the one-sentence reason when no account could log in.
pub async fn collect(sessions: &mut Sessions, state: &mut State) -> Result<(), String> {
    let login_deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // Until every roster is in, or its account failed.
    while !state
        .accounts
        .values()
        .all(|a| a.roster_loaded || failed(a).is_some())
    {
        let got = tokio::time::timeout_at(login_deadline, sessions.recv())
            .await
            .map_err(|_| "No roster from the server within 30 s.".to_owned())?;
        apply(state, got)?;
    }
    let stop = tokio::time::Instant::now() + MAX_WAIT;
    loop {
        let quiet = (tokio::time::Instant::now() + SETTLE).min(stop);
        match tokio::time::timeout_at(quiet, sessions.recv()).await {
            Ok(got) => apply(state, got)?,
            Err(_) => return settled(state).map(|_| ()),
        }
    }
}

/// Why an account has nothing to report, if it has not: it failed to log in, or its
/// connection was lost while presence was arriving (which would report everyone offline).
fn failed(account: &AccountState) -> Option<String> {
    if let Some(reason) = account.login_failed() {
        return Some(reason.to_owned());
    }
    match &account.connection {
        ConnState::Failed { reason } => Some(reason.clone()),
        ConnState::Reconnecting { reason, .. } if account.ever_online => Some(format!(
            "The connection was lost while presence was arriving ({reason}); no report."
        )),
        _ => None,
    }
}

/// A report is only true for accounts online at its end. Ok with the accounts that have
/// nothing to report (named, with why), Err when none has anything.
pub fn settled(state: &State) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut any = false;
    for account in state.accounts.values() {
        let why = match (&account.connection, failed(account)) {
            (_, Some(why)) => why,
            (ConnState::Online, None) => {
                any = true;
                continue;
            }
            _ => "Not connected yet; no report.".to_owned(),
        };
        problems.push(if state.multi() {
            format!("{}: {why}", account.name)
        } else {
            why
        });
    }
    if any {
        Ok(problems)
    } else {
        Err(problems.join("; "))
    }
}

pub(crate) fn apply(state: &mut State, got: Received) -> Result<(), String> {
    match got {
        Received::Event(account, ev) => state.apply(account, ev),
        Received::Stopped(account) => {
            if let Some(a) = state.account_mut(account) {
                a.connection = ConnState::Failed {
                    reason: "The network task stopped.".into(),
                };
            }
        }
    }
    // Fail at once only when no account can report anything any more.
    let all_failed = state
        .accounts
        .values()
        .all(|a| a.login_failed().is_some() || matches!(a.connection, ConnState::Failed { .. }));
    if all_failed {
        return Err(settled(state).err().unwrap_or_default());
    }
    Ok(())
}

/// One contact's line of the report.
#[derive(Clone)]
struct Entry {
    account: AccountId,
    jid: String,
    name: Option<String>,
    state: Availability,
    resource: Option<String>,
    status: String,
    priority: Option<i8>,
    /// When it was last seen going offline (offline contacts only).
    last_seen: Option<std::time::SystemTime>,
}

/// The entries of every account online at the end, in account order.
fn entries(state: &State, jids: &[BareJid]) -> Vec<Entry> {
    let mut out = Vec::new();
    for account in state.accounts.values() {
        if account.connection != ConnState::Online || failed(account).is_some() {
            continue;
        }
        let entry = |jid: &BareJid| {
            let contact = account.roster.get(jid);
            let best = contact.and_then(|c| c.best());
            Entry {
                account: account.id,
                jid: jid.to_string(),
                name: contact.and_then(|c| c.name.clone()),
                state: contact.map_or(Availability::Offline, |c| c.availability()),
                resource: best.map(|(r, _)| r.to_owned()).filter(|r| !r.is_empty()),
                status: best.map(|(_, p)| p.status.clone()).unwrap_or_default(),
                priority: best.map(|(_, p)| p.priority),
                last_seen: contact
                    .filter(|c| c.resources.is_empty())
                    .and_then(|c| c.last_seen),
            }
        };
        if !jids.is_empty() {
            out.extend(jids.iter().map(entry));
            continue;
        }
        let mut online: Vec<&BareJid> = account
            .roster
            .contacts()
            .filter(|c| !c.resources.is_empty())
            .map(|c| &c.jid)
            .collect();
        online.sort();
        out.extend(online.into_iter().map(entry));
    }
    out
}

fn account_name(state: &State, id: AccountId) -> String {
    state
        .account(id)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

/// Tab-separated lines: JID, state, resource, priority, status, with several accounts the
/// account's name, and for an offline contact last seen (RFC 3339, UTC) when known.
pub fn text_report(state: &State, jids: &[BareJid]) -> String {
    let mut out = String::new();
    for e in entries(state, jids) {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}",
            e.jid,
            e.state.label(),
            e.resource.unwrap_or_default(),
            e.priority.map(|p| p.to_string()).unwrap_or_default(),
            e.status
        ));
        if state.multi() {
            out.push('\t');
            out.push_str(&account_name(state, e.account));
        }
        if let Some(seen) = e.last_seen {
            out.push('\t');
            out.push_str(&crate::domain::seen::rfc3339_utc(seen));
        }
        out.push('\n');
    }
    out
}

/// `{"bob@example.org": {"state": "away", "online": true, "account": "work", ...}, ...}`;
/// with several accounts, one such object per account: `{"work": {...}, "home": {...}}`.
pub fn json_report(state: &State, jids: &[BareJid]) -> String {
    let all = entries(state, jids);
    if !state.multi() {
        return format!("{}\n", json_object(state, all));
    }
    let per_account: Vec<String> = state
        .accounts
        .values()
        .filter(|a| all.iter().any(|e| e.account == a.id))
        .map(|a| {
            let mine = all.iter().filter(|e| e.account == a.id).cloned().collect();
            format!("{}:{}", json_string(&a.name), json_object(state, mine))
        })
        .collect();
    format!("{{{}}}\n", per_account.join(","))
}

/// `{"jid": {...}, ...}` for these entries.
fn json_object(state: &State, entries: Vec<Entry>) -> String {
    let items: Vec<String> = entries
        .into_iter()
        .map(|e| {
            let mut fields = vec![
                format!("\"state\":{}", json_string(e.state.label())),
                format!(
                    "\"online\":{}",
                    matches!(e.state, Availability::Available(_))
                ),
            ];
            if let Some(name) = &e.name {
                fields.push(format!("\"name\":{}", json_string(name)));
            }
            if let Some(r) = &e.resource {
                fields.push(format!("\"resource\":{}", json_string(r)));
            }
            if let Some(p) = e.priority {
                fields.push(format!("\"priority\":{p}"));
            }
            fields.push(format!("\"status\":{}", json_string(&e.status)));
            let seen = e.last_seen.map(crate::domain::seen::rfc3339_utc);
            let seen = seen.as_deref().map_or("null".into(), json_string);
            fields.push(format!("\"last_seen\":{seen}"));
            let account = account_name(state, e.account);
            fields.push(format!("\"account\":{}", json_string(&account)));
            format!("{}:{{{}}}", json_string(&e.jid), fields.join(","))
        })
        .collect();
    format!("{{{}}}", items.join(","))
}

/// A JSON string literal (RFC 8259 escaping).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OwnPresence, Show};
    use crate::domain::{RosterItem, Subscription};
    use crate::event::PresenceChange;
    use crate::event::SessionEvent;
    use crate::test_support::A0;

    fn state() -> State {
        let mut s = State::new(BareJid::new("me@x").unwrap(), OwnPresence::default());
        s.apply(
            A0,
            SessionEvent::SessionStarted {
                bound: "me@x/r".into(),
            },
        );
        let item = |j: &str, n: &str| RosterItem {
            jid: BareJid::new(j).unwrap(),
            name: Some(n.into()),
            groups: vec![],
            subscription: Subscription::Both,
            pending_out: false,
        };
        s.apply(
            A0,
            SessionEvent::RosterReceived(vec![
                item("bob@x", "Bob \"B\""),
                item("carol@x", "Carol"),
            ]),
        );
        s.apply(
            A0,
            SessionEvent::Presence {
                from: BareJid::new("bob@x").unwrap(),
                resource: Some("pc".into()),
                change: PresenceChange::Available {
                    show: Show::Dnd,
                    status: "busy\\now".into(),
                    priority: 4,
                    nick: None,
                    odd_show: None,
                },
            },
        );
        s
    }

    #[test]
    fn no_report_from_a_lost_connection() {
        let mut s = state();
        s.apply(A0, SessionEvent::Connection(ConnState::Online));
        assert_eq!(settled(&s), Ok(vec![]));
        s.apply(
            A0,
            SessionEvent::Connection(ConnState::Reconnecting {
                attempt: 0,
                retry_in_secs: 0,
                reason: "connection lost".into(),
            }),
        );
        let err = settled(&s).expect_err("no report");
        assert!(err.contains("connection lost"), "{err}");
    }

    #[test]
    fn online_contacts_by_default_and_requested_ones_with_state() {
        let s = state();
        assert_eq!(json_report(&s, &[]), "{\"bob@x\":{\"state\":\"dnd\",\"online\":true,\"name\":\"Bob \\\"B\\\"\",\"resource\":\"pc\",\"priority\":4,\"status\":\"busy\\\\now\",\"last_seen\":null,\"account\":\"me@x\"}}\n");
        let jids = [
            BareJid::new("carol@x").unwrap(),
            BareJid::new("nobody@x").unwrap(),
        ];
        assert_eq!(
            json_report(&s, &jids),
            "{\"carol@x\":{\"state\":\"offline\",\"online\":false,\"name\":\"Carol\",\"status\":\"\",\"last_seen\":null,\"account\":\"me@x\"},\"nobody@x\":{\"state\":\"offline\",\"online\":false,\"status\":\"\",\"last_seen\":null,\"account\":\"me@x\"}}\n"
        );
        assert_eq!(text_report(&s, &[]), "bob@x\tdnd\tpc\t4\tbusy\\now\n");
    }

    #[test]
    fn an_offline_contact_says_when_it_was_last_seen() {
        let mut s = state();
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_867_209);
        let carol = BareJid::new("carol@x").unwrap();
        s.account_mut(A0)
            .unwrap()
            .seed_last_seen(vec![(carol.clone(), at)]);
        let json = json_report(&s, std::slice::from_ref(&carol));
        assert!(
            json.contains("\"last_seen\":\"2026-11-28T12:00:09Z\""),
            "{json}"
        );
        assert_eq!(
            text_report(&s, &[carol]),
            "carol@x\toffline\t\t\t\t2026-11-28T12:00:09Z\n"
        );
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(
            json_string("a\"b\\c\nd\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
    }
}
