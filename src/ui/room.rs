//! A room's pane, around the conversation's messages: the title (room, occupant count,
//! topic, where the join stands), the occupant list beside the messages (the roster's
//! glyphs and colours, grouped by role, then availability, then nick), and the room's
//! timeline lines among the messages.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::domain::room::{Affiliation, Occupant, Role};
use crate::domain::Availability;
use crate::store::chat::{ChatLine, Conversation};
use crate::store::devices::Devices;
use crate::store::room::{JoinState, Room};
use crate::store::State;
use crate::ui::text::{truncate, wrap};
use crate::ui::theme;

/// The occupant list's width, when the pane is wide enough to spare it.
const LIST_WIDTH: u16 = 28;
/// Below this width the messages take the whole pane.
const MIN_PANE: u16 = 64;

/// Draws the occupant list on the right of `area` (when it fits); returns what is left for
/// the messages.
pub fn split_occupants(
    frame: &mut Frame,
    area: Rect,
    room: &Room,
    devices: Option<&Devices>,
) -> Rect {
    if area.width < MIN_PANE {
        return area;
    }
    let [messages, rule, list] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(LIST_WIDTH),
    ])
    .areas(area);
    let bar: Vec<Line> = (0..rule.height)
        .map(|_| Line::styled("│", theme::dim()))
        .collect();
    frame.render_widget(Paragraph::new(bar), rule);
    let rows = occupant_rows(
        room,
        devices,
        usize::from(list.width),
        usize::from(list.height),
    );
    frame.render_widget(Paragraph::new(rows), list);
    messages
}

/// `# room  12 present  topic  (joining…)`.
pub fn title_line<'a>(state: &State, chat: &Conversation, room: &Room) -> Line<'a> {
    let mut spans = vec![
        Span::styled("# ", theme::group_style()),
        Span::styled(
            chat.id.jid.to_string(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ];
    match &room.state {
        JoinState::Joined => spans.push(Span::styled(
            format!("  {} present", room.occupants.len()),
            theme::dim(),
        )),
        JoinState::Joining => spans.push(Span::styled("  joining…", theme::watch())),
        JoinState::Out(why) => spans.push(Span::styled(
            format!("  not joined: {why} (/join to come back)"),
            theme::error(),
        )),
    }
    if let Some((topic, _)) = &room.subject {
        spans.push(Span::styled(format!("  {topic}"), theme::status_text()));
    }
    if state.multi() {
        if let Some(account) = state.account(chat.id.account) {
            spans.push(Span::styled(format!("  ({})", account.name), theme::dim()));
        }
    }
    Line::from(spans)
}

/// A role's heading in the list.
fn heading(role: Role) -> &'static str {
    match role {
        Role::Moderator => "Moderators",
        Role::Participant => "Participants",
        Role::Visitor => "Visitors",
        Role::None => "Others",
    }
}

/// The occupant list: a heading per role (with its count), one row per occupant.
pub fn occupant_rows<'a>(
    room: &Room,
    devices: Option<&Devices>,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    let sorted = room.sorted();
    let mut rows = Vec::with_capacity(height);
    let mut current = None;
    for (i, o) in sorted.iter().enumerate() {
        if rows.len() >= height {
            break;
        }
        if current != Some(o.role) {
            current = Some(o.role);
            let count = sorted[i..].iter().take_while(|x| x.role == o.role).count();
            rows.push(Line::styled(
                truncate(&format!("{} ({count})", heading(o.role)), width),
                theme::group_style(),
            ));
        }
        let device = o
            .caps
            .as_deref()
            .and_then(|ver| devices?.client_for(ver))
            .map(|client| theme::device(client.kind));
        rows.push(occupant_row(room, o, device, width));
    }
    if rows.len() >= height && sorted.len() + 4 > height {
        if let Some(last) = rows.last_mut() {
            *last = Line::styled(format!("… {} in all", sorted.len()), theme::dim());
        }
    }
    rows.truncate(height);
    rows
}

/// `● @nick ☏ owner · status · real JID` (the device glyph from its checked caps), cut to
/// the list's width.
fn occupant_row<'a>(
    room: &Room,
    o: &Occupant,
    device: Option<(String, Style)>,
    width: usize,
) -> Line<'a> {
    let a = Availability::Available(o.show);
    let mut spans = vec![
        Span::styled(format!("{} ", theme::glyph(a)), theme::state_style(a)),
        Span::styled(
            crate::store::room::role_mark(o.role).to_owned(),
            theme::dim(),
        ),
    ];
    let own = o.nick == room.nick;
    let nick_style = if own {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    } else {
        Style::default().add_modifier(Modifier::BOLD)
    };
    let mut used = 3;
    let nick = truncate(&o.nick, width.saturating_sub(used).max(1));
    used += nick.width();
    spans.push(Span::styled(nick, nick_style));
    if let Some((glyph, style)) = device.filter(|(g, _)| used + 1 + g.width() <= width) {
        used += 1 + glyph.width();
        spans.push(Span::raw(" "));
        spans.push(Span::styled(glyph, style));
    }
    let mut rest = String::new();
    if !matches!(o.affiliation, Affiliation::None) {
        rest.push(' ');
        rest.push_str(o.affiliation.as_str());
    }
    if !o.status.is_empty() {
        rest.push_str(" · ");
        rest.push_str(&o.status);
    }
    if let Some(jid) = &o.real_jid {
        rest.push_str(&format!(" · {}", jid.to_bare()));
    }
    if !rest.is_empty() && used < width {
        spans.push(Span::styled(
            truncate(&rest, width - used),
            theme::status_text(),
        ));
    }
    Line::from(spans)
}

/// A line of the room's timeline: `HH:MM -- text`, dimmed, wrapped.
pub fn note_lines<'a>(time: &str, line: &ChatLine, width: usize) -> Vec<Line<'a>> {
    let prefix = format!("{time} -- ");
    let indent = prefix.width().min(width / 2);
    wrap(&line.message.body, width.saturating_sub(indent).max(8))
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let lead = if i == 0 {
                prefix.clone()
            } else {
                " ".repeat(indent)
            };
            Line::styled(format!("{lead}{text}"), theme::dim())
        })
        .collect()
}
