//! Auto-away's rules as `[auto_away]` gives them (the state machine is `store::auto_away`),
//! and the durations the config writes them in.

use std::time::Duration;

/// `[auto_away]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub enabled: bool,
    /// No activity for this long: away.
    pub away_after: Duration,
    /// No activity for this long: extended away (None: never).
    pub xa_after: Option<Duration>,
    /// The status text while away (None: the user's own).
    pub away_status: Option<String>,
    pub xa_status: Option<String>,
    /// Send XEP-0319 `<idle since=…/>` with the auto-away presence.
    pub send_idle: bool,
    /// The tmux or screen client detaching counts as leaving.
    pub tmux_detach: bool,
    /// The desktop session's idle time counts: input in any window is activity
    /// (`app::desktop`; never over SSH).
    pub desktop: bool,
}

impl Rules {
    /// What `[auto_away]` means when the config says nothing.
    pub fn standard() -> Rules {
        Rules {
            enabled: true,
            away_after: Duration::from_secs(600),
            xa_after: Some(Duration::from_secs(1800)),
            away_status: None,
            xa_status: None,
            send_idle: true,
            tmux_detach: true,
            desktop: true,
        }
    }

    /// Never goes away (a `State` built without a config, as in tests).
    pub fn off() -> Rules {
        Rules {
            enabled: false,
            ..Rules::standard()
        }
    }
}

/// "30s", "10m", "1h", "0" (or "0s"…): the duration; None when it does not parse.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}
