//! An idle source for auto-away: is the terminal multiplexer rosterm runs in (tmux, GNU
//! screen) attached to a terminal? Polled every [`POLL`], reported on change only.
//!
//! tmux (`$TMUX` set): `tmux display-message -p -t $TMUX_PANE '#{session_attached}'`, the
//! number of clients attached to rosterm's session. screen (`$STY` set): `screen -ls $STY`,
//! whose line for the session says `(Attached)` or `(Detached)`. A multiplexer that cannot
//! be asked (three failures in a row) stops the watch; rosterm then counts keys only.

use std::time::Duration;

use tokio::sync::mpsc;

/// How often the multiplexer is asked.
pub const POLL: Duration = Duration::from_secs(3);

/// Which multiplexer, and how to ask it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Multiplexer {
    Tmux { pane: Option<String> },
    Screen { session: String },
}

impl Multiplexer {
    /// The one rosterm runs in, from the environment.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<Multiplexer> {
        if var("TMUX").is_some_and(|v| !v.is_empty()) {
            return Some(Multiplexer::Tmux {
                pane: var("TMUX_PANE").filter(|p| !p.is_empty()),
            });
        }
        let session = var("STY").filter(|s| !s.is_empty())?;
        Some(Multiplexer::Screen { session })
    }

    fn command(&self) -> tokio::process::Command {
        match self {
            Multiplexer::Tmux { pane } => {
                let mut c = tokio::process::Command::new("tmux");
                c.args(["display-message", "-p"]);
                if let Some(pane) = pane {
                    c.args(["-t", pane]);
                }
                c.arg("#{session_attached}");
                c
            }
            Multiplexer::Screen { session } => {
                let mut c = tokio::process::Command::new("screen");
                c.args(["-ls", session]);
                c
            }
        }
    }

    /// What the multiplexer's answer says: attached or not (None: no answer to read).
    pub fn read(&self, output: &str) -> Option<bool> {
        match self {
            Multiplexer::Tmux { .. } => output.trim().parse::<u32>().ok().map(|n| n > 0),
            Multiplexer::Screen { session } => output
                .lines()
                .find(|l| l.contains(session.as_str()))
                .and_then(|l| {
                    if l.contains("(Attached)") {
                        Some(true)
                    } else if l.contains("(Detached)") {
                        Some(false)
                    } else {
                        None
                    }
                }),
        }
    }

    async fn ask(&self) -> Option<bool> {
        // `screen -ls` exits non-zero even when it lists sessions.
        let (_, stdout) = output_of(self.command()).await?;
        self.read(&stdout)
    }
}

/// Runs a polling command (no stdin, stderr dropped, killed after [`POLL`]): whether it
/// succeeded, and its standard output.
pub async fn output_of(mut command: tokio::process::Command) -> Option<(bool, String)> {
    command
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(POLL, command.output())
        .await
        .ok()?
        .ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Some((output.status.success(), stdout))
}

/// Watches `mux` on the current runtime; the receiver gets each change (attached: true).
pub fn watch(mux: Multiplexer) -> mpsc::Receiver<bool> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let mut last = None;
        let mut failures = 0;
        loop {
            match mux.ask().await {
                Some(attached) => {
                    failures = 0;
                    if last != Some(attached) {
                        last = Some(attached);
                        if tx.send(attached).await.is_err() {
                            return;
                        }
                    }
                }
                None => {
                    failures += 1;
                    if failures >= 3 {
                        tracing::info!("auto-away: {mux:?} cannot be asked; counting keys only");
                        return;
                    }
                }
            }
            tokio::time::sleep(POLL).await;
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::env;

    #[test]
    fn found_from_the_environment() {
        assert_eq!(Multiplexer::from_env(env(&[])), None);
        assert_eq!(
            Multiplexer::from_env(env(&[
                ("TMUX", "/tmp/tmux-0/default,1,0"),
                ("TMUX_PANE", "%3")
            ])),
            Some(Multiplexer::Tmux {
                pane: Some("%3".into())
            })
        );
        assert_eq!(
            Multiplexer::from_env(env(&[("STY", "1234.pts-0.host")])),
            Some(Multiplexer::Screen {
                session: "1234.pts-0.host".into()
            })
        );
        assert_eq!(
            Multiplexer::from_env(env(&[("TMUX", ""), ("STY", "")])),
            None
        );
    }

    #[test]
    fn answers_read() {
        let tmux = Multiplexer::Tmux { pane: None };
        assert_eq!(tmux.read("1\n"), Some(true));
        assert_eq!(tmux.read("2\n"), Some(true));
        assert_eq!(tmux.read("0\n"), Some(false));
        assert_eq!(tmux.read("no server running\n"), None);
        let screen = Multiplexer::Screen {
            session: "1234.pts-0.host".into(),
        };
        let ls = |state: &str| {
            format!("There is a screen on:\n\t1234.pts-0.host\t(12/03/2026 10:00:00 AM)\t({state})\n1 Socket in /run/screen/S-me.\n")
        };
        assert_eq!(screen.read(&ls("Attached")), Some(true));
        assert_eq!(screen.read(&ls("Detached")), Some(false));
        assert_eq!(screen.read("No Sockets found in /run/screen/S-me.\n"), None);
    }
}
