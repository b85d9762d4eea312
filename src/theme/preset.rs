//! The shipped presets (`[ui] preset`): `dark` is the default theme; `light` and `ascii` are
//! layers over it, each a file in `assets/themes/`. A user's theme file goes over the preset.

use super::{bad, RawTheme, ThemeError, DEFAULT_THEME};

const LIGHT: &str = include_str!("../../assets/themes/light.toml");
const ASCII: &str = include_str!("../../assets/themes/ascii.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// The default theme, for dark backgrounds.
    #[default]
    Dark,
    /// Darker colours for light backgrounds.
    Light,
    /// Letters and signs only, for terminals without Unicode.
    Ascii,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Dark, Preset::Light, Preset::Ascii];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Dark => "dark",
            Preset::Light => "light",
            Preset::Ascii => "ascii",
        }
    }

    /// `[ui] preset = "..."`, or the sentence saying what it may be.
    pub fn parse(text: &str) -> Result<Preset, String> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == text)
            .ok_or_else(|| format!("{text:?} is not a preset; expected dark, light or ascii"))
    }

    /// Where its text comes from, for messages.
    pub fn path(self) -> &'static str {
        match self {
            Preset::Dark => "assets/themes/default.toml (built in)",
            Preset::Light => "assets/themes/light.toml (built in)",
            Preset::Ascii => "assets/themes/ascii.toml (built in)",
        }
    }

    /// Its files as theme layers, the default theme first.
    pub fn texts(self) -> Vec<(&'static str, &'static str)> {
        let default = (Preset::Dark.path(), DEFAULT_THEME);
        match self {
            Preset::Dark => vec![default],
            Preset::Light => vec![default, (self.path(), LIGHT)],
            Preset::Ascii => vec![default, (self.path(), ASCII)],
        }
    }

    /// Its layers parsed (the built-in files are tested to parse).
    pub fn layers(self) -> Result<Vec<RawTheme>, ThemeError> {
        self.texts()
            .into_iter()
            .map(|(path, text)| {
                toml::from_str(text).map_err(|e| bad(path.to_owned(), e.to_string()))
            })
            .collect()
    }
}
