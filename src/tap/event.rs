//! What a session event changed, as the JSON lines of `rosterm events` (docs/EVENTS.md).
//!
//! Presence is compared per resource around the store's update ([`Before`] is taken before
//! the event is applied): a resource that appears `enter`s, one that changes show, status or
//! priority is an `update`, one that goes `leave`s; the set on connecting is `present`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::domain::{AccountId, ConnState, ContactId, Show};
use crate::event::SessionEvent;
use crate::store::presence::ResourcePresence;
use crate::store::State;

/// One contact's resources before an event: (name, show, status, priority).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Before(Vec<(String, Show, String, i8)>);

fn resources_of(state: &State, id: &ContactId) -> Before {
    Before(state.contact(id).map_or_else(Vec::new, |c| {
        c.resources
            .iter()
            .map(|(name, p)| (name.to_owned(), p.show, p.status.clone(), p.priority))
            .collect()
    }))
}

/// What to remember before `event` is applied, for [`changes`].
pub fn before(state: &State, account: AccountId, event: &SessionEvent) -> Option<Before> {
    match event {
        SessionEvent::Presence { from, .. } => {
            Some(resources_of(state, &ContactId::new(account, from.clone())))
        }
        _ => None,
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn timestamp(at: SystemTime) -> String {
    let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let date = crate::domain::civil_date(secs.div_euclid(86_400));
    let day = secs.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        day / 3600,
        day % 3600 / 60,
        day % 60,
        d.subsec_millis()
    )
}

fn head(state: &State, account: AccountId, kind: &str, now: SystemTime) -> Value {
    let name = state.account(account).map_or("", |a| a.name.as_str());
    json!({ "time": timestamp(now), "account": name, "type": kind })
}

fn presence_line(
    mut head: Value,
    action: &str,
    jid: &str,
    resource: &str,
    p: Option<(Show, &str, i8)>,
) -> Value {
    head["action"] = json!(action);
    head["jid"] = json!(jid);
    head["resource"] = json!(resource);
    match p {
        Some((show, status, priority)) => {
            head["show"] = json!(show.as_str());
            head["status"] = json!(status);
            head["priority"] = json!(priority);
        }
        None => head["show"] = json!("offline"),
    }
    head
}

/// The lines `event` (already applied) means, given what was there `before`.
pub fn changes(
    state: &State,
    account: AccountId,
    event: &SessionEvent,
    before: Option<Before>,
    now: SystemTime,
) -> Vec<Value> {
    let h = || head(state, account, "", now);
    match event {
        SessionEvent::Presence { from, .. } => {
            let after = resources_of(state, &ContactId::new(account, from.clone()));
            presence_changes(h(), from.as_str(), &before.unwrap_or_default(), &after)
        }
        SessionEvent::Message(m) => {
            let mut v = head(state, account, "message", now);
            v["action"] = json!(m.direction.as_str());
            v["jid"] = json!(m.peer.as_str());
            v["resource"] = json!(m.resource);
            v["body"] = json!(m.body);
            v["id"] = json!(m.reference());
            v["replaces"] = json!(m.replaces);
            vec![v]
        }
        SessionEvent::Delivery { peer, id, delivery } => {
            let mut v = head(state, account, "message", now);
            v["action"] = json!("delivery");
            v["jid"] = json!(peer.as_str());
            v["id"] = json!(id);
            v["delivery"] = json!(delivery_word(delivery));
            vec![v]
        }
        SessionEvent::SubscriptionRequest { from, nick } => {
            let mut v = head(state, account, "subscription", now);
            v["action"] = json!("request");
            v["jid"] = json!(from.as_str());
            v["nick"] = json!(nick);
            vec![v]
        }
        SessionEvent::Connection(c) => vec![connection_line(h(), c)],
        SessionEvent::SessionStarted { .. } => vec![connection_line(h(), &ConnState::Online)],
        _ => Vec::new(),
    }
}

fn delivery_word(d: &crate::domain::Delivery) -> String {
    match d {
        crate::domain::Delivery::Queued => "queued".into(),
        crate::domain::Delivery::Sent => "sent".into(),
        crate::domain::Delivery::Delivered => "delivered".into(),
        crate::domain::Delivery::Failed(why) => format!("failed: {why}"),
    }
}

fn connection_line(mut v: Value, c: &ConnState) -> Value {
    v["type"] = json!("connection");
    let (word, reason) = match c {
        ConnState::Connecting => ("connecting", None),
        ConnState::Online => ("online", None),
        ConnState::Reconnecting { reason, .. } => ("reconnecting", Some(reason.as_str())),
        ConnState::Failed { reason } => ("failed", Some(reason.as_str())),
    };
    v["action"] = json!(word);
    v["reason"] = json!(reason);
    v
}

fn presence_changes(head: Value, jid: &str, before: &Before, after: &Before) -> Vec<Value> {
    let mut out = Vec::new();
    let mut h = head;
    h["type"] = json!("presence");
    for (name, show, status, prio) in &after.0 {
        let was = before.0.iter().find(|(n, ..)| n == name);
        let action = match was {
            None => "enter",
            Some((_, s, st, p)) if (s, st, p) != (show, status, prio) => "update",
            Some(_) => continue,
        };
        let p = Some((*show, status.as_str(), *prio));
        out.push(presence_line(h.clone(), action, jid, name, p));
    }
    for (name, ..) in &before.0 {
        if !after.0.iter().any(|(n, ..)| n == name) {
            out.push(presence_line(h.clone(), "leave", jid, name, None));
        }
    }
    out
}

/// Every available resource of every account now: the `present` set a new reader gets.
pub fn present(state: &State, now: SystemTime) -> Vec<Value> {
    let mut out = Vec::new();
    for account in state.accounts.values() {
        let mut h = head(state, account.id, "presence", now);
        h["action"] = json!("present");
        for contact in account.roster.contacts() {
            for (name, p) in contact.resources.iter() {
                out.push(resource_line(&h, contact.jid.as_str(), name, p));
            }
        }
    }
    out
}

fn resource_line(h: &Value, jid: &str, name: &str, p: &ResourcePresence) -> Value {
    let p = Some((p.show, p.status.as_str(), p.priority));
    presence_line(h.clone(), "present", jid, name, p)
}
