//! The line above the roster while a filter is on: what is hidden and the key that clears
//! each part; and the group counters ("3/10", or "2/10 shown" under a filter).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::keymap::{Action, Keymap};
use crate::store::roster::GroupStats;
use crate::store::State;
use crate::ui::theme;

/// A group header's counter: available/total, or shown/total under a filter.
pub fn group_counter(stats: &GroupStats) -> String {
    match stats.shown {
        Some(shown) => format!("  {shown}/{} shown", stats.total),
        None => format!("  {}/{}", stats.online, stats.total),
    }
}

/// Each active filter with how to clear it.
pub fn filter_parts(state: &State, keymap: &Keymap) -> Vec<String> {
    let f = &state.ui.filter;
    let key = |a: Action| keymap.keys_for(a).unwrap_or_else(|| "unbound".into());
    let mut parts = Vec::new();
    if f.online_only {
        parts.push(format!(
            "online only ({} shows all)",
            key(Action::ToggleOnlineOnly)
        ));
    }
    if let Some(a) = f.show {
        parts.push(format!("only {}", a.label()));
    }
    if let Some(g) = &f.group {
        parts.push(format!("group {}", g.title()));
    }
    if let Some(t) = &f.text {
        let t = crate::sanitize::sanitize(t, 40);
        parts.push(format!(
            "search \"{t}\" ({} then Esc clears)",
            key(Action::Search)
        ));
    }
    if f.show.is_some() || f.group.is_some() {
        parts.push("/filter clear shows everyone".into());
    }
    parts
}

pub fn render_filter(frame: &mut Frame, area: Rect, state: &State, keymap: &Keymap) {
    let parts = filter_parts(state, keymap);
    let line = Line::from(vec![
        Span::styled("Filter: ", theme::inbox_title()),
        Span::styled(parts.join(" · "), theme::dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
