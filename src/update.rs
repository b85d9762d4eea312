//! `update`: the only place user input changes `State`. Keys become actions (through the
//! keymap) or edits (in the one-line editor); actions change the state and return effects for
//! the app loop to carry out (commands for the session, quitting).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod contacts;

use crate::command::{self, SlashCommand};
use crate::domain::ConnState;
use crate::domain::Show;
use crate::event::{Command, SessionEvent};
use crate::keymap::{Action, Keymap};
use crate::store::view;
use crate::store::{InputKind, InputLine, Mode, Severity, State};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send(Command),
    Quit,
    /// The first login failed: end the program with this sentence and a non-zero exit.
    LoginFailed(String),
    /// A watched contact changed: ring the bell / send a desktop notification.
    Notify(String),
}

/// Applies a session event; a failure before the first session ends the program.
pub fn on_session(state: &mut State, event: SessionEvent) -> Vec<Effect> {
    let watched = match &event {
        SessionEvent::Presence { from, .. } if state.watch.contains(from) => Some((
            from.clone(),
            state.roster.get(from).map(|c| c.availability()),
        )),
        _ => None,
    };
    state.apply(event);
    if let Some((jid, before)) = watched {
        if let Some(effect) = announce(state, &jid, before) {
            return vec![effect];
        }
    }
    if state.ever_online {
        return Vec::new();
    }
    match &state.connection {
        ConnState::Failed { reason } => vec![Effect::LoginFailed(reason.clone())],
        // With a saved roster on screen, an unreachable server is worth waiting for (the
        // user may be offline for a while); a fatal error still ends the program.
        ConnState::Reconnecting {
            reason, attempt, ..
        } if *attempt > 0 && state.cached_since.is_none() => {
            vec![Effect::LoginFailed(reason.clone())]
        }
        _ => Vec::new(),
    }
}

pub fn on_key(state: &mut State, keymap: &Keymap, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match &mut state.ui.mode {
        Mode::Input(_) => {
            if ctrl_c {
                state.ui.mode = Mode::Normal;
                return Vec::new();
            }
            edit(state, key)
        }
        Mode::Confirm { .. } => {
            if ctrl_c {
                return vec![Effect::Quit];
            }
            contacts::confirm(
                state,
                matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')),
            )
        }
        Mode::Detail(_) | Mode::Who(_) => {
            match keymap.action_for(&key) {
                Some(Action::Quit) if ctrl_c => return vec![Effect::Quit],
                _ => state.ui.mode = Mode::Normal,
            }
            Vec::new()
        }
        Mode::Help => {
            match keymap.action_for(&key) {
                Some(Action::Quit) if ctrl_c => return vec![Effect::Quit],
                Some(Action::Quit) | Some(Action::Help) => state.ui.mode = Mode::Normal,
                Some(Action::MoveDown) => state.ui.help_scroll += 1,
                Some(Action::MoveUp) => {
                    state.ui.help_scroll = state.ui.help_scroll.saturating_sub(1)
                }
                Some(Action::PageDown) => state.ui.help_scroll += 10,
                Some(Action::PageUp) => {
                    state.ui.help_scroll = state.ui.help_scroll.saturating_sub(10)
                }
                Some(Action::Top) => state.ui.help_scroll = 0,
                _ if matches!(key.code, KeyCode::Esc | KeyCode::Enter) => {
                    state.ui.mode = Mode::Normal
                }
                _ => {}
            }
            Vec::new()
        }
        Mode::Normal => {
            if key.code == KeyCode::Esc {
                state.ui.message = None;
                return Vec::new();
            }
            match keymap.action_for(&key) {
                Some(action) => apply_action(state, action),
                None => Vec::new(),
            }
        }
    }
}

fn set_show(state: &mut State, show: Show, status: Option<String>) -> Vec<Effect> {
    state.own.show = show;
    if let Some(status) = status {
        state.own.status = status;
    }
    presence_changed(state)
}

fn presence_changed(state: &mut State) -> Vec<Effect> {
    state.own_offline = false;
    let note = if state.connection == ConnState::Online {
        ""
    } else {
        " (sent when back online)"
    };
    state.ui.message = Some((
        format!(
            "Presence: {}{}, priority {}{note}",
            state.own.show.as_str(),
            if state.own.status.is_empty() {
                String::new()
            } else {
                format!(" \"{}\"", state.own.status)
            },
            state.own.priority
        ),
        Severity::Info,
    ));
    vec![Effect::Send(Command::SetPresence(state.own.clone()))]
}

