//! The presence timeline: enter (a resource comes online), update (its show, status or
//! priority changed) and leave (it went offline), with timestamps. Bounded, and debounced so
//! that a flapping contact does not flood it.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use jid::BareJid;

use crate::domain::Show;

/// Entries kept; older ones are dropped.
pub const CAPACITY: usize = 1000;
/// Changes of one resource closer together than this are merged.
pub const DEBOUNCE: Duration = Duration::from_secs(2);
/// How far back a merge looks.
const LOOKBACK: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineKind {
    Enter,
    Update,
    Leave,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: SystemTime,
    pub jid: BareJid,
    pub resource: String,
    pub kind: TimelineKind,
    /// The show after the change (None for leave).
    pub show: Option<Show>,
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    entries: VecDeque<TimelineEntry>,
}

impl Timeline {
    /// Oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &TimelineEntry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records a change, merging it with a recent one of the same resource:
    /// enter+update = enter, update+update = update, leave+enter = update (a flap),
    /// enter+leave = nothing (a blink).
    pub fn record(&mut self, entry: TimelineEntry) {
        let recent = self
            .entries
            .iter()
            .enumerate()
            .rev()
            .take(LOOKBACK)
            .find(|(_, e)| e.jid == entry.jid && e.resource == entry.resource)
            .filter(|(_, e)| entry.at.duration_since(e.at).is_ok_and(|d| d <= DEBOUNCE))
            .map(|(i, e)| (i, e.kind));
        if let Some((i, previous)) = recent {
            use TimelineKind::*;
            // Some(kind): replace the recent entry; Some(None): drop both; None: keep both.
            let merged = match (previous, entry.kind) {
                (Enter, Update) => Some(Some(Enter)),
                (Update, Update) | (Leave, Enter) => Some(Some(Update)),
                (Enter, Leave) => Some(None),
                _ => None,
            };
            match merged {
                Some(Some(kind)) => {
                    if let Some(slot) = self.entries.get_mut(i) {
                        *slot = TimelineEntry { kind, ..entry };
                    }
                    return;
                }
                Some(None) => {
                    self.entries.remove(i);
                    return;
                }
                None => {}
            }
        }
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimelineKind::*;

    fn at(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(s)
    }

    fn e(t: u64, who: &str, kind: TimelineKind) -> TimelineEntry {
        TimelineEntry {
            at: at(t),
            jid: BareJid::new(who).unwrap(),
            resource: "r".into(),
            kind,
            show: (kind != Leave).then_some(Show::Online),
            status: format!("{t}"),
        }
    }

    fn kinds(t: &Timeline) -> Vec<(String, TimelineKind)> {
        t.entries().map(|e| (e.jid.to_string(), e.kind)).collect()
    }

    #[test]
    fn records_in_order() {
        let mut t = Timeline::default();
        t.record(e(10, "a@x", Enter));
        t.record(e(20, "a@x", Update));
        t.record(e(30, "b@x", Enter));
        t.record(e(40, "a@x", Leave));
        assert_eq!(
            kinds(&t),
            [
                ("a@x".into(), Enter),
                ("a@x".into(), Update),
                ("b@x".into(), Enter),
                ("a@x".into(), Leave)
            ]
        );
    }

    #[test]
    fn debounces_a_flapping_contact() {
        let mut t = Timeline::default();
        t.record(e(10, "a@x", Enter));
        t.record(e(11, "a@x", Update));
        t.record(e(11, "a@x", Update));
        assert_eq!(kinds(&t), [("a@x".into(), Enter)]);
        assert_eq!(
            t.entries().next().unwrap().status,
            "11",
            "the merged entry holds the latest state"
        );
        t.record(e(12, "a@x", Leave));
        assert!(
            t.is_empty(),
            "enter then leave within the window: a blink, nothing to show"
        );
        t.record(e(20, "a@x", Enter));
        t.record(e(30, "a@x", Leave));
        t.record(e(31, "a@x", Enter));
        assert_eq!(
            kinds(&t),
            [("a@x".into(), Enter), ("a@x".into(), Update)],
            "leave+enter = update"
        );
        // Another contact in between does not stop the merge.
        t.record(e(40, "a@x", Update));
        t.record(e(40, "b@x", Enter));
        t.record(e(41, "a@x", Update));
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn bounded() {
        let mut t = Timeline::default();
        for i in 0..(CAPACITY as u64 + 500) {
            t.record(e(i * 10, &format!("c{i}@x"), Enter));
        }
        assert_eq!(t.len(), CAPACITY);
        assert_eq!(
            t.entries().next().unwrap().jid.as_str(),
            "c500@x",
            "oldest dropped first"
        );
    }
}
