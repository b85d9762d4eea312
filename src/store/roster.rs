//! The roster: contacts with their per-resource presence, and a sorted index that keeps the
//! display order (group, availability, name) up to date in O(log n) per change, so a presence
//! never costs a re-sort of tens of thousands of contacts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::SystemTime;

use jid::BareJid;

use crate::domain::Availability;
use crate::domain::{RosterItem, Subscription};
use crate::sanitize::{sanitize, MAX_NAME};
use crate::store::presence::{best_resource, ResourcePresence, Resources};

/// Which section of the roster a contact appears in, in display order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    Named(String),
    Ungrouped,
    /// Presence from someone who is not in the roster (never added without the user).
    NotInRoster,
}

impl GroupKey {
    pub fn title(&self) -> &str {
        match self {
            GroupKey::Named(name) => name,
            GroupKey::Ungrouped => "Contacts",
            GroupKey::NotInRoster => "Not in roster",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub jid: BareJid,
    /// The JID as drawn, when sanitizing changed it (see [`Contact::display_jid`]); most
    /// JIDs are drawn as they are and need no second copy.
    shown_jid: Option<Box<str>>,
    pub name: Option<String>,
    /// The roster groups, sorted and unique, all `GroupKey::Named` (see [`Contact::group_keys`]).
    groups: Vec<GroupKey>,
    pub subscription: Subscription,
    pub pending_out: bool,
    pub in_roster: bool,
    /// Available resources by (sanitized) resource name.
    pub resources: Resources,
    /// Set by an error presence; cleared by the next available presence.
    pub error: Option<String>,
    /// Status text of the last unavailable presence.
    pub last_status: String,
    /// When the contact went offline (or errored), if it did while we watched.
    pub offline_since: Option<SystemTime>,
    /// When it was last seen going offline: live, from the presence log on disk, or from a
    /// `/last` answer (XEP-0012).
    pub last_seen: Option<SystemTime>,
    /// Where it is sorted; the same allocation is the entry of every bucket that lists it.
    sort: Arc<SortKey>,
}

/// A contact's place inside an availability bucket: its label in lower case, then its JID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    pub name: Box<str>,
    pub jid: BareJid,
}

impl Contact {
    fn new(jid: BareJid) -> Contact {
        let display_jid = sanitize(jid.as_str(), MAX_NAME * 4);
        Contact {
            sort: Arc::new(SortKey {
                name: display_jid.to_lowercase().into(),
                jid: jid.clone(),
            }),
            shown_jid: (display_jid != jid.as_str()).then(|| display_jid.into()),
            jid,
            name: None,
            groups: Vec::new(),
            subscription: Subscription::None,
            pending_out: false,
            in_roster: false,
            resources: Resources::default(),
            error: None,
            last_status: String::new(),
            offline_since: None,
            last_seen: None,
        }
    }

    /// The JID as drawn (sanitized).
    pub fn display_jid(&self) -> &str {
        self.shown_jid.as_deref().unwrap_or(self.jid.as_str())
    }

    /// The name shown in the roster: the roster name if set, else the nick the contact
    /// sends (XEP-0172), else the JID.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or_else(|| self.best().and_then(|(_, p)| p.nick.as_deref()))
            .unwrap_or(self.display_jid())
    }

    /// The resource whose state the contact row shows, and its presence.
    pub fn best(&self) -> Option<(&str, &ResourcePresence)> {
        best_resource(crate::store::presence::rule(), self.resources.iter())
    }

    pub fn availability(&self) -> Availability {
        match self.best() {
            Some((_, p)) => Availability::Available(p.show),
            None if self.error.is_some() => Availability::Error,
            None => Availability::Offline,
        }
    }

    /// How many extra rows (one per resource) the contact expands into.
    pub fn expanded_rows(&self) -> usize {
        if self.resources.len() >= 2 {
            self.resources.len()
        } else {
            0
        }
    }

    /// The groups the contact is listed in, in display order.
    pub fn group_keys(&self) -> &[GroupKey] {
        const NOT_IN_ROSTER: &[GroupKey] = &[GroupKey::NotInRoster];
        const UNGROUPED: &[GroupKey] = &[GroupKey::Ungrouped];
        if !self.in_roster {
            NOT_IN_ROSTER
        } else if self.groups.is_empty() {
            UNGROUPED
        } else {
            &self.groups
        }
    }

