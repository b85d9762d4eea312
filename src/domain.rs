//! The ground floor: domain types that the events, the store, the config and the UI all
//! speak. Nothing here imports from another rosterm module.
//!
//! - [`AccountId`]: which configured account something belongs to.
//! - [`Show`], [`Availability`], [`OwnPresence`]: presence as RFC 6121 defines it.
//! - [`Subscription`], [`RosterItem`]: the roster as the server sends it.
//! - [`ConnState`]: an account's connection, as the header shows it.
//! - [`Notify`]: how an announcement is made.
//! - [`AccountDisplay`]: how the contacts of several accounts share the roster.
//! - [`civil_date`]: days since 1970 as a calendar date (screen, event stream, errors).
//! - `message`: 1:1 messages ([`Message`], [`Outgoing`], [`Delivery`], [`ChatState`]).
//! - `room`: rooms (XEP-0045): occupants, room events, bookmarks.
//! - `device`: a resource's device and client (XEP-0115 / XEP-0030), its clock (XEP-0202).
//! - `away`: auto-away's rules (`[auto_away]`) and durations ("10m").

pub mod away;
pub mod device;
pub mod gateway;
pub mod message;
pub mod presets;
pub mod room;
pub mod seen;
pub mod strip;

use jid::BareJid;
pub use message::{ChatState, Delivery, Direction, Message, Outgoing, Via};

/// One configured account: its position in the config file (0 for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AccountId(pub u16);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "account #{}", self.0 + 1)
    }
}

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

/// Which of a contact's resources its row shows (`[roster] aggregate`). Clients differ and
/// rarely say which they use; rosterm names its rule in the help and the detail view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aggregate {
    /// The highest priority, then the more available show (RFC 6121's routing order; what
    /// profanity and poezio show).
    #[default]
    Priority,
    /// The most available show, then the highest priority.
    MostAvailable,
    /// A resource in dnd wins (the user asked not to be disturbed anywhere), else priority.
    DndWins,
}

impl Aggregate {
    pub const ALL: [Aggregate; 3] = [
        Aggregate::Priority,
        Aggregate::MostAvailable,
        Aggregate::DndWins,
    ];

    /// The config value.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Priority => "priority",
            Aggregate::MostAvailable => "most-available",
            Aggregate::DndWins => "dnd-wins",
        }
    }

    pub fn parse(s: &str) -> Option<Aggregate> {
        Aggregate::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The rule in words, for the help and the detail view.
    pub fn describe(self) -> &'static str {
        match self {
            Aggregate::Priority => "highest priority, then most available",
            Aggregate::MostAvailable => "most available, then highest priority",
            Aggregate::DndWins => "dnd on any resource wins, else highest priority",
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

/// The presence the user asks for; sent after each new session and on every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPresence {
    pub show: Show,
    pub status: String,
    pub priority: i8,
}

impl OwnPresence {
    pub fn new(show: Show, status: String, priority: i8) -> OwnPresence {
        OwnPresence {
            show,
            status,
            priority,
        }
    }
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

/// The connection state shown in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    Online,
    /// Connection lost; `attempt` counts tries since the loss, `retry_in_secs` the backoff.
    Reconnecting {
        attempt: u32,
        retry_in_secs: u64,
        reason: String,
    },
    /// A fatal error: retrying would not help until the user changes something.
    Failed {
        reason: String,
    },
}

/// One entry of the roster as the server sent it (sanitized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterItem {
    pub jid: BareJid,
    pub name: Option<String>,
    pub groups: Vec<String>,
    pub subscription: Subscription,
    /// An outgoing subscription request is pending (`ask='subscribe'`).
    pub pending_out: bool,
}

/// RFC 6121 subscription states, from the user's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    None,
    To,
    From,
    Both,
}

impl Subscription {
    pub fn as_str(self) -> &'static str {
        match self {
            Subscription::None => "none",
            Subscription::To => "to",
            Subscription::From => "from",
            Subscription::Both => "both",
        }
    }
}

/// How a watched contact's change is announced (besides a highlighted line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Notify {
    #[default]
    Bell,
    Desktop,
    None,
}

/// One contact of one account: the same JID in two accounts is two contacts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactId {
    pub account: AccountId,
    pub jid: BareJid,
    /// A room occupant's nick: the conversation is a private message via the room
    /// (XEP-0045 §7.5) with `jid/nick`, not the room itself.
    pub nick: Option<String>,
}

impl ContactId {
    pub fn new(account: AccountId, jid: BareJid) -> ContactId {
        ContactId {
            account,
            jid,
            nick: None,
        }
    }

    /// The private conversation with occupant `nick` of `room`.
    pub fn occupant(account: AccountId, room: BareJid, nick: String) -> ContactId {
        ContactId {
            account,
            jid: room,
            nick: Some(nick),
        }
    }

    /// "room/nick" for an occupant, else the JID.
    pub fn address(&self) -> String {
        match &self.nick {
            Some(nick) => format!("{}/{nick}", self.jid),
            None => self.jid.to_string(),
        }
    }
}

/// With several accounts, how the roster says which account a contact belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountDisplay {
    /// One roster, grouped by roster group; each row tagged with its account.
    #[default]
    Tag,
    /// A section per account, each with its own groups.
    Group,
}

/// Days since 1970-01-01 -> "YYYY-MM-DD" (proleptic Gregorian; Howard Hinnant's algorithm).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
