//! The bottom line: the one-line editor when open, else the last message, else a key hint.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::store::{InputKind, Mode, Severity, State};
use crate::ui::theme;

pub fn prompt(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Status => "status: ",
        InputKind::Priority => "priority (-128..127): ",
        InputKind::Command => "",
        InputKind::Search => "search (Enter keeps, Esc clears): ",
    }
}

fn clean(text: &str) -> String {
    crate::sanitize::sanitize(text, crate::sanitize::MAX_STATUS * 2)
}

pub fn render_bottom(frame: &mut Frame, area: Rect, state: &State) {
    let line = match &state.ui.mode {
        Mode::Input(input) => {
            let presets = state
                .accounts
                .values()
                .next()
                .is_some_and(|a| !state.settings.presets.of(a.own.show).is_empty());
            let prompt = match input.kind {
                InputKind::Status if presets => "status (Up/Down: presets): ",
                kind => prompt(kind),
            };
            let shown = crate::sanitize::sanitize(&input.text, usize::MAX);
            let cursor_cells: usize = shown
                .chars()
                .take(input.cursor)
                .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                .sum();
            let x = area.x.saturating_add((prompt.len() + cursor_cells).min(usize::from(area.width.saturating_sub(1))) as u16);
            frame.set_cursor_position(Position::new(x, area.y));
            let mut spans = vec![Span::styled(prompt, theme::group_style()), Span::raw(shown)];
            if let Some(error) = &input.error {
                spans.push(Span::styled(format!("  ← {}", clean(error)), theme::error()));
            }
            Line::from(spans)
        }
        Mode::Ask(ask) => {
            // Never the password itself: `shown` is `*`s for it.
            let (question, shown) = (ask.question(), ask.shown());
            let cells = unicode_width::UnicodeWidthStr::width(format!("{question}{shown}").as_str());
            let x = area.x.saturating_add(cells.min(usize::from(area.width.saturating_sub(1))) as u16);
            frame.set_cursor_position(Position::new(x, area.y));
            let mut spans = vec![Span::styled(question, theme::inbox_title()), Span::raw(shown)];
            if let Some(error) = &ask.error {
                spans.push(Span::styled(format!("  ← {}", clean(error)), theme::error()));
            }
            Line::from(spans)
        }
        Mode::Confirm { question, .. } | Mode::ConfirmQuit(question) => {
            Line::styled(question.as_str(), theme::inbox_title())
        }
        _ => match &state.ui.message {
            // Messages can quote what the user typed: through the same gate as network text.
            Some((text, Severity::Error)) => Line::styled(clean(text), theme::error()),
            Some((text, Severity::Info)) => Line::raw(clean(text)),
            Some((text, Severity::Watch)) => Line::styled(clean(text), theme::watch()),
            None if matches!(state.ui.focus, crate::store::Focus::Chat(_)) => Line::styled(
                "Enter send  Alt-Enter new line  Esc roster  Tab/Alt-1..9 switch  PgUp older  /correct  /close  F1 help",
                theme::dim(),
            ),
            None => Line::styled(
                "? help  / command  o online  c chat  a away  x xa  d dnd  s status  p priority  q quit",
                theme::dim(),
            ),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}