    /// The names of its roster groups, sorted.
    pub fn group_names(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.title().to_owned()).collect()
    }

    /// The key the contact is sorted by inside its availability bucket.
    pub fn sort_key(&self) -> &Arc<SortKey> {
        &self.sort
    }

    fn refresh_sort_name(&mut self) {
        let name = self.label().to_lowercase();
        if *self.sort.name != *name {
            self.sort = Arc::new(SortKey {
                name: name.into(),
                jid: self.jid.clone(),
            });
        }
    }

    /// What decides where its rows are: availability rank and row count (its sort key and
    /// groups change only with its roster item).
    fn placement(&self) -> (u8, usize) {
        (self.availability().rank(), 1 + self.expanded_rows())
    }
}

/// Number of availability ranks (chat, online, away, xa, dnd, error, offline).
pub const RANKS: usize = 7;

/// The contacts of one group with the same availability, sorted by name then JID, and the
/// number of rows they take (a contact plus its expanded resources).
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    pub entries: BTreeSet<Arc<SortKey>>,
    pub rows: usize,
}

/// One group of the roster: a bucket per availability rank, in display order.
#[derive(Debug, Clone, Default)]
pub struct GroupIndex {
    pub buckets: [Bucket; RANKS],
    pub stats: GroupStats,
}

/// Per-group counters for the group header ("Friends 3/10").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    pub online: usize,
    pub total: usize,
    /// Rows the group's contacts take (contacts plus expanded resources).
    pub rows: usize,
    /// Contacts the roster filter lets through (`None`: no filter, all are shown).
    pub shown: Option<usize>,
}

#[derive(Debug, Default, Clone)]
pub struct Roster {
    /// Boxed: a hash table keeps up to half its slots empty, and an empty slot of a
    /// `Contact` costs ~250 B where a box costs 8.
    contacts: HashMap<BareJid, Box<Contact>>,
    /// Display order: group, then availability bucket, then name.
    groups: BTreeMap<GroupKey, GroupIndex>,
    /// Contacts with an available resource, kept in step by [`Roster::modify`] (the header
    /// draws it every frame: counting would walk every contact).
    online: usize,
}

