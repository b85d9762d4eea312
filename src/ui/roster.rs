//! The roster pane: group headers, contacts, and their resources, only the visible rows.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::domain::Availability;
use crate::domain::ContactId;
use crate::domain::Subscription;
use crate::store::presence::ResourcePresence;
use crate::store::roster::Contact;
use crate::store::view::Row;
use crate::store::State;
use crate::ui::text::fit;
use crate::ui::theme;

/// Width of the name column for a pane of `width` cells.
pub fn name_width(width: u16) -> usize {
    (usize::from(width) * 3 / 10).clamp(12, 32)
}

pub fn render_roster(frame: &mut Frame, area: Rect, state: &State) {
    let height = usize::from(area.height);
    if state.accounts.values().all(|a| a.roster.is_empty()) {
        let text = if state.accounts.values().any(|a| a.roster_loaded) {
            "Your roster is empty."
        } else {
            "Waiting for the roster…"
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())), area);
        return;
    }
    let rosters = state.rosters();
    let name_w = name_width(area.width);
    if rosters.row_count(&state.ui.filter) == 0 {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "No contact matches the filter (/filter clear shows everyone).",
                theme::dim(),
            )),
            area,
        );
        return;
    }
    let selected = state.ui.selected.as_ref();
    // With several accounts in one roster, each contact row names its account.
    let tags = (state.multi() && !rosters.is_sectioned()).then(|| account_tags(state));
    let mut selected_at = None;
    let lines: Vec<Line> = rosters
        .visible_rows(&state.ui.filter, state.ui.scroll, height)
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let is_selected = match selected {
                Some(id) => row.id() == *id,
                None => i == 0 && state.ui.scroll == 0,
            };
            let line = row_line(state, &row, name_w, tags.as_deref());
            // A cut status text ends with "…".
            let line = crate::ui::text::fit_line(line, usize::from(area.width));
            if is_selected {
                selected_at = Some(i);
                line.patch_style(theme::selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
    if let (true, Some(i)) = (state.settings.no_color, selected_at) {
        let at = ratatui::layout::Position::new(area.x, area.y.saturating_add(i as u16));
        if let Some(cell) = frame.buffer_mut().cell_mut(at) {
            cell.set_symbol(&theme::selected_mark());
            cell.modifier.insert(ratatui::style::Modifier::BOLD);
        }
    }
}

/// Each account's tag, by account position: its name, cut to a common short width.
fn account_tags(state: &State) -> Vec<String> {
    let width = state
        .accounts
        .values()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(12);
    state
        .accounts
        .values()
        .map(|a| format!("{:<width$}", fit_tag(&a.name, width)))
        .collect()
}

fn fit_tag(name: &str, width: usize) -> String {
    crate::ui::text::truncate(&crate::sanitize::sanitize(name, 64), width)
}

fn state_cells(a: Availability, priority: Option<i8>) -> Vec<Span<'static>> {
    let prio = priority
        .map(|p| format!("{p:>4}"))
        .unwrap_or_else(|| "    ".into());
    vec![
        Span::styled(format!("{:<7}", a.label()), theme::state_style(a)),
        Span::raw(prio),
    ]
}

