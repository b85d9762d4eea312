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
pub mod timeline;
pub mod who;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::keymap::Keymap;
use crate::store::{Mode, State};

/// Draws `lines` in a bordered box of at most `width` columns, centred on `area`, over
/// whatever is below (the help, contact and who overlays).
pub fn render_popup(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    width: u16,
    lines: Vec<ratatui::text::Line>,
) {
    use ratatui::widgets::{Block, Borders, Clear, Paragraph};
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = width.min(area.width);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        popup,
    );
}

/// The horizontal bands: header, subscription inbox (when requests wait), roster, bottom.
pub fn layout(area: Rect, inbox: u16, timeline: bool) -> [Rect; 5] {
    let timeline = if timeline {
        (area.height / 3).max(6)
    } else {
        0
    };
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(inbox),
        Constraint::Min(1),
        Constraint::Length(timeline),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Rows the roster pane has on a terminal of this size.
pub fn roster_height(area: Rect) -> usize {
    usize::from(layout(area, 0, false)[2].height)
}

/// Rows the roster pane has with this state's inbox.
pub fn roster_height_for(area: Rect, state: &State) -> usize {
    usize::from(layout(area, inbox::height(state), state.ui.timeline)[2].height)
}

pub fn draw(frame: &mut Frame, state: &State, keymap: &Keymap) {
    let [header, inbox_area, body, timeline_area, bottom] =
        layout(frame.area(), inbox::height(state), state.ui.timeline);
    header::render_header(frame, header, state);
    if inbox_area.height > 0 {
        inbox::render_inbox(frame, inbox_area, state, keymap);
    }
    roster::render_roster(frame, body, state);
    if timeline_area.height > 0 {
        timeline::render_timeline(frame, timeline_area, state);
    }
    bottom::render_bottom(frame, bottom, state);
    match &state.ui.mode {
        Mode::Help => help::render_help(frame, frame.area(), keymap, state.ui.help_scroll),
        Mode::Detail(jid) => detail::render_detail(frame, frame.area(), state, jid),
        Mode::Who(filter) => who::render_who(frame, frame.area(), state, filter),
        _ => {}
    }
    if state.no_color {
        theme::strip_colors(frame.buffer_mut());
    }
}

#[cfg(test)]
#[path = "ui_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "ui_text_tests.rs"]
mod text_tests;
