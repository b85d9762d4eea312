//! The header: a line per account with who you are, your presence, the connection state and
//! roster counts.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::domain::Availability;
use crate::domain::ConnState;
use crate::store::{AccountState, State};
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

/// Rows the header takes: one per account.
pub fn height(state: &State) -> u16 {
    state.accounts.len().clamp(1, 8) as u16
}

/// One line per account: who, own presence, connection, roster counts, other resources.
pub fn render_header(frame: &mut Frame, area: Rect, state: &State) {
    let lines: Vec<Line> = state
        .accounts
        .values()
        .enumerate()
        .map(|(i, account)| fitted_line(state, account, i == 0, usize::from(area.width)))
        .collect();
    let mut lines = lines;
    let unread = state.chats.unread();
    if let (Some(first), true) = (lines.first_mut(), unread > 0) {
        first.spans.insert(
            1,
            Span::styled(format!("✉ {unread} unread "), theme::watch()),
        );
    }
    if let (Some(first), Some(since)) = (lines.first_mut(), state.auto_away.idle_since()) {
        let secs = state
            .settings
            .clock
            .duration_since(since)
            .map_or(0, |d| d.as_secs());
        first.spans.insert(
            1,
            Span::styled(
                format!(
                    "auto-away, idle {} ",
                    crate::ui::roster::short_duration(secs)
                ),
                theme::watch(),
            ),
        );
    }
    frame.render_widget(Paragraph::new(lines).style(theme::header()), area);
}

/// How much of an account's line fits: everything, then less and less (the connection
/// state is the last thing to go).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    Full,
    /// Without the other resources and the labels.
    Short,
    /// The status text cut, no JID, no "rosterm".
    Narrow,
}

/// The longest form of the account's line that fits in `width` cells.
fn fitted_line<'a>(
    state: &State,
    account: &'a AccountState,
    first: bool,
    width: usize,
) -> Line<'a> {
    for detail in [Detail::Full, Detail::Short] {
        let line = account_line(state, account, first, detail);
        if line.width() <= width {
            return line;
        }
    }
    account_line(state, account, first, Detail::Narrow)
}

fn account_line<'a>(
    state: &State,
    account: &'a AccountState,
    first: bool,
    detail: Detail,
) -> Line<'a> {
    let mut spans = Vec::new();
    if detail < Detail::Narrow {
        spans.push(Span::styled(
            if first { " rosterm " } else { "         " },
            theme::group_style(),
        ));
        spans.extend(identity(state, account));
        spans.push(Span::raw("  "));
    } else if state.multi() {
        spans.push(Span::styled(
            format!("{} ", crate::ui::text::truncate(&account.name, 8)),
            theme::group_style(),
        ));
    }
    spans.extend(own_presence(state, account, detail));
    if let Some(saved) = account.cached_since {
        // Before the connection state, which can be long: this must stay on screen.
        let at = crate::ui::timeline::clock_time(saved, state.settings.utc_offset);
        spans.push(Span::styled(
            format!("  │ saved roster {at}, unconfirmed"),
            theme::dim(),
        ));
    }
    spans.push(Span::raw(if detail == Detail::Narrow {
        " │ "
    } else {
        "  │ "
    }));
    let conn = connection_text(&account.connection);
    let conn = match (&account.connection, detail) {
        (ConnState::Online, Detail::Full) => format!("{conn} (connection)"),
        _ => conn,
    };
    spans.push(Span::styled(conn, theme::conn_style(&account.connection)));
    if account.roster_loaded {
        let (online, total) = (account.roster.online_count(), account.roster.len());
        spans.push(Span::styled(
            match detail {
                Detail::Narrow => format!(" │ {online}/{total} online"),
                _ => format!("  │ {online}/{total} online"),
            },
            theme::dim(),
        ));
    }
    if detail > Detail::Full {
        return Line::from(spans);
    }
    for (resource, p) in &account.own_resources {
        let a = Availability::Available(p.show);
        spans.push(Span::raw("  │ you on "));
        spans.push(Span::raw(resource));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!("{} {}", theme::glyph(a), p.show.as_str()),
            theme::state_style(a),
        ));
    }
    Line::from(spans)
}

/// The account's name (several accounts) or the session's full JID (one account).
fn identity(state: &State, account: &AccountState) -> Vec<Span<'static>> {
    let me = account
        .bound
        .clone()
        .unwrap_or_else(|| account.jid.to_string());
    if !state.multi() {
        return vec![Span::raw(crate::sanitize::sanitize(&me, 200))];
    }
    vec![
        Span::styled(
            format!("{:<10}", crate::sanitize::sanitize(&account.name, 32)),
            theme::group_style(),
        ),
        Span::styled(
            format!(" {}", crate::sanitize::sanitize(&me, 200)),
            theme::dim(),
        ),
    ]
}

/// "you ◐ away [5] "lunch"": the user's own presence (labelled, so that it is not taken for
/// the connection state).
fn own_presence(state: &State, account: &AccountState, detail: Detail) -> Vec<Span<'static>> {
    // While auto-away is on, what is sent (the user's own comes back on the next key).
    let auto = state
        .auto_away
        .applied(&account.own)
        .filter(|_| !account.offline);
    let own = auto.as_ref().unwrap_or(&account.own);
    let a = match auto {
        Some(ref p) => Availability::Available(p.show),
        None => account.shown_presence(),
    };
    let mut spans = vec![
        Span::styled(
            if detail == Detail::Full { "you " } else { "" },
            theme::dim(),
        ),
        Span::styled(
            format!("{} {}", theme::glyph(a), a.label()),
            theme::state_style(a),
        ),
        Span::styled(if auto.is_some() { " (auto)" } else { "" }, theme::dim()),
        Span::styled(format!(" [{}]", own.priority), theme::dim()),
    ];
    if let Some(nick) = &account.nick {
        spans.push(Span::styled(format!(" ({nick})"), theme::dim()));
    }
    if !own.status.is_empty() {
        let status = crate::sanitize::sanitize(&own.status, 200);
        let status = match detail {
            Detail::Narrow => crate::ui::text::truncate(&status, 12),
            _ => status,
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!("\"{status}\""), theme::status_text()));
    }
    if account.connection == ConnState::Online
        && !account.offline
        && account.own_echo.as_ref() != Some(own)
    {
        // The server echoes our presence back once it has processed it (RFC 6121 §4.4.2).
        spans.push(Span::styled(" (sending…)", theme::dim()));
    }
    spans
}
