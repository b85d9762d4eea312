//! The one-line editor: the status text, the priority, the command line and the search.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::command;
use crate::store::{InputKind, InputLine, Mode, Severity, State};
use crate::update::presence::{self, Scope};
use crate::update::{commands, Effect};

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
        KeyCode::Tab if input.kind == InputKind::Command => {
            let names: Vec<String> = state.accounts.values().map(|a| a.name.clone()).collect();
            if let Some(done) = command::complete(&input.text, &names) {
                input.cursor = done.chars().count();
                input.text = done;
            }
        }
        _ => edit_text(input, key),
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

/// Cursor movement and text changes.
fn edit_text(input: &mut InputLine, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let len = input.text.chars().count();
    match key.code {
        KeyCode::Backspace if input.cursor > 0 => {
            let at = byte_index(&input.text, input.cursor - 1);
            input.text.remove(at);
            input.cursor -= 1;
        }
        KeyCode::Delete if input.cursor < len => {
            let at = byte_index(&input.text, input.cursor);
            input.text.remove(at);
        }
        KeyCode::Left => input.cursor = input.cursor.saturating_sub(1),
        KeyCode::Right => input.cursor = (input.cursor + 1).min(len),
        KeyCode::Home => input.cursor = 0,
        KeyCode::End => input.cursor = len,
        KeyCode::Char('a') if ctrl => input.cursor = 0,
        KeyCode::Char('e') if ctrl => input.cursor = len,
        KeyCode::Char('u') if ctrl => {
            let at = byte_index(&input.text, input.cursor);
            input.text.replace_range(..at, "");
            input.cursor = 0;
        }
        KeyCode::Char(c) if !ctrl && !c.is_control() && len < MAX_CHARS => {
            let at = byte_index(&input.text, input.cursor);
            input.text.insert(at, c);
            input.cursor += 1;
        }
        _ => {}
    }
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
            Vec::new()
        }
        InputKind::Command => {
            state.ui.mode = Mode::Normal;
            if input.text.trim() == "/" || input.text.trim().is_empty() {
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
            state.ui.message = Some((
                format!(
                    "{:?} is not a priority; enter a number from -128 to 127 (Esc cancels)",
                    text.trim()
                ),
                Severity::Error,
            ));
            Vec::new()
        }
    }
}
