//! `[ui]`: `theme = "FILE"`, a theme whose entries replace those of the default theme
//! (`assets/themes/default.toml`). Both are read by the same parser (`crate::theme`); a
//! mistake in the user's theme names that file and the key, like every config error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::{locate, resolve_relative, ConfigError};
use crate::theme::{RawTheme, Theme, DEFAULT_THEME};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUi {
    theme: Option<PathBuf>,
}

/// The default theme's name in messages.
const DEFAULT_THEME_PATH: &str = "assets/themes/default.toml (built in)";

/// The theme `[ui]` asks for: the default, with the user's theme file over it.
pub(super) fn theme(raw: Option<RawUi>, config_path: &Path) -> Result<Arc<Theme>, ConfigError> {
    let Some(file) = raw.unwrap_or_default().theme else {
        return Ok(Theme::shipped());
    };
    let path = resolve_relative(config_path, file);
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let default = read(Path::new(DEFAULT_THEME_PATH), DEFAULT_THEME)?;
    let user = read(&path, &text)?;
    let theme = Theme::build(&[default, user]).map_err(|e| ConfigError::Invalid {
        path,
        key: e.key,
        message: e.message,
    })?;
    Ok(Arc::new(theme))
}

fn read(path: &Path, text: &str) -> Result<RawTheme, ConfigError> {
    toml::from_str(text).map_err(|e| locate::error(path, text, e))
}