pub fn row_line<'a>(
    state: &State,
    row: &Row<'a>,
    name_w: usize,
    tags: Option<&[String]>,
) -> Line<'a> {
    match row {
        Row::Account { id, online, total } => {
            let name = state.account(*id).map(|a| a.name.as_str()).unwrap_or("?");
            Line::from(vec![
                Span::styled(
                    format!("■ {}", crate::sanitize::sanitize(name, 64)),
                    theme::account_style(),
                ),
                Span::styled(format!("  {online}/{total}"), theme::dim()),
            ])
        }
        Row::Group { group, stats } => Line::from(vec![
            Span::styled(
                format!("{} {}", fold_mark(state, group), group.key.title()),
                theme::group_style(),
            ),
            Span::styled(crate::ui::filter::group_counter(stats), theme::dim()),
        ]),
        Row::Contact {
            account, contact, ..
        } => {
            let id = ContactId::new(*account, contact.jid.clone());
            let requested = state.subscription_requests.contains_key(&id);
            let tag = tags.and_then(|t| t.get(usize::from(account.0)));
            let clock = (state.settings.clock, state.settings.utc_offset);
            let extra = state
                .account(*account)
                .map(|a| contact_extra(a, contact, state.settings.clock))
                .unwrap_or_default();
            let mut line = contact_line(contact, name_w, requested, tag, clock, extra);
            if state.chats.get(&id).is_some_and(|c| c.unread > 0) {
                // Unread messages from this contact: the row's first cell says so.
                line.spans[0] = Span::styled("✉ ", theme::watch());
            } else if state.watch.contains(&contact.jid) {
                // Watched (/watch): its changes are announced.
                line.spans[0] = Span::styled("◉ ", theme::watch());
            }
            line
        }
        Row::Resource {
            account,
            contact,
            name,
            presence,
            last,
            ..
        } => {
            // Under a tagged contact row, as far right as that row's glyph.
            let tag = tags.and_then(|t| t.get(usize::from(account.0)));
            let indent = tag.map_or(0, |t| t.width() + 1);
            let now = state.settings.clock;
            let extra = state
                .account(*account)
                .map(|a| resource_extra(a, &contact.jid, name, presence, now))
                .unwrap_or_default();
            resource_line(name, presence, *last, (name_w, indent), now, extra)
        }
    }
}

/// ▾ an open group, ▸ a folded one.
fn fold_mark(state: &State, group: &crate::store::view::GroupRef) -> &'static str {
    if state.ui.filter.folded.contains(group) {
        "▸"
    } else {
        "▾"
    }
}

/// Compact subscription state: ⇄ both, → to (you see them), ← from (they see you),
/// · none; a second `?` when your request is pending, `!` when theirs waits in the inbox.
pub fn subscription_mark(contact: &Contact, requested: bool) -> String {
    if !contact.in_roster {
        return if requested { " !".into() } else { "  ".into() };
    }
    let base = match contact.subscription {
        Subscription::Both => '⇄',
        Subscription::To => '→',
        Subscription::From => '←',
        Subscription::None => '·',
    };
    let extra = if requested {
        "!"
    } else if contact.pending_out {
        "?"
    } else {
        ""
    };
    format!("{base}{extra}")
}

/// What a resource's device and clock add to a row: its device glyph (XEP-0115), and
/// "☾ 23:40" when it is night where it is (XEP-0202).
#[derive(Debug, Default)]
struct Extra {
    device: Option<Span<'static>>,
    night: Option<Span<'static>>,
    /// The network of the gateway the contact is behind (XEP-0100): "[irc]".
    network: Option<Span<'static>>,
}

fn resource_extra(
    account: &crate::store::AccountState,
    jid: &jid::BareJid,
    resource: &str,
    p: &ResourcePresence,
    now: std::time::SystemTime,
) -> Extra {
    let device = account.client_of(p).map(|client| {
        let (glyph, style) = theme::device(client.kind);
        Span::styled(glyph, style)
    });
    let night = account.devices.clock(jid, resource).and_then(|offset| {
        let (h, m) = crate::domain::device::their_clock(now, offset);
        crate::domain::device::is_night(h).then(|| {
            let (glyph, style) = theme::night();
            Span::styled(format!("  {glyph} {h:02}:{m:02}"), style)
        })
    });
    Extra {
        device,
        night,
        network: None,
    }
}

/// A contact row's extra: its best resource's clock, and its device if it has only one.
fn contact_extra(
    account: &crate::store::AccountState,
    contact: &Contact,
    now: std::time::SystemTime,
) -> Extra {
    let network = account
        .gateways
        .as_deref()
        .and_then(|g| crate::domain::gateway::behind(g, &contact.jid))
        .map(|g| Span::styled(format!("  [{}]", g.network), theme::account_style()));
    let Some((resource, p)) = contact.best() else {
        return Extra {
            network,
            ..Extra::default()
        };
    };
    let mut extra = resource_extra(account, &contact.jid, resource, p, now);
    if contact.resources.len() > 1 {
        extra.device = None;
    }
    extra.network = network;
    extra
}

