//! One account's part of the store: its own presence and connection, its roster and its
//! presence timeline. `State::apply` hands each session event to the account it came from.

use std::time::SystemTime;

use jid::BareJid;

use crate::domain::{AccountId, ConnState, OwnPresence};
use crate::event::PresenceChange;
use crate::store::presence::{self, ResourcePresence};
use crate::store::roster::Roster;
use crate::store::timeline::{self, TimelineEntry, TimelineKind};

mod devices;
mod seen;

/// What the store knows about one configured account.
#[derive(Debug, Clone)]
pub struct AccountState {
    pub id: AccountId,
    /// The name shown on screen (the config's `name`, default the JID).
    pub name: String,
    pub jid: BareJid,
    /// The full JID of the current session, once bound.
    pub bound: Option<String>,
    pub connection: ConnState,
    /// The presence the user asked for on this account (sent after every new session).
    pub own: OwnPresence,
    /// What the server last echoed back for this session, if anything.
    pub own_echo: Option<OwnPresence>,
    /// The user's other resources on this account ("you on phone").
    pub own_resources: presence::Resources,
    pub roster: Roster,
    /// Has the roster result arrived for the current session?
    pub roster_loaded: bool,
    /// The roster on screen is the one saved on disk at this time, not yet confirmed by the
    /// server (instant start); `None` once the server answered.
    pub cached_since: Option<SystemTime>,
    /// Set once a session has been bound.
    pub ever_online: bool,
    /// The XEP-0172 nick sent with presence.
    pub nick: Option<String>,
    /// Unavailable by choice (`/offline`), still connected.
    pub offline: bool,
    pub timeline: timeline::Timeline,
    /// Incoming stanzas the sieve repaired, and stanzas the XMPP library discarded.
    pub input_repaired: u64,
    pub input_discarded: u64,
    /// The account's room bookmarks (XEP-0402), as the server last sent them.
    pub bookmarks: Vec<crate::domain::room::Bookmark>,
    /// The XML console's record (`/console`).
    pub console: super::console::Console,
    /// The server deleted the account (`/unregister`): its session ended on purpose.
    pub removed: bool,
    /// Contacts' devices (XEP-0115) and clocks (XEP-0202).
    pub devices: super::devices::Devices,
    /// The server's gateways (XEP-0100); None until the current session found out.
    pub gateways: Option<Vec<crate::domain::gateway::Gateway>>,
}

impl AccountState {
    pub fn new(id: AccountId, name: String, jid: BareJid, own: OwnPresence) -> AccountState {
        AccountState {
            id,
            name,
            jid,
            bound: None,
            connection: ConnState::Connecting,
            own,
            own_echo: None,
            own_resources: presence::Resources::default(),
            roster: Roster::default(),
            roster_loaded: false,
            cached_since: None,
            ever_online: false,
            nick: None,
            offline: false,
            timeline: timeline::Timeline::default(),
            input_repaired: 0,
            input_discarded: 0,
            bookmarks: Vec::new(),
            console: super::console::Console::default(),
            removed: false,
            devices: super::devices::Devices::default(),
            gateways: None,
        }
    }

    /// The server answered the roster request: with the whole roster, or `None` (unchanged
    /// since the version we had). Either way it is confirmed, no longer the cached copy.
    pub fn roster_answered(&mut self, items: Option<Vec<crate::domain::RosterItem>>) {
        if let Some(items) = items {
            self.roster.replace(items);
        }
        self.roster_loaded = true;
        self.cached_since = None;
    }

    /// A new session is bound: everything known about others' presence is stale.
    pub fn session_started(&mut self, bound: String) {
        self.bound = Some(bound);
        self.connection = ConnState::Online;
        self.ever_online = true;
        self.roster_loaded = false;
        self.own_resources.clear();
        self.forget_presence();
    }

