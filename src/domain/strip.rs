//! The detail view's availability strip: the last 7 local days, one row per day, one cell
//! per hour, each the most available state the contact was in during that hour (from the
//! presence log's transitions). A pure function, so the picture is tested as data.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::domain::Show;

pub const DAYS: usize = 7;
pub const HOURS: usize = 24;

/// One hour of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Nothing recorded yet at that time, or still to come.
    Unknown,
    Offline,
    Available(Show),
}

impl Cell {
    /// Lower is more available: what an hour with several states shows.
    fn rank(self) -> u8 {
        match self {
            Cell::Available(show) => show.rank(),
            Cell::Offline => 10,
            Cell::Unknown => 20,
        }
    }
}

/// One day: its first moment (local midnight) and its 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// Days since 1970-01-01 (local).
    pub day: i64,
    pub hours: [Cell; HOURS],
}

fn secs(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn cell(show: Option<Show>) -> Cell {
    show.map_or(Cell::Offline, Cell::Available)
}

/// The last [`DAYS`] local days (`offset` seconds from UTC), oldest first, today last, from
/// `transitions` (time and show, `None` = unavailable; in any order).
pub fn strip(transitions: &[(SystemTime, Option<Show>)], now: SystemTime, offset: i64) -> Vec<Day> {
    let mut sorted: Vec<(i64, Cell)> = transitions
        .iter()
        .map(|&(at, show)| (secs(at), cell(show)))
        .collect();
    sorted.sort_by_key(|&(at, _)| at);
    let now = secs(now);
    let today = (now + offset).div_euclid(86_400);
    let at = |t: i64| {
        sorted
            .iter()
            .take_while(|&&(when, _)| when <= t)
            .last()
            .map_or(Cell::Unknown, |&(_, c)| c)
    };
    (0..DAYS as i64)
        .map(|i| {
            let day = today - (DAYS as i64 - 1) + i;
            let mut hours = [Cell::Unknown; HOURS];
            for (h, slot) in hours.iter_mut().enumerate() {
                let start = day * 86_400 - offset + h as i64 * 3600;
                if start > now {
                    continue;
                }
                let end = (start + 3600).min(now);
                let within = sorted
                    .iter()
                    .filter(|&&(when, _)| when > start && when < end)
                    .map(|&(_, c)| c);
                *slot = std::iter::once(at(start))
                    .chain(within)
                    .min_by_key(|c| c.rank())
                    .unwrap_or(Cell::Unknown);
            }
            Day { day, hours }
        })
        .collect()
}

/// The earliest time the strip looks at (what to read from the log).
pub fn window_start(now: SystemTime, offset: i64) -> SystemTime {
    let today = (secs(now) + offset).div_euclid(86_400);
    let start = (today - (DAYS as i64 - 1)) * 86_400 - offset;
    UNIX_EPOCH + Duration::from_secs(u64::try_from(start).unwrap_or(0))
}

/// "Mon 11-27": the weekday and month-day of a day since 1970 (a Thursday).
pub fn day_label(day: i64) -> String {
    const NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let date = crate::domain::civil_date(day);
    let name = NAMES[usize::try_from(day.rem_euclid(7)).unwrap_or(0)];
    format!("{name} {}", date.get(5..).unwrap_or(&date))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-28 (a Saturday) 00:00 UTC.
    const SAT: u64 = 1_795_824_000;

    fn t(day_offset: i64, hour: u64, minute: u64) -> SystemTime {
        let base = SAT as i64 + day_offset * 86_400;
        UNIX_EPOCH + Duration::from_secs(base as u64 + hour * 3600 + minute * 60)
    }

    #[test]
    fn seven_days_oldest_first_with_nothing_before_the_first_transition() {
        let now = t(0, 12, 30);
        let days = strip(&[(t(-1, 9, 0), Some(Show::Online))], now, 0);
        assert_eq!(days.len(), DAYS);
        assert_eq!(day_label(days[6].day), "Sat 11-28");
        assert_eq!(day_label(days[0].day), "Sun 11-22");
        assert!(days[..5].iter().all(|d| d.hours == [Cell::Unknown; HOURS]));
        assert_eq!(days[5].hours[8], Cell::Unknown);
        assert_eq!(days[5].hours[9], Cell::Available(Show::Online));
        assert_eq!(days[6].hours[12], Cell::Available(Show::Online));
        // The hours still to come are unknown.
        assert_eq!(days[6].hours[13], Cell::Unknown);
    }

    #[test]
    fn an_hour_shows_the_most_available_state_it_had() {
        let now = t(0, 23, 0);
        let log = [
            (t(0, 10, 0), Some(Show::Dnd)),
            (t(0, 11, 20), Some(Show::Chat)),
            (t(0, 11, 40), None),
            (t(0, 14, 59), Some(Show::Away)),
            (t(0, 16, 0), None),
        ];
        let today = &strip(&log, now, 0)[6].hours;
        assert_eq!(today[9], Cell::Unknown);
        assert_eq!(today[10], Cell::Available(Show::Dnd));
        assert_eq!(today[11], Cell::Available(Show::Chat));
        assert_eq!(today[12], Cell::Offline);
        assert_eq!(today[14], Cell::Available(Show::Away));
        assert_eq!(today[15], Cell::Available(Show::Away));
        assert_eq!(today[16], Cell::Offline);
        assert_eq!(today[22], Cell::Offline);
    }

    #[test]
    fn days_and_hours_are_local() {
        // 23:30 UTC on Friday is 00:30 on Saturday at UTC+1.
        let log = [(t(-1, 23, 30), Some(Show::Online))];
        let days = strip(&log, t(0, 12, 0), 3600);
        assert_eq!(day_label(days[6].day), "Sat 11-28");
        assert_eq!(days[5].hours[23], Cell::Unknown);
        assert_eq!(days[6].hours[0], Cell::Available(Show::Online));
        assert_eq!(
            window_start(t(0, 12, 0), 3600),
            t(-6, 0, 0) - Duration::from_secs(3600)
        );
    }
}
