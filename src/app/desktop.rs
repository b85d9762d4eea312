//! An idle source for auto-away: the desktop session's idle time, when rosterm runs on a
//! desktop (never over SSH: the desktop there is somebody else's, or none). Activity in any
//! window counts, so someone working in their browser is not made away by a quiet rosterm.
//!
//! Asked every [`POLL`] with the desktop's own tools (no D-Bus library in rosterm), the
//! first that answers is kept:
//! 1. `org.freedesktop.ScreenSaver.GetSessionIdleTime` on the session bus (KDE, Xfce, the
//!    freedesktop screensavers): milliseconds since the last input, through `dbus-send`;
//! 2. `org.gnome.Mutter.IdleMonitor.GetIdletime` on the session bus (GNOME): the same;
//! 3. logind's `IdleHint` / `IdleSinceHint` of the session (`loginctl show-session`).
//!
//! Each reading is turned into the time of the last input and sent on when it moved
//! forward (by a second or more). Three failed readings in a row stop the watch; rosterm
//! then counts its own keys (and the multiplexer) only.

use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;

/// How often the desktop is asked.
pub const POLL: Duration = Duration::from_secs(3);

/// How much later than `away_after` auto-away acts while the desktop is watched: its last
/// reading may be a poll old (and the command's answer takes a moment).
pub const GRACE: Duration = Duration::from_secs(POLL.as_secs() + 2);

/// A reading that moves the last input by less than this is the clock's jitter.
const JITTER: Duration = Duration::from_secs(1);

/// Where the desktop's idle time is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    ScreenSaver,
    Mutter,
    Logind { session: String },
}

/// The sources worth asking, in order, from the environment: none over SSH, the session
/// bus ones only with a session bus, logind only with a session id.
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Vec<Source> {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    if ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"]
        .iter()
        .any(|k| set(k))
    {
        return Vec::new();
    }
    let mut sources = Vec::new();
    if set("DBUS_SESSION_BUS_ADDRESS") {
        sources.extend([Source::ScreenSaver, Source::Mutter]);
    }
    if let Some(session) = var("XDG_SESSION_ID").filter(|s| !s.is_empty()) {
        sources.push(Source::Logind { session });
    }
    sources
}

impl Source {
    fn command(&self) -> tokio::process::Command {
        let dbus = |dest: &str, path: &str, method: &str| {
            let mut c = tokio::process::Command::new("dbus-send");
            c.args(["--session", "--print-reply=literal", "--reply-timeout=2000"]);
            c.arg(format!("--dest={dest}")).args([path, method]);
            c
        };
        match self {
            Source::ScreenSaver => dbus(
                "org.freedesktop.ScreenSaver",
                "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver.GetSessionIdleTime",
            ),
            Source::Mutter => dbus(
                "org.gnome.Mutter.IdleMonitor",
                "/org/gnome/Mutter/IdleMonitor/Core",
                "org.gnome.Mutter.IdleMonitor.GetIdletime",
            ),
            Source::Logind { session } => {
                let mut c = tokio::process::Command::new("loginctl");
                c.args([
                    "show-session",
                    session,
                    "-p",
                    "IdleHint",
                    "-p",
                    "IdleSinceHint",
                ]);
                c
            }
        }
    }

    /// The time of the last input that `output` says, read `now` (None: nothing to read).
    pub fn read(&self, output: &str, now: SystemTime) -> Option<SystemTime> {
        match self {
            // "   uint32 12345" / "   uint64 12345": milliseconds idle.
            Source::ScreenSaver | Source::Mutter => {
                let mut words = output.split_whitespace();
                let kind = words.next()?;
                if !kind.starts_with("uint") {
                    return None;
                }
                let ms: u64 = words.next()?.parse().ok()?;
                now.checked_sub(Duration::from_millis(ms))
            }
            Source::Logind { .. } => read_logind(output, now),
        }
    }

    async fn ask(&self, now: SystemTime) -> Option<SystemTime> {
        match super::attached::output_of(self.command()).await? {
            (true, stdout) => self.read(&stdout, now),
            (false, _) => None,
        }
    }
}

