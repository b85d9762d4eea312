//! The XML console popup (`/console`): every stanza sent and received by every account
//! while it records, newest first, direction-marked, filterable.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::event::ConsoleDir;
use crate::store::console::{passes, ConsoleLine};
use crate::store::State;
use crate::ui::theme;

/// The console's lines (newest first), each "HH:MM:SS account ← stanza".
pub fn console_lines(state: &State) -> Vec<Line<'static>> {
    let filter = state.ui.console_filter.as_deref();
    let mut lines: Vec<(&ConsoleLine, &str)> = state
        .accounts
        .values()
        .flat_map(|a| a.console.lines.iter().map(move |l| (l, a.name.as_str())))
        .filter(|(l, _)| passes(l, filter))
        .collect();
    lines.sort_by_key(|(l, _)| std::cmp::Reverse(l.at));
    let offset = state.settings.utc_offset;
    lines
        .into_iter()
        .map(|(l, account)| line(l, account, offset))
        .collect()
}

fn line(l: &ConsoleLine, account: &str, offset: i64) -> Line<'static> {
    let (mark, colour) = match l.dir {
        ConsoleDir::In => ("←", Color::Cyan),
        ConsoleDir::Out => ("→", Color::Yellow),
        ConsoleDir::Dropped => ("✗ dropped", Color::Red),
    };
    Line::from(vec![
        Span::styled(crate::ui::timeline::clock_time(l.at, offset), theme::dim()),
        Span::raw(format!(" {} ", crate::sanitize::sanitize(account, 40))),
        Span::styled(mark, Style::default().fg(colour)),
        Span::raw(" "),
        Span::raw(l.text.clone()),
    ])
}

pub fn render_console(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let mut lines = console_lines(state);
    if lines.is_empty() {
        lines.push(Line::styled(
            "Nothing yet: stanzas sent and received from now on are shown here.",
            theme::dim(),
        ));
    }
    let lines = crate::ui::scrolled(
        lines,
        area,
        state.ui.help_scroll,
        "Esc closes (it keeps recording); /console off stops.",
    );
    let filter = match &state.ui.console_filter {
        Some(f) => format!(", filter {}", crate::sanitize::sanitize(f, 40)),
        None => String::new(),
    };
    let title = format!(" XML console, newest first{filter} ");
    crate::ui::render_popup(frame, area, &title, area.width.saturating_sub(4), lines);
}
