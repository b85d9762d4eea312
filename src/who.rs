//! `rosterm who [JID...] [--json]`: log in with the same config, collect presence until the
//! login burst settles, print who is online (or the state of the given JIDs), and exit.
//! For scripts and status bars.

use std::time::Duration;

use jid::BareJid;

use crate::event::SessionEvent;

use crate::domain::Availability;
use crate::domain::ConnState;
use crate::session::SessionHandle;
use crate::store::State;

/// The burst is over when no presence arrived for this long after the roster.
pub const SETTLE: Duration = Duration::from_millis(1500);
/// Never wait longer than this for presence after the roster.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// Applies session events until the roster is in and presence has settled.
/// Errors with the one-sentence reason when the login fails.
pub async fn collect(handle: &mut SessionHandle, state: &mut State) -> Result<(), String> {
    let login_deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // Until the roster arrives.
    while !state.roster_loaded {
        let ev = tokio::time::timeout_at(login_deadline, handle.events.recv())
            .await
            .map_err(|_| "No roster from the server within 30 s.".to_owned())?
            .ok_or("The network task stopped.")?;
        apply(state, ev)?;
    }
    let stop = tokio::time::Instant::now() + MAX_WAIT;
    loop {
        let quiet = (tokio::time::Instant::now() + SETTLE).min(stop);
        match tokio::time::timeout_at(quiet, handle.events.recv()).await {
            Ok(Some(ev)) => apply(state, ev)?,
            Ok(None) => return Err("The network task stopped.".into()),
            Err(_) => return settled(state),
        }
    }
}

/// A report is only true when the session is online at its end: a connection lost while
/// presence was arriving would report everyone as offline.
pub fn settled(state: &State) -> Result<(), String> {
    match &state.connection {
        ConnState::Online => Ok(()),
        ConnState::Reconnecting { reason, .. } | ConnState::Failed { reason } => Err(format!(
            "The connection was lost while presence was arriving ({reason}); no report."
        )),
        ConnState::Connecting => Err("Not connected yet; no report.".into()),
    }
}

fn apply(state: &mut State, ev: SessionEvent) -> Result<(), String> {
    state.apply(ev);
    match &state.connection {
        ConnState::Failed { reason } => Err(reason.clone()),
        ConnState::Reconnecting {
            reason, attempt, ..
        } if *attempt > 0 && !state.ever_online => Err(reason.clone()),
        _ => Ok(()),
    }
}

/// One contact's line of the report.
struct Entry {
    jid: String,
    name: Option<String>,
    state: Availability,
    resource: Option<String>,
    status: String,
    priority: Option<i8>,
}

fn entries(state: &State, jids: &[BareJid]) -> Vec<Entry> {
    let entry = |jid: &BareJid| {
        let contact = state.roster.get(jid);
        let best = contact.and_then(|c| c.best());
        Entry {
            jid: jid.to_string(),
            name: contact.and_then(|c| c.name.clone()),
            state: contact.map_or(Availability::Offline, |c| c.availability()),
            resource: best.map(|(r, _)| r.to_owned()).filter(|r| !r.is_empty()),
            status: best.map(|(_, p)| p.status.clone()).unwrap_or_default(),
            priority: best.map(|(_, p)| p.priority),
        }
    };
    if !jids.is_empty() {
        return jids.iter().map(entry).collect();
    }
    let mut online: Vec<&BareJid> = state
        .roster
        .contacts()
        .filter(|c| !c.resources.is_empty())
        .map(|c| &c.jid)
        .collect();
    online.sort();
    online.into_iter().map(entry).collect()
}

/// Tab-separated lines: JID, state, resource, priority, status.
pub fn text_report(state: &State, jids: &[BareJid]) -> String {
    let mut out = String::new();
    for e in entries(state, jids) {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            e.jid,
            e.state.label(),
            e.resource.unwrap_or_default(),
            e.priority.map(|p| p.to_string()).unwrap_or_default(),
            e.status
        ));
    }
    out
}

/// `{"bob@example.org": {"state": "away", "online": true, ...}, ...}`
pub fn json_report(state: &State, jids: &[BareJid]) -> String {
    let items: Vec<String> = entries(state, jids)
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
            format!("{}:{{{}}}", json_string(&e.jid), fields.join(","))
        })
        .collect();
    format!("{{{}}}\n", items.join(","))
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

    fn state() -> State {
        let mut s = State::new(BareJid::new("me@x").unwrap(), OwnPresence::default());
        s.apply(SessionEvent::SessionStarted {
            bound: "me@x/r".into(),
        });
        let item = |j: &str, n: &str| RosterItem {
            jid: BareJid::new(j).unwrap(),
            name: Some(n.into()),
            groups: vec![],
            subscription: Subscription::Both,
            pending_out: false,
        };
        s.apply(SessionEvent::RosterReceived(vec![
            item("bob@x", "Bob \"B\""),
            item("carol@x", "Carol"),
        ]));
        s.apply(SessionEvent::Presence {
            from: BareJid::new("bob@x").unwrap(),
            resource: Some("pc".into()),
            change: PresenceChange::Available {
                show: Show::Dnd,
                status: "busy\\now".into(),
                priority: 4,
                nick: None,
                odd_show: None,
            },
        });
        s
    }

    #[test]
    fn no_report_from_a_lost_connection() {
        let mut s = state();
        s.apply(SessionEvent::Connection(ConnState::Online));
        assert_eq!(settled(&s), Ok(()));
        s.apply(SessionEvent::Connection(ConnState::Reconnecting {
            attempt: 0,
            retry_in_secs: 0,
            reason: "connection lost".into(),
        }));
        let err = settled(&s).expect_err("no report");
        assert!(err.contains("connection lost"), "{err}");
    }

    #[test]
    fn online_contacts_by_default_and_requested_ones_with_state() {
        let s = state();
        assert_eq!(json_report(&s, &[]), "{\"bob@x\":{\"state\":\"dnd\",\"online\":true,\"name\":\"Bob \\\"B\\\"\",\"resource\":\"pc\",\"priority\":4,\"status\":\"busy\\\\now\"}}\n");
        let jids = [
            BareJid::new("carol@x").unwrap(),
            BareJid::new("nobody@x").unwrap(),
        ];
        assert_eq!(
            json_report(&s, &jids),
            "{\"carol@x\":{\"state\":\"offline\",\"online\":false,\"name\":\"Carol\",\"status\":\"\"},\"nobody@x\":{\"state\":\"offline\",\"online\":false,\"status\":\"\"}}\n"
        );
        assert_eq!(text_report(&s, &[]), "bob@x\tdnd\tpc\t4\tbusy\\now\n");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(
            json_string("a\"b\\c\nd\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
    }
}
