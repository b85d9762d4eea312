//! A theme: every glyph and colour the screen uses, as data. The default is the file
//! `assets/themes/default.toml`, compiled in; a user theme (`[ui] theme = "FILE"`) replaces
//! single entries of it. Both go through the same parser: [`RawTheme`] (serde, from TOML)
//! then [`Theme::build`] (the checks, each naming its key). Reading the user's file and
//! attaching its path to errors is `config`'s job; drawing with a theme is `ui::theme`'s.
//!
//! A new entry: a variant in [`Entry`], its row in [`Entry::ALL`] and [`Entry::key`], and
//! its line in the default theme file.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::domain::{Availability, ConnState, Show};

/// The default theme's text, as shipped in `assets/themes/default.toml`.
pub const DEFAULT_THEME: &str = include_str!("../assets/themes/default.toml");

mod preset;
pub use preset::Preset;

/// One thing drawn in its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Chat,
    Online,
    Away,
    Xa,
    Dnd,
    StateError,
    Offline,
    ConnOnline,
    Connecting,
    Reconnecting,
    Failed,
    Group,
    Account,
    Dim,
    StatusText,
    Selected,
    Watch,
    InboxTitle,
    Header,
    Error,
    Night,
    Phone,
    Pc,
    Web,
    Bot,
    Console,
    Handheld,
    Tablet,
    OtherDevice,
}

const ENTRIES: usize = 29;

impl Entry {
    pub const ALL: [Entry; ENTRIES] = [
        Entry::Chat,
        Entry::Online,
        Entry::Away,
        Entry::Xa,
        Entry::Dnd,
        Entry::StateError,
        Entry::Offline,
        Entry::ConnOnline,
        Entry::Connecting,
        Entry::Reconnecting,
        Entry::Failed,
        Entry::Group,
        Entry::Account,
        Entry::Dim,
        Entry::StatusText,
        Entry::Selected,
        Entry::Watch,
        Entry::InboxTitle,
        Entry::Header,
        Entry::Error,
        Entry::Night,
        Entry::Phone,
        Entry::Pc,
        Entry::Web,
        Entry::Bot,
        Entry::Console,
        Entry::Handheld,
        Entry::Tablet,
        Entry::OtherDevice,
    ];

    /// Its table and key in a theme file.
    pub fn key(self) -> (&'static str, &'static str) {
        match self {
            Entry::Chat => ("states", "chat"),
            Entry::Online => ("states", "online"),
            Entry::Away => ("states", "away"),
            Entry::Xa => ("states", "xa"),
            Entry::Dnd => ("states", "dnd"),
            Entry::StateError => ("states", "error"),
            Entry::Offline => ("states", "offline"),
            Entry::ConnOnline => ("connection", "online"),
            Entry::Connecting => ("connection", "connecting"),
            Entry::Reconnecting => ("connection", "reconnecting"),
            Entry::Failed => ("connection", "failed"),
            Entry::Group => ("parts", "group"),
            Entry::Account => ("parts", "account"),
            Entry::Dim => ("parts", "dim"),
            Entry::StatusText => ("parts", "status_text"),
            Entry::Selected => ("parts", "selected"),
            Entry::Watch => ("parts", "watch"),
            Entry::InboxTitle => ("parts", "inbox_title"),
            Entry::Header => ("parts", "header"),
            Entry::Error => ("parts", "error"),
            Entry::Night => ("parts", "night"),
            Entry::Phone => ("devices", "phone"),
            Entry::Pc => ("devices", "pc"),
            Entry::Web => ("devices", "web"),
            Entry::Bot => ("devices", "bot"),
            Entry::Console => ("devices", "console"),
            Entry::Handheld => ("devices", "handheld"),
            Entry::Tablet => ("devices", "tablet"),
            Entry::OtherDevice => ("devices", "other"),
        }
    }

    /// Whether the entry has a glyph (the presence states, the devices, the selection's
    /// mark and the night's).
    fn has_glyph(self) -> bool {
        matches!(self.key().0, "states" | "devices")
            || matches!(self, Entry::Selected | Entry::Night)
    }

    /// The glyph of a device kind (XEP-0115 identity), `other` for the rest.
    pub fn of_device(kind: crate::domain::device::DeviceKind) -> Entry {
        use crate::domain::device::DeviceKind as K;
        match kind {
            K::Phone => Entry::Phone,
            K::Pc => Entry::Pc,
            K::Web => Entry::Web,
            K::Bot => Entry::Bot,
            K::Console => Entry::Console,
            K::Handheld => Entry::Handheld,
            K::Tablet => Entry::Tablet,
            K::Other => Entry::OtherDevice,
        }
    }

    pub fn of_state(a: Availability) -> Entry {
        match a {
            Availability::Available(Show::Chat) => Entry::Chat,
            Availability::Available(Show::Online) => Entry::Online,
            Availability::Available(Show::Away) => Entry::Away,
            Availability::Available(Show::Xa) => Entry::Xa,
            Availability::Available(Show::Dnd) => Entry::Dnd,
            Availability::Error => Entry::StateError,
            Availability::Offline => Entry::Offline,
        }
    }

    pub fn of_connection(c: &ConnState) -> Entry {
        match c {
            ConnState::Online => Entry::ConnOnline,
            ConnState::Connecting => Entry::Connecting,
            ConnState::Reconnecting { .. } => Entry::Reconnecting,
            ConnState::Failed { .. } => Entry::Failed,
        }
    }
}

