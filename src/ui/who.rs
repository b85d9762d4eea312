//! The `/who` overlay: the contacts matching a query, live, one line each.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::store::view::{Filter, Row};
use crate::store::State;
use crate::ui::theme;

/// The matching contacts (each once, even if in several groups), as lines.
pub fn who_lines(state: &State, filter: &Filter) -> Vec<Line<'static>> {
    let mut seen = std::collections::HashSet::new();
    let rosters = state.rosters();
    let rows = rosters.visible_rows(filter, 0, rosters.row_count(filter));
    rows.iter()
        .filter_map(|row| match row {
            Row::Contact {
                account, contact, ..
            } if seen.insert((*account, contact.jid.clone())) => Some((*account, *contact)),
            _ => None,
        })
        .map(|(account, c)| {
            let a = c.availability();
            let best = c.best();
            let mut spans = vec![
                Span::styled(format!("{} ", theme::glyph(a)), theme::state_style(a)),
                Span::raw(format!("{:<24} ", crate::ui::text::truncate(c.label(), 24))),
                Span::styled(format!("{:<7}", a.label()), theme::state_style(a)),
                Span::styled(format!("  {}", c.display_jid()), theme::dim()),
            ];
            if let Some(a) = state.account(account).filter(|_| state.multi()) {
                spans.push(Span::styled(
                    format!(" ({})", crate::sanitize::sanitize(&a.name, 32)),
                    theme::account_style(),
                ));
            }
            if let Some((_, p)) = best.filter(|(_, p)| !p.status.is_empty()) {
                spans.push(Span::styled(
                    format!("  {}", p.status),
                    theme::status_text(),
                ));
            }
            Line::from(spans)
        })
        .collect()
}

pub fn render_who(frame: &mut Frame, area: Rect, state: &State, filter: &Filter) {
    let lines = who_lines(state, filter);
    let count = lines.len();
    let lines = if lines.is_empty() {
        vec![Line::styled("Nobody matches.", theme::dim())]
    } else {
        lines
    };
    let lines = crate::ui::scrolled(lines, area, state.ui.help_scroll, "Esc closes.");
    let width = area.width.saturating_sub(4).max(100);
    let state_word = match (filter.online_only, filter.show) {
        (_, Some(a)) => a.label(),
        (true, None) => "available (any show)",
        (false, None) => "any state",
    };
    let group = filter
        .group
        .as_ref()
        .map(|g| format!(" in {}", g.title()))
        .unwrap_or_default();
    let title = format!(" who: {count} {state_word}{group} ");
    crate::ui::render_popup(frame, area, &title, width, lines);
}