/// `IdleHint=no`: input now; `IdleHint=yes` with `IdleSinceHint=µs since the epoch`: then.
fn read_logind(output: &str, now: SystemTime) -> Option<SystemTime> {
    let value = |key: &str| {
        output
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
    };
    match value("IdleHint")? {
        "no" => Some(now),
        "yes" => {
            let micros: u64 = value("IdleSinceHint")?.parse().ok()?;
            let since = SystemTime::UNIX_EPOCH + Duration::from_micros(micros);
            // 0 means unknown; a time to come is the clocks disagreeing.
            (micros > 0).then_some(since.min(now))
        }
        _ => None,
    }
}

/// The first of `sources` that answers now, with its reading.
async fn first_answering(sources: &[Source]) -> Option<(Source, SystemTime)> {
    for source in sources {
        if let Some(at) = source.ask(SystemTime::now()).await {
            return Some((source.clone(), at));
        }
    }
    None
}

/// Watches the desktop on the current runtime; the receiver gets the time of the last input
/// each time it moves forward. None when there is nothing to ask.
pub fn watch(sources: Vec<Source>) -> Option<mpsc::Receiver<SystemTime>> {
    if sources.is_empty() {
        return None;
    }
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let Some((source, first)) = first_answering(&sources).await else {
            tracing::info!("auto-away: no desktop idle time to read ({sources:?})");
            return;
        };
        tracing::info!("auto-away: the desktop's idle time from {source:?}");
        let mut last = first;
        if tx.send(first).await.is_err() {
            return;
        }
        let mut failures = 0;
        loop {
            tokio::time::sleep(POLL).await;
            match source.ask(SystemTime::now()).await {
                Some(at) => {
                    failures = 0;
                    if at.duration_since(last).is_ok_and(|d| d >= JITTER) {
                        last = at;
                        if tx.send(at).await.is_err() {
                            return;
                        }
                    }
                }
                None => {
                    failures += 1;
                    if failures >= 3 {
                        tracing::info!(
                            "auto-away: {source:?} stopped answering; counting keys only"
                        );
                        return;
                    }
                }
            }
        }
    });
    Some(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::env;

    const BUS: (&str, &str) = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus");

    #[test]
    fn a_desktop_is_asked_by_bus_then_logind_and_never_over_ssh() {
        let session = ("XDG_SESSION_ID", "c2");
        let logind = Source::Logind {
            session: "c2".into(),
        };
        assert_eq!(
            from_env(env(&[BUS, session])),
            [Source::ScreenSaver, Source::Mutter, logind.clone()]
        );
        assert_eq!(from_env(env(&[session])), [logind]);
        assert!(from_env(env(&[])).is_empty());
        for ssh in ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"] {
            assert!(from_env(env(&[BUS, session, (ssh, "10.0.0.1 5 10.0.0.2 22")])).is_empty());
        }
        assert_eq!(
            from_env(env(&[BUS, ("SSH_TTY", "")])).len(),
            2,
            "an empty variable is not SSH"
        );
    }

    #[test]
    fn idle_milliseconds_become_the_time_of_the_last_input() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ago = |ms| now - Duration::from_millis(ms);
        assert_eq!(
            Source::ScreenSaver.read("   uint32 12500\n", now),
            Some(ago(12_500))
        );
        assert_eq!(Source::Mutter.read("   uint64 0\n", now), Some(now));
        for bad in [
            "",
            "   int32 -5",
            "   uint32 x",
            "Error org.freedesktop.DBus",
        ] {
            assert_eq!(Source::ScreenSaver.read(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn logind_says_active_now_or_idle_since_when() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000);
        let logind = Source::Logind {
            session: "3".into(),
        };
        assert_eq!(
            logind.read("IdleHint=no\nIdleSinceHint=0\n", now),
            Some(now)
        );
        let since = now - Duration::from_secs(600);
        let micros = since
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_micros();
        assert_eq!(
            logind.read(&format!("IdleHint=yes\nIdleSinceHint={micros}\n"), now),
            Some(since)
        );
        assert_eq!(logind.read("IdleHint=yes\nIdleSinceHint=0\n", now), None);
        let future = (now + Duration::from_secs(60))
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_micros();
        assert_eq!(
            logind.read(&format!("IdleHint=yes\nIdleSinceHint={future}"), now),
            Some(now)
        );
        assert_eq!(logind.read("Failed to get session", now), None);
    }
}