impl Roster {
    pub fn get(&self, jid: &BareJid) -> Option<&Contact> {
        self.contacts.get(jid).map(|c| &**c)
    }

    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values().map(|c| &**c)
    }

    /// The sorted index: groups in display order, each with its availability buckets.
    pub fn groups(&self) -> &BTreeMap<GroupKey, GroupIndex> {
        &self.groups
    }

    /// Total rows of the fully expanded roster, group headers included.
    pub fn row_count(&self) -> usize {
        self.groups.values().map(|g| g.stats.rows + 1).sum()
    }

    pub fn online_count(&self) -> usize {
        self.online
    }

    /// Replaces the roster items with a fresh roster result, keeping known presence.
    pub fn replace(&mut self, items: Vec<RosterItem>) {
        let keep: std::collections::HashSet<&BareJid> = items.iter().map(|i| &i.jid).collect();
        let gone: Vec<BareJid> = self
            .contacts
            .keys()
            .filter(|jid| !keep.contains(jid))
            .cloned()
            .collect();
        drop(keep);
        for jid in gone {
            self.remove_item(&jid);
        }
        for item in items {
            self.upsert_item(item);
        }
    }

    /// Applies a roster item (from a roster result or push).
    pub fn upsert_item(&mut self, item: RosterItem) {
        let jid = item.jid.clone();
        self.modify_item(&jid, |c| {
            c.in_roster = true;
            c.name = item.name.filter(|n| !n.is_empty());
            let mut groups: Vec<GroupKey> = item.groups.into_iter().map(GroupKey::Named).collect();
            groups.sort();
            groups.dedup();
            c.groups = groups;
            c.subscription = item.subscription;
            c.pending_out = item.pending_out;
            c.refresh_sort_name();
        });
    }

    /// Removes a roster item; a contact that is still online stays as "not in roster".
    pub fn remove_item(&mut self, jid: &BareJid) {
        let Some(contact) = self.contacts.get(jid) else {
            return;
        };
        if contact.resources.is_empty() {
            // Offline: not in the online count.
            self.detach(jid);
            self.contacts.remove(jid);
        } else {
            self.modify_item(jid, |c| {
                c.in_roster = false;
                c.name = None;
                c.groups.clear();
                c.subscription = Subscription::None;
                c.pending_out = false;
                c.refresh_sort_name();
            });
        }
    }

    /// Applies a change to one contact's presence or details (created if unknown) and keeps
    /// the index in step. `f` must not change what only a roster item changes (name, groups,
    /// being in the roster): [`Roster::upsert_item`] and [`Roster::remove_item`] do that.
    /// A change that keeps the contact's rank and row count costs no index work.
    pub fn modify<R>(&mut self, jid: &BareJid, f: impl FnOnce(&mut Contact) -> R) -> R {
        let before = self.contacts.get(jid).map(|c| c.placement());
        #[cfg(debug_assertions)]
        let item = self
            .contacts
            .get(jid)
            .map(|c| (c.sort.clone(), c.groups.clone(), c.in_roster));
        let result = self.apply(jid, f);
        #[cfg(debug_assertions)]
        if let (Some(item), Some(c)) = (item, self.contacts.get(jid)) {
            debug_assert!(
                item == (c.sort.clone(), c.groups.clone(), c.in_roster),
                "Roster::modify changed a roster item field; use modify_item"
            );
        }
        let after = self.contacts.get(jid).map(|c| c.placement());
        if before != after || self.drop_stranger(jid) {
            if let Some(old) = before {
                self.unlist(jid, old);
            }
            self.settle(jid, before);
        }
        result
    }

    /// [`Roster::modify`] for a change of the roster item itself (its sort key or groups).
    fn modify_item<R>(&mut self, jid: &BareJid, f: impl FnOnce(&mut Contact) -> R) -> R {
        let before = self.contacts.get(jid).map(|c| c.placement());
        self.detach(jid);
        let result = self.apply(jid, f);
        self.drop_stranger(jid);
        self.settle(jid, before);
        result
    }

    /// Runs `f` on the contact, creating it first if unknown (a known contact, every
    /// presence but the first, costs no copy of its JID).
    fn apply<R>(&mut self, jid: &BareJid, f: impl FnOnce(&mut Contact) -> R) -> R {
        match self.contacts.get_mut(jid) {
            Some(contact) => f(contact),
            None => f(self
                .contacts
                .entry(jid.clone())
                .or_insert_with(|| Box::new(Contact::new(jid.clone())))),
        }
    }

    /// Whether the contact is a stranger with nothing left to show (offline, no error):
    /// it then leaves no trace (its index entries must already be gone when it is removed).
    fn drop_stranger(&self, jid: &BareJid) -> bool {
        self.contacts
            .get(jid)
            .is_some_and(|c| !c.in_roster && c.resources.is_empty() && c.error.is_none())
    }

    /// After the contact's entries were taken out of the index: removes a stranger with
    /// nothing to show, or lists it again; keeps the online count.
    fn settle(&mut self, jid: &BareJid, before: Option<(u8, usize)>) {
        let online =
            |p: Option<(u8, usize)>| p.is_some_and(|(rank, _)| rank < Availability::Error.rank());
        if self.drop_stranger(jid) {
            self.contacts.remove(jid);
        } else {
            self.attach(jid);
        }
        let after = self.contacts.get(jid).map(|c| c.placement());
        match (online(before), online(after)) {
            (false, true) => self.online += 1,
            (true, false) => self.online = self.online.saturating_sub(1),
            _ => {}
        }
    }

    /// Takes the contact out of the index as it is now.
    fn detach(&mut self, jid: &BareJid) {
        if let Some(at) = self.contacts.get(jid).map(|c| c.placement()) {
            self.unlist(jid, at);
        }
    }

    /// Takes the contact's entries out of its groups' buckets, where it was listed with
    /// `placement` (rank, rows); its sort key and groups are the current ones.
    fn unlist(&mut self, jid: &BareJid, (rank, rows): (u8, usize)) {
        let Some(contact) = self.contacts.get(jid) else {
            return;
        };
        let rank = usize::from(rank);
        for group in contact.group_keys() {
            let Some(index) = self.groups.get_mut(group) else {
                continue;
            };
            let bucket = &mut index.buckets[rank];
            if bucket.entries.remove(&contact.sort) {
                bucket.rows -= rows;
                index.stats.total -= 1;
                index.stats.rows -= rows;
                if rank < usize::from(Availability::Error.rank()) {
                    index.stats.online -= 1;
                }
                if index.stats.total == 0 {
                    self.groups.remove(group);
                }
            }
        }
    }

    fn attach(&mut self, jid: &BareJid) {
        let Some(contact) = self.contacts.get(jid) else {
            return;
        };
        let (rank, rows) = contact.placement();
        let rank = usize::from(rank);
        for group in contact.group_keys() {
            if !self.groups.contains_key(group) {
                self.groups.insert(group.clone(), GroupIndex::default());
            }
            let Some(index) = self.groups.get_mut(group) else {
                continue;
            };
            let bucket = &mut index.buckets[rank];
            if bucket.entries.insert(contact.sort.clone()) {
                bucket.rows += rows;
                index.stats.total += 1;
                index.stats.rows += rows;
                if rank < usize::from(Availability::Error.rank()) {
                    index.stats.online += 1;
                }
            }
        }
    }
}
