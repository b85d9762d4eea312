//! Glyphs and colours. Every state has its own glyph *and* colour, so states never collide,
//! also for colour-blind users or on monochrome terminals.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::ConnState;
use crate::domain::{Availability, Show};

pub fn glyph(a: Availability) -> &'static str {
    match a {
        Availability::Available(Show::Chat) => "✦",
        Availability::Available(Show::Online) => "●",
        Availability::Available(Show::Away) => "◐",
        Availability::Available(Show::Xa) => "◑",
        Availability::Available(Show::Dnd) => "⊘",
        Availability::Error => "✖",
        Availability::Offline => "○",
    }
}

pub fn color(a: Availability) -> Color {
    match a {
        Availability::Available(Show::Chat) => Color::Cyan,
        Availability::Available(Show::Online) => Color::Green,
        Availability::Available(Show::Away) => Color::Yellow,
        Availability::Available(Show::Xa) => Color::Blue,
        Availability::Available(Show::Dnd) => Color::Red,
        Availability::Error => Color::Magenta,
        Availability::Offline => Color::DarkGray,
    }
}

pub fn state_style(a: Availability) -> Style {
    Style::default().fg(color(a))
}

pub fn group_style() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

/// An account's name (section header, row tag).
pub fn account_style() -> Style {
    Style::default().fg(Color::Cyan)
}

pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

pub fn status_text() -> Style {
    Style::default().add_modifier(Modifier::ITALIC)
}

pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// Drawn over the first cell of the selected row when there are no colours, so the selection
/// shows even where reverse video does not.
pub const SELECTED_MARK: &str = "▌";

/// `NO_COLOR`: every cell loses its colours, keeps its attributes (bold, reverse...). Each
/// state keeps its own glyph, so nothing is told by colour alone.
pub fn strip_colors(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        cell.set_fg(Color::Reset).set_bg(Color::Reset);
    }
}

/// A watched contact's change in the bottom line.
pub fn watch() -> Style {
    Style::default()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

pub fn inbox_title() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

pub fn header() -> Style {
    Style::default().bg(Color::Black).fg(Color::White)
}

pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn conn_style(c: &ConnState) -> Style {
    match c {
        ConnState::Online => Style::default().fg(Color::Green),
        ConnState::Connecting => Style::default().fg(Color::Yellow),
        ConnState::Reconnecting { .. } => Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD),
        ConnState::Failed { .. } => error(),
    }
}
