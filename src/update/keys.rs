//! Keys: each mode (the focused pane or popup) decides what a key means there; in the roster,
//! the keymap turns it into an [`Action`].

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::Show;
use crate::keymap::{Action, Keymap, Pane};
use crate::store::{InputKind, Mode, Severity, State};
use crate::update::presence::{self, Scope};
use crate::update::{chat, contacts, editor, Effect};

pub fn on_key(state: &mut State, keymap: &Keymap, key: KeyEvent) -> Vec<Effect> {
    let before = state.ui.undo.clone();
    let effects = on_key_in_mode(state, keymap, key);
    // A presence change, by a key or a command: say how to undo it.
    if state.ui.undo != before && !state.ui.undo.is_empty() {
        if let (Some(keys), Some((text, _))) = (
            keymap.keys_for(Action::UndoPresence),
            state.ui.message.as_mut(),
        ) {
            text.push_str(&format!(" ({keys} undoes)"));
        }
    }
    effects
}

/// A key that means nothing in the roster: one sentence (typing here is not text).
fn unbound(state: &mut State, keymap: &Keymap, key: &KeyEvent) {
    let KeyCode::Char(c) = key.code else {
        return;
    };
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return;
    }
    let help = keymap
        .keys_for(Action::Help)
        .unwrap_or_else(|| "/help".into());
    let command = keymap
        .keys_for(Action::CommandLine)
        .unwrap_or_else(|| "unbound".into());
    state.ui.message = Some((
        format!(
            "{c:?} is not a key in the roster; {help} lists the keys, {command} opens the \
             command line, Enter opens a conversation to type in."
        ),
        Severity::Info,
    ));
}

/// Is anything unsent: a draft being typed, or a message not yet taken by the server?
fn unsent(state: &State) -> Option<String> {
    let drafts = state
        .chats
        .iter()
        .filter(|c| !c.draft.text.trim().is_empty())
        .count();
    let queued: usize = state
        .chats
        .iter()
        .map(|c| {
            c.lines
                .iter()
                .filter(|l| l.delivery == Some(crate::domain::Delivery::Queued))
                .count()
        })
        .sum();
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (drafts, queued) {
        (0, 0) => None,
        (d, 0) => Some(plural(d, "unsent draft")),
        (0, q) => Some(plural(q, "queued message")),
        (d, q) => Some(format!(
            "{} and {}",
            plural(d, "unsent draft"),
            plural(q, "queued message")
        )),
    }
}

/// `q`, Ctrl-C or `/quit`: quits, or asks first when something is unsent.
pub fn quit(state: &mut State) -> Vec<Effect> {
    match unsent(state) {
        None => vec![Effect::Quit],
        Some(what) => {
            state.ui.mode = Mode::ConfirmQuit(format!("{what} would be lost. Quit anyway? y/n"));
            Vec::new()
        }
    }
}

fn on_key_in_mode(state: &mut State, keymap: &Keymap, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match &mut state.ui.mode {
        Mode::ConfirmQuit(_) => {
            if ctrl_c || matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                return vec![Effect::Quit];
            }
            state.ui.mode = Mode::Normal;
            state.ui.message = Some(("Not quitting.".into(), Severity::Info));
            Vec::new()
        }
        Mode::Input(_) => {
            if ctrl_c {
                state.ui.mode = Mode::Normal;
                return Vec::new();
            }
            editor::edit(state, key)
        }
        Mode::Ask(_) => crate::update::account_admin::on_key(state, key),
        Mode::Confirm { .. } => {
            if ctrl_c {
                return vec![Effect::Quit];
            }
            contacts::confirm(
                state,
                matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')),
            )
        }
        Mode::Detail(_) | Mode::Who(_) | Mode::Help | Mode::Timeline | Mode::Console => {
            on_popup_key(state, keymap, key, ctrl_c)
        }
        Mode::Normal => {
            if let crate::store::Focus::Chat(id) = &state.ui.focus {
                let id = id.clone();
                return chat::on_key(state, keymap, id, key);
            }
            if let Some(n) = chat::alt_digit(&key) {
                chat::jump(state, n);
                return Vec::new();
            }
            if key.code == KeyCode::Esc {
                state.ui.message = None;
                return Vec::new();
            }
            match keymap.action_in(Pane::Roster, &key) {
                Some(action) => apply_action(state, action),
                None => {
                    unbound(state, keymap, &key);
                    Vec::new()
                }
            }
        }
    }
}

