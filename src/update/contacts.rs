//! Contacts and subscriptions: what the roster-editing commands and keys do, each through
//! the contact's own account. Each returns the effects for the session; nothing here touches
//! the network.

use jid::BareJid;

use crate::domain::{ContactId, Subscription};
use crate::event::Command;
use crate::store::roster::GroupKey;
use crate::store::{Mode, Severity, State};
use crate::update::presence::Scope;
use crate::update::Effect;

fn info(state: &mut State, text: String) {
    state.ui.message = Some((text, Severity::Info));
}

fn send(id: &ContactId, commands: Vec<Command>) -> Vec<Effect> {
    commands
        .into_iter()
        .map(|c| Effect::Send(id.account, c))
        .collect()
}

/// The contact the selection is on (contact or resource row).
pub fn selected_contact(state: &State) -> Option<ContactId> {
    state.ui.selected.as_ref()?.contact().cloned()
}

/// The contact a JID typed in a command means. With one account, or `/account NAME`, that
/// account; otherwise the account that knows the JID, and when several do (or none), the
/// account of the selected row.
pub fn resolve(state: &State, scope: Scope, jid: BareJid) -> Result<ContactId, String> {
    if let Scope::One(id) = scope {
        return Ok(ContactId::new(id, jid));
    }
    if !state.multi() {
        return Ok(ContactId::new(state.primary().id, jid));
    }
    let knows: Vec<_> = state
        .accounts
        .values()
        .filter(|a| {
            a.roster.get(&jid).is_some()
                || state
                    .subscription_requests
                    .contains_key(&ContactId::new(a.id, jid.clone()))
        })
        .collect();
    let focused = state.ui.selected.as_ref().and_then(|r| r.account());
    match knows.as_slice() {
        [one] => return Ok(ContactId::new(one.id, jid)),
        [] => {
            if let Some(id) = focused {
                return Ok(ContactId::new(id, jid));
            }
        }
        many => {
            if let Some(id) = focused.filter(|f| many.iter().any(|a| a.id == *f)) {
                return Ok(ContactId::new(id, jid));
            }
        }
    }
    let names: Vec<&str> = if knows.is_empty() {
        state.accounts.values().map(|a| a.name.as_str()).collect()
    } else {
        knows.iter().map(|a| a.name.as_str()).collect()
    };
    Err(format!(
        "Which account for {jid}: {}? Select one of its contacts, or use /account NAME …",
        names.join(", ")
    ))
}

pub fn add(state: &mut State, id: ContactId, name: Option<String>) -> Vec<Effect> {
    info(state, format!("Asked {} to see their presence.", id.jid));
    let jid = id.jid.clone();
    send(&id, vec![Command::Subscribe { jid, name }])
}

/// Asks first: removing a contact also ends both subscriptions.
pub fn ask_remove(state: &mut State, id: ContactId) -> Vec<Effect> {
    let label = state
        .contact(&id)
        .map(|c| c.label().to_owned())
        .unwrap_or_else(|| id.jid.to_string());
    let jid = &id.jid;
    state.ui.mode = Mode::Confirm {
        question: format!(
            "Remove {label} ({jid}) from your roster and end both subscriptions? y/n"
        ),
        commands: vec![(id.account, Command::RemoveContact(id.jid.clone()))],
    };
    Vec::new()
}

/// `y` in a confirmation carries it out; anything else cancels.
pub fn confirm(state: &mut State, yes: bool) -> Vec<Effect> {
    let Mode::Confirm { commands, .. } = std::mem::replace(&mut state.ui.mode, Mode::Normal) else {
        return Vec::new();
    };
    if yes {
        info(state, "Done.".into());
        commands
            .into_iter()
            .map(|(account, c)| Effect::Send(account, c))
            .collect()
    } else {
        info(state, "Cancelled.".into());
        Vec::new()
    }
}

fn update_item(id: &ContactId, name: Option<String>, groups: Vec<String>) -> Vec<Effect> {
    let jid = id.jid.clone();
    send(id, vec![Command::UpdateContact { jid, name, groups }])
}

pub fn rename(state: &mut State, id: ContactId, name: String) -> Vec<Effect> {
    let groups = state
        .contact(&id)
        .map(|c| c.group_names())
        .unwrap_or_default();
    info(state, format!("Renaming {} to {name}.", id.jid));
    update_item(&id, Some(name), groups)
}

