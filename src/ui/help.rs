//! The `?` overlay: every key (as currently bound) and every command.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::command::COMMANDS;
use crate::domain::{Availability, Show};
use crate::keymap::{Action, Keymap};
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
];

/// (left column, description) rows of a help section.
type Rows = &'static [(&'static str, &'static str)];

/// Keys of every popup (help, `/who`, a contact's details).
const POPUP_KEYS: &[(&str, &str)] = &[
    ("j k Down Up", "scroll a line"),
    ("PageDown PageUp", "scroll a page (Ctrl-f, Ctrl-b)"),
    ("g G Home End", "the first / last line"),
    ("Esc q Enter", "close (any other key too, but in this help)"),
];

/// What each mark on screen means, row by row.
pub const MARKS: &[(&str, &str)] = &[
    (
        "subscription",
        "⇄ you see each other  → you see them  ← they see you  · neither",
    ),
    (
        "  after it",
        "? your request waits for their answer  ! their request waits for yours (y / n)",
    ),
    (
        "✉",
        "unread messages (roster row, header, conversation bar)",
    ),
    ("◉", "a watched contact (/watch): its changes are announced"),
    ("[irc]", "behind a gateway to that network (/gateways)"),
    (
        "▾ Group 3/10",
        "available / total contacts; under a filter: shown / total",
    ),
    (
        "├ └ @res",
        "the resources of a contact online on several devices",
    ),
    (
        "header",
        "you <your presence> [priority] \"status\" │ <connection state> │ available/total",
    ),
    (
        "messages",
        "◌ queued  ✓ the server has it  ✓✓ delivered  ✗ not sent",
    ),
];

/// A (left, description) pair laid out in `width` columns: on one line when it fits, else
/// the description wrapped under or beside the left column.
fn two_columns(left: &str, description: &str, left_w: usize, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthStr;
    let left_cells = left.width().max(left_w);
    let beside = width.saturating_sub(2 + left_cells + 1);
    let (first, indent, wrap_at) = if beside >= 24 {
        (format!("  {left:<left_w$} "), 3 + left_cells, beside)
    } else {
        (format!("  {left}"), 6, width.saturating_sub(6).max(10))
    };
    let mut out = Vec::new();
    let mut chunks = crate::ui::text::wrap(description, wrap_at).into_iter();
    if beside >= 24 {
        let head = chunks.next().unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(first, theme::group_style()),
            Span::raw(head),
        ]));
    } else {
        out.push(Line::styled(first, theme::group_style()));
    }
    for chunk in chunks {
        out.push(Line::raw(format!("{}{chunk}", " ".repeat(indent))));
    }
    out
}

/// Every key (as bound), the conversation and popup keys, every command and every mark,
/// laid out in `width` columns.
pub fn help_lines(keymap: &Keymap, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Keys in the roster", theme::group_style())];
    for (keys, description) in keymap.help_lines() {
        lines.extend(two_columns(&keys, description, 18, width));
    }
    let sections: [(&str, Rows); 3] = [
        ("In a conversation", CHAT_KEYS),
        ("In a popup (this help, /who, a contact)", POPUP_KEYS),
        ("Marks", MARKS),
    ];
    for (title, rows) in sections {
        lines.push(Line::raw(""));
        lines.push(Line::styled(title, theme::group_style()));
        for (left, description) in rows {
            lines.extend(two_columns(left, description, 18, width));
        }
    }
    lines.extend(states_legend());
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Commands (Tab completes commands, contacts, groups, accounts, presence words)",
        theme::group_style(),
    ));
    for (usage, description) in COMMANDS.iter().flat_map(|c| c.lines) {
        lines.extend(two_columns(usage, description, 46, width));
    }
    lines
}

fn states_legend() -> Vec<Line<'static>> {
    let mut legend = vec![Span::styled(
        format!("  {:<19}", "states"),
        theme::group_style(),
    )];
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
    vec![
        Line::from(legend),
        Line::from(vec![
            Span::styled(format!("  {:<19}", "a contact's row"), theme::group_style()),
            Span::raw(format!(
                "shows the resource with: {} ({})",
                crate::store::presence::rule().describe(),
                crate::store::presence::rule().as_str()
            )),
        ]),
    ]
}

/// The help over the whole screen, laid out to its width, scrolled to `scroll`.
pub fn render_help(frame: &mut Frame, area: Rect, keymap: &Keymap, scroll: usize) {
    let lines = help_lines(keymap, usize::from(area.width.saturating_sub(2)));
    let lines = crate::ui::scrolled(lines, area, scroll, "? or Esc closes.");
    crate::ui::render_popup(frame, area, " rosterm help ", area.width, lines);
}

/// A cell of a Markdown table: `|` escaped, in backquotes when `code`.
fn cell(text: &str, code: bool) -> String {
    let text = text.replace('|', "\\|");
    if code {
        format!("`{text}`")
    } else {
        text
    }
}

/// The README's key table: the same rows as the help (default keys, each action's config
/// name), then the conversation and popup keys.
pub fn readme_keys() -> String {
    let keymap = Keymap::default();
    let mut out = String::from("| key | action (config name in `[keys]`) |\n|---|---|\n");
    for ((keys, description), (action, ..)) in keymap.help_lines().into_iter().zip(Action::ALL) {
        let keys: Vec<String> = keys.split(' ').map(|k| cell(k, true)).collect();
        out.push_str(&format!(
            "| {} | {} (`{}`) |\n",
            keys.join(" / "),
            cell(description, false),
            action.name()
        ));
    }
    for (title, rows) in [("in a conversation", CHAT_KEYS), ("in a popup", POPUP_KEYS)] {
        for (keys, description) in rows {
            let keys: Vec<String> = keys.split(' ').map(|k| cell(k, true)).collect();
            out.push_str(&format!(
                "| {} | {title}: {} |\n",
                keys.join(" / "),
                cell(description, false)
            ));
        }
    }
    out
}

/// The README's command table: every line of the command table.
pub fn readme_commands() -> String {
    let mut out = String::from("| command | what it does |\n|---|---|\n");
    for (usage, description) in COMMANDS.iter().flat_map(|c| c.lines) {
        out.push_str(&format!(
            "| {} | {} |\n",
            cell(usage, true),
            cell(description, false)
        ));
    }
    out
}

/// The README's table of marks.
pub fn readme_marks() -> String {
    let mut out = String::from("| mark | meaning |\n|---|---|\n");
    for (mark, description) in MARKS {
        out.push_str(&format!(
            "| {} | {} |\n",
            cell(mark.trim(), false),
            cell(description, false)
        ));
    }
    out
}
