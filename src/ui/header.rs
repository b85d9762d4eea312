//! The header line: who you are, your presence, the connection state, roster counts.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::domain::Availability;
use crate::domain::ConnState;
use crate::store::State;
use crate::ui::theme;

pub fn connection_text(c: &ConnState) -> String {
    match c {
        ConnState::Connecting => "connecting…".into(),
        ConnState::Online => "online".into(),
        ConnState::Reconnecting {
            attempt: 0, reason, ..
        } => format!("reconnecting: {reason}"),
        ConnState::Reconnecting {
            attempt,
            retry_in_secs,
            reason,
        } => format!("reconnecting (attempt {attempt}, next try in {retry_in_secs} s): {reason}"),
        ConnState::Failed { reason } => format!("failed: {reason}"),
    }
}

pub fn render_header(frame: &mut Frame, area: Rect, state: &State) {
    let me = state
        .bound
        .clone()
        .unwrap_or_else(|| state.own_jid.to_string());
    let a = if state.own_offline {
        Availability::Offline
    } else {
        Availability::Available(state.own.show)
    };
    let mut spans = vec![
        Span::styled(" rosterm ", theme::group_style()),
        Span::raw(crate::sanitize::sanitize(&me, 200)),
        Span::raw("  "),
        Span::styled(
            format!("{} {}", theme::glyph(a), a.label()),
            theme::state_style(a),
        ),
        Span::styled(format!(" [{}]", state.own.priority), theme::dim()),
    ];
    if let Some(nick) = &state.own_nick {
        spans.push(Span::styled(format!(" ({nick})"), theme::dim()));
    }
    if !state.own.status.is_empty() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!("\"{}\"", crate::sanitize::sanitize(&state.own.status, 200)),
            theme::status_text(),
        ));
    }
    if state.connection == ConnState::Online
        && !state.own_offline
        && state.own_echo.as_ref() != Some(&state.own)
    {
        // The server echoes our presence back once it has processed it (RFC 6121 §4.4.2).
        spans.push(Span::styled(" (sending…)", theme::dim()));
    }
    if let Some(saved) = state.cached_since {
        // Before the connection state, which can be long: this must stay on screen.
        let at = crate::ui::timeline::clock_time(saved, state.utc_offset);
        spans.push(Span::styled(
            format!("  │ saved roster {at}, unconfirmed"),
            theme::dim(),
        ));
    }
    spans.push(Span::raw("  │ "));
    spans.push(Span::styled(
        connection_text(&state.connection),
        theme::conn_style(&state.connection),
    ));
    if state.roster_loaded {
        spans.push(Span::styled(
            format!(
                "  │ {}/{} online",
                state.roster.online_count(),
                state.roster.len()
            ),
            theme::dim(),
        ));
    }
    for (resource, p) in &state.own_resources {
        let a = Availability::Available(p.show);
        spans.push(Span::raw("  │ you on "));
        spans.push(Span::raw(resource));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!("{} {}", theme::glyph(a), p.show.as_str()),
            theme::state_style(a),
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme::header()),
        area,
    );
}
