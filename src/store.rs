//! The app-state store: everything rosterm knows, as plain data.
//!
//! `State` is owned by the app loop. Session events reach it only through [`State::apply`];
//! user actions only through `crate::update`. Rendering reads `&State`.
//!
//! - `presence`: show values, one resource's presence, which resource wins.
//! - `roster`: contacts, their resources, the sorted index the roster pane draws from.
//! - `requests`: subscription requests awaiting an answer, in arrival order.
//! - `view`: the rows of the roster pane (group headers, contacts, resources) and selection.

pub mod presence;
pub mod requests;
pub mod roster;
pub mod timeline;
pub mod view;

use std::time::SystemTime;

use jid::BareJid;

use crate::event::{PresenceChange, SessionEvent};

use crate::domain::ConnState;
use crate::domain::OwnPresence;
use presence::ResourcePresence;
use roster::Roster;

/// How the keyboard is being used right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    /// A one-line editor at the bottom.
    Input(InputLine),
    /// A yes/no question; `y` carries out the commands.
    Confirm {
        question: String,
        commands: Vec<crate::event::Command>,
    },
    /// Every resource of one contact (`/status get`, `i`).
    Detail(BareJid),
    /// The contacts matching a `/who` query (kept live).
    Who(view::Filter),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Status,
    Priority,
    Command,
    /// Live text search of the roster.
    Search,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub kind: InputKind,
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
    /// A watched contact changed: highlighted.
    Watch,
}

/// What the UI shows and where the user is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiState {
    pub mode: Mode,
    pub selected: Option<view::RowId>,
    /// First visible row of the roster pane.
    pub scroll: usize,
    /// Rows the roster pane had at the last layout.
    pub viewport: usize,
    pub message: Option<(String, Severity)>,
    /// First line of the help overlay shown (it scrolls on small terminals).
    pub help_scroll: usize,
    /// Is the timeline pane shown?
    pub timeline: bool,
    /// Timeline limited to one contact.
    pub timeline_filter: Option<BareJid>,
    /// What the roster pane shows.
    pub filter: view::Filter,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            mode: Mode::Normal,
            selected: None,
            scroll: 0,
            viewport: 20,
            message: None,
            help_scroll: 0,
            timeline: false,
            timeline_filter: None,
            filter: view::Filter::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub own_jid: BareJid,
    /// The full JID of the current session, once bound.
    pub bound: Option<String>,
    pub connection: ConnState,
    /// The presence the user asked for (sent on every change and after every new session).
    pub own: OwnPresence,
    /// What the server last echoed back for this session, if anything.
    pub own_echo: Option<OwnPresence>,
    /// The user's other resources ("you on phone").
    pub own_resources: presence::Resources,
    pub roster: Roster,
    /// Has the roster result arrived for the current session?
    pub roster_loaded: bool,
    /// The roster on screen is the one saved on disk at this time, not yet confirmed by the
    /// server (instant start); `None` once the server answered.
    pub cached_since: Option<SystemTime>,
    /// Incoming subscription requests awaiting the user's answer, oldest first.
    pub subscription_requests: requests::Requests,
    /// Set once a session has been bound; a fatal error before that ends the program.
    pub ever_online: bool,
    /// The XEP-0172 nick sent with presence.
    pub own_nick: Option<String>,
    /// Unavailable by choice (`/offline`), still connected.
    pub own_offline: bool,
    /// "Now" for relative times on screen; the app sets it before drawing.
    pub clock: SystemTime,
    /// Local time offset from UTC in seconds, for timestamps on screen.
    pub utc_offset: i64,
    pub timeline: timeline::Timeline,
    /// Contacts whose changes are announced.
    pub watch: std::collections::BTreeSet<BareJid>,
    /// How announcements are made besides the highlighted line.
    pub notify: crate::domain::Notify,
    /// Incoming stanzas the sieve repaired, and stanzas the XMPP library discarded.
    pub input_repaired: u64,
    pub input_discarded: u64,
    /// Draw without colours (the `NO_COLOR` convention, no-color.org).
    pub no_color: bool,
    pub ui: UiState,
}

impl State {
    pub fn new(own_jid: BareJid, own: OwnPresence) -> State {
        State {
            own_jid,
            bound: None,
            connection: ConnState::Connecting,
            own,
            own_echo: None,
            own_resources: presence::Resources::default(),
            roster: Roster::default(),
            roster_loaded: false,
            cached_since: None,
            subscription_requests: requests::Requests::default(),
            ever_online: false,
            own_nick: None,
            own_offline: false,
            clock: SystemTime::now(),
            utc_offset: 0,
            timeline: timeline::Timeline::default(),
            watch: std::collections::BTreeSet::new(),
            notify: crate::domain::Notify::Bell,
            input_repaired: 0,
            input_discarded: 0,
            no_color: false,
            ui: UiState::default(),
        }
    }

