//! The one-line editor: the status text, the priority, the command line and the search.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::command;
use crate::store::{InputKind, InputLine, Mode, Severity, State};
use crate::update::presence::{self, Scope};
use crate::update::{commands, complete, Effect};

/// Longest text the editor holds, in characters.
const MAX_CHARS: usize = 1000;

fn byte_index(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len())
}

/// One key in the one-line editor.
pub fn edit(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Mode::Input(input) = &mut state.ui.mode else {
        return Vec::new();
    };
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
        KeyCode::Tab if matches!(input.kind, InputKind::Command | InputKind::Search) => {
            let search = input.kind == InputKind::Search;
            // A search completes a contact's name, as a contact argument does.
            let text = match search {
                true => format!("/msg {}", input.text),
                false => input.text.clone(),
            };
            if let Some(done) = complete::tab(state, &text) {
                let done = match search {
                    true => done.trim_start_matches("/msg ").trim_end().to_owned(),
                    false => done,
                };
                if let Mode::Input(input) = &mut state.ui.mode {
                    input.cursor = done.chars().count();
                    input.text = done;
                }
            }
            if !search {
                return Vec::new();
            }
        }
        KeyCode::Up | KeyCode::Down if input.kind == InputKind::Status => {
            let show = state.accounts.values().next().map(|a| a.own.show);
            if let Some(show) = show {
                next_preset(
                    input,
                    &state.settings.presets,
                    show,
                    key.code == KeyCode::Down,
                );
            }
        }
        _ => edit_line(input, key),
    }
    follow_search(state);
    Vec::new()
}

/// While the search line is open: the filter follows its text.
fn follow_search(state: &mut State) {
    if let Mode::Input(InputLine {
        kind: InputKind::Search,
        text,
        ..
    }) = &state.ui.mode
    {
        let text = text.trim().to_lowercase();
        let searching = !text.is_empty();
        state.ui.filter.text = searching.then_some(text);
        if searching {
            select_first_match(state);
        }
    }
}

/// Up / Down in the status editor: the next (previous) preset of the current show.
fn next_preset(
    input: &mut InputLine,
    presets: &crate::domain::presets::Presets,
    show: crate::domain::Show,
    forward: bool,
) {
    if let Some(text) = presets.cycle(show, input.text.trim(), forward) {
        input.text = text.to_owned();
        input.cursor = input.text.chars().count();
        input.error = None;
    }
}

/// While searching: the selection on the first contact that matches (Enter then opens it).
fn select_first_match(state: &mut State) {
    let rosters = state.rosters();
    let filter = &state.ui.filter;
    // The first contact row comes after at most an account and a group header.
    let first = rosters
        .visible_rows(filter, 0, 3)
        .into_iter()
        .find(|row| matches!(row, crate::store::view::Row::Contact { .. }))
        .map(|row| row.id());
    match first {
        Some(id) => state.ui.selected = Some(id),
        None => {
            let text = "No contact matches the search (Esc clears it).";
            state.ui.message = Some((text.into(), Severity::Info));
        }
    }
}

/// Cursor movement and text changes in the one-line editor; an edit clears the error.
fn edit_line(input: &mut InputLine, key: KeyEvent) {
    let before = input.text.clone();
    edit_text(&mut input.text, &mut input.cursor, key, MAX_CHARS);
    if input.text != before {
        input.error = None;
    }
}

/// Cursor movement and text changes in `text` (at most `max` characters), shared by the
/// one-line editor and a conversation's input. A `\n` is inserted only when given as a
/// character (Alt-Enter in a conversation).
pub fn edit_text(text: &mut String, cursor: &mut usize, key: KeyEvent, max: usize) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let len = text.chars().count();
    match key.code {
        KeyCode::Backspace if *cursor > 0 => {
            let at = byte_index(text, *cursor - 1);
            text.remove(at);
            *cursor -= 1;
        }
        KeyCode::Delete if *cursor < len => {
            let at = byte_index(text, *cursor);
            text.remove(at);
        }
        KeyCode::Left => *cursor = cursor.saturating_sub(1),
        KeyCode::Right => *cursor = (*cursor + 1).min(len),
        KeyCode::Home => *cursor = 0,
        KeyCode::End => *cursor = len,
        KeyCode::Char('a') if ctrl => *cursor = 0,
        KeyCode::Char('e') if ctrl => *cursor = len,
        KeyCode::Char('u') if ctrl => {
            let at = byte_index(text, *cursor);
            text.replace_range(..at, "");
            *cursor = 0;
        }
        KeyCode::Char('w') if ctrl => delete_word(text, cursor),
        KeyCode::Char(c) if !ctrl && (c == '\n' || !c.is_control()) && len < max => {
            let at = byte_index(text, *cursor);
            text.insert(at, c);
            *cursor += 1;
        }
        _ => {}
    }
}

/// Ctrl-W: deletes the word before the cursor (and the spaces after it).
fn delete_word(text: &mut String, cursor: &mut usize) {
    let chars: Vec<char> = text.chars().collect();
    let mut start = (*cursor).min(chars.len());
    while start > 0 && chars[start - 1].is_whitespace() {
        start -= 1;
    }
    while start > 0 && !chars[start - 1].is_whitespace() {
        start -= 1;
    }
    let (from, to) = (byte_index(text, start), byte_index(text, *cursor));
    text.replace_range(from..to, "");
    *cursor = start;
}

fn submit(state: &mut State, input: InputLine) -> Vec<Effect> {
    match input.kind {
        InputKind::Status => {
            state.ui.mode = Mode::Normal;
            let text = input.text.trim().to_owned();
            presence::change(state, Scope::All, |own| own.status.clone_from(&text))
        }
        InputKind::Priority => submit_priority(state, &input.text),
        InputKind::Search => {
            state.ui.mode = Mode::Normal;
            if let Some(label) = contacts_selected_label(state) {
                let text =
                    format!("{label} selected: Enter opens the conversation, i its details.");
                state.ui.message = Some((text, Severity::Info));
            }
            Vec::new()
        }
        InputKind::Command => {
            state.ui.mode = Mode::Normal;
            if input.text.trim() == "/" || input.text.trim().is_empty() {
                let text = "No command given (Tab after / lists them, /help explains them).";
                state.ui.message = Some((text.into(), Severity::Info));
                return Vec::new();
            }
            match command::parse(&input.text) {
                Ok(cmd) => commands::run_command(state, cmd),
                Err(message) => {
                    state.ui.message = Some((message, Severity::Error));
                    Vec::new()
                }
            }
        }
    }
}

fn contacts_selected_label(state: &State) -> Option<String> {
    let id = state.ui.selected.as_ref()?.contact()?;
    state.contact(id).map(|c| c.label().to_owned())
}

fn submit_priority(state: &mut State, text: &str) -> Vec<Effect> {
    match text
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|p| i8::try_from(p).ok())
    {
        Some(p) => {
            state.ui.mode = Mode::Normal;
            presence::change(state, Scope::All, |own| own.priority = p)
        }
        None => {
            let error = format!(
                "{:?} is not a priority; enter a number from -128 to 127 (Esc cancels)",
                text.trim()
            );
            if let Mode::Input(input) = &mut state.ui.mode {
                input.error = Some(error.clone());
            }
            state.ui.message = Some((error, Severity::Error));
            Vec::new()
        }
    }
}
