//! The user's own presence. Keys and commands change it on every account at once; a command
//! prefixed with `/account NAME` changes one account only. Each account keeps its own
//! priority unless the user sets one.

use crate::domain::{AccountId, ConnState, OwnPresence, Show};
use crate::event::Command;
use crate::store::{Severity, State};
use crate::update::Effect;

/// Which accounts an action applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    One(AccountId),
}

impl Scope {
    pub fn accounts(self, state: &State) -> Vec<AccountId> {
        match self {
            Scope::All => state.accounts.keys().copied().collect(),
            Scope::One(id) => vec![id],
        }
    }
}

/// Changes the presence of the accounts in `scope` with `change`, sends it, and says so.
pub fn change(state: &mut State, scope: Scope, change: impl Fn(&mut OwnPresence)) -> Vec<Effect> {
    let ids = scope.accounts(state);
    // A manual change ends auto-away: the other accounts get their own presence back.
    let mut effects = crate::update::auto_away::on_manual(state, &ids);
    let mut waiting = Vec::new();
    let mut undo = Vec::new();
    for &id in &ids {
        let Some(account) = state.account_mut(id) else {
            continue;
        };
        undo.push((id, account.own.clone()));
        change(&mut account.own);
        account.offline = false;
        if account.connection != ConnState::Online {
            waiting.push(account.name.clone());
        }
        effects.push(Effect::Send(id, Command::SetPresence(account.own.clone())));
    }
    let text = describe(state, &ids, &waiting);
    state.ui.message = Some((text, Severity::Info));
    state.ui.undo = undo;
    effects
}

/// The undo key: every account back to its presence before the last change (pressed
/// again, the change is made again).
pub fn undo(state: &mut State) -> Vec<Effect> {
    let previous = std::mem::take(&mut state.ui.undo);
    if previous.is_empty() {
        state.ui.message = Some((
            "Nothing to undo: your presence has not changed yet.".into(),
            Severity::Info,
        ));
        return Vec::new();
    }
    let changed: Vec<AccountId> = previous.iter().map(|(id, _)| *id).collect();
    let mut effects = crate::update::auto_away::on_manual(state, &changed);
    let mut redo = Vec::new();
    for (id, own) in previous {
        if let Some(account) = state.account_mut(id) {
            redo.push((id, std::mem::replace(&mut account.own, own)));
            account.offline = false;
            effects.push(Effect::Send(id, Command::SetPresence(account.own.clone())));
        }
    }
    let ids: Vec<AccountId> = redo.iter().map(|(id, _)| *id).collect();
    let text = describe(state, &ids, &[]).replacen("Presence:", "Presence restored:", 1);
    state.ui.message = Some((text, Severity::Info));
    state.ui.undo = redo;
    effects
}

pub fn set_show(
    state: &mut State,
    scope: Scope,
    show: Show,
    status: Option<String>,
) -> Vec<Effect> {
    // No text given: the show's first preset, if it has one; else the text stays.
    let status = status.or_else(|| state.settings.presets.first(show).map(str::to_owned));
    change(state, scope, |own| {
        own.show = show;
        if let Some(status) = &status {
            own.status.clone_from(status);
        }
    })
}

/// "Presence: away "text", priority 0", naming the accounts when there are several.
fn describe(state: &State, ids: &[AccountId], waiting: &[String]) -> String {
    let Some(first) = ids.first().and_then(|id| state.account(*id)) else {
        return "No such account.".into();
    };
    let own = &first.own;
    let status = if own.status.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", own.status)
    };
    let mut text = format!("Presence: {}{status}", own.show.as_str());
    if !state.multi() {
        text.push_str(&format!(", priority {}", own.priority));
        if !waiting.is_empty() {
            text.push_str(" (sent when back online)");
        }
        return text;
    }
    if ids.len() == state.accounts.len() {
        text.push_str(&format!(" on all {} accounts", ids.len()));
    } else {
        text.push_str(&format!(" on {} only", first.name));
    }
    if !waiting.is_empty() {
        text.push_str(&format!(" (sent when back online: {})", waiting.join(", ")));
    }
    text
}

/// `/offline`: unavailable but connected; others' presence is stale until back.
pub fn go_offline(state: &mut State, scope: Scope) -> Vec<Effect> {
    let ids = scope.accounts(state);
    let mut effects = crate::update::auto_away::on_manual(state, &ids);
    for &id in &ids {
        if let Some(account) = state.account_mut(id) {
            account.offline = true;
            // Nothing more will arrive about others until we are available again.
            account.forget_presence();
            account.own_resources.clear();
        }
    }
    state.ui.message = Some((
        "You appear offline; your roster stays live. Any presence key ends it.".into(),
        Severity::Info,
    ));
    effects.extend(send_each(&ids, Command::GoOffline));
    effects
}

pub fn set_nick(state: &mut State, scope: Scope, nick: Option<String>) -> Vec<Effect> {
    let ids = scope.accounts(state);
    for &id in &ids {
        if let Some(account) = state.account_mut(id) {
            account.nick.clone_from(&nick);
        }
    }
    state.ui.message = Some((
        match &nick {
            Some(n) => format!("Nick: {n}"),
            None => "Nick cleared.".into(),
        },
        Severity::Info,
    ));
    send_each(&ids, Command::SetNick(nick))
}

pub fn reconnect(state: &mut State, scope: Scope) -> Vec<Effect> {
    let ids = scope.accounts(state);
    state.ui.message = Some(("Reconnecting…".into(), Severity::Info));
    send_each(&ids, Command::Reconnect)
}

fn send_each(ids: &[AccountId], command: Command) -> Vec<Effect> {
    ids.iter()
        .map(|id| Effect::Send(*id, command.clone()))
        .collect()
}

#[cfg(test)]
#[path = "presence_tests.rs"]
mod tests;