fn open_editor(state: &mut State, kind: InputKind, text: String) {
    let cursor = text.chars().count();
    state.ui.mode = Mode::Input(InputLine { kind, text, cursor });
}

fn move_selection(state: &mut State, delta: isize) {
    let total = view::row_count(&state.roster, &state.ui.filter);
    if total == 0 {
        return;
    }
    let pos = view::selected_position(&state.roster, &state.ui.filter, state.ui.selected.as_ref())
        as isize;
    let target = (pos + delta).clamp(0, total as isize - 1) as usize;
    state.ui.selected = view::row_at_filtered(&state.roster, &state.ui.filter, target);
}

pub fn apply_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = state.ui.viewport.max(2) as isize - 1;
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => {
            state.ui.help_scroll = 0;
            state.ui.mode = Mode::Help;
        }
        Action::MoveDown => move_selection(state, 1),
        Action::MoveUp => move_selection(state, -1),
        Action::PageDown => move_selection(state, page),
        Action::PageUp => move_selection(state, -page),
        Action::Top => move_selection(state, isize::MIN / 2),
        Action::Bottom => move_selection(state, isize::MAX / 2),
        Action::SetOnline => return set_show(state, Show::Online, None),
        Action::SetChat => return set_show(state, Show::Chat, None),
        Action::SetAway => return set_show(state, Show::Away, None),
        Action::SetXa => return set_show(state, Show::Xa, None),
        Action::SetDnd => return set_show(state, Show::Dnd, None),
        Action::EditStatus => {
            let text = state.own.status.clone();
            open_editor(state, InputKind::Status, text);
        }
        Action::EditPriority => {
            let text = state.own.priority.to_string();
            open_editor(state, InputKind::Priority, text);
        }
        Action::CommandLine => open_editor(state, InputKind::Command, "/".into()),
        Action::ApproveRequest | Action::ApproveAndSubscribe | Action::DenyRequest => {
            let Some(jid) = contacts::first_request(state) else {
                state.ui.message = Some(("No subscription requests.".into(), Severity::Info));
                return Vec::new();
            };
            return match action {
                Action::DenyRequest => contacts::deny(state, jid),
                Action::ApproveAndSubscribe => contacts::approve(state, jid, true),
                _ => contacts::approve(state, jid, false),
            };
        }
        Action::AddContact => open_editor(state, InputKind::Command, "/add ".into()),
        Action::ToggleTimeline => state.ui.timeline = !state.ui.timeline,
        Action::ToggleOnlineOnly => {
            state.ui.filter.online_only = !state.ui.filter.online_only;
            let text = if state.ui.filter.online_only {
                "Showing online contacts only (O shows everyone)."
            } else {
                "Showing every contact."
            };
            state.ui.message = Some((text.into(), Severity::Info));
        }
        Action::Search => {
            let text = state.ui.filter.text.clone().unwrap_or_default();
            open_editor(state, InputKind::Search, text);
        }
        Action::FilterTimeline => {
            state.ui.timeline = true;
            state.ui.timeline_filter =
                match (&state.ui.timeline_filter, contacts::selected_contact(state)) {
                    (Some(_), _) | (None, None) => None,
                    (None, Some(jid)) => Some(jid),
                };
        }
        Action::RemoveContact
        | Action::RenameContact
        | Action::GroupContact
        | Action::ContactInfo => {
            let Some(jid) = contacts::selected_contact(state) else {
                state.ui.message = Some(("Select a contact first.".into(), Severity::Info));
                return Vec::new();
            };
            match action {
                Action::RemoveContact => return contacts::ask_remove(state, jid),
                Action::RenameContact => {
                    open_editor(state, InputKind::Command, format!("/rename {jid} "))
                }
                Action::GroupContact => {
                    open_editor(state, InputKind::Command, format!("/group add {jid} "))
                }
                _ => state.ui.mode = Mode::Detail(jid),
            }
        }
    }
    Vec::new()
}

