//! How "last seen" is said: on a roster row ("seen 3h ago", older than a week the local
//! date "seen 2026-11-28"), in the detail view (local date and time), and in `who --json`
//! (RFC 3339, UTC).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Older than this, a row gives the date instead of how long ago.
pub const WEEK: Duration = Duration::from_secs(7 * 86_400);

fn unix_secs(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// 45s, 25m, 3h, 2d: one unit, rounded down.
fn short(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=172_799 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// "seen 3h ago", or "seen 2026-11-28" (local date, `offset` seconds from UTC) when older
/// than a week. A time in the future (a clock that moved) is "seen 0s ago".
pub fn seen_label(seen: SystemTime, now: SystemTime, offset: i64) -> String {
    let ago = now.duration_since(seen).unwrap_or_default();
    if ago >= WEEK {
        let local = unix_secs(seen).saturating_add(offset);
        format!(
            "seen {}",
            crate::domain::civil_date(local.div_euclid(86_400))
        )
    } else {
        format!("seen {} ago", short(ago.as_secs()))
    }
}

/// "2026-11-28 14:05" in local time.
pub fn local_date_time(at: SystemTime, offset: i64) -> String {
    let local = unix_secs(at).saturating_add(offset);
    let day = local.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        crate::domain::civil_date(local.div_euclid(86_400)),
        day / 3600,
        day % 3600 / 60
    )
}

/// "2026-11-28T14:05:09Z".
pub fn rfc3339_utc(at: SystemTime) -> String {
    let secs = unix_secs(at);
    let day = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::domain::civil_date(secs.div_euclid(86_400)),
        day / 3600,
        day % 3600 / 60,
        day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-28 12:00:00 UTC.
    fn noon() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_867_200)
    }

    #[test]
    fn recent_is_how_long_ago_and_older_than_a_week_is_the_date() {
        let now = noon() + Duration::from_secs(3 * 3600 + 59);
        assert_eq!(seen_label(noon(), now, 0), "seen 3h ago");
        assert_eq!(
            seen_label(noon(), noon() + Duration::from_secs(42), 0),
            "seen 42s ago"
        );
        assert_eq!(
            seen_label(noon(), noon() + Duration::from_secs(25 * 60), 0),
            "seen 25m ago"
        );
        assert_eq!(
            seen_label(noon(), noon() + Duration::from_secs(3 * 86_400), 0),
            "seen 3d ago"
        );
        let later = noon() + WEEK;
        assert_eq!(seen_label(noon(), later, 0), "seen 2026-11-28");
        // The local date: 12:00 UTC is already the next day at UTC+13.
        assert_eq!(seen_label(noon(), later, 13 * 3600), "seen 2026-11-29");
        // A clock that moved back never says "ago" in the future.
        assert_eq!(seen_label(later, noon(), 0), "seen 0s ago");
    }

    #[test]
    fn times_in_local_and_in_rfc_3339() {
        assert_eq!(local_date_time(noon(), 0), "2026-11-28 12:00");
        assert_eq!(local_date_time(noon(), -13 * 3600), "2026-11-27 23:00");
        assert_eq!(
            rfc3339_utc(noon() + Duration::from_secs(9)),
            "2026-11-28T12:00:09Z"
        );
    }
}
