//! The contact detail overlay (`/status get <jid>`, `i`): every resource with its show,
//! priority, status, nick and how long it has been in that state, its device and client
//! (XEP-0115) and its time (XEP-0202).

use std::time::SystemTime;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::domain::{Availability, ContactId};
use crate::store::presence::ResourcePresence;
use crate::store::roster::Contact;
use crate::store::view::sorted_resources;
use crate::store::State;
use crate::ui::theme;

/// "42 s", "12 min", "3 h 5 min", "2 d".
pub fn ago(since: SystemTime, now: SystemTime) -> String {
    let secs = now.duration_since(since).map(|d| d.as_secs()).unwrap_or(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=86_399 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d", secs / 86_400),
    }
}

pub fn detail_lines(state: &State, id: &ContactId) -> Vec<Line<'static>> {
    let Some(contact) = state.contact(id) else {
        return vec![Line::raw(format!(
            "{} is not in your roster and has sent no presence.",
            crate::sanitize::sanitize(id.jid.as_str(), 200)
        ))];
    };
    let mut lines = heading(state, id, contact);
    if contact.resources.is_empty() {
        lines.extend(offline_lines(state, contact));
    } else {
        for (name, p) in sorted_resources(contact) {
            lines.extend(resource_lines(state, name, p));
            if let Some(account) = state.account(id.account) {
                lines.extend(device_lines(
                    account,
                    &contact.jid,
                    name,
                    p,
                    state.settings.clock,
                ));
            }
        }
        lines.extend(rule_lines(contact));
    }
    if let Some((_, rows)) = state.ui.transitions.as_ref().filter(|(of, _)| of == id) {
        let (now, offset) = (state.settings.clock, state.settings.utc_offset);
        lines.extend(crate::ui::strip::strip_lines(&state.ui.week, now, offset));
        if state.ui.show_transitions {
            lines.extend(transition_lines(rows, offset));
        }
    }
    lines
}

/// `/history`: "presence history" and one line per transition, newest first.
pub fn transition_lines(rows: &[crate::history::Transition], offset: i64) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::raw(""),
        Line::styled("presence history", theme::group_style()),
    ];
    if rows.is_empty() {
        lines.push(Line::styled("  nothing recorded yet", theme::dim()));
    }
    for t in rows.iter().rev() {
        let a = t
            .show
            .map_or(Availability::Offline, Availability::Available);
        let when = crate::domain::seen::local_date_time(t.at, offset);
        let mut spans = vec![
            Span::styled(format!("  {when}  "), theme::dim()),
            Span::styled(
                format!("{} {:<7}", theme::glyph(a), a.label()),
                theme::state_style(a),
            ),
        ];
        if !t.status.is_empty() {
            spans.push(Span::styled(
                format!("  {}", t.status),
                theme::status_text(),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// Name, JID, account (with several), subscription and groups.
fn heading(state: &State, id: &ContactId, contact: &Contact) -> Vec<Line<'static>> {
    let a = contact.availability();
    let mut title = vec![
        Span::styled(format!("{} ", theme::glyph(a)), theme::state_style(a)),
        Span::styled(contact.label().to_owned(), theme::group_style()),
        Span::raw(format!("  {}", contact.display_jid())),
    ];
    if let Some(account) = state.account(id.account).filter(|_| state.multi()) {
        title.push(Span::styled(
            format!("  in {}", crate::sanitize::sanitize(&account.name, 32)),
            theme::account_style(),
        ));
    }
    vec![
        Line::from(title),
        Line::styled(
            format!(
                "subscription: {}{}   groups: {}",
                contact.subscription.as_str(),
                if contact.pending_out {
                    " (request sent)"
                } else {
                    ""
                },
                if contact.group_names().is_empty() {
                    "none".to_owned()
                } else {
                    contact.group_names().join(", ")
                }
            ),
            theme::dim(),
        ),
        Line::raw(""),
    ]
}

/// An offline (or unreachable) contact: since when, and the last status or error.
fn offline_lines(state: &State, contact: &Contact) -> Vec<Line<'static>> {
    let a = contact.availability();
    let since = contact
        .offline_since
        .map(|t| format!(" for {}", ago(t, state.settings.clock)))
        .unwrap_or_default();
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{} {}", theme::glyph(a), a.label()),
            theme::state_style(a),
        ),
        Span::raw(since),
    ])];
    let last = contact
        .error
        .clone()
        .unwrap_or_else(|| contact.last_status.clone());
    if !last.is_empty() {
        lines.push(Line::styled(format!("  {last}"), theme::status_text()));
    }
    if let Some(seen) = contact.last_seen {
        let when = crate::domain::seen::local_date_time(seen, state.settings.utc_offset);
        lines.push(Line::styled(format!("  last seen {when}"), theme::dim()));
    }
    lines
}

