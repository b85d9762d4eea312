//! Session events: applied to the store, then what they mean for the user (a watched
//! contact's announcement, the end of the program when no account could log in).

use crate::domain::{AccountId, Availability, ContactId, Notify};
use crate::event::SessionEvent;
use crate::store::{Severity, State};
use crate::update::Effect;

/// Applies a session event from `account`.
pub fn on_session(state: &mut State, account: AccountId, event: SessionEvent) -> Vec<Effect> {
    let watched = match &event {
        SessionEvent::Presence { from, .. } if state.watch.contains(from) => {
            let id = ContactId::new(account, from.clone());
            let before = state.contact(&id).map(|c| c.availability());
            Some((id, before))
        }
        _ => None,
    };
    state.apply(account, event);
    if let Some((id, before)) = watched {
        if let Some(effect) = announce(state, &id, before) {
            return vec![effect];
        }
    }
    login_failed(state).map_or_else(Vec::new, |reason| vec![Effect::LoginFailed(reason)])
}

/// The program ends only when no account was ever online and every one has failed.
fn login_failed(state: &State) -> Option<String> {
    let mut reasons = Vec::new();
    for account in state.accounts.values() {
        let reason = account.login_failed()?;
        reasons.push(if state.multi() {
            format!("{}: {reason}", account.name)
        } else {
            reason.to_owned()
        });
    }
    Some(reasons.join("; "))
}

/// A watched contact's availability changed (not just its status text): say so, once.
fn announce(state: &mut State, id: &ContactId, before: Option<Availability>) -> Option<Effect> {
    let contact = state.contact(id)?;
    let after = contact.availability();
    let before = before.unwrap_or(Availability::Offline);
    if before == after {
        return None;
    }
    let what = match (before, after) {
        (Availability::Offline | Availability::Error, Availability::Available(_)) => {
            format!("came online ({})", after.label())
        }
        (_, Availability::Offline) => "went offline".to_owned(),
        (_, Availability::Error) => "is unreachable".to_owned(),
        _ => format!("is now {}", after.label()),
    };
    let mut text = format!("★ {} {what}", contact.label());
    if let Some(account) = state.account(id.account).filter(|_| state.multi()) {
        text.push_str(&format!(" ({})", account.name));
    }
    state.ui.message = Some((text.clone(), Severity::Watch));
    (state.settings.notify != Notify::None).then_some(Effect::Notify(text))
}
