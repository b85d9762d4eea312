//! `[auto_away]`: when the presence goes away and extended away by itself, with what text, and
//! which idle sources count.

use serde::Deserialize;

use super::{bad, Bad};
use crate::domain::away::{parse_duration, Rules};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAutoAway {
    enabled: Option<bool>,
    away_after: Option<String>,
    xa_after: Option<String>,
    away_status: Option<String>,
    xa_status: Option<String>,
    send_idle: Option<bool>,
    tmux_detach: Option<bool>,
    desktop: Option<bool>,
}

/// `[auto_away]`, validated; absent keys take [`Rules::standard`]'s values.
pub(super) fn auto_away(raw: Option<RawAutoAway>) -> Result<Rules, Bad> {
    let raw = raw.unwrap_or_default();
    let standard = Rules::standard();
    let away_after = match raw.away_after.as_deref() {
        None => standard.away_after,
        Some(text) => match duration(text, "auto_away.away_after")? {
            d if d.is_zero() => {
                return Err(bad(
                    "auto_away.away_after",
                    "\"0\" would be away at once; to turn auto-away off, set enabled = false",
                ))
            }
            d => d,
        },
    };
    let xa_after = match raw.xa_after.as_deref() {
        None => standard.xa_after,
        Some(text) => Some(duration(text, "auto_away.xa_after")?).filter(|d| !d.is_zero()),
    };
    if let Some(xa) = xa_after.filter(|xa| *xa < away_after) {
        return Err(bad(
            "auto_away.xa_after",
            format!(
                "{} s is shorter than away_after ({} s); extended away comes after away",
                xa.as_secs(),
                away_after.as_secs()
            ),
        ));
    }
    let text = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
    Ok(Rules {
        enabled: raw.enabled.unwrap_or(standard.enabled),
        away_after,
        xa_after,
        away_status: text(raw.away_status),
        xa_status: text(raw.xa_status),
        send_idle: raw.send_idle.unwrap_or(standard.send_idle),
        tmux_detach: raw.tmux_detach.unwrap_or(standard.tmux_detach),
        desktop: raw.desktop.unwrap_or(standard.desktop),
    })
}

fn duration(text: &str, key: &str) -> Result<std::time::Duration, Bad> {
    parse_duration(text).ok_or_else(|| {
        bad(
            key,
            format!("{text:?} is not a duration; expected a number with s, m or h, like \"30s\", \"10m\" or \"1h\" (\"0\": off)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use crate::config::parse;
    use crate::domain::away::Rules;

    const BASE: &str = "[account]\njid = \"a@b.c\"\npassword = \"x\"\n";

    fn rules(table: &str) -> Result<Rules, String> {
        parse(
            Path::new("/tmp/c.toml"),
            &format!("{BASE}[auto_away]\n{table}"),
        )
        .map(|c| c.auto_away)
        .map_err(|e| e.to_string())
    }

    #[test]
    fn absent_is_standard() {
        let c = parse(Path::new("/tmp/c.toml"), BASE).unwrap();
        assert_eq!(c.auto_away, Rules::standard());
        assert!(c.auto_away.enabled && c.auto_away.send_idle);
        assert_eq!(c.auto_away.away_after, Duration::from_secs(600));
        assert_eq!(c.auto_away.xa_after, Some(Duration::from_secs(1800)));
    }

    #[test]
    fn every_key_is_read() {
        let r = rules(
            "enabled = false\naway_after = \"30s\"\nxa_after = \"1h\"\naway_status = \"brb\"\n\
             xa_status = \"gone\"\nsend_idle = false\ntmux_detach = false\ndesktop = false\n",
        )
        .unwrap();
        assert_eq!(
            r,
            Rules {
                enabled: false,
                away_after: Duration::from_secs(30),
                xa_after: Some(Duration::from_secs(3600)),
                away_status: Some("brb".into()),
                xa_status: Some("gone".into()),
                send_idle: false,
                tmux_detach: false,
                desktop: false,
            }
        );
    }

    #[test]
    fn xa_after_zero_turns_the_stage_off_and_empty_texts_are_none() {
        let r = rules("xa_after = \"0\"\naway_status = \" \"\n").unwrap();
        assert_eq!(r.xa_after, None);
        assert_eq!(r.away_status, None);
    }

    #[test]
    fn bad_values_are_named_with_what_would_be_valid() {
        let e = rules("away_after = \"10 minutes\"\n").unwrap_err();
        assert!(
            e.contains("auto_away.away_after")
                && e.contains("\"10 minutes\"")
                && e.contains("\"10m\""),
            "{e}"
        );
        let e = rules("away_after = \"0\"\n").unwrap_err();
        assert!(e.contains("enabled = false"), "{e}");
        let e = rules("away_after = \"10m\"\nxa_after = \"5m\"\n").unwrap_err();
        assert!(
            e.contains("auto_away.xa_after") && e.contains("shorter"),
            "{e}"
        );
        let e = rules("away_afterr = \"1m\"\n").unwrap_err();
        assert!(e.contains("away_afterr"), "{e}");
    }
}