pub fn run_command(state: &mut State, cmd: SlashCommand) -> Vec<Effect> {
    match cmd {
        SlashCommand::SetPresence { show, status } => set_show(state, show, status),
        SlashCommand::SetStatus(text) => {
            state.own.status = text;
            presence_changed(state)
        }
        SlashCommand::Priority(p) => {
            state.own.priority = p;
            presence_changed(state)
        }
        SlashCommand::Reconnect => {
            state.ui.message = Some(("Reconnecting…".into(), Severity::Info));
            vec![Effect::Send(Command::Reconnect)]
        }
        SlashCommand::Help => {
            state.ui.mode = Mode::Help;
            Vec::new()
        }
        SlashCommand::Quit => vec![Effect::Quit],
        SlashCommand::Offline => {
            state.own_offline = true;
            // Nothing more will arrive about others until we are available again.
            forget_presence(state);
            state.ui.message = Some((
                "You appear offline; your roster stays live. Any presence key ends it.".into(),
                Severity::Info,
            ));
            vec![Effect::Send(Command::GoOffline)]
        }
        SlashCommand::Nick(nick) => {
            state.own_nick = nick.clone();
            state.ui.message = Some((
                match &nick {
                    Some(n) => format!("Nick: {n}"),
                    None => "Nick cleared.".into(),
                },
                Severity::Info,
            ));
            vec![Effect::Send(Command::SetNick(nick))]
        }
        SlashCommand::Directed { to, show, status } => {
            let presence = crate::domain::OwnPresence {
                show,
                status: status.unwrap_or_else(|| state.own.status.clone()),
                priority: state.own.priority,
            };
            state.ui.message = Some((
                format!("Sent {} to {to} only.", show.as_str()),
                Severity::Info,
            ));
            vec![Effect::Send(Command::DirectedPresence { to, presence })]
        }
        SlashCommand::StatusGet(jid) => {
            state.ui.mode = Mode::Detail(jid);
            Vec::new()
        }
        SlashCommand::Add { jid, name } => contacts::add(state, jid, name),
        SlashCommand::Remove(jid) => contacts::ask_remove(state, jid),
        SlashCommand::Rename { jid, name } => contacts::rename(state, jid, name),
        SlashCommand::GroupAdd { jid, group } => contacts::group(state, jid, group, true),
        SlashCommand::GroupRemove { jid, group } => contacts::group(state, jid, group, false),
        SlashCommand::Approve(jid) => contacts::approve(state, jid, false),
        SlashCommand::Deny(jid) | SlashCommand::Cancel(jid) => contacts::deny(state, jid),
        SlashCommand::Unsubscribe(jid) => contacts::unsubscribe(state, jid),
        SlashCommand::Watch(jid) => {
            state.ui.message = Some((
                format!("Watching {jid}: you will be told when its state changes."),
                Severity::Info,
            ));
            state.watch.insert(jid);
            Vec::new()
        }
        SlashCommand::Unwatch(jid) => {
            let text = if state.watch.remove(&jid) {
                format!("No longer watching {jid}.")
            } else {
                format!("{jid} was not watched.")
            };
            state.ui.message = Some((text, Severity::Info));
            Vec::new()
        }
        SlashCommand::Who(query) => {
            state.ui.mode = Mode::Who(filter_for(state, &query));
            Vec::new()
        }
        SlashCommand::Filter(query) => {
            state.ui.filter = match &query {
                Some(q) => view::Filter {
                    text: state.ui.filter.text.clone(),
                    ..filter_for(state, q)
                },
                None => view::Filter::default(),
            };
            state.ui.message = Some((
                if query.is_some() {
                    "Roster filtered (/filter clear shows everyone).".into()
                } else {
                    "Showing every contact.".into()
                },
                Severity::Info,
            ));
            Vec::new()
        }
    }
}

/// A watched contact's availability changed (not just its status text): say so, once.
fn announce(
    state: &mut State,
    jid: &jid::BareJid,
    before: Option<crate::domain::Availability>,
) -> Option<Effect> {
    use crate::domain::Availability;
    let contact = state.roster.get(jid)?;
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
    let text = format!("★ {} {what}", contact.label());
    state.ui.message = Some((text.clone(), Severity::Watch));
    (state.notify != crate::domain::Notify::None).then_some(Effect::Notify(text))
}

/// The roster filter a `/who` or `/filter` query means.
fn filter_for(state: &State, query: &command::Query) -> view::Filter {
    use crate::store::roster::GroupKey;
    let group = query.group.as_ref().map(|name| {
        state
            .roster
            .groups()
            .keys()
            .find(|k| k.title().eq_ignore_ascii_case(name))
            .cloned()
            .unwrap_or_else(|| GroupKey::Named(name.clone()))
    });
    let (online_only, show) = match query.state {
        command::QueryState::Online => (true, None),
        command::QueryState::Any => (false, None),
        command::QueryState::Is(a) => (false, Some(a)),
    };
    view::Filter {
        online_only,
        show,
        group,
        text: None,
    }
}