/// Help, a contact's details, `/who`, the timeline: the roster's moving keys scroll, q /
/// Esc / Enter (and the help key) close; any other key closes the popups but the help, and
/// does nothing else.
fn on_popup_key(state: &mut State, keymap: &Keymap, key: KeyEvent, ctrl_c: bool) -> Vec<Effect> {
    let page = state.ui.viewport.max(2) - 1;
    let scroll = &mut state.ui.help_scroll;
    match keymap.action_in(Pane::Popup, &key) {
        Some(Action::Quit) if ctrl_c => return vec![Effect::Quit],
        Some(Action::MoveDown) => *scroll += 1,
        Some(Action::MoveUp) => *scroll = scroll.saturating_sub(1),
        Some(Action::PageDown) => *scroll += page,
        Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(Action::Top) => *scroll = 0,
        // Drawn as far as the end, no further.
        Some(Action::Bottom) => *scroll = usize::from(u16::MAX),
        Some(Action::Quit | Action::Help) => state.ui.mode = Mode::Normal,
        _ if matches!(key.code, KeyCode::Esc | KeyCode::Enter) => state.ui.mode = Mode::Normal,
        _ if state.ui.mode == Mode::Console && key.code == KeyCode::Char('p') => {
            state.ui.console_pretty = !state.ui.console_pretty;
        }
        // The help and the console stay until closed; the other popups close on any key.
        _ if !matches!(state.ui.mode, Mode::Help | Mode::Console) => {
            state.ui.mode = Mode::Normal;
        }
        _ => {}
    }
    Vec::new()
}

