//! Logging to a file (never to the terminal, which belongs to the UI). Passwords never reach
//! the log: the config holds them in `Secret`, whose `Debug` is redacted, and tokio-xmpp's own
//! `log` output (which can include raw XML, SASL included) is not bridged in.
//!
//! A log that cannot be written never disturbs the screen: the first failed write turns the
//! file off and is recorded in [`Health`], which the app loop waits on to say so on the status
//! line. tracing-subscriber's own reports (it prints write errors to stderr) are turned off.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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

/// Whether logging still works; shared by the log writer (any thread) and the app loop.
#[derive(Debug, Clone, Default)]
pub struct Health(Arc<HealthInner>);

#[derive(Debug, Default)]
struct HealthInner {
    failure: Mutex<Option<String>>,
    changed: tokio::sync::Notify,
}

impl Health {
    /// Records why logging stopped (the first reason only) and wakes [`Health::stopped`].
    pub fn fail(&self, reason: String) {
        if let Ok(mut failure) = self.0.failure.lock() {
            failure.get_or_insert(reason);
        }
        self.0.changed.notify_one();
    }

    /// The status-line sentence, once, after logging has stopped.
    pub fn take_message(&self) -> Option<String> {
        let reason = self.0.failure.lock().ok()?.take()?;
        Some(format!("Logging stopped: {reason}."))
    }

    /// Resolves when [`Health::fail`] has been called (again) since the last wait.
    pub async fn stopped(&self) {
        self.0.changed.notified().await;
    }
}

/// The log file behind the subscriber: writes that fail turn it off for good, and are
/// reported as written so that tracing has nothing to complain about.
struct FileSink {
    file: Option<File>,
    path: PathBuf,
    health: Health,
}

impl FileSink {
    fn check(&mut self, result: io::Result<()>) {
        if let Err(e) = result {
            self.file = None;
            let reason = format!("cannot write to {}: {e}", self.path.display());
            self.health.fail(crate::sanitize::sanitize(&reason, 300));
        }
    }
}

impl Write for FileSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(file) = self.file.as_mut() {
            let result = file.write_all(buf);
            self.check(result);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(file) = self.file.as_mut() {
            let result = file.flush();
            self.check(result);
        }
        Ok(())
    }
}

/// Installs the global subscriber writing to `path` (created with mode 600). The error is the
/// sentence for the status line when the file cannot be opened.
pub fn init(path: &Path, level: LevelFilter) -> Result<Health, String> {
    let file = open(path).map_err(|e| {
        let reason = format!("cannot open the log file {}: {e}", path.display());
        format!(
            "Logging is off: {}.",
            crate::sanitize::sanitize(&reason, 300)
        )
    })?;
    let health = Health::default();
    let sink = FileSink {
        file: Some(file),
        path: path.to_owned(),
        health: health.clone(),
    };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(sink))
        .with_ansi(false)
        .log_internal_errors(false)
        .with_max_level(level)
        .finish();
    // Ignore "already set" (tests may call this twice).
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(health)
}

fn open(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_write_turns_the_file_off_and_is_reported_once() {
        let health = Health::default();
        let file = OpenOptions::new().write(true).open("/dev/full");
        let Ok(file) = file else { return }; // not on this system
        let mut sink = FileSink {
            file: Some(file),
            path: "/dev/full".into(),
            health: health.clone(),
        };
        assert_eq!(sink.write(b"one\n").ok(), Some(4), "tracing sees no error");
        assert!(sink.file.is_none());
        assert_eq!(sink.write(b"two\n").ok(), Some(4));
        let message = health.take_message().unwrap_or_default();
        assert!(
            message.starts_with("Logging stopped: cannot write to /dev/full:"),
            "{message}"
        );
        assert_eq!(health.take_message(), None, "said once");
    }
}