    /// Clears every contact's resources and errors (after a new session, or going offline).
    pub fn forget_presence(&mut self) {
        let online: Vec<BareJid> = self
            .roster
            .contacts()
            .filter(|c| !c.resources.is_empty() || c.error.is_some())
            .map(|c| c.jid.clone())
            .collect();
        for jid in online {
            self.roster.modify(&jid, |c| {
                c.resources.clear();
                c.error = None;
            });
        }
    }

    /// Has this account failed before it was ever online, so that rosterm on its own would
    /// have nothing to show? (A saved roster on screen makes an unreachable server worth
    /// waiting for; a fatal error still counts.)
    pub fn login_failed(&self) -> Option<&str> {
        if self.ever_online {
            return None;
        }
        match &self.connection {
            ConnState::Failed { reason } => Some(reason),
            ConnState::Reconnecting {
                reason, attempt, ..
            } if *attempt > 0 && self.cached_since.is_none() => Some(reason),
            _ => None,
        }
    }

    /// The presence the header shows for this account.
    pub fn shown_presence(&self) -> crate::domain::Availability {
        if self.offline {
            crate::domain::Availability::Offline
        } else {
            crate::domain::Availability::Available(self.own.show)
        }
    }

    pub fn apply_presence(
        &mut self,
        from: BareJid,
        resource: Option<String>,
        change: PresenceChange,
        now: SystemTime,
    ) {
        if from == self.jid {
            let Some(resource) = resource else { return };
            match change {
                available @ PresenceChange::Available { .. } => {
                    if let Some(presence) = resource_presence(available, now) {
                        upsert_resource(&mut self.own_resources, resource, presence);
                    }
                }
                PresenceChange::Unavailable { .. } | PresenceChange::Error { .. } => {
                    self.own_resources.remove(&resource);
                }
            }
            return;
        }
        for entry in self.timeline_entries(&from, resource.as_deref(), &change, now) {
            self.timeline.record(entry);
        }
        // Presence from strangers is shown but never adds them to the roster.
        self.roster
            .modify(&from, |c| apply_to_contact(c, resource, change, now));
    }

    /// XEP-0319 idle from the presence just applied: kept on that resource (a presence
    /// without it has already cleared it).
    pub fn apply_idle(&mut self, from: &BareJid, resource: Option<&str>, since: SystemTime) {
        let key = resource.unwrap_or("");
        let set = |resources: &mut presence::Resources| {
            if let Some(mut p) = resources.get(key).cloned() {
                p.idle = Some(since);
                resources.insert(key.to_owned(), p);
            }
        };
        if *from == self.jid {
            set(&mut self.own_resources);
        } else {
            self.roster.modify(from, |c| set(&mut c.resources));
        }
    }

    /// The timeline entries a contact's presence change means (before it is applied).
    fn timeline_entries(
        &self,
        from: &BareJid,
        resource: Option<&str>,
        change: &PresenceChange,
        now: SystemTime,
    ) -> Vec<TimelineEntry> {
        let known = self.roster.get(from);
        let entry = |resource: &str, kind, show, status: &str| TimelineEntry {
            at: now,
            jid: from.clone(),
            resource: resource.to_owned(),
            kind,
            show,
            status: status.to_owned(),
        };
        let gone = |status: &str, only: Option<&str>| -> Vec<TimelineEntry> {
            let names: Vec<String> = match (known, only) {
                (Some(c), None) => c.resources.keys().map(str::to_owned).collect(),
                (Some(c), Some(r)) if c.resources.contains_key(r) => vec![r.to_owned()],
                _ => Vec::new(),
            };
            names
                .iter()
                .map(|r| entry(r, TimelineKind::Leave, None, status))
                .collect()
        };
        match change {
            PresenceChange::Available {
                show,
                status,
                priority,
                ..
            } => {
                let key = resource.unwrap_or("");
                let kind = match known.and_then(|c| c.resources.get(key)) {
                    None => Some(TimelineKind::Enter),
                    Some(old)
                        if old.show != *show
                            || old.status != *status
                            || old.priority != *priority =>
                    {
                        Some(TimelineKind::Update)
                    }
                    Some(_) => None,
                };
                kind.map(|kind| entry(key, kind, Some(*show), status))
                    .into_iter()
                    .collect()
            }
            PresenceChange::Unavailable { status } => gone(status, resource),
            PresenceChange::Error { reason } => gone(reason, None),
        }
    }

