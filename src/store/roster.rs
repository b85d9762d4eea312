//! The roster: contacts with their per-resource presence, and a sorted index that keeps the
//! display order (group, availability, name) up to date in O(log n) per change, so a presence
//! never costs a re-sort of tens of thousands of contacts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    pub groups: Vec<String>,
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
    sort_name: String,
}

impl Contact {
    fn new(jid: BareJid) -> Contact {
        let display_jid = sanitize(jid.as_str(), MAX_NAME * 4);
        Contact {
            sort_name: display_jid.to_lowercase(),
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
    pub fn group_keys(&self) -> Vec<GroupKey> {
        if !self.in_roster {
            vec![GroupKey::NotInRoster]
        } else if self.groups.is_empty() {
            vec![GroupKey::Ungrouped]
        } else {
            self.groups.iter().cloned().map(GroupKey::Named).collect()
        }
    }

    /// The key the contact is sorted by inside its availability bucket.
    pub fn sort_key(&self) -> (String, BareJid) {
        (self.sort_name.clone(), self.jid.clone())
    }

    fn refresh_sort_name(&mut self) {
        self.sort_name = self.label().to_lowercase();
    }
}

/// Number of availability ranks (chat, online, away, xa, dnd, error, offline).
pub const RANKS: usize = 7;

/// The contacts of one group with the same availability, sorted by name then JID, and the
/// number of rows they take (a contact plus its expanded resources).
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    pub entries: BTreeSet<(String, BareJid)>,
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

    fn is_online(&self, jid: &BareJid) -> bool {
        self.contacts
            .get(jid)
            .is_some_and(|c| !c.resources.is_empty())
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
        self.modify(&jid, |c| {
            c.in_roster = true;
            c.name = item.name.filter(|n| !n.is_empty());
            let mut groups = item.groups;
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
            self.detach(jid);
            self.contacts.remove(jid);
        } else {
            self.modify(jid, |c| {
                c.in_roster = false;
                c.name = None;
                c.groups.clear();
                c.subscription = Subscription::None;
                c.pending_out = false;
                c.refresh_sort_name();
            });
        }
    }

    /// Applies a change to one contact (created if unknown) and keeps the index in step.
    pub fn modify<R>(&mut self, jid: &BareJid, f: impl FnOnce(&mut Contact) -> R) -> R {
        let was_online = self.is_online(jid);
        self.detach(jid);
        // A known contact (every presence but the first) costs no copy of its JID.
        let result = match self.contacts.get_mut(jid) {
            Some(contact) => f(contact),
            None => f(self
                .contacts
                .entry(jid.clone())
                .or_insert_with(|| Box::new(Contact::new(jid.clone())))),
        };
        // A stranger who went offline leaves no trace.
        let drop_it = self
            .contacts
            .get(jid)
            .is_some_and(|c| !c.in_roster && c.resources.is_empty() && c.error.is_none());
        if drop_it {
            self.contacts.remove(jid);
        } else {
            self.attach(jid);
        }
        match (was_online, self.is_online(jid)) {
            (false, true) => self.online += 1,
            (true, false) => self.online = self.online.saturating_sub(1),
            _ => {}
        }
        result
    }

    fn detach(&mut self, jid: &BareJid) {
        let Some(contact) = self.contacts.get(jid) else {
            return;
        };
        let rank = usize::from(contact.availability().rank());
        let rows = 1 + contact.expanded_rows();
        let key = (contact.sort_name.clone(), jid.clone());
        for group in contact.group_keys() {
            let Some(index) = self.groups.get_mut(&group) else {
                continue;
            };
            let bucket = &mut index.buckets[rank];
            if bucket.entries.remove(&key) {
                bucket.rows -= rows;
                index.stats.total -= 1;
                index.stats.rows -= rows;
                if rank < usize::from(Availability::Error.rank()) {
                    index.stats.online -= 1;
                }
                if index.stats.total == 0 {
                    self.groups.remove(&group);
                }
            }
        }
    }

    fn attach(&mut self, jid: &BareJid) {
        let Some(contact) = self.contacts.get(jid) else {
            return;
        };
        let rank = usize::from(contact.availability().rank());
        let rows = 1 + contact.expanded_rows();
        for group in contact.group_keys() {
            let index = self.groups.entry(group).or_default();
            let bucket = &mut index.buckets[rank];
            if bucket
                .entries
                .insert((contact.sort_name.clone(), jid.clone()))
            {
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
