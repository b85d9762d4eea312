//! The subscription inbox: pending requests above the roster, with the keys that answer them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::keymap::{Action, Keymap};
use crate::store::State;
use crate::ui::theme;

/// At most this many requests are listed; the title gives the total.
pub const SHOWN: usize = 3;

/// Rows the inbox needs (0 when there are no requests).
pub fn height(state: &State) -> u16 {
    match state.subscription_requests.len() {
        0 => 0,
        n => 1 + n.min(SHOWN) as u16,
    }
}

pub fn render_inbox(frame: &mut Frame, area: Rect, state: &State, keymap: &Keymap) {
    let key = |a: Action| keymap.keys_for(a).unwrap_or_else(|| "(unbound)".into());
    let n = state.subscription_requests.len();
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("✉ Subscription requests ({n})"),
            theme::inbox_title(),
        ),
        Span::styled(
            format!(
                "  {} approve · {} approve and subscribe back · {} deny (the top one)",
                key(Action::ApproveRequest),
                key(Action::ApproveAndSubscribe),
                key(Action::DenyRequest)
            ),
            theme::dim(),
        ),
    ])];
    for (id, nick) in state.subscription_requests.iter().take(SHOWN) {
        let mut spans = vec![
            Span::raw("  • "),
            Span::raw(crate::sanitize::sanitize(id.jid.as_str(), 200)),
        ];
        if let Some(account) = state.account(id.account).filter(|_| state.multi()) {
            spans.push(Span::styled(
                format!(" → {}", crate::sanitize::sanitize(&account.name, 32)),
                theme::account_style(),
            ));
        }
        if let Some(nick) = nick {
            spans.push(Span::styled(format!("  \"{nick}\""), theme::status_text()));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