/// How one entry is drawn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Look {
    /// Empty for entries without a glyph.
    pub glyph: String,
    pub style: Style,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    looks: [Look; ENTRIES],
    /// Draw nothing but ASCII (the `ascii` preset): see `ui::theme::to_ascii`.
    pub ascii: bool,
}

/// A theme file as written: tables of entries.
pub type RawTheme = BTreeMap<String, BTreeMap<String, RawLook>>;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLook {
    glyph: Option<String>,
    fg: Option<String>,
    bg: Option<String>,
    modifiers: Option<Vec<String>>,
}

impl RawLook {
    /// The keys `over` has replace these.
    fn replace(&mut self, over: &RawLook) {
        let pick = |mine: &mut Option<String>, theirs: &Option<String>| {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        };
        pick(&mut self.glyph, &over.glyph);
        pick(&mut self.fg, &over.fg);
        pick(&mut self.bg, &over.bg);
        if over.modifiers.is_some() {
            self.modifiers.clone_from(&over.modifiers);
        }
    }
}

/// A mistake in a theme: the key (`states.away.fg`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError {
    pub key: String,
    pub message: String,
}

fn bad(key: String, message: String) -> ThemeError {
    ThemeError { key, message }
}

impl Theme {
    /// The theme from `layers`, each replacing the keys it has of the entries before it (the
    /// default theme first, then the user's): `dnd = { fg = "lightred" }` keeps dnd's glyph.
    pub fn build(layers: &[RawTheme]) -> Result<Theme, ThemeError> {
        let mut merged: BTreeMap<(&str, &str), RawLook> = BTreeMap::new();
        for layer in layers {
            for (table, entries) in layer {
                for (name, look) in entries {
                    let entry = known(table, name)?;
                    merged.entry(entry.key()).or_default().replace(look);
                }
            }
        }
        let mut theme = Theme::default();
        for entry in Entry::ALL {
            let (table, name) = entry.key();
            let raw = merged.get(&(table, name)).ok_or_else(|| {
                bad(
                    format!("{table}.{name}"),
                    "missing; every theme layer together must have it".into(),
                )
            })?;
            theme.looks[entry as usize] = look(entry, raw)?;
        }
        Ok(theme)
    }

    /// The default theme, parsed once. Tests check that it parses; were it ever broken, the
    /// screen would draw without glyphs or colours rather than not start.
    pub fn shipped() -> Arc<Theme> {
        static SHIPPED: OnceLock<Arc<Theme>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                let theme = Preset::Dark.layers().and_then(|raw| Theme::build(&raw));
                Arc::new(theme.unwrap_or_else(|e| {
                    tracing::error!("the built-in theme is broken: {}: {}", e.key, e.message);
                    Theme::default()
                }))
            })
            .clone()
    }

    pub fn look(&self, entry: Entry) -> &Look {
        &self.looks[entry as usize]
    }
}

fn known(table: &str, name: &str) -> Result<Entry, ThemeError> {
    if let Some(entry) = Entry::ALL.into_iter().find(|e| e.key() == (table, name)) {
        return Ok(entry);
    }
    let names = |t: &str| -> Vec<&str> {
        let rows = Entry::ALL.into_iter().map(Entry::key);
        rows.filter(|(tt, _)| *tt == t).map(|(_, n)| n).collect()
    };
    let valid = names(table);
    if valid.is_empty() {
        let message = "not a theme table; expected states, connection, parts or devices";
        return Err(bad(table.to_owned(), message.into()));
    }
    let message = format!("not an entry of [{table}]; expected {}", valid.join(", "));
    Err(bad(format!("{table}.{name}"), message))
}

fn look(entry: Entry, raw: &RawLook) -> Result<Look, ThemeError> {
    let (table, name) = entry.key();
    let key = |k: &str| format!("{table}.{name}.{k}");
    let glyph = match (&raw.glyph, entry.has_glyph()) {
        (Some(g), true) if !g.is_empty() && g.chars().all(|c| !c.is_control()) => g.clone(),
        (None, false) => String::new(),
        (Some(_), false) => {
            let message = "this entry has no glyph, only fg, bg and modifiers";
            return Err(bad(key("glyph"), message.into()));
        }
        (None, true) => {
            return Err(bad(
                key("glyph"),
                "missing; this entry needs a glyph".into(),
            ))
        }
        (Some(g), true) => {
            let message = format!("{g:?} is not a glyph; expected a printable character");
            return Err(bad(key("glyph"), message));
        }
    };
    let mut style = Style::default();
    if let Some(fg) = &raw.fg {
        style = style.fg(color(fg).map_err(|m| bad(key("fg"), m))?);
    }
    if let Some(bg) = &raw.bg {
        style = style.bg(color(bg).map_err(|m| bad(key("bg"), m))?);
    }
    for (i, m) in raw.modifiers.iter().flatten().enumerate() {
        let modifier =
            modifier(m).map_err(|msg| bad(format!("{}[{}]", key("modifiers"), i + 1), msg))?;
        style = style.add_modifier(modifier);
    }
    Ok(Look { glyph, style })
}

fn color(text: &str) -> Result<Color, String> {
    Color::from_str(text).map_err(|_| {
        format!("{text:?} is not a colour; expected a name like \"red\" or \"darkgray\", \"#rrggbb\", or a number 0-255")
    })
}

fn modifier(text: &str) -> Result<Modifier, String> {
    Modifier::from_name(&text.to_ascii_uppercase())
        .filter(|_| !text.is_empty())
        .ok_or_else(|| {
            format!("{text:?} is not a modifier; expected bold, dim, italic, underlined, slow_blink, rapid_blink, reversed, hidden or crossed_out")
        })
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
