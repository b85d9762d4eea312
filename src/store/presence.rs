//! Presence as RFC 6121 defines it: the `<show/>` values, one resource's presence, and the
//! rule that picks which resource a contact's shown state comes from.

use std::time::SystemTime;

use crate::domain::{Aggregate, Show};

/// The presence of one resource of a contact (or of the user's own account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePresence {
    pub show: Show,
    /// Sanitized status text, empty when none was sent.
    pub status: String,
    pub priority: i8,
    /// Sanitized XEP-0172 nick, when the presence carried one.
    pub nick: Option<String>,
    /// A `<show>` value XMPP does not define (sanitized); `show` is then `Online`.
    pub odd_show: Option<String>,
    /// When this resource entered its current show value.
    pub since: SystemTime,
    /// XEP-0319: its user has been idle since then (as its last presence said).
    pub idle: Option<SystemTime>,
    /// XEP-0115: its entry in the account's `Devices` (4 bytes, in what was padding).
    pub device: Option<crate::store::devices::DeviceId>,
}

/// The available resources of one contact, by resource name.
///
/// A sorted `Vec`: contacts have one to a few resources, and a `BTreeMap` would allocate a
/// whole node (~1 KiB) per contact, the largest single cost of a 20,000-contact roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources(Vec<(String, ResourcePresence)>);

