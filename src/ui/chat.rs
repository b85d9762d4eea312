//! A conversation pane: who it is with (name, show, status, typing), the messages (local
//! time, sender, wrapped text, delivery marks for the user's own) drawn from the newest
//! up, and the input. Only the visible messages are laid out.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::domain::{Availability, ChatState, ContactId, Delivery, Direction};
use crate::store::chat::{ChatLine, Conversation, Older};
use crate::store::State;
use crate::ui::text::{truncate, wrap};
use crate::ui::theme;

/// Most screen rows one message takes; the rest is summed up in a marker.
pub const MAX_ROWS: usize = 12;
/// Most rows the input grows to.
const INPUT_ROWS: usize = 5;

pub fn render_chat(frame: &mut Frame, area: Rect, state: &State, id: &ContactId) {
    let Some(chat) = state.chats.get(id) else {
        return;
    };
    let area = match chat.room.as_deref() {
        Some(room) => {
            let devices = state.account(id.account).map(|a| &a.devices);
            crate::ui::room::split_occupants(frame, area, room, devices)
        }
        None => area,
    };
    let input_rows = input_lines(chat, area.width).len().clamp(1, INPUT_ROWS) as u16;
    let [title, body, rule, input] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(input_rows),
    ])
    .areas(area);
    let title_line = match chat.room.as_deref() {
        Some(room) => crate::ui::room::title_line(state, chat, room),
        None => title_line(state, chat),
    };
    frame.render_widget(Paragraph::new(title_line), title);
    let rows = message_rows(state, chat, body.width, usize::from(body.height));
    frame.render_widget(Paragraph::new(rows), body);
    let rule_text = if chat.scroll > 0 {
        format!("── {} newer below (PageDown) ", chat.scroll)
    } else {
        String::new()
    };
    let fill = "─".repeat(usize::from(rule.width).saturating_sub(rule_text.width()));
    frame.render_widget(
        Paragraph::new(Line::styled(format!("{rule_text}{fill}"), theme::dim())),
        rule,
    );
    let lines = input_lines(chat, input.width);
    let skip = lines.len().saturating_sub(usize::from(input_rows));
    let shown: Vec<Line> = lines.into_iter().skip(skip).map(Line::from).collect();
    frame.render_widget(Paragraph::new(shown), input);
}

/// Name, show and status of the peer, its typing state, and marks for a stranger.
fn title_line<'a>(state: &'a State, chat: &'a Conversation) -> Line<'a> {
    if let Some(nick) = &chat.id.nick {
        return private_title(nick, chat);
    }
    let contact = state.contact(&chat.id);
    let a = contact.map_or(Availability::Offline, |c| c.availability());
    let name = contact.map_or_else(|| chat.id.jid.to_string(), |c| c.label().to_owned());
    let mut spans = vec![
        Span::styled(format!("{} ", theme::glyph(a)), theme::state_style(a)),
        Span::styled(name, Style::default().add_modifier(Modifier::BOLD)),
        Span::styled(format!("  {}", a.label()), theme::state_style(a)),
    ];
    if let Some((_, p)) = contact.and_then(|c| c.best()) {
        if !p.status.is_empty() {
            spans.push(Span::styled(
                format!("  {}", p.status),
                theme::status_text(),
            ));
        }
    }
    if let Some(typing) = chat.peer_state.and_then(typing_text) {
        spans.push(Span::styled(format!("  {typing}"), theme::watch()));
    }
    if chat.stranger {
        spans.push(Span::styled(
            "  ⚠ not in your roster: no receipts or typing notices are sent",
            theme::error(),
        ));
    }
    if state.multi() {
        if let Some(account) = state.account(chat.id.account) {
            spans.push(Span::styled(format!("  ({})", account.name), theme::dim()));
        }
    }
    Line::from(spans)
}

/// A private message via a room: who, and that it goes through the room (the occupant's
/// real JID is not known to the user).
fn private_title<'a>(nick: &'a str, chat: &'a Conversation) -> Line<'a> {
    let mut spans = vec![
        Span::styled(nick, Style::default().add_modifier(Modifier::BOLD)),
        Span::styled(
            format!("  private message via the room {}", chat.id.jid),
            theme::watch(),
        ),
    ];
    if let Some(typing) = chat.peer_state.and_then(typing_text) {
        spans.push(Span::styled(format!("  {typing}"), theme::watch()));
    }
    Line::from(spans)
}

fn typing_text(state: ChatState) -> Option<&'static str> {
    match state {
        ChatState::Composing => Some("typing…"),
        ChatState::Paused => Some("stopped typing"),
        ChatState::Gone => Some("left the conversation"),
        ChatState::Active | ChatState::Inactive => None,
    }
}

/// The draft as rows of the input, with its prompt and a cursor mark.
fn input_lines(chat: &Conversation, width: u16) -> Vec<String> {
    let mut text: String = chat.draft.text.clone();
    let at = text
        .char_indices()
        .nth(chat.draft.cursor)
        .map_or(text.len(), |(i, _)| i);
    text.insert(at, '▏');
    // What the user typed or pasted passes the same gate as network text.
    let shown = crate::sanitize::sanitize_body(&text, usize::MAX);
    wrap(&format!("> {shown}"), usize::from(width))
}

