//! The XML console popup (`/console`): every stanza sent and received by every account
//! while it records, newest first, direction-marked, filterable, wrapped to the popup, and
//! laid out one element per row in the pretty mode (`crate::ui::xml`).

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::event::ConsoleDir;
use crate::store::console::{passes, ConsoleLine};
use crate::store::State;
use crate::ui::theme;

/// The console's rows (newest first), each stanza "HH:MM:SS account ← stanza", wrapped to
/// `width` cells; in the pretty mode (`/console pretty`, `p`) one element per row, indented.
pub fn console_lines(state: &State, width: usize) -> Vec<Line<'static>> {
    let filter = state.ui.console_filter.as_deref();
    let mut lines: Vec<(&ConsoleLine, &str)> = state
        .accounts
        .values()
        .flat_map(|a| a.console.lines.iter().map(move |l| (l, a.name.as_str())))
        .filter(|(l, _)| passes(l, filter))
        .collect();
    lines.sort_by_key(|(l, _)| std::cmp::Reverse(l.at));
    let offset = state.settings.utc_offset;
    let pretty = state.ui.console_pretty;
    lines
        .into_iter()
        .flat_map(|(l, account)| rows(l, account, offset, pretty, width))
        .collect()
}

/// One stanza: its head, then its text (laid out when `pretty`), each row wrapped to
/// `width`; rows after the first are indented under the head.
fn rows(
    l: &ConsoleLine,
    account: &str,
    offset: i64,
    pretty: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let (mark, colour) = match l.dir {
        ConsoleDir::In => ("←", Color::Cyan),
        ConsoleDir::Out => ("→", Color::Yellow),
        ConsoleDir::Dropped => ("✗ dropped", Color::Red),
    };
    let head = vec![
        Span::styled(crate::ui::timeline::clock_time(l.at, offset), theme::dim()),
        Span::raw(format!(" {} ", crate::sanitize::sanitize(account, 40))),
        Span::styled(mark, Style::default().fg(colour)),
        Span::raw(" "),
    ];
    let head_width: usize = head.iter().map(Span::width).sum();
    let body: Vec<(usize, String)> = if pretty {
        crate::ui::xml::pretty(&l.text)
    } else {
        vec![(0, l.text.clone())]
    };
    let mut out = Vec::new();
    let mut first = Some(head);
    for (depth, text) in body {
        let lead = 2 + 2 * depth.min(20);
        let room = |first: bool| {
            width
                .saturating_sub(if first { head_width } else { lead })
                .max(10)
        };
        for (i, row) in wrap(&text, room(first.is_some())).into_iter().enumerate() {
            let lead = if i == 0 { lead } else { lead + 2 };
            out.push(match first.take() {
                Some(mut spans) => {
                    spans.push(Span::raw(row));
                    Line::from(spans)
                }
                None => Line::raw(format!("{}{row}", " ".repeat(lead))),
            });
        }
    }
    if let Some(head) = first {
        out.push(Line::from(head));
    }
    out
}

/// `text` in rows of `width` cells, between attributes where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    crate::ui::text::wrap(text, width)
}

pub fn render_console(frame: &mut Frame, state: &State) {
    let area = frame.area();
    // The popup's width, less its border.
    let inner = usize::from(area.width.saturating_sub(6));
    let mut lines = console_lines(state, inner);
    if lines.is_empty() {
        lines.push(Line::styled(
            "Nothing yet: stanzas sent and received from now on are shown here.",
            theme::dim(),
        ));
    }
    let lines = crate::ui::scrolled(
        lines,
        area,
        state.ui.help_scroll,
        "p: pretty / plain · Esc closes (it keeps recording); /console off stops.",
    );
    let filter = match &state.ui.console_filter {
        Some(f) => format!(", filter {}", crate::sanitize::sanitize(f, 40)),
        None => String::new(),
    };
    let mode = if state.ui.console_pretty {
        ", pretty"
    } else {
        ""
    };
    let title = format!(" XML console, newest first{filter}{mode} ");
    crate::ui::render_popup(frame, area, &title, area.width.saturating_sub(4), lines);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{mixed_state, A0};

    fn screen(state: &State, width: usize) -> Vec<String> {
        console_lines(state, width)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn a_long_stanza_wraps_and_the_pretty_mode_lays_it_out() {
        let mut state = mixed_state();
        let status = "a very long status ".repeat(6);
        let xml = format!("<presence from='bob@example.org/phone'><show>away</show><status>{status}</status></presence>");
        let account = state.accounts.get_mut(&A0).unwrap();
        account
            .console
            .push(std::time::SystemTime::UNIX_EPOCH, ConsoleDir::In, &xml);
        let plain = screen(&state, 60);
        assert!(plain.len() > 2, "{plain:#?}");
        assert!(
            plain
                .iter()
                .all(|r| unicode_width::UnicodeWidthStr::width(r.as_str()) <= 60),
            "{plain:#?}"
        );
        assert!(plain[0].contains("← <presence"), "{plain:#?}");
        // Nothing is lost to the wrapping.
        let joined: String = plain.iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
        assert!(joined.contains("</status></presence>"), "{joined}");

        state.ui.console_pretty = true;
        let pretty = screen(&state, 200);
        assert_eq!(pretty.len(), 4, "{pretty:#?}");
        assert!(
            pretty[0].ends_with("← <presence from='bob@example.org/phone'>"),
            "{pretty:#?}"
        );
        assert_eq!(pretty[1], "    <show>away</show>");
        assert!(
            pretty[2].starts_with("    <status>a very long"),
            "{pretty:#?}"
        );
        assert_eq!(pretty[3], "  </presence>");
    }
}