/// The group `typed` means in the contact's account: an existing group (any case), or a
/// new one; `Err` when it is only the start of existing groups (never silently created from
/// a prefix).
fn group_named(state: &State, id: &ContactId, typed: &str) -> Result<(String, bool), String> {
    let existing: Vec<&str> = state
        .account(id.account)
        .map(|a| {
            a.roster
                .groups()
                .keys()
                .filter_map(|k| match k {
                    GroupKey::Named(n) => Some(n.as_str()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(same) = existing.iter().find(|g| g.eq_ignore_ascii_case(typed)) {
        return Ok(((*same).to_owned(), false));
    }
    let lower = typed.to_lowercase();
    let starts: Vec<&str> = existing
        .into_iter()
        .filter(|g| g.to_lowercase().starts_with(&lower))
        .collect();
    if starts.is_empty() {
        return Ok((typed.to_owned(), true));
    }
    Err(format!(
        "There is no group {typed:?}, but {} {} with it (Tab completes); to make the new \
         group {typed:?}, end it with a !: /group add <contact> {typed}!",
        starts.join(", "),
        if starts.len() == 1 { "begins" } else { "begin" },
    ))
}

pub fn group(state: &mut State, id: ContactId, group: String, add: bool) -> Vec<Effect> {
    let jid = &id.jid;
    let Some(contact) = state.contact(&id).filter(|c| c.in_roster) else {
        state.ui.message = Some((
            format!("{jid} is not in your roster; /add it first."),
            Severity::Error,
        ));
        return Vec::new();
    };
    let name = contact.name.clone();
    let mut groups = contact.group_names();
    if !add {
        let before = groups.len();
        groups.retain(|g| !g.eq_ignore_ascii_case(&group));
        if groups.len() == before {
            state.ui.message = Some((
                format!("{jid} is not in the group {group}."),
                Severity::Error,
            ));
            return Vec::new();
        }
        info(state, format!("Taking {jid} out of {group}."));
        return update_item(&id, name, groups);
    }
    // "Fr!": the new group "Fr" even though "Friends" begins with it.
    let forced = group
        .strip_suffix('!')
        .filter(|g| group_named(state, &id, g).is_err());
    let (group, new) = match forced {
        Some(forced) => (forced.to_owned(), true),
        None => match group_named(state, &id, &group) {
            Ok(found) => found,
            Err(text) => {
                state.ui.message = Some((text, Severity::Error));
                return Vec::new();
            }
        },
    };
    if groups.contains(&group) {
        info(state, format!("{jid} is already in {group}."));
        return Vec::new();
    }
    groups.push(group.clone());
    let new = if new { "the new group " } else { "" };
    info(state, format!("Adding {jid} to {new}{group}."));
    update_item(&id, name, groups)
}

/// Answers a subscription request (or pre-approves): they may see my presence.
pub fn approve(state: &mut State, id: ContactId, subscribe_back: bool) -> Vec<Effect> {
    state.subscription_requests.remove(&id);
    let jid = id.jid.clone();
    let mut commands = vec![Command::Approve(jid.clone())];
    let already = state
        .contact(&id)
        .is_some_and(|c| matches!(c.subscription, Subscription::To | Subscription::Both));
    if subscribe_back && !already {
        commands.push(Command::Subscribe {
            jid: jid.clone(),
            name: None,
        });
        info(state, format!("Approved {jid} and asked to see theirs."));
    } else {
        info(
            state,
            format!("Approved {jid}: they can see your presence."),
        );
    }
    send(&id, commands)
}

pub fn deny(state: &mut State, id: ContactId) -> Vec<Effect> {
    let was_request = state.subscription_requests.remove(&id).is_some();
    let jid = &id.jid;
    info(
        state,
        if was_request {
            format!("Denied {jid}.")
        } else {
            format!("{jid} can no longer see your presence.")
        },
    );
    send(&id, vec![Command::Deny(id.jid.clone())])
}

pub fn unsubscribe(state: &mut State, id: ContactId) -> Vec<Effect> {
    info(state, format!("You no longer see {}'s presence.", id.jid));
    send(&id, vec![Command::Unsubscribe(id.jid.clone())])
}

/// The request the inbox keys answer: the oldest, listed at the top of the inbox (a request
/// that arrives just before the key press is never the one answered).
pub fn first_request(state: &State) -> Option<ContactId> {
    state.subscription_requests.oldest().cloned()
}
