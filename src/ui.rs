//! Drawing: a pure function of `&State` (and the keymap, for the help overlay).
//! One widget per pane: `header`, `roster`, `bottom` (editor / messages), `help` overlay.

pub mod ascii;
pub mod bottom;
pub mod chat;
pub mod console;
pub mod detail;
pub mod filter;
pub mod header;
pub mod help;
pub mod inbox;
pub mod room;
pub mod roster;
pub mod strip;
pub mod tabs;
pub mod text;
pub mod theme;
pub mod timeline;
pub mod who;
pub mod xml;

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

/// The part of a popup's `lines` that fits in `area` (less the border) from line `scroll`
/// on, with a line saying what is above and below and which keys scroll; `close` says how
/// to close it when everything fits.
pub fn scrolled<'a>(
    lines: Vec<ratatui::text::Line<'a>>,
    area: Rect,
    scroll: usize,
    close: &'static str,
) -> Vec<ratatui::text::Line<'a>> {
    use ratatui::text::Line;
    let total = lines.len();
    // The border, and a line for the hint.
    let inner = usize::from(area.height.saturating_sub(3)).max(1);
    if total <= inner {
        let mut lines = lines;
        lines.push(Line::styled(close, theme::dim()));
        return lines;
    }
    let scroll = scroll.min(total - inner);
    let below = total - inner - scroll;
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(inner).collect();
    let hint = match (scroll, below) {
        (0, b) => format!("↓ {b} more: j / Down / PageDown · {close}"),
        (a, 0) => format!("↑ {a} more: k / Up / PageUp · {close}"),
        (a, b) => format!("↑ {a} above, ↓ {b} below: j k PageUp PageDown g G · {close}"),
    };
    shown.push(Line::styled(hint, theme::dim()));
    shown
}

/// Where each pane goes on screen. Bands from the top: the header (a line per account), the
/// subscription inbox (when requests wait), the conversation bar (when one is open), the
/// roster and, while a conversation has the keyboard, the conversation beside it (or
/// instead of it on a narrow screen), the timeline (when shown), the bottom line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub header: Rect,
    /// Zero height when no request waits.
    pub inbox: Rect,
    /// Zero height when no conversation is open.
    pub tabs: Rect,
    /// The active roster filters, above the roster (zero height when none).
    pub filter: Rect,
    /// Zero width while a conversation takes the whole width.
    pub roster: Rect,
    /// The focused conversation.
    pub chat: Option<Rect>,
    pub timeline: Option<Rect>,
    pub bottom: Rect,
}

/// The panes for this state on a screen of this size.
pub fn layout(area: Rect, state: &State) -> Panes {
    let timeline = if state.ui.timeline {
        (area.height / 3).max(6)
    } else {
        0
    };
    let [header, inbox, tabs, main, timeline_area, bottom] = Layout::vertical([
        Constraint::Length(header::height(state)),
        Constraint::Length(inbox::height(state)),
        Constraint::Length(tabs::height(state)),
        Constraint::Min(1),
        Constraint::Length(timeline),
        Constraint::Length(1),
    ])
    .areas(area);
    let (mut roster, chat) = split_main(main, state);
    let mut filter = Rect {
        height: 0,
        ..roster
    };
    if !state.ui.filter.is_empty() && roster.height > 1 && roster.width > 0 {
        filter.height = 1;
        roster.y += 1;
        roster.height -= 1;
    }
    Panes {
        header,
        inbox,
        tabs,
        filter,
        roster,
        chat,
        timeline: (timeline_area.height > 0).then_some(timeline_area),
        bottom,
    }
}

/// Widest screen on which a conversation hides the roster.
pub const NARROW: u16 = 100;

/// The roster and the focused conversation: side by side on a wide screen (the roster
/// narrowed), the conversation alone on a narrow one.
fn split_main(main: Rect, state: &State) -> (Rect, Option<Rect>) {
    if !matches!(state.ui.focus, crate::store::Focus::Chat(_)) {
        return (main, None);
    }
    if main.width < NARROW {
        return (Rect { width: 0, ..main }, Some(main));
    }
    let [roster, chat] =
        Layout::horizontal([Constraint::Length(main.width / 3), Constraint::Min(1)]).areas(main);
    (
        roster,
        Some(Rect {
            x: chat.x + 1,
            width: chat.width.saturating_sub(1),
            ..chat
        }),
    )
}

/// Rows the roster pane has with this state on a screen of this size.
pub fn roster_height_for(area: Rect, state: &State) -> usize {
    usize::from(layout(area, state).roster.height).max(1)
}

pub fn draw(frame: &mut Frame, state: &State, keymap: &Keymap) {
    let _theme = theme::scope(state.settings.theme.clone());
    let panes = layout(frame.area(), state);
    header::render_header(frame, panes.header, state);
    if panes.inbox.height > 0 {
        inbox::render_inbox(frame, panes.inbox, state, keymap);
    }
    if panes.tabs.height > 0 {
        tabs::render_tabs(frame, panes.tabs, state);
    }
    if panes.filter.height > 0 {
        filter::render_filter(frame, panes.filter, state, keymap);
    }
    if panes.roster.width > 0 {
        roster::render_roster(frame, panes.roster, state);
    }
    if let (Some(area), crate::store::Focus::Chat(id)) = (panes.chat, &state.ui.focus) {
        if area.x > 0 && panes.roster.width > 0 {
            let rule = Rect {
                x: area.x - 1,
                width: 1,
                ..area
            };
            let bar =
                vec![ratatui::text::Line::styled("│", theme::dim()); usize::from(rule.height)];
            frame.render_widget(ratatui::widgets::Paragraph::new(bar), rule);
        }
        chat::render_chat(frame, area, state, id);
    }
    if let Some(area) = panes.timeline {
        timeline::render_timeline(frame, area, state);
    }
    bottom::render_bottom(frame, panes.bottom, state);
    match &state.ui.mode {
        Mode::Help => help::render_help(frame, frame.area(), keymap, state.ui.help_scroll),
        Mode::Detail(id) => detail::render_detail(frame, frame.area(), state, id),
        Mode::Who(filter) => who::render_who(frame, frame.area(), state, filter),
        Mode::Timeline => timeline::render_timeline_popup(frame, frame.area(), state),
        Mode::Console => console::render_console(frame, state),
        Mode::ConfirmQuit(_) => {}
        _ => {}
    }
    if state.settings.no_color {
        theme::strip_colors(frame.buffer_mut());
    }
    if state.settings.theme.ascii {
        ascii::to_ascii(frame.buffer_mut());
    }
}

#[cfg(test)]
#[path = "ui_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "ui_text_tests.rs"]
mod text_tests;

#[cfg(test)]
#[path = "ui_fit_tests.rs"]
mod fit_tests;

#[cfg(test)]
#[path = "ui_idle_tests.rs"]
mod idle_tests;

#[cfg(test)]
#[path = "ui_seen_tests.rs"]
mod seen_tests;

#[cfg(test)]
#[path = "ui_devices_tests.rs"]
mod devices_tests;
