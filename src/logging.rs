//! Logging to a file (never to the terminal, which belongs to the UI). Passwords never reach
//! the log: the config holds them in `Secret`, whose `Debug` is redacted, and tokio-xmpp's own
//! `log` output (which can include raw XML, SASL included) is not bridged in.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing::level_filters::LevelFilter;

/// `rosterm.log` in the per-user state directory (`~/.local/state/rosterm/` on Linux).
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "rosterm")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("rosterm.log"))
}

pub fn parse_level(s: &str) -> Result<LevelFilter, String> {
    s.parse::<LevelFilter>().map_err(|_| {
        format!("{s:?} is not a log level; expected off, error, warn, info, debug or trace")
    })
}

/// Installs the global subscriber writing to `path` (created with mode 600).
pub fn init(path: &Path, level: LevelFilter) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = open(path)?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .finish();
    // Ignore "already set" (tests may call this twice).
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
