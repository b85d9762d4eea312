//! Contacts and subscriptions: what the roster-editing commands and keys do.
//! Each returns the effects for the session; nothing here touches the network.

use jid::BareJid;

use crate::event::Command;
use crate::store::view::RowId;
use crate::store::{Mode, Severity, State};
use crate::update::Effect;

fn info(state: &mut State, text: String) {
    state.ui.message = Some((text, Severity::Info));
}

fn send(commands: Vec<Command>) -> Vec<Effect> {
    commands.into_iter().map(Effect::Send).collect()
}

/// The contact the selection is on (contact or resource row).
pub fn selected_contact(state: &State) -> Option<BareJid> {
    match state.ui.selected.as_ref()? {
        RowId::Contact(_, jid) | RowId::Resource(_, jid, _) => Some(jid.clone()),
        RowId::Group(_) => None,
    }
}

pub fn add(state: &mut State, jid: BareJid, name: Option<String>) -> Vec<Effect> {
    info(state, format!("Asked {jid} to see their presence."));
    send(vec![Command::Subscribe { jid, name }])
}

/// Asks first: removing a contact also ends both subscriptions.
pub fn ask_remove(state: &mut State, jid: BareJid) -> Vec<Effect> {
    let label = state
        .roster
        .get(&jid)
        .map(|c| c.label().to_owned())
        .unwrap_or_else(|| jid.to_string());
    state.ui.mode = Mode::Confirm {
        question: format!(
            "Remove {label} ({jid}) from your roster and end both subscriptions? y/n"
        ),
        commands: vec![Command::RemoveContact(jid)],
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
        send(commands)
    } else {
        info(state, "Cancelled.".into());
        Vec::new()
    }
}

fn update_item(jid: BareJid, name: Option<String>, groups: Vec<String>) -> Vec<Effect> {
    send(vec![Command::UpdateContact { jid, name, groups }])
}

pub fn rename(state: &mut State, jid: BareJid, name: String) -> Vec<Effect> {
    let groups = state
        .roster
        .get(&jid)
        .map(|c| c.groups.clone())
        .unwrap_or_default();
    info(state, format!("Renaming {jid} to {name}."));
    update_item(jid, Some(name), groups)
}

pub fn group(state: &mut State, jid: BareJid, group: String, add: bool) -> Vec<Effect> {
    let Some(contact) = state.roster.get(&jid).filter(|c| c.in_roster) else {
        state.ui.message = Some((
            format!("{jid} is not in your roster; /add it first."),
            Severity::Error,
        ));
        return Vec::new();
    };
    let name = contact.name.clone();
    let mut groups = contact.groups.clone();
    if add {
        if !groups.contains(&group) {
            groups.push(group.clone());
        }
        info(state, format!("Adding {jid} to {group}."));
    } else {
        let before = groups.len();
        groups.retain(|g| g != &group);
        if groups.len() == before {
            state.ui.message = Some((
                format!("{jid} is not in the group {group}."),
                Severity::Error,
            ));
            return Vec::new();
        }
        info(state, format!("Taking {jid} out of {group}."));
    }
    update_item(jid, name, groups)
}

/// Answers a subscription request (or pre-approves): they may see my presence.
pub fn approve(state: &mut State, jid: BareJid, subscribe_back: bool) -> Vec<Effect> {
    state.subscription_requests.remove(&jid);
    let mut commands = vec![Command::Approve(jid.clone())];
    let already = state.roster.get(&jid).is_some_and(|c| {
        matches!(
            c.subscription,
            crate::domain::Subscription::To | crate::domain::Subscription::Both
        )
    });
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
    send(commands)
}

pub fn deny(state: &mut State, jid: BareJid) -> Vec<Effect> {
    let was_request = state.subscription_requests.remove(&jid).is_some();
    info(
        state,
        if was_request {
            format!("Denied {jid}.")
        } else {
            format!("{jid} can no longer see your presence.")
        },
    );
    send(vec![Command::Deny(jid)])
}

pub fn unsubscribe(state: &mut State, jid: BareJid) -> Vec<Effect> {
    info(state, format!("You no longer see {jid}'s presence."));
    send(vec![Command::Unsubscribe(jid)])
}

/// The request the inbox keys answer: the oldest, listed at the top of the inbox (a request
/// that arrives just before the key press is never the one answered).
pub fn first_request(state: &State) -> Option<BareJid> {
    state.subscription_requests.oldest().cloned()
}