/// Opens a popup at its first line.
/// Opens a contact's detail view: its presence history is loaded, and each of its
/// resources (a few at most) is asked for its time (XEP-0202) and software (XEP-0092).
pub fn open_detail(
    state: &mut State,
    id: crate::domain::ContactId,
    show_transitions: bool,
) -> Vec<Effect> {
    const MAX_ASKED: usize = 8;
    open_popup(state, Mode::Detail(id.clone()));
    state.ui.show_transitions = show_transitions;
    let resources: Vec<String> = state
        .contact(&id)
        .filter(|c| c.in_roster)
        .map(|c| {
            c.resources
                .keys()
                .take(MAX_ASKED)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut effects: Vec<Effect> = resources
        .into_iter()
        .filter(|r| !r.is_empty())
        .flat_map(|resource| {
            let (jid, account) = (id.jid.clone(), id.account);
            let time = crate::event::Command::QueryTime {
                jid: jid.clone(),
                resource: resource.clone(),
            };
            let version = crate::event::Command::QueryVersion { jid, resource };
            [Effect::Send(account, time), Effect::Send(account, version)]
        })
        .collect();
    effects.insert(0, Effect::LoadTransitions(id));
    effects
}

pub fn open_popup(state: &mut State, mode: Mode) {
    state.ui.help_scroll = 0;
    state.ui.mode = mode;
}

pub fn open_editor(state: &mut State, kind: InputKind, text: String) {
    let cursor = text.chars().count();
    state.ui.mode = Mode::Input(crate::store::InputLine {
        kind,
        text,
        cursor,
        error: None,
    });
}

fn move_selection(state: &mut State, delta: isize) {
    let rosters = state.rosters();
    let filter = &state.ui.filter;
    let total = rosters.row_count(filter);
    if total == 0 {
        return;
    }
    let pos = rosters.selected_position(filter, state.ui.selected.as_ref()) as isize;
    let target = (pos + delta).clamp(0, total as isize - 1) as usize;
    let selected = rosters.row_at(filter, target);
    state.ui.selected = selected;
}

pub fn apply_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = state.ui.viewport.max(2) as isize - 1;
    match action {
        Action::Quit => return quit(state),
        Action::UndoPresence => return presence::undo(state),
        Action::ToggleFold => toggle_fold(state),
        Action::TimelineList => open_popup(state, Mode::Timeline),
        Action::FoldAll | Action::UnfoldAll => fold_all(state, action == Action::FoldAll),
        Action::Help => open_popup(state, Mode::Help),
        Action::MoveDown => move_selection(state, 1),
        Action::MoveUp => move_selection(state, -1),
        Action::PageDown => move_selection(state, page),
        Action::PageUp => move_selection(state, -page),
        Action::Top => move_selection(state, isize::MIN / 2),
        Action::Bottom => move_selection(state, isize::MAX / 2),
        Action::SetOnline => return presence::set_show(state, Scope::All, Show::Online, None),
        Action::SetChat => return presence::set_show(state, Scope::All, Show::Chat, None),
        Action::SetAway => return presence::set_show(state, Scope::All, Show::Away, None),
        Action::SetXa => return presence::set_show(state, Scope::All, Show::Xa, None),
        Action::SetDnd => return presence::set_show(state, Scope::All, Show::Dnd, None),
        Action::EditStatus => {
            let text = state.primary().own.status.clone();
            open_editor(state, InputKind::Status, text);
        }
        Action::EditPriority => {
            let text = state.primary().own.priority.to_string();
            open_editor(state, InputKind::Priority, text);
        }
        Action::CommandLine => open_editor(state, InputKind::Command, "/".into()),
        Action::ApproveRequest | Action::ApproveAndSubscribe | Action::DenyRequest => {
            return answer_request(state, action)
        }
        Action::AddContact => open_editor(state, InputKind::Command, "/add ".into()),
        Action::ToggleTimeline => state.ui.timeline = !state.ui.timeline,
        Action::ToggleOnlineOnly => toggle_online_only(state),
        Action::Search => {
            let text = state.ui.filter.text.clone().unwrap_or_default();
            open_editor(state, InputKind::Search, text);
        }
        Action::FilterTimeline => {
            state.ui.timeline = true;
            state.ui.timeline_filter =
                match (&state.ui.timeline_filter, contacts::selected_contact(state)) {
                    (Some(_), _) | (None, None) => None,
                    (None, Some(id)) => Some(id),
                };
        }
        Action::OpenChat => return open_selected(state),
        Action::NextChat => chat::cycle(state, 1),
        Action::PrevChat => chat::cycle(state, -1),
        Action::RemoveContact
        | Action::RenameContact
        | Action::GroupContact
        | Action::ContactInfo => return on_contact(state, action),
    }
    Vec::new()
}

/// The group of the selected row (a header, or a contact in it).
fn selected_group(state: &State) -> Option<crate::store::view::GroupRef> {
    use crate::store::view::RowId;
    match state.ui.selected.as_ref()? {
        RowId::Group(g) | RowId::Contact(g, _) | RowId::Resource(g, _, _) => Some(g.clone()),
        RowId::Account(_) => None,
    }
}

/// Space (or Enter on a header): folds the selected group to its header, or unfolds it.
fn toggle_fold(state: &mut State) {
    let Some(group) = selected_group(state) else {
        let text = "Select a group (or a contact in it) to fold it.";
        state.ui.message = Some((text.into(), Severity::Info));
        return;
    };
    let title = group.key.title().to_owned();
    let folded = &mut state.ui.filter.folded;
    let text = if folded.remove(&group) {
        format!("{title} unfolded.")
    } else {
        folded.insert(group.clone());
        // The selection moves to the header of the folded group.
        state.ui.selected = Some(crate::store::view::RowId::Group(group));
        format!("{title} folded (space or Enter unfolds it, Z unfolds all).")
    };
    state.ui.message = Some((text, Severity::Info));
}

fn fold_all(state: &mut State, fold: bool) {
    if fold {
        let all = state.rosters().group_refs();
        state.ui.filter.folded = all.into_iter().collect();
        if let Some(group) = selected_group(state) {
            state.ui.selected = Some(crate::store::view::RowId::Group(group));
        }
    } else {
        state.ui.filter.folded.clear();
    }
    let text = if fold {
        "Every group folded (Z unfolds all)."
    } else {
        "Every group unfolded."
    };
    state.ui.message = Some((text.into(), Severity::Info));
}

/// Enter on a contact (or resource) row: its conversation; on a group header: fold.
fn open_selected(state: &mut State) -> Vec<Effect> {
    if matches!(state.ui.selected, Some(crate::store::view::RowId::Group(_))) {
        toggle_fold(state);
        return Vec::new();
    }
    match contacts::selected_contact(state) {
        Some(id) => chat::open(state, id),
        None => {
            state.ui.message = Some(("Select a contact first.".into(), Severity::Info));
            Vec::new()
        }
    }
}

fn toggle_online_only(state: &mut State) {
    state.ui.filter.online_only = !state.ui.filter.online_only;
    let text = if state.ui.filter.online_only {
        "Showing online contacts only (O shows everyone)."
    } else {
        "Showing every contact."
    };
    state.ui.message = Some((text.into(), Severity::Info));
}

fn answer_request(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(id) = contacts::first_request(state) else {
        state.ui.message = Some(("No subscription requests.".into(), Severity::Info));
        return Vec::new();
    };
    match action {
        Action::DenyRequest => contacts::deny(state, id),
        Action::ApproveAndSubscribe => contacts::approve(state, id, true),
        _ => contacts::approve(state, id, false),
    }
}

/// An action on the selected contact.
fn on_contact(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(id) = contacts::selected_contact(state) else {
        state.ui.message = Some(("Select a contact first.".into(), Severity::Info));
        return Vec::new();
    };
    // Commands typed for the contact act through its account.
    let prefix = if state.multi() {
        let name = state.account(id.account).map(|a| a.name.clone());
        name.map(|n| format!("/account {} ", crate::command::quote(&n)))
            .unwrap_or_default()
    } else {
        "/".into()
    };
    let jid = &id.jid;
    let sub = |cmd: &str| match prefix.as_str() {
        "/" => format!("/{cmd}"),
        p => format!("{p}{cmd}"),
    };
    match action {
        Action::RemoveContact => return contacts::ask_remove(state, id),
        Action::RenameContact => {
            open_editor(state, InputKind::Command, sub(&format!("rename {jid} ")))
        }
        Action::GroupContact => {
            open_editor(state, InputKind::Command, sub(&format!("group add {jid} ")))
        }
        _ => return open_detail(state, id, false),
    }
    Vec::new()
}
