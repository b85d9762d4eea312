//! How message fields are written to columns and read back. Reading is lenient where a
//! default is harmless (an unknown `via` is `Live`) and strict where it is not (a row whose
//! direction is neither `in` nor `out` is skipped by the caller).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::domain::{Delivery, Direction, Via};

/// Milliseconds since the epoch (negative before it, saturating far away from it).
pub fn millis(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// Now, in [`millis`].
pub fn now_millis() -> i64 {
    millis(SystemTime::now())
}

/// The inverse of [`millis`] (the epoch itself for a time the platform cannot hold).
pub fn time(ms: i64) -> SystemTime {
    let span = Duration::from_millis(ms.unsigned_abs());
    let at = if ms >= 0 {
        UNIX_EPOCH.checked_add(span)
    } else {
        UNIX_EPOCH.checked_sub(span)
    };
    at.unwrap_or(UNIX_EPOCH)
}

pub fn direction(text: &str) -> Option<Direction> {
    match text {
        "in" => Some(Direction::In),
        "out" => Some(Direction::Out),
        _ => None,
    }
}

pub fn via_str(via: Via) -> &'static str {
    match via {
        Via::Live => "live",
        Via::Carbon => "carbon",
        Via::Archive => "archive",
        Via::Offline => "offline",
    }
}

pub fn via(text: &str) -> Via {
    match text {
        "carbon" => Via::Carbon,
        "archive" => Via::Archive,
        "offline" => Via::Offline,
        _ => Via::Live,
    }
}

/// `(delivery, error)` columns.
pub fn delivery_columns(delivery: &Delivery) -> (&'static str, Option<&str>) {
    match delivery {
        Delivery::Queued => ("queued", None),
        Delivery::Sent => ("sent", None),
        Delivery::Delivered => ("delivered", None),
        Delivery::Failed(error) => ("failed", Some(error)),
    }
}

/// The delivery of a row (`None` for an unknown word: shown without a mark).
pub fn delivery(state: &str, error: Option<String>) -> Option<Delivery> {
    match state {
        "queued" => Some(Delivery::Queued),
        "sent" => Some(Delivery::Sent),
        "delivered" => Some(Delivery::Delivered),
        "failed" => Some(Delivery::Failed(error.unwrap_or_default())),
        _ => None,
    }
}