fn contact_line<'a>(
    contact: &'a Contact,
    name_w: usize,
    requested: bool,
    tag: Option<&String>,
    (now, offset): (std::time::SystemTime, i64),
    extra: Extra,
) -> Line<'a> {
    let a = contact.availability();
    let best = contact.best();
    let mut spans = vec![Span::raw("  ")];
    if let Some(tag) = tag {
        spans.push(Span::styled(format!("{tag} "), theme::account_style()));
    }
    spans.extend([
        Span::styled(theme::glyph(a), theme::state_style(a)),
        Span::raw(" "),
        Span::raw(fit(contact.label(), name_w)),
        Span::styled(
            format!("{:<2} ", subscription_mark(contact, requested)),
            theme::dim(),
        ),
    ]);
    spans.extend(state_cells(a, best.map(|(_, p)| p.priority)));
    spans.extend(extra.network);
    match (best, &contact.error) {
        (Some((resource, presence)), _) => {
            if !resource.is_empty() {
                spans.push(Span::styled(format!("  @{resource}"), theme::dim()));
            }
            if let Some(device) = extra.device {
                spans.push(Span::raw(if resource.is_empty() { "  " } else { " " }));
                spans.push(device);
            }
            spans.extend(odd_show(presence));
            spans.extend(idle(presence, now));
            spans.extend(extra.night);
            if !presence.status.is_empty() {
                spans.push(Span::raw("  "));
                spans.push(Span::styled(presence.status.as_str(), theme::status_text()));
            }
        }
        (None, Some(reason)) => {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(
                reason.as_str(),
                theme::state_style(Availability::Error),
            ));
        }
        (None, None) => {
            if let Some(seen) = contact.last_seen {
                let label = crate::domain::seen::seen_label(seen, now, offset);
                spans.push(Span::styled(format!("  {label}"), theme::dim()));
            }
            if !contact.last_status.is_empty() {
                spans.push(Span::raw("  "));
                spans.push(Span::styled(contact.last_status.as_str(), theme::dim()));
            }
        }
    }
    Line::from(spans)
}

/// The mark of a `<show>` value XMPP does not define: the contact is shown as available,
/// and this says what it really sent.
pub fn odd_show(p: &ResourcePresence) -> Option<Span<'static>> {
    let value = p.odd_show.as_ref()?;
    Some(Span::styled(
        format!("  ⚠show \"{value}\""),
        theme::state_style(Availability::Error),
    ))
}

/// "  idle 25m": the resource's XEP-0319 idle time, when it sent one.
pub fn idle(p: &ResourcePresence, now: std::time::SystemTime) -> Option<Span<'static>> {
    let since = p.idle?;
    let secs = now.duration_since(since).map_or(0, |d| d.as_secs());
    Some(Span::styled(
        format!("  idle {}", short_duration(secs)),
        theme::dim(),
    ))
}

/// 45s, 25m, 3h, 2d: a duration in one unit, rounded down.
pub fn short_duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=172_799 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

fn resource_line<'a>(
    name: &'a str,
    p: &'a ResourcePresence,
    last: bool,
    (name_w, indent): (usize, usize),
    now: std::time::SystemTime,
    extra: Extra,
) -> Line<'a> {
    let a = Availability::Available(p.show);
    let branch = if last { "└ " } else { "├ " };
    let mut spans = vec![
        Span::styled(format!("{:indent$}    {branch}", ""), theme::dim()),
        Span::styled(theme::glyph(a), theme::state_style(a)),
        Span::raw(" "),
        Span::raw(fit(name, name_w.saturating_sub(4))),
    ];
    // The device glyph in the middle of the gap, so the columns stay where they are.
    match extra.device {
        Some(device) => spans.extend([Span::raw(" "), device, Span::raw(" ")]),
        None => spans.push(Span::raw("   ")),
    }
    spans.extend(state_cells(a, Some(p.priority)));
    spans.extend(odd_show(p));
    spans.extend(idle(p, now));
    spans.extend(extra.night);
    if !p.status.is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(p.status.as_str(), theme::status_text()));
    }
    Line::from(spans)
}
