//! The `?` overlay: every key (as currently bound) and every command.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::command::COMMANDS;
use crate::domain::{Availability, Show};
use crate::keymap::Keymap;
use crate::ui::theme;

/// Keys of a conversation's input (typed characters are text there, never actions).
const CHAT_KEYS: &[(&str, &str)] = &[
    (
        "Enter",
        "send (a line starting with / is a command; // sends a /)",
    ),
    ("Alt-Enter", "new line in the message"),
    ("Esc", "back to the roster (the conversation stays open)"),
    (
        "PageUp PageDown",
        "older / newer messages (from disk, then the server)",
    ),
    (
        "Tab Shift-Tab",
        "next / previous conversation; Tab completes a /command",
    ),
    (
        "Alt-0..9",
        "the roster / that conversation (in the roster too)",
    ),
    ("Ctrl-W Ctrl-U", "delete a word / to the start"),
    (
        "marks",
        "◌ queued  ✓ the server has it  ✓✓ delivered  ✗ not sent",
    ),
];

pub fn help_lines(keymap: &Keymap) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Keys", theme::group_style())];
    for (keys, description) in keymap.help_lines() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), theme::group_style()),
            Span::raw(description),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("In a conversation", theme::group_style()));
    for (keys, description) in CHAT_KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), theme::group_style()),
            Span::raw(*description),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Commands (Tab completes)",
        theme::group_style(),
    ));
    for (usage, description) in COMMANDS.iter().flat_map(|c| c.lines) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {usage:<46}"), theme::group_style()),
            Span::raw(*description),
        ]));
    }
    lines.push(Line::raw(""));
    let mut legend = vec![Span::styled("States  ", theme::group_style())];
    let states = Show::ALL
        .iter()
        .map(|s| Availability::Available(*s))
        .chain([Availability::Offline, Availability::Error]);
    for a in states {
        legend.push(Span::styled(
            format!("{} {}  ", theme::glyph(a), a.label()),
            theme::state_style(a),
        ));
    }
    lines.push(Line::from(legend));
    lines.push(Line::styled("Press ? or Esc to close.", theme::dim()));
    lines
}

pub fn render_help(frame: &mut Frame, area: Rect, keymap: &Keymap, scroll: usize) {
    let lines = help_lines(keymap);
    let total = lines.len();
    let height = (total as u16 + 2).min(area.height);
    let inner = usize::from(height.saturating_sub(2));
    // Scrolled as far as the end, no further.
    let scroll = scroll.min(total.saturating_sub(inner));
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(inner).collect();
    if scroll + inner < total {
        if let Some(last) = shown.last_mut() {
            *last = Line::styled("  ↓ more: j / Down / PageDown", theme::dim());
        }
    }
    crate::ui::render_popup(frame, area, " rosterm help ", 96, shown);
}
