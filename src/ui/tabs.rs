//! The conversation bar: the roster and every open conversation, numbered for Alt-0..9,
//! with unread counts; the one on screen is highlighted.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::store::{Focus, State};
use crate::ui::text::truncate;
use crate::ui::theme;

/// Rows the bar takes: one while a conversation is open.
pub fn height(state: &State) -> u16 {
    u16::from(!state.chats.open.is_empty())
}

pub fn render_tabs(frame: &mut Frame, area: Rect, state: &State) {
    let current = Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let roster_style = if state.ui.focus == Focus::Roster {
        current
    } else {
        theme::dim()
    };
    let mut spans = vec![Span::styled(" 0 roster ", roster_style)];
    for (i, chat) in state.chats.iter().enumerate() {
        spans.push(Span::styled("│", theme::dim()));
        let room_name = chat.id.jid.node().map_or("", |n| n.as_str());
        let name = match (&chat.room, &chat.id.nick) {
            (Some(_), _) => format!("#{room_name}"),
            (None, Some(nick)) => format!("{room_name}/{nick}"),
            (None, None) => state
                .contact(&chat.id)
                .map_or_else(|| chat.id.jid.to_string(), |c| c.label().to_owned()),
        };
        let mentions = chat.room.as_ref().map_or(0, |r| r.mentions);
        let mut label = format!(" {} {}", i + 1, truncate(&name, 16));
        if chat.stranger {
            label.push_str(" ⚠");
        }
        if chat.unread > 0 {
            label.push_str(&format!(" ✉{}", chat.unread));
        }
        if mentions > 0 {
            label.push_str(&format!(" @{mentions}"));
        }
        label.push(' ');
        let style = if state.ui.focus == Focus::Chat(chat.id.clone()) {
            current
        } else if mentions > 0 {
            theme::watch().add_modifier(Modifier::REVERSED)
        } else if chat.unread > 0 {
            theme::watch()
        } else {
            Style::default()
        };
        spans.push(Span::styled(label, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
