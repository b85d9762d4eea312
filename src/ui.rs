//! Drawing: a pure function of `&State` (and the keymap, for the help overlay).
//! One widget per pane: `header`, `roster`, `bottom` (editor / messages), `help` overlay.

pub mod bottom;
pub mod header;
pub mod help;
pub mod roster;
pub mod text;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::keymap::Keymap;
use crate::store::{Mode, State};

/// The three horizontal bands: header, roster, bottom line.
pub fn layout(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Rows the roster pane has on a terminal of this size.
pub fn roster_height(area: Rect) -> usize {
    usize::from(layout(area)[1].height)
}

pub fn draw(frame: &mut Frame, state: &State, keymap: &Keymap) {
    let [header, body, bottom] = layout(frame.area());
    header::render_header(frame, header, state);
    roster::render_roster(frame, body, state);
    bottom::render_bottom(frame, bottom, state);
    if state.ui.mode == Mode::Help {
        help::render_help(frame, frame.area(), keymap);
    }
}

#[cfg(test)]
#[path = "ui_tests.rs"]
mod tests;
