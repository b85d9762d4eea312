//! Drawing: a pure function of `&State` (and the keymap, for the help overlay).
//! One widget per pane: `header`, `roster`, `bottom` (editor / messages), `help` overlay.

pub mod bottom;
pub mod detail;
pub mod header;
pub mod help;
pub mod inbox;
pub mod roster;
pub mod text;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::keymap::Keymap;
use crate::store::{Mode, State};

/// The horizontal bands: header, subscription inbox (when requests wait), roster, bottom.
pub fn layout(area: Rect, inbox: u16) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(inbox),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Rows the roster pane has on a terminal of this size.
pub fn roster_height(area: Rect) -> usize {
    usize::from(layout(area, 0)[2].height)
}

/// Rows the roster pane has with this state's inbox.
pub fn roster_height_for(area: Rect, state: &State) -> usize {
    usize::from(layout(area, inbox::height(state))[2].height)
}

pub fn draw(frame: &mut Frame, state: &State, keymap: &Keymap) {
    let [header, inbox_area, body, bottom] = layout(frame.area(), inbox::height(state));
    header::render_header(frame, header, state);
    if inbox_area.height > 0 {
        inbox::render_inbox(frame, inbox_area, state, keymap);
    }
    roster::render_roster(frame, body, state);
    bottom::render_bottom(frame, bottom, state);
    match &state.ui.mode {
        Mode::Help => help::render_help(frame, frame.area(), keymap, state.ui.help_scroll),
        Mode::Detail(jid) => detail::render_detail(frame, frame.area(), state, jid),
        _ => {}
    }
}

#[cfg(test)]
#[path = "ui_tests.rs"]
mod tests;