/// The rows of the messages pane, from the newest visible message up, `scroll` messages
/// hidden below.
fn message_rows<'a>(
    state: &State,
    chat: &Conversation,
    width: u16,
    height: usize,
) -> Vec<Line<'a>> {
    let mut rows: Vec<Line> = Vec::new();
    let end = chat.lines.len().saturating_sub(chat.scroll);
    for line in chat.lines.range(..end).rev() {
        let mut block = message_lines(state, chat, line, usize::from(width));
        block.append(&mut rows);
        rows = block;
        if rows.len() >= height {
            break;
        }
    }
    if rows.len() < height {
        if let Some(note) = older_note(chat) {
            rows.insert(0, Line::styled(note, theme::dim()));
        }
    }
    let skip = rows.len().saturating_sub(height);
    // The newest message sits just above the input, as in every chat client.
    let pad = height.saturating_sub(rows.len());
    std::iter::repeat_n(Line::raw(""), pad)
        .chain(rows.into_iter().skip(skip))
        .collect()
}

fn older_note(chat: &Conversation) -> Option<&'static str> {
    match chat.older {
        Older::Loading => Some("loading older messages…"),
        Older::None if chat.lines.is_empty() => Some("No messages yet."),
        Older::None => Some("── beginning of the conversation ──"),
        Older::Disk | Older::Server => Some("PageUp for older messages"),
    }
}

/// One message as screen rows: `HH:MM sender: text`, continuation rows indented, at most
/// [`MAX_ROWS`] rows.
pub fn message_lines<'a>(
    state: &State,
    chat: &Conversation,
    line: &ChatLine,
    width: usize,
) -> Vec<Line<'a>> {
    let m = &line.message;
    let time = stamp(state, m.at);
    if line.note.is_some() {
        return crate::ui::room::note_lines(&time, line, width);
    }
    let sender = sender_name(state, chat, m);
    let (prefix, body) = match m.body.strip_prefix("/me ") {
        Some(action) => (format!("{time} * {sender} "), action.to_owned()),
        None => (format!("{time} {sender}: "), m.body.clone()),
    };
    let indent = prefix.width().min(width / 2);
    let mut wrapped = wrap(&body, width.saturating_sub(indent).max(8));
    let hidden = wrapped.len().saturating_sub(MAX_ROWS);
    wrapped.truncate(MAX_ROWS);
    let mentioned = m.direction == Direction::In
        && chat.room.as_deref().is_some_and(|r| r.mentions_me(&m.body));
    let sender_style = match m.direction {
        _ if mentioned => theme::watch(),
        Direction::In => theme::account_style(),
        Direction::Out => theme::group_style(),
    };
    let mut out = Vec::with_capacity(wrapped.len() + 1);
    for (i, text) in wrapped.into_iter().enumerate() {
        let lead = if i == 0 {
            Span::styled(truncate(&prefix, indent.max(prefix.width())), sender_style)
        } else {
            Span::raw(" ".repeat(indent))
        };
        let body = if mentioned {
            Span::styled(text, theme::watch())
        } else {
            Span::raw(text)
        };
        out.push(Line::from(vec![lead, body]));
    }
    if hidden > 0 {
        out.push(Line::styled(
            format!("{}[… {hidden} more lines]", " ".repeat(indent)),
            theme::dim(),
        ));
    }
    if let Some(last) = out.last_mut() {
        last.spans.extend(marks(line));
    }
    out
}

/// " (edited)" and the delivery mark of the user's own messages.
fn marks(line: &ChatLine) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if line.edited {
        spans.push(Span::styled(" (edited)", theme::dim()));
    }
    match &line.delivery {
        Some(Delivery::Queued) => spans.push(Span::styled(" ◌ queued", theme::dim())),
        Some(Delivery::Sent) => spans.push(Span::styled(" ✓", theme::dim())),
        Some(Delivery::Delivered) => spans.push(Span::styled(
            " ✓✓",
            theme::state_style(Availability::Available(crate::domain::Show::Online)),
        )),
        Some(Delivery::Failed(why)) => {
            spans.push(Span::styled(format!(" ✗ not sent: {why}"), theme::error()))
        }
        None => {}
    }
    spans
}

fn sender_name(state: &State, chat: &Conversation, m: &crate::domain::Message) -> String {
    if let Some(room) = chat.room.as_deref() {
        return match m.direction {
            Direction::Out => room.nick.clone(),
            Direction::In => m.resource.clone().unwrap_or_else(|| "(room)".into()),
        };
    }
    match m.direction {
        Direction::Out => state
            .account(chat.id.account)
            .and_then(|a| a.nick.clone())
            .unwrap_or_else(|| "me".into()),
        Direction::In => chat.id.nick.clone().unwrap_or_else(|| {
            state
                .contact(&chat.id)
                .map_or_else(|| chat.id.jid.to_string(), |c| c.label().to_owned())
        }),
    }
}

/// Local time of day for today's messages; the date too for older ones.
pub fn stamp(state: &State, at: std::time::SystemTime) -> String {
    let offset = state.settings.utc_offset;
    let day = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| (d.as_secs() as i64 + offset).div_euclid(86_400))
    };
    let clock = crate::ui::timeline::clock_time(at, offset);
    let hm = clock.get(..5).unwrap_or(&clock).to_owned();
    if day(at) == day(state.settings.clock) {
        hm
    } else {
        format!("{} {hm}", crate::domain::civil_date(day(at)))
    }
}
