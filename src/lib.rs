//! rosterm: a terminal XMPP client that shows a live roster and sets your presence in one
//! keystroke.
//!
//! One direction of flow, one session per account:
//! ```text
//! session (a thread per account): stanza -> translate -> SessionEvent --mpsc--+
//! sessions: every account's events, taken in turn, tagged (AccountId, event) <-+
//! app loop: State::apply(account, event) / update(key -> Action) -> Effect
//!           Effect::Send(account, Command) --mpsc--> that account's session
//! ui: draw(&State) when dirty, at most one frame per 16 ms
//! ```
//! Layers, lowest first; a module imports only from layers below it:
//! 1. `domain`: AccountId, ContactId, Show, OwnPresence, Subscription, RosterItem,
//!    ConnState, Notify, AccountDisplay. `sanitize`: the one gate between network text and
//!    the terminal. `theme`: every glyph and colour as data (the default theme is
//!    `assets/themes/default.toml`, compiled in; a user theme replaces entries of it).
//! 2. `event`: `SessionEvent` (what the network said) and `Command` (what the app asks).
//!    `config`: the TOML file -> validated `Config` (a file per section). `keymap`: keys ->
//!    `Action` in the focused pane's scope. `command`: the slash-command table and completion.
//!    `history`: the SQLite database (roster cache, 1:1 message history).
//! 3. `store`: `State` = per-account `AccountState` (own presence, connection, roster,
//!    timeline) + subscription requests + settings + UI state; `State::apply(account, event)`
//!    is the only way the network changes it. `session`: owns one account's XMPP stream
//!    (`connect`, `translate`, `stanza`, `requests`, `reconnect`, `sieve`; messages: `chat`,
//!    `outbox`, `archive`).
//! 4. `update`: keys, actions and commands -> state changes and effects (per account).
//!    `ui`: one widget per pane, `layout` returns the panes; `ui::theme` draws with the
//!    state's theme. `sessions`: every account's session seen from the app. `input`: the
//!    terminal's bytes -> keys and pastes.
//! 5. `app`: the loop (generic over its `Screen`); `terminal`: raw mode and its restoration;
//!    `folds`: the folded roster groups, kept in a file of their own beside the database;
//!    `logging`: the log file; `who`: the non-interactive `rosterm who` report; `register`:
//!    `rosterm register` (XEP-0077 before login); `cli`.

// Tests may be long and branchy; production code may not (see clippy.toml). The plain
// library build, which clippy also checks, holds production code to the limits.
#![cfg_attr(test, allow(clippy::too_many_lines, clippy::cognitive_complexity))]

pub mod app;
pub mod cli;
pub mod command;
pub mod config;
pub mod domain;
pub mod event;
pub mod folds;
pub mod history;
pub mod input;
pub mod keymap;
pub mod logging;
pub mod raw;
pub mod register;
pub mod sanitize;
pub mod session;
pub mod sessions;
pub mod store;
pub mod tap;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod update;
pub mod who;

#[cfg(test)]
pub mod test_support;

#[cfg(test)]
#[path = "multi_tests.rs"]
mod multi_tests;

#[cfg(test)]
#[path = "jid_patch_tests.rs"]
mod jid_patch_tests;