/// With several resources: which one the row shows, and by which rule.
fn rule_lines(contact: &Contact) -> Vec<Line<'static>> {
    let Some((name, _)) = contact.best().filter(|_| contact.resources.len() >= 2) else {
        return Vec::new();
    };
    let rule = crate::store::presence::rule();
    vec![
        Line::styled(format!("the row shows {name}"), theme::dim()),
        Line::styled(
            format!(
                "  roster.aggregate = \"{}\": {}",
                rule.as_str(),
                rule.describe()
            ),
            theme::dim(),
        ),
    ]
}

/// One resource: show, priority, since when, nick, an odd show value, the status text.
fn resource_lines(state: &State, name: &str, p: &ResourcePresence) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let ra = Availability::Available(p.show);
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", theme::glyph(ra)), theme::state_style(ra)),
        Span::raw(format!("{name:<16} ")),
        Span::styled(format!("{:<7}", ra.label()), theme::state_style(ra)),
        Span::raw(format!(" prio {:>4}", p.priority)),
        Span::styled(
            format!("  since {}", ago(p.since, state.settings.clock)),
            theme::dim(),
        ),
        Span::raw(
            p.nick
                .as_ref()
                .map(|n| format!("  nick \"{n}\""))
                .unwrap_or_default(),
        ),
    ]));
    if let Some(since) = p.idle {
        lines.push(Line::styled(
            format!(
                "    idle for {} (since {})",
                ago(since, state.settings.clock),
                crate::ui::timeline::clock_time(since, state.settings.utc_offset)
            ),
            theme::dim(),
        ));
    }
    if let Some(mark) = crate::ui::roster::odd_show(p) {
        lines.push(Line::from(vec![
            Span::raw("  "),
            mark,
            Span::styled(" (not an XMPP show value)", theme::dim()),
        ]));
    }
    if !p.status.is_empty() {
        lines.push(Line::styled(
            format!("    {}", p.status),
            theme::status_text(),
        ));
    }
    lines
}

/// A resource's client (XEP-0115: its kind, the identity's name), its software (XEP-0092)
/// and its time (XEP-0202), when known.
fn device_lines(
    account: &crate::store::AccountState,
    jid: &jid::BareJid,
    resource: &str,
    p: &ResourcePresence,
    now: SystemTime,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(client) = account.client_of(p) {
        let (glyph, style) = theme::device(client.kind);
        let mut spans = vec![
            Span::raw("    "),
            Span::styled(glyph, style),
            Span::styled(format!(" {}", client.kind.as_str()), theme::dim()),
        ];
        if let Some(name) = &client.name {
            spans.push(Span::raw(format!("  client \"{name}\"")));
        }
        lines.push(Line::from(spans));
    }
    if let Some(version) = account.devices.version(jid, resource) {
        lines.push(Line::styled(
            format!("    software \"{version}\""),
            theme::dim(),
        ));
    }
    if let Some(offset) = account.devices.clock(jid, resource) {
        let (h, _) = crate::domain::device::their_clock(now, offset);
        let mut spans = vec![Span::styled(
            format!(
                "    {}",
                crate::domain::device::their_time_label(now, offset)
            ),
            theme::dim(),
        )];
        if crate::domain::device::is_night(h) {
            let (glyph, style) = theme::night();
            spans.push(Span::styled(format!("  {glyph} night there"), style));
        }
        lines.push(Line::from(spans));
    }
    lines
}

pub fn render_detail(frame: &mut Frame, area: Rect, state: &State, id: &ContactId) {
    let mut lines = detail_lines(state, id);
    lines.push(Line::raw(""));
    let lines = crate::ui::scrolled(lines, area, state.ui.help_scroll, "Esc closes.");
    crate::ui::render_popup(frame, area, " contact ", 90, lines);
}
