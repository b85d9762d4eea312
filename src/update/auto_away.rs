//! Auto-away, the app side: the state machine (`store::auto_away`) moves, and this turns its
//! moves into presence for every account (the session sends presence on to the joined rooms
//! and again after every new session). Also who may ask how long the user has been idle
//! (XEP-0012).
//!
//! Only accounts whose own presence is online or chat, and that are not `/offline`, are
//! changed; coming back sends each of them its own presence, untouched all along.

use std::time::SystemTime;

use jid::Jid;

use crate::domain::{AccountId, Subscription};
use crate::event::Command;
use crate::store::auto_away::eligible;
use crate::store::State;
use crate::update::Effect;

/// Time passed (the loop woke at [`due`]): away or xa when it is time.
pub fn on_tick(state: &mut State, now: SystemTime) -> Vec<Effect> {
    match state.auto_away.tick(now) {
        Some(_) => presence_effects(state),
        None => Vec::new(),
    }
}

/// A key or a paste: back, if auto-away was on.
pub fn on_activity(state: &mut State, now: SystemTime) -> Vec<Effect> {
    match state.auto_away.activity(now) {
        Some(_) => presence_effects(state),
        None => Vec::new(),
    }
}

/// The tmux (or screen) client attached or detached.
pub fn on_attached(state: &mut State, attached: bool, now: SystemTime) -> Vec<Effect> {
    match state.auto_away.attached(attached, now) {
        Some(_) => presence_effects(state),
        None => Vec::new(),
    }
}

/// The desktop's last input (any window) was `at` (`app::desktop`).
pub fn on_desktop(state: &mut State, at: SystemTime, now: SystemTime) -> Vec<Effect> {
    match state.auto_away.desktop_input(at, now) {
        Some(_) => presence_effects(state),
        None => Vec::new(),
    }
}

/// The user changes the presence of `changed` themselves: auto-away ends; the other accounts
/// get their own presence back (the changed ones get what the user chose, from the caller).
pub fn on_manual(state: &mut State, changed: &[AccountId]) -> Vec<Effect> {
    let was_active = state.auto_away.active();
    state.auto_away.manual(state.settings.clock);
    if !was_active {
        return Vec::new();
    }
    presence_effects(state)
        .into_iter()
        .filter(|e| !matches!(e, Effect::Send(id, _) if changed.contains(id)))
        .collect()
}

/// When the loop must wake up for auto-away (None: not before the next activity).
pub fn due(state: &State) -> Option<SystemTime> {
    state.auto_away.due()
}

/// The presence each account that auto-away concerns should now have on the wire.
fn presence_effects(state: &State) -> Vec<Effect> {
    let auto = &state.auto_away;
    let idle_since = auto.idle_since().filter(|_| auto.rules.send_idle);
    state
        .accounts
        .values()
        .filter(|a| !a.offline && eligible(&a.own))
        .map(|a| {
            let command = match auto.applied(&a.own) {
                Some(presence) => Command::SetAutoPresence {
                    presence,
                    idle_since,
                },
                None => Command::SetPresence(a.own.clone()),
            };
            Effect::Send(a.id, command)
        })
        .collect()
}

/// A XEP-0012 query from `from` (None: the server, for the own account): the seconds idle
/// to the own account and to contacts subscribed to the user's presence (when idle time is
/// sent at all), `<forbidden/>` to everyone else.
pub fn answer_last_activity(
    state: &State,
    account: AccountId,
    from: Option<Jid>,
    id: String,
    now: SystemTime,
) -> Vec<Effect> {
    let idle_secs =
        may_know_idle(state, account, from.as_ref()).then(|| state.auto_away.idle_secs(now));
    vec![Effect::Send(
        account,
        Command::AnswerLastActivity {
            to: from,
            id,
            idle_secs,
        },
    )]
}

/// May `from` learn how long the user of `account` has been idle?
pub fn may_know_idle(state: &State, account: AccountId, from: Option<&Jid>) -> bool {
    let Some(a) = state.account(account) else {
        return false;
    };
    let Some(from) = from else { return true };
    let bare = from.to_bare();
    if bare == a.jid {
        return true;
    }
    state.auto_away.rules.send_idle
        && a.roster.get(&bare).is_some_and(|c| {
            c.in_roster && matches!(c.subscription, Subscription::From | Subscription::Both)
        })
}

#[cfg(test)]
#[path = "auto_away_tests.rs"]
mod tests;
