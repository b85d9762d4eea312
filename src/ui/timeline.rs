//! The presence timeline pane: newest first, local time, one line per change.

use std::time::{SystemTime, UNIX_EPOCH};

use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::domain::Availability;
use crate::domain::ContactId;
use crate::store::timeline::{TimelineEntry, TimelineKind};
use crate::store::{AccountState, State};
use crate::ui::theme;

/// "HH:MM:SS" in local time (`offset` seconds from UTC).
pub fn clock_time(at: SystemTime, offset: i64) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
        + offset;
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

fn entry_line(e: &TimelineEntry, offset: i64, name: &str) -> Line<'static> {
    let (mark, colour, verb) = match e.kind {
        TimelineKind::Enter => ("+", Color::Green, "came online"),
        TimelineKind::Update => ("~", Color::Yellow, "changed"),
        TimelineKind::Leave => ("-", Color::DarkGray, "went offline"),
    };
    let a = e
        .show
        .map(Availability::Available)
        .unwrap_or(Availability::Offline);
    let who = if e.resource.is_empty() {
        name.to_owned()
    } else {
        format!("{name}/{}", e.resource)
    };
    let mut spans = vec![
        Span::styled(clock_time(e.at, offset), theme::dim()),
        Span::styled(
            format!(" {mark} "),
            ratatui::style::Style::default().fg(colour),
        ),
        Span::raw(who),
        Span::styled(format!(" {verb}"), theme::dim()),
    ];
    if e.kind != TimelineKind::Leave {
        spans.push(Span::styled(
            format!(" {} {}", theme::glyph(a), a.label()),
            theme::state_style(a),
        ));
    }
    if !e.status.is_empty() {
        spans.push(Span::styled(
            format!("  {}", e.status),
            theme::status_text(),
        ));
    }
    Line::from(spans)
}

/// The newest `rows` entries of every account's timeline (only `filter`'s contact when
/// set), newest first, each with its account.
pub fn newest<'a>(
    state: &'a State,
    filter: Option<&ContactId>,
    rows: usize,
) -> Vec<(&'a AccountState, &'a TimelineEntry)> {
    let mut all: Vec<(&AccountState, &TimelineEntry)> = state
        .accounts
        .values()
        .filter(|a| filter.is_none_or(|f| f.account == a.id))
        .flat_map(|a| {
            a.timeline
                .entries()
                .rev()
                .filter(|e| filter.is_none_or(|f| e.jid == f.jid))
                .take(rows)
                .map(move |e| (a, e))
        })
        .collect();
    // Stable: entries of one account at the same instant keep their order.
    all.sort_by_key(|x| std::cmp::Reverse(x.1.at));
    all.truncate(rows);
    all
}

/// The newest `rows` entries as lines, and how many there are in all.
fn timeline_lines(state: &State, rows: usize) -> (Vec<Line<'static>>, usize) {
    let filter = state.ui.timeline_filter.as_ref();
    let total: usize = state
        .accounts
        .values()
        .map(|a| {
            a.timeline
                .entries()
                .filter(|e| filter.is_none_or(|f| e.jid == f.jid))
                .count()
        })
        .sum();
    let lines = newest(state, filter, rows)
        .into_iter()
        .map(|(account, e)| {
            let mut name = account
                .roster
                .get(&e.jid)
                .map(|c| c.label().to_owned())
                .unwrap_or_else(|| e.jid.to_string());
            if state.multi() {
                name = format!("{name} ({})", crate::sanitize::sanitize(&account.name, 32));
            }
            entry_line(e, state.settings.utc_offset, &name)
        })
        .collect();
    (lines, total)
}

/// `L`: every entry, in a popup that scrolls.
pub fn render_timeline_popup(frame: &mut Frame, area: Rect, state: &State) {
    let (lines, total) = timeline_lines(state, usize::MAX);
    let lines = if lines.is_empty() {
        vec![Line::styled("No presence changes yet.", theme::dim())]
    } else {
        lines
    };
    let lines = crate::ui::scrolled(lines, area, state.ui.help_scroll, "Esc closes.");
    let width = area.width.saturating_sub(4);
    let title = format!(" timeline: {total} changes, newest first ");
    crate::ui::render_popup(frame, area, &title, width, lines);
}

pub fn render_timeline(frame: &mut Frame, area: Rect, state: &State) {
    let filter = state.ui.timeline_filter.as_ref();
    let rows = usize::from(area.height.saturating_sub(1));
    let (lines, total) = timeline_lines(state, rows);
    let more = if total > lines.len() {
        format!(", {} of {total}: L lists all", lines.len())
    } else {
        String::new()
    };
    let title = match filter {
        Some(id) => format!(
            " timeline: {} (T shows everyone{more}) ",
            crate::sanitize::sanitize(id.jid.as_str(), 100)
        ),
        None => format!(" timeline (t hides, T: selected contact only{more}) "),
    };
    let lines = if lines.is_empty() {
        vec![Line::styled("No presence changes yet.", theme::dim())]
    } else {
        lines
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(title)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::clock_time;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn local_clock_time() {
        let t = UNIX_EPOCH + Duration::from_secs(86_400 * 3 + 13 * 3600 + 5 * 60 + 9);
        assert_eq!(clock_time(t, 0), "13:05:09");
        assert_eq!(clock_time(t, 3600), "14:05:09");
        assert_eq!(clock_time(t, -14 * 3600), "23:05:09");
    }
}