    /// Applies one event from the session. The only way the network changes the store.
    pub fn apply(&mut self, event: SessionEvent) {
        self.apply_at(event, SystemTime::now());
    }

    /// [`State::apply`] with an explicit clock, for tests.
    pub fn apply_at(&mut self, event: SessionEvent, now: SystemTime) {
        match event {
            SessionEvent::Connection(state) => {
                if state != ConnState::Online {
                    self.own_echo = None;
                }
                self.connection = state;
            }
            SessionEvent::SessionStarted { bound } => {
                self.bound = Some(bound);
                self.connection = ConnState::Online;
                self.ever_online = true;
                self.roster_loaded = false;
                // A new session: everything we knew about others' presence is stale.
                self.own_resources.clear();
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
            SessionEvent::RosterReceived(items) => {
                self.roster.replace(items);
                self.roster_loaded = true;
                self.cached_since = None;
            }
            SessionEvent::RosterUnchanged => {
                self.roster_loaded = true;
                self.cached_since = None;
            }
            SessionEvent::RosterVersion(_) => {}
            SessionEvent::RosterPush(item) => {
                // Answered elsewhere (another client approved it): no longer waiting.
                if matches!(
                    item.subscription,
                    crate::domain::Subscription::From | crate::domain::Subscription::Both
                ) {
                    self.subscription_requests.remove(&item.jid);
                }
                self.roster.upsert_item(item)
            }
            SessionEvent::RosterRemove(jid) => self.roster.remove_item(&jid),
            SessionEvent::Presence {
                from,
                resource,
                change,
            } => self.apply_presence(from, resource, change, now),
            SessionEvent::OwnPresenceEcho {
                show,
                status,
                priority,
            } => {
                self.own_echo = Some(OwnPresence {
                    show,
                    status,
                    priority,
                })
            }
            SessionEvent::SubscriptionRequest { from, nick } => {
                self.subscription_requests.insert(from, nick);
            }
            SessionEvent::Notice(text) => self.ui.message = Some((text, Severity::Error)),
            SessionEvent::InputCleaned {
                repaired,
                discarded,
                notice,
            } => {
                self.input_repaired += repaired;
                self.input_discarded += discarded;
                if let Some(text) = notice {
                    self.ui.message = Some((text, Severity::Error));
                }
            }
        }
    }

    fn apply_presence(
        &mut self,
        from: BareJid,
        resource: Option<String>,
        change: PresenceChange,
        now: SystemTime,
    ) {
        if from == self.own_jid {
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
        self.record_timeline(&from, resource.as_deref(), &change, now);
        // Presence from strangers is shown but never adds them to the roster.
        self.roster.modify(&from, |c| match change {
            available @ PresenceChange::Available { .. } => {
                c.error = None;
                c.offline_since = None;
                if let Some(presence) = resource_presence(available, now) {
                    upsert_resource(&mut c.resources, resource.unwrap_or_default(), presence);
                }
            }
            PresenceChange::Unavailable { status } => {
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
                }
            }
            PresenceChange::Error { reason } => {
                c.resources.clear();
                c.error = Some(reason);
                c.offline_since = Some(now);
            }
        });
    }
}

impl State {
    /// Adds the timeline entries a contact's presence change means (before it is applied).
    fn record_timeline(
        &mut self,
        from: &BareJid,
        resource: Option<&str>,
        change: &PresenceChange,
        now: SystemTime,
    ) {
        use timeline::{TimelineEntry, TimelineKind};
        let known = self.roster.get(from);
        let entry = |resource: &str, kind, show, status: &str| TimelineEntry {
            at: now,
            jid: from.clone(),
            resource: resource.to_owned(),
            kind,
            show,
            status: status.to_owned(),
        };
        let mut entries = Vec::new();
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
                if let Some(kind) = kind {
                    entries.push(entry(key, kind, Some(*show), status));
                }
            }
            PresenceChange::Unavailable { status } => {
                let gone: Vec<String> = match (known, resource) {
                    (Some(c), None) => c.resources.keys().map(str::to_owned).collect(),
                    (Some(c), Some(r)) if c.resources.contains_key(r) => vec![r.to_owned()],
                    _ => Vec::new(),
                };
                entries.extend(
                    gone.iter()
                        .map(|r| entry(r, TimelineKind::Leave, None, status)),
                );
            }
            PresenceChange::Error { reason } => {
                let gone: Vec<String> = known
                    .map(|c| c.resources.keys().map(str::to_owned).collect())
                    .unwrap_or_default();
                entries.extend(
                    gone.iter()
                        .map(|r| entry(r, TimelineKind::Leave, None, reason)),
                );
            }
        }
        for e in entries {
            self.timeline.record(e);
        }
    }
}

impl State {
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
            };
            self.roster.modify(&p.jid, |c| {
                upsert_resource(&mut c.resources, p.resource.clone(), presence);
            });
        }
        self.cached_since = Some(saved_at);
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

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
