//! The detail view's "last 7 days" strip (`domain::strip`): one line per local day, one
//! cell per hour, coloured by state and drawn with the state's glyph (distinct without
//! colour too); `·` where nothing is known.

use std::time::SystemTime;

use ratatui::text::{Line, Span};

use crate::domain::strip::{day_label, strip, Cell};
use crate::domain::{Availability, Show};
use crate::ui::theme;

fn cell_span(cell: Cell) -> Span<'static> {
    let a = match cell {
        Cell::Unknown => return Span::styled("·", theme::dim()),
        Cell::Offline => Availability::Offline,
        Cell::Available(show) => Availability::Available(show),
    };
    Span::styled(theme::glyph(a), theme::state_style(a))
}

/// The heading, an hour ruler, and the seven days (oldest first).
pub fn strip_lines(
    week: &[(SystemTime, Option<Show>)],
    now: SystemTime,
    offset: i64,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::raw(""),
        Line::styled("last 7 days", theme::group_style()),
        Line::styled(format!("{:13}0     6     12    18", ""), theme::dim()),
    ];
    for day in strip(week, now, offset) {
        let mut spans = vec![Span::styled(
            format!("  {}  ", day_label(day.day)),
            theme::dim(),
        )];
        spans.extend(day.hours.into_iter().map(cell_span));
        lines.push(Line::from(spans));
    }
    lines
}
