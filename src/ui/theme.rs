//! Glyphs and styles for drawing, read from the theme in `state.settings.theme` (see
//! `crate::theme` and `assets/themes/default.toml`). [`crate::ui::draw`] puts that theme in
//! scope for the frame ([`scope`]); outside a scope (a pane rendered on its own in a test)
//! the default theme is used. Every state has its own glyph *and* colour, so states never
//! collide, also for colour-blind users or on monochrome terminals.

use std::cell::RefCell;
use std::sync::Arc;

use ratatui::style::{Color, Style};

use crate::domain::Availability;
use crate::domain::ConnState;
use crate::theme::{Entry, Theme};

thread_local! {
    static CURRENT: RefCell<Option<Arc<Theme>>> = const { RefCell::new(None) };
}

/// While the guard lives, this thread draws with `theme`; dropping it restores the theme
/// that was in scope before.
pub fn scope(theme: Arc<Theme>) -> Scope {
    Scope(CURRENT.with(|c| c.replace(Some(theme))))
}

pub struct Scope(Option<Arc<Theme>>);

impl Drop for Scope {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

fn with<T>(f: impl FnOnce(&Theme) -> T) -> T {
    CURRENT.with(|c| match &*c.borrow() {
        Some(theme) => f(theme),
        None => f(&Theme::shipped()),
    })
}

fn style(entry: Entry) -> Style {
    with(|t| t.look(entry).style)
}

pub fn glyph(a: Availability) -> String {
    with(|t| t.look(Entry::of_state(a)).glyph.clone())
}

pub fn state_style(a: Availability) -> Style {
    style(Entry::of_state(a))
}

pub fn group_style() -> Style {
    style(Entry::Group)
}

/// An account's name (section header, row tag).
pub fn account_style() -> Style {
    style(Entry::Account)
}

pub fn dim() -> Style {
    style(Entry::Dim)
}

pub fn status_text() -> Style {
    style(Entry::StatusText)
}

pub fn selected() -> Style {
    style(Entry::Selected)
}

/// Drawn over the first cell of the selected row when there are no colours, so the selection
/// shows even where reverse video does not.
pub fn selected_mark() -> String {
    with(|t| t.look(Entry::Selected).glyph.clone())
}

/// `NO_COLOR`: every cell loses its colours, keeps its attributes (bold, reverse...). Each
/// state keeps its own glyph, so nothing is told by colour alone.
pub fn strip_colors(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        cell.set_fg(Color::Reset).set_bg(Color::Reset);
    }
}

/// A watched contact's change in the bottom line.
pub fn watch() -> Style {
    style(Entry::Watch)
}

pub fn inbox_title() -> Style {
    style(Entry::InboxTitle)
}

pub fn header() -> Style {
    style(Entry::Header)
}

pub fn error() -> Style {
    style(Entry::Error)
}

pub fn conn_style(c: &ConnState) -> Style {
    style(Entry::of_connection(c))
}

/// The glyph and style of a device kind (`[devices]`).
pub fn device(kind: crate::domain::device::DeviceKind) -> (String, Style) {
    with(|t| {
        let look = t.look(Entry::of_device(kind));
        (look.glyph.clone(), look.style)
    })
}

/// The night mark (`parts.night`): it is 23:00-06:00 for the contact.
pub fn night() -> (String, Style) {
    with(|t| {
        let look = t.look(Entry::Night);
        (look.glyph.clone(), look.style)
    })
}
