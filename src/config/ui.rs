//! `[ui]`: `preset = "dark" | "light" | "ascii"` (`crate::theme::Preset`) and
//! `theme = "FILE"`, a theme whose entries replace those of the preset. Both are read by the
//! same parser (`crate::theme`); a mistake in the user's theme names that file and the key,
//! like every config error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::{locate, resolve_relative, ConfigError};
use crate::theme::{Preset, RawTheme, Theme};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUi {
    preset: Option<String>,
    theme: Option<PathBuf>,
}

/// The theme `[ui]` asks for: the preset (the default theme, or a shipped layer over it),
/// with the user's theme file over that.
pub(super) fn theme(raw: Option<RawUi>, config_path: &Path) -> Result<Arc<Theme>, ConfigError> {
    let raw = raw.unwrap_or_default();
    let preset = match &raw.preset {
        None => Preset::Dark,
        Some(text) => Preset::parse(text).map_err(|message| ConfigError::Invalid {
            path: config_path.to_owned(),
            key: "ui.preset".into(),
            message,
        })?,
    };
    if preset == Preset::Dark && raw.theme.is_none() {
        return Ok(Theme::shipped());
    }
    let mut layers = Vec::new();
    for (name, text) in preset.texts() {
        layers.push(read(Path::new(name), text)?);
    }
    let mut blame = PathBuf::from(preset.path());
    if let Some(file) = raw.theme {
        let path = resolve_relative(config_path, file);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        layers.push(read(&path, &text)?);
        blame = path;
    }
    let mut theme = Theme::build(&layers).map_err(|e| ConfigError::Invalid {
        path: blame,
        key: e.key,
        message: e.message,
    })?;
    theme.ascii = preset == Preset::Ascii;
    Ok(Arc::new(theme))
}

fn read(path: &Path, text: &str) -> Result<RawTheme, ConfigError> {
    toml::from_str(text).map_err(|e| locate::error(path, text, e))
}