    /// Shows the roster saved on disk until the server answers: its items, and each
    /// contact's last known presence (cleared by the first new session, like any presence).
    pub fn seed_from_cache(&mut self, cached: crate::history::CachedRoster) {
        let Some(saved_at) = cached.saved_at else {
            return;
        };
        self.roster.replace(cached.items);
        for p in cached.presence {
            let presence = ResourcePresence {
                show: p.show,
                status: p.status,
                priority: p.priority,
                nick: None,
                odd_show: None,
                since: saved_at,
                idle: None,
                device: None,
            };
            self.roster.modify(&p.jid, |c| {
                upsert_resource(&mut c.resources, p.resource.clone(), presence);
            });
        }
        self.cached_since = Some(saved_at);
        self.seed_last_seen(cached.seen);
    }

    /// Every roster contact's best resource, for the cache (saved on quit).
    pub fn last_presence(&self) -> Vec<crate::history::LastPresence> {
        self.roster
            .contacts()
            .filter(|c| c.in_roster)
            .filter_map(|c| {
                let (resource, p) = c.best()?;
                Some(crate::history::LastPresence {
                    jid: c.jid.clone(),
                    resource: resource.to_owned(),
                    show: p.show,
                    status: p.status.clone(),
                    priority: p.priority,
                })
            })
            .collect()
    }
}

/// A contact's presence change, applied to the contact.
fn apply_to_contact(
    c: &mut crate::store::roster::Contact,
    resource: Option<String>,
    change: PresenceChange,
    now: SystemTime,
) {
    match change {
        available @ PresenceChange::Available { .. } => {
            c.error = None;
            c.offline_since = None;
            if let Some(presence) = resource_presence(available, now) {
                upsert_resource(&mut c.resources, resource.unwrap_or_default(), presence);
            }
        }
        PresenceChange::Unavailable { status } => {
            // Seen leaving only if it was here (a probe's answer for an offline contact is
            // not a departure).
            let was_here = !c.resources.is_empty();
            match resource {
                // From the bare JID: the whole contact is offline.
                None => c.resources.clear(),
                Some(r) => {
                    c.resources.remove(&r);
                }
            }
            if c.resources.is_empty() {
                c.last_status = status;
                c.offline_since = Some(now);
                if was_here {
                    c.last_seen = Some(now);
                }
            }
        }
        PresenceChange::Error { reason } => {
            c.resources.clear();
            c.error = Some(reason);
            c.offline_since = Some(now);
        }
    }
}

/// What an available presence means for its resource (`None` for the other changes).
fn resource_presence(change: PresenceChange, now: SystemTime) -> Option<ResourcePresence> {
    match change {
        PresenceChange::Available {
            show,
            status,
            priority,
            nick,
            odd_show,
        } => Some(ResourcePresence {
            show,
            status,
            priority,
            nick,
            odd_show,
            since: now,
            idle: None,
            device: None,
        }),
        PresenceChange::Unavailable { .. } | PresenceChange::Error { .. } => None,
    }
}

/// Sets one resource's presence; `since` (now, in `presence`) moves only when the show
/// value changes.
fn upsert_resource(
    resources: &mut presence::Resources,
    resource: String,
    mut presence: ResourcePresence,
) {
    if let Some(old) = resources.get(&resource) {
        if old.show == presence.show && old.odd_show == presence.odd_show {
            presence.since = old.since;
        }
    }
    resources.insert(resource, presence);
}
