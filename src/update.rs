//! `update`: the only place user input changes `State`. Keys become actions (through the
//! keymap) or edits (in the one-line editor); actions change the state and return effects for
//! the app loop to carry out (commands for an account's session, quitting).
//!
//! - `network`: session events (tagged with their account) and what they announce.
//! - `keys`: a key in the focused pane's scope, and the actions keys are bound to.
//! - `editor`: the one-line editor (status, priority, command line, search).
//! - `commands`: slash commands; `resolve`: the contact a typed name, nick or JID means.
//! - `complete`: Tab in the command line (cycling through the candidates).
//! - `presence`: the user's own presence, on every account or one.
//! - `account_admin`: `/password` and `/unregister` (the masked question, the answers).
//! - `auto_away`: away and back by themselves (`[auto_away]`), XEP-0012 answers.
//! - `contacts`: roster editing and subscriptions, through the contact's account.
//! - `chat`: conversations (open, switch, type, send, correct, scroll back).

pub mod account_admin;
pub mod auto_away;
pub mod chat;
pub(crate) mod commands;
mod complete;
pub mod console;
pub mod contacts;
mod editor;
pub mod gateways;
mod keys;
mod network;
pub mod presence;
pub mod resolve;
pub mod rooms;

pub use commands::run_command;
pub use keys::{apply_action, on_key};
pub use network::on_session;

use crate::domain::AccountId;
use crate::event::Command;
use crate::store::State;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A command for one account's session.
    Send(AccountId, Command),
    Quit,
    /// No account could log in: end the program with this sentence and a non-zero exit.
    LoginFailed(String),
    /// A watched contact changed: ring the bell / send a desktop notification
    /// (`[watch] notify`).
    Notify(String),
    /// A message came that the user does not see: the same, as `[notify] messages` says.
    NotifyMessage(String),
    /// Read a conversation's messages from the local database: the newest ones, or those
    /// older than the one with key `before`; the loop hands them to `State::chats`.
    LoadHistory {
        chat: crate::domain::ContactId,
        before: Option<i64>,
    },
    /// `/history CONTACT`: read its presence transitions from the local database; the loop
    /// hands them to `State::ui.transitions`.
    LoadTransitions(crate::domain::ContactId),
    /// `/save`: write the watched contacts to the config file.
    SaveWatches(Vec<String>),
}

/// Before drawing: keep the selection on an existing row and inside the viewport.
pub fn layout(state: &mut State, viewport: usize) {
    state.ui.viewport = viewport;
    let rosters = state.rosters();
    let filter = &state.ui.filter;
    let total = rosters.row_count(filter);
    let found = state
        .ui
        .selected
        .as_ref()
        .and_then(|id| rosters.position_of(filter, id));
    let pos = found.unwrap_or(0).min(total.saturating_sub(1));
    // Re-anchor when the row there is not exactly the selected one (it vanished, or the
    // position came from a fallback: resource -> contact, old group -> current group).
    let current = rosters.row_at(filter, pos);
    let scroll = crate::store::view::follow(state.ui.scroll, pos, viewport, total);
    if current != state.ui.selected {
        state.ui.selected = current;
    }
    state.ui.scroll = scroll;
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "update/last_tests.rs"]
mod last_tests;