impl Resources {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&ResourcePresence> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    pub fn insert(&mut self, name: String, presence: ResourcePresence) {
        match self.find(&name) {
            Ok(i) => self.0[i].1 = presence,
            Err(i) => {
                // Exactly one more slot: a first insert would otherwise reserve four
                // (~480 B where one resource needs ~120 B), per online contact.
                self.0.reserve_exact(1);
                self.0.insert(i, (name, presence));
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<ResourcePresence> {
        let i = self.find(name).ok()?;
        let (_, presence) = self.0.remove(i);
        if self.0.is_empty() {
            self.0 = Vec::new(); // give the allocation back
        }
        Some(presence)
    }

    pub fn clear(&mut self) {
        self.0 = Vec::new();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ResourcePresence)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

impl<'a> IntoIterator for &'a Resources {
    type Item = (&'a str, &'a ResourcePresence);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, ResourcePresence)>,
        fn(&'a (String, ResourcePresence)) -> (&'a str, &'a ResourcePresence),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// The rule of this process (`[roster] aggregate`), set once at start before any contact
/// exists; [`Aggregate::Priority`] until then. A process-wide setting because the store sorts
/// contacts by it while applying events, and the UI draws with it: both must agree.
static RULE: std::sync::OnceLock<Aggregate> = std::sync::OnceLock::new();

/// Sets the rule for the rest of the process; false (and no change) when it was already set.
pub fn set_rule(rule: Aggregate) -> bool {
    RULE.set(rule).is_ok()
}

pub fn rule() -> Aggregate {
    RULE.get().copied().unwrap_or_default()
}

/// Orders two resources for "which one represents the contact" under `rule`. Returns true
/// when `a` beats `b`.
pub fn outranks(rule: Aggregate, a: &ResourcePresence, b: &ResourcePresence) -> bool {
    let priority = |p: &ResourcePresence| (p.priority, std::cmp::Reverse(p.show.rank()));
    match rule {
        Aggregate::Priority => priority(a) > priority(b),
        Aggregate::MostAvailable => {
            (std::cmp::Reverse(a.show.rank()), a.priority)
                > (std::cmp::Reverse(b.show.rank()), b.priority)
        }
        Aggregate::DndWins => {
            let dnd = |p: &ResourcePresence| p.show == Show::Dnd;
            (dnd(a), priority(a)) > (dnd(b), priority(b))
        }
    }
}

/// Picks the winning resource from `(name, presence)` pairs under `rule`; ties go to the
/// first in iteration order (resource name order, so the choice is stable).
pub fn best_resource<'a, I>(
    rule: Aggregate,
    resources: I,
) -> Option<(&'a str, &'a ResourcePresence)>
where
    I: IntoIterator<Item = (&'a str, &'a ResourcePresence)>,
{
    let mut best: Option<(&str, &ResourcePresence)> = None;
    for (name, presence) in resources {
        match best {
            Some((_, current)) if !outranks(rule, presence, current) => {}
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
            odd_show: None,
            since: SystemTime::UNIX_EPOCH,
            idle: None,
            device: None,
        }
    }

    #[test]
    fn a_resource_stays_as_small_as_before_devices() {
        // 3 strings, 2 times, show, priority: the device handle fits in the padding.
        assert!(std::mem::size_of::<ResourcePresence>() <= 112);
    }

    #[test]
    fn a_resource_list_holds_no_spare_slots_and_stays_sorted() {
        let mut r = Resources::default();
        r.insert("phone".into(), res(Show::Away, 1));
        assert_eq!(
            r.0.capacity(),
            1,
            "one resource, one slot (Vec would reserve four)"
        );
        r.insert("laptop".into(), res(Show::Chat, 5));
        r.insert("phone".into(), res(Show::Dnd, 2));
        assert_eq!(r.0.capacity(), 2);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["laptop", "phone"]);
        assert_eq!(r.get("phone").map(|p| p.show), Some(Show::Dnd));
        r.remove("laptop");
        r.remove("phone");
        assert_eq!((r.len(), r.0.capacity()), (0, 0));
    }

    #[test]
    fn highest_priority_wins_even_when_less_available() {
        let phone = res(Show::Dnd, 10);
        let laptop = res(Show::Chat, 5);
        let best = best_resource(
            Aggregate::Priority,
            [("laptop", &laptop), ("phone", &phone)],
        );
        assert_eq!(best.map(|(n, _)| n), Some("phone"));
    }

    /// The three rules on the same two resources: a dnd phone at priority 10 and a chatty
    /// laptop at 5, then an away desktop at 20 beside the dnd phone.
    #[test]
    fn each_aggregation_rule_picks_its_own_winner() {
        let phone = res(Show::Dnd, 10);
        let laptop = res(Show::Chat, 5);
        fn pick(rule: Aggregate, a: &ResourcePresence, b: &ResourcePresence) -> Option<String> {
            best_resource(rule, [("a", a), ("b", b)]).map(|(n, _)| n.to_owned())
        }
        assert_eq!(
            pick(Aggregate::Priority, &laptop, &phone).as_deref(),
            Some("b")
        );
        assert_eq!(
            pick(Aggregate::MostAvailable, &laptop, &phone).as_deref(),
            Some("a")
        );
        assert_eq!(
            pick(Aggregate::DndWins, &laptop, &phone).as_deref(),
            Some("b")
        );
        let desktop = res(Show::Away, 20);
        assert_eq!(
            pick(Aggregate::Priority, &desktop, &phone).as_deref(),
            Some("a")
        );
        assert_eq!(
            pick(Aggregate::MostAvailable, &desktop, &phone).as_deref(),
            Some("a")
        );
        assert_eq!(
            pick(Aggregate::DndWins, &desktop, &phone).as_deref(),
            Some("b")
        );
        // Most available: priority breaks a tie of shows.
        let (low, high) = (res(Show::Online, -1), res(Show::Online, 3));
        assert_eq!(
            pick(Aggregate::MostAvailable, &low, &high).as_deref(),
            Some("b")
        );
        // Dnd wins: two dnd resources fall back to priority.
        let (dnd_low, dnd_high) = (res(Show::Dnd, 1), res(Show::Dnd, 2));
        assert_eq!(
            pick(Aggregate::DndWins, &dnd_high, &dnd_low).as_deref(),
            Some("a")
        );
    }

    #[test]
    fn equal_priority_ties_break_by_availability() {
        let order = [Show::Dnd, Show::Xa, Show::Away, Show::Online, Show::Chat];
        for (i, winner) in order.iter().enumerate().skip(1) {
            let loser = res(order[i - 1], 0);
            let win = res(*winner, 0);
            let best = best_resource(Aggregate::Priority, [("a", &loser), ("b", &win)]);
            assert_eq!(
                best.map(|(n, _)| n),
                Some("b"),
                "{winner:?} must beat {:?}",
                order[i - 1]
            );
            let best = best_resource(Aggregate::Priority, [("a", &win), ("b", &loser)]);
            assert_eq!(best.map(|(n, _)| n), Some("a"));
        }
    }

    #[test]
    fn negative_priority_resources_still_count() {
        let only = res(Show::Away, -5);
        let best = best_resource(Aggregate::Priority, [("bot", &only)]);
        assert_eq!(best.map(|(n, p)| (n, p.priority)), Some(("bot", -5)));
        assert!(best_resource(Aggregate::Priority, std::iter::empty()).is_none());
    }

    #[test]
    fn full_tie_keeps_first_resource() {
        let a = res(Show::Online, 1);
        let b = res(Show::Online, 1);
        assert_eq!(
            best_resource(Aggregate::Priority, [("a", &a), ("b", &b)]).map(|(n, _)| n),
            Some("a")
        );
    }

    #[test]
    fn resources_stay_sorted_and_release_memory() {
        let mut r = Resources::default();
        r.insert("phone".into(), res(Show::Away, 1));
        r.insert("laptop".into(), res(Show::Chat, 5));
        r.insert("phone".into(), res(Show::Dnd, 2));
        assert_eq!(r.keys().collect::<Vec<_>>(), ["laptop", "phone"]);
        assert_eq!(r.get("phone").map(|p| p.show), Some(Show::Dnd));
        assert_eq!(r.len(), 2);
        assert!(r.remove("laptop").is_some());
        assert!(r.remove("laptop").is_none());
        assert!(r.remove("phone").is_some());
        assert!(r.is_empty());
        assert_eq!(
            r.0.capacity(),
            0,
            "an offline contact holds no resource allocation"
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