/// After going offline: others' presence is stale (the server stops sending it).
fn forget_presence(state: &mut State) {
    let online: Vec<jid::BareJid> = state
        .roster
        .contacts()
        .filter(|c| !c.resources.is_empty())
        .map(|c| c.jid.clone())
        .collect();
    for jid in online {
        state.roster.modify(&jid, |c| c.resources.clear());
    }
    state.own_resources.clear();
}

fn byte_index(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len())
}

/// One key in the one-line editor.
fn edit(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Mode::Input(input) = &mut state.ui.mode else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            if input.kind == InputKind::Search {
                state.ui.filter.text = None;
            }
            state.ui.mode = Mode::Normal;
            return Vec::new();
        }
        KeyCode::Enter => {
            let input = input.clone();
            return submit(state, input);
        }
        KeyCode::Tab if input.kind == InputKind::Command => {
            if let Some(done) = command::complete(&input.text) {
                input.cursor = done.chars().count();
                input.text = done;
            }
        }
        KeyCode::Backspace if input.cursor > 0 => {
            let at = byte_index(&input.text, input.cursor - 1);
            input.text.remove(at);
            input.cursor -= 1;
        }
        KeyCode::Delete if input.cursor < input.text.chars().count() => {
            let at = byte_index(&input.text, input.cursor);
            input.text.remove(at);
        }
        KeyCode::Left => input.cursor = input.cursor.saturating_sub(1),
        KeyCode::Right => input.cursor = (input.cursor + 1).min(input.text.chars().count()),
        KeyCode::Home => input.cursor = 0,
        KeyCode::End => input.cursor = input.text.chars().count(),
        KeyCode::Char('a') if ctrl => input.cursor = 0,
        KeyCode::Char('e') if ctrl => input.cursor = input.text.chars().count(),
        KeyCode::Char('u') if ctrl => {
            let at = byte_index(&input.text, input.cursor);
            input.text.replace_range(..at, "");
            input.cursor = 0;
        }
        KeyCode::Char(c) if !ctrl && !c.is_control() && input.text.chars().count() < 1000 => {
            let at = byte_index(&input.text, input.cursor);
            input.text.insert(at, c);
            input.cursor += 1;
        }
        _ => {}
    }
    if let Mode::Input(InputLine {
        kind: InputKind::Search,
        text,
        ..
    }) = &state.ui.mode
    {
        let text = text.trim().to_lowercase();
        state.ui.filter.text = (!text.is_empty()).then_some(text);
    }
    Vec::new()
}

fn submit(state: &mut State, input: InputLine) -> Vec<Effect> {
    match input.kind {
        InputKind::Status => {
            state.ui.mode = Mode::Normal;
            state.own.status = input.text.trim().to_owned();
            presence_changed(state)
        }
        InputKind::Priority => match input
            .text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|p| i8::try_from(p).ok())
        {
            Some(p) => {
                state.ui.mode = Mode::Normal;
                state.own.priority = p;
                presence_changed(state)
            }
            None => {
                state.ui.message = Some((
                    format!(
                        "{:?} is not a priority; enter a number from -128 to 127 (Esc cancels)",
                        input.text.trim()
                    ),
                    Severity::Error,
                ));
                Vec::new()
            }
        },
        InputKind::Search => {
            state.ui.mode = Mode::Normal;
            Vec::new()
        }
        InputKind::Command => {
            state.ui.mode = Mode::Normal;
            if input.text.trim() == "/" || input.text.trim().is_empty() {
                return Vec::new();
            }
            match command::parse(&input.text) {
                Ok(cmd) => run_command(state, cmd),
                Err(message) => {
                    state.ui.message = Some((message, Severity::Error));
                    Vec::new()
                }
            }
        }
    }
}

/// Before drawing: keep the selection on an existing row and inside the viewport.
pub fn layout(state: &mut State, viewport: usize) {
    state.ui.viewport = viewport;
    let total = view::row_count(&state.roster, &state.ui.filter);
    let found = state
        .ui
        .selected
        .as_ref()
        .and_then(|id| view::position_of_filtered(&state.roster, &state.ui.filter, id));
    let pos = found.unwrap_or(0).min(total.saturating_sub(1));
    // Re-anchor when the row there is not exactly the selected one (it vanished, or the
    // position came from a fallback: resource -> contact, old group -> current group).
    let current = view::row_at_filtered(&state.roster, &state.ui.filter, pos);
    if current != state.ui.selected {
        state.ui.selected = current;
    }
    state.ui.scroll = view::follow(state.ui.scroll, pos, viewport, total);
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
