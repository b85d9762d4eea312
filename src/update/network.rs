//! Session events: applied to the store, then what they mean for the user (a watched
//! contact's announcement, the end of the program when no account could log in).

use crate::domain::{AccountId, Availability, ContactId, Direction, Message, Notify, Show, Via};
use crate::event::{Command, SessionEvent};
use crate::store::chat::Arrival;
use crate::store::{Severity, State};
use crate::update::Effect;

/// Applies a session event from `account`.
pub fn on_session(state: &mut State, account: AccountId, event: SessionEvent) -> Vec<Effect> {
    let event = match event {
        SessionEvent::Message(message) => return on_message(state, account, message),
        SessionEvent::RoomMessage(message) => {
            return crate::update::rooms::on_message(state, account, message)
        }
        SessionEvent::LastActivityQuery { from, id } => {
            let now = std::time::SystemTime::now();
            return crate::update::auto_away::answer_last_activity(state, account, from, id, now);
        }
        SessionEvent::LastActivity { jid, result } => {
            let now = std::time::SystemTime::now();
            crate::update::commands::last_answer(state, account, &jid, result, now);
            return Vec::new();
        }
        SessionEvent::GatewayForm { gateway, form } => {
            return crate::update::gateways::form_arrived(state, account, gateway, form)
        }
        SessionEvent::GatewayRegistered(gateway) => {
            crate::update::gateways::registered(state, &gateway);
            return Vec::new();
        }
        SessionEvent::PasswordChanged => {
            crate::update::account_admin::password_changed(state, account);
            return Vec::new();
        }
        SessionEvent::AccountRemoved => {
            crate::update::account_admin::account_removed(state, account);
            return Vec::new();
        }
        SessionEvent::Bookmarks(bookmarks) => {
            state.apply(account, SessionEvent::Bookmarks(bookmarks));
            return crate::update::rooms::autojoin(state, account);
        }
        other => other,
    };
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

/// A message: shown; a receipt when asked for (not to strangers, not for copies); the
/// notifier when it is news the user does not see (silenced by the account's own DND).
fn on_message(state: &mut State, account: AccountId, message: Message) -> Vec<Effect> {
    let id = state.conversation_of(account, &message);
    let receipt = (message.wants_receipt
        && message.direction == Direction::In
        && matches!(message.via, Via::Live | Via::Offline)
        && !state.is_stranger(&id))
    .then(|| message.id.clone())
    .flatten()
    .map(|msg_id| Command::SendReceipt {
        to: reply_address(&message),
        id: msg_id,
    });
    let preview = preview(&message.body);
    let arrival = state.receive_message(account, message);
    let mut effects = Vec::new();
    if let Some(cmd) = receipt.filter(|_| arrival != Arrival::Duplicate) {
        effects.push(Effect::Send(account, cmd));
    }
    if arrival == (Arrival::New { unread: true }) {
        let who = state
            .contact(&id)
            .map_or_else(|| id.address(), |c| c.label().to_owned());
        let text = format!("✉ {who}: {preview}");
        state.ui.message = Some((text.clone(), Severity::Info));
        let dnd = state
            .account(account)
            .is_some_and(|a| a.own.show == Show::Dnd);
        if !dnd && state.settings.message_notify != Notify::None {
            effects.push(Effect::NotifyMessage(text));
        }
    }
    effects
}

/// The full JID a message came from (bare when its resource is unknown).
fn reply_address(message: &Message) -> jid::Jid {
    let bare = jid::Jid::from(message.peer.clone());
    match &message.resource {
        Some(res) => jid::Jid::new(&format!("{}/{res}", message.peer)).unwrap_or(bare),
        None => bare,
    }
}

/// The first line of a body, at most 60 characters, for the status line and notifier.
pub(super) fn preview(body: &str) -> String {
    let first = body.lines().next().unwrap_or("");
    let mut out: String = first.chars().take(60).collect();
    if first.chars().count() > 60 || body.contains('\n') {
        out.push('…');
    }
    out
}
