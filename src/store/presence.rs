//! Presence as RFC 6121 defines it: the `<show/>` values, one resource's presence, and the
//! rule that picks which resource a contact's shown state comes from.

use std::time::SystemTime;

/// An available presence's `<show/>` value; `Online` is "no `<show/>`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Show {
    Chat,
    Online,
    Away,
    Xa,
    Dnd,
}

impl Show {
    pub const ALL: [Show; 5] = [Show::Online, Show::Chat, Show::Away, Show::Xa, Show::Dnd];

    /// The word used in the config, in commands and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Show::Chat => "chat",
            Show::Online => "online",
            Show::Away => "away",
            Show::Xa => "xa",
            Show::Dnd => "dnd",
        }
    }

    pub fn parse(s: &str) -> Option<Show> {
        Show::ALL.into_iter().find(|show| show.as_str() == s)
    }

    /// Tie-break rank among equal priorities: chat > online > away > xa > dnd (lower wins).
    pub fn rank(self) -> u8 {
        match self {
            Show::Chat => 0,
            Show::Online => 1,
            Show::Away => 2,
            Show::Xa => 3,
            Show::Dnd => 4,
        }
    }
}

/// What a roster row shows: an available show, offline, or unreachable (error presence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Availability {
    Available(Show),
    Error,
    Offline,
}

impl Availability {
    /// Sort rank for the roster: available states first (chat..dnd), then error, then offline.
    pub fn rank(self) -> u8 {
        match self {
            Availability::Available(show) => show.rank(),
            Availability::Error => 5,
            Availability::Offline => 6,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Availability::Available(show) => show.as_str(),
            Availability::Error => "error",
            Availability::Offline => "offline",
        }
    }
}

/// The presence of one resource of a contact (or of the user's own account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePresence {
    pub show: Show,
    /// Sanitized status text, empty when none was sent.
    pub status: String,
    pub priority: i8,
    /// Sanitized XEP-0172 nick, when the presence carried one.
    pub nick: Option<String>,
    /// When this resource entered its current show value.
    pub since: SystemTime,
}

/// The presence the user asks for; sent after each new session and on every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPresence {
    pub show: Show,
    pub status: String,
    pub priority: i8,
}

impl Default for OwnPresence {
    fn default() -> Self {
        OwnPresence {
            show: Show::Online,
            status: String::new(),
            priority: 0,
        }
    }
}

/// Orders two resources for "which one represents the contact": higher priority first, then
/// the more available show. Returns true when `a` beats `b`.
pub fn outranks(a: &ResourcePresence, b: &ResourcePresence) -> bool {
    (a.priority, std::cmp::Reverse(a.show.rank())) > (b.priority, std::cmp::Reverse(b.show.rank()))
}

/// Picks the winning resource from `(name, presence)` pairs; ties on both priority and show
/// go to the first in iteration order (resource name order, so the choice is stable).
pub fn best_resource<'a, I>(resources: I) -> Option<(&'a str, &'a ResourcePresence)>
where
    I: IntoIterator<Item = (&'a str, &'a ResourcePresence)>,
{
    let mut best: Option<(&str, &ResourcePresence)> = None;
    for (name, presence) in resources {
        match best {
            Some((_, current)) if !outranks(presence, current) => {}
            _ => best = Some((name, presence)),
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(show: Show, priority: i8) -> ResourcePresence {
        ResourcePresence {
            show,
            status: String::new(),
            priority,
            nick: None,
            since: SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn highest_priority_wins_even_when_less_available() {
        let phone = res(Show::Dnd, 10);
        let laptop = res(Show::Chat, 5);
        let best = best_resource([("laptop", &laptop), ("phone", &phone)]);
        assert_eq!(best.map(|(n, _)| n), Some("phone"));
    }

    #[test]
    fn equal_priority_ties_break_by_availability() {
        let order = [Show::Dnd, Show::Xa, Show::Away, Show::Online, Show::Chat];
        for (i, winner) in order.iter().enumerate().skip(1) {
            let loser = res(order[i - 1], 0);
            let win = res(*winner, 0);
            let best = best_resource([("a", &loser), ("b", &win)]);
            assert_eq!(
                best.map(|(n, _)| n),
                Some("b"),
                "{winner:?} must beat {:?}",
                order[i - 1]
            );
            let best = best_resource([("a", &win), ("b", &loser)]);
            assert_eq!(best.map(|(n, _)| n), Some("a"));
        }
    }

    #[test]
    fn negative_priority_resources_still_count() {
        let only = res(Show::Away, -5);
        let best = best_resource([("bot", &only)]);
        assert_eq!(best.map(|(n, p)| (n, p.priority)), Some(("bot", -5)));
        assert!(best_resource(std::iter::empty()).is_none());
    }

    #[test]
    fn full_tie_keeps_first_resource() {
        let a = res(Show::Online, 1);
        let b = res(Show::Online, 1);
        assert_eq!(
            best_resource([("a", &a), ("b", &b)]).map(|(n, _)| n),
            Some("a")
        );
    }

    #[test]
    fn show_words_round_trip() {
        for show in Show::ALL {
            assert_eq!(Show::parse(show.as_str()), Some(show));
        }
        assert_eq!(Show::parse("busy"), None);
    }
}
