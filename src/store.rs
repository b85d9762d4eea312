//! The app-state store: everything rosterm knows, as plain data.
//!
//! `State` is owned by the app loop. Session events reach it only through [`State::apply`];
//! user actions only through `crate::update`. Rendering reads `&State`.
//!
//! - `account`: one account's own presence, connection, roster and timeline.
//! - `presence`: show values, one resource's presence, which resource wins.
//! - `roster`: contacts, their resources, the sorted index the roster pane draws from.
//! - `requests`: subscription requests awaiting an answer, in arrival order.
//! - `view`: the rows of the roster pane (group headers, contacts, resources) and selection.
//! - `chat`: the open conversations, their messages, unread counts and drafts.
//! - `room`: a room's occupants, own nick, topic and join state (part of its conversation).
//! - `ask`: the masked or typed-out answer `/password` and `/unregister` wait for.
//! - `auto_away`: the auto-away state machine (`[auto_away]`), over every account.

pub mod account;
pub mod ask;
pub mod auto_away;
pub mod chat;
pub mod console;
pub mod devices;
pub mod presence;
pub mod requests;
pub mod room;
pub mod roster;
pub mod timeline;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use jid::BareJid;

use crate::domain::{
    AccountDisplay, AccountId, ConnState, ContactId, Notify, OwnPresence, Subscription,
};
use crate::event::SessionEvent;
use crate::theme::Theme;
pub use account::AccountState;

/// How the keyboard is being used right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    /// A one-line editor at the bottom.
    Input(InputLine),
    /// Quit although something is unsent? `y` quits.
    ConfirmQuit(String),
    /// A yes/no question; `y` carries out the commands.
    Confirm {
        question: String,
        commands: Vec<(AccountId, crate::event::Command)>,
    },
    /// Every resource of one contact (`/status get`, `i`).
    Detail(ContactId),
    /// The contacts matching a `/who` query (kept live).
    Who(view::Filter),
    /// The whole presence timeline (of the filtered contact, if any), newest first.
    Timeline,
    /// The XML console (`/console`).
    Console,
    /// A line typed in answer to a question (`/password` masked, `/unregister`).
    Ask(ask::Ask),
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
    /// Why Enter refused the text, shown after it until the next edit.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
    /// A watched contact changed: highlighted.
    Watch,
}

/// Repeated Tab in the command line: the candidates it cycles through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabCycle {
    /// The line the last Tab left (another Tab on it moves to the next candidate).
    pub shown: String,
    /// Every candidate, whole lines.
    pub lines: Vec<String>,
    /// The candidate the next Tab shows.
    pub next: usize,
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    Roster,
    /// A conversation: typed keys go to its input.
    Chat(ContactId),
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
    pub timeline_filter: Option<ContactId>,
    /// The XML console records (`/console`; `/console off` stops).
    pub console_on: bool,
    /// The console shows only these lines (see `store::console::passes`).
    pub console_filter: Option<String>,
    /// The console lays stanzas out one element per row (`/console pretty`, `p`).
    pub console_pretty: bool,
    /// What the roster pane shows.
    pub filter: view::Filter,
    pub focus: Focus,
    /// Messages sent so far in this run (the counter in their ids).
    pub sent: u64,
    /// The candidates repeated Tab cycles through.
    pub tab: Option<TabCycle>,
    /// Each account's presence before the last change (what the undo key restores).
    pub undo: Vec<(AccountId, OwnPresence)>,
    /// `/history CONTACT`: its presence transitions read from the local database (oldest
    /// first), drawn in its detail view.
    pub transitions: Option<(ContactId, Vec<crate::history::Transition>)>,
    /// The same contact's transitions over the last 7 days (its availability strip).
    pub week: Vec<(SystemTime, Option<crate::domain::Show>)>,
    /// Show the transitions list (`/history`), not only the strip (the detail view).
    pub show_transitions: bool,
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
            console_on: false,
            console_filter: None,
            console_pretty: false,
            filter: view::Filter::default(),
            focus: Focus::Roster,
            sent: 0,
            tab: None,
            undo: Vec::new(),
            transitions: None,
            week: Vec::new(),
            show_transitions: false,
        }
    }
}

/// Settings that change how things are shown, not what is known.
#[derive(Debug, Clone)]
pub struct Settings {
    /// "Now" for relative times on screen; the app sets it before drawing.
    pub clock: SystemTime,
    /// Local time offset from UTC in seconds, for timestamps on screen.
    pub utc_offset: i64,
    /// How announcements are made besides the highlighted line.
    pub notify: Notify,
    /// How a message in a conversation not on screen is announced.
    pub message_notify: Notify,
    /// Draw without colours (the `NO_COLOR` convention, no-color.org).
    pub no_color: bool,
    /// With several accounts: a tag on each row, or a section per account.
    pub account_display: AccountDisplay,
    /// The config file `/save` writes the watched contacts to (`None`: not saved).
    pub config_path: Option<std::path::PathBuf>,
    /// Starts the id of every message sent in this run (random per run; see
    /// `update::chat::next_id`).
    pub id_prefix: String,
    /// Every glyph and colour on screen (`[ui] theme`, over the default theme).
    pub theme: Arc<Theme>,
    /// `[rooms] nick`: the nick rooms are joined with (None: the account's nick).
    pub room_nick: Option<String>,
    /// `[presence.messages]`: status texts per show.
    pub presets: crate::domain::presets::Presets,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            clock: SystemTime::now(),
            utc_offset: 0,
            notify: Notify::Bell,
            message_notify: Notify::Bell,
            no_color: false,
            account_display: AccountDisplay::Tag,
            id_prefix: "rosterm".into(),
            theme: Theme::shipped(),
            config_path: None,
            room_nick: None,
            presets: crate::domain::presets::Presets::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct State {
    /// Every configured account, in config order; never empty.
    pub accounts: BTreeMap<AccountId, AccountState>,
    /// Incoming subscription requests awaiting the user's answer, oldest first.
    pub subscription_requests: requests::Requests,
    /// Contacts (in any account) whose changes are announced.
    pub watch: std::collections::BTreeSet<BareJid>,
    /// The open conversations of every account.
    pub chats: chat::Chats,
    pub settings: Settings,
    pub ui: UiState,
    /// Auto-away: whether the user is here, and what that does to the presence sent.
    pub auto_away: auto_away::AutoAway,
}

impl State {
    /// One account (the first), named by its JID: what a single-account config gives.
    pub fn new(own_jid: BareJid, own: OwnPresence) -> State {
        let name = own_jid.to_string();
        State::with_accounts(vec![AccountState::new(AccountId(0), name, own_jid, own)])
    }

    /// Several accounts; their ids must be their positions (0, 1, ...).
    pub fn with_accounts(accounts: Vec<AccountState>) -> State {
        State {
            accounts: accounts.into_iter().map(|a| (a.id, a)).collect(),
            subscription_requests: requests::Requests::default(),
            watch: std::collections::BTreeSet::new(),
            chats: chat::Chats::default(),
            settings: Settings::default(),
            ui: UiState::default(),
            auto_away: auto_away::AutoAway::new(auto_away::Rules::off(), SystemTime::now()),
        }
    }

    /// The first account (there is always one).
    pub fn primary(&self) -> &AccountState {
        match self.accounts.values().next() {
            Some(a) => a,
            None => unreachable!("a State always has an account"),
        }
    }

    pub fn account(&self, id: AccountId) -> Option<&AccountState> {
        self.accounts.get(&id)
    }

    pub fn account_mut(&mut self, id: AccountId) -> Option<&mut AccountState> {
        self.accounts.get_mut(&id)
    }

    /// More than one account: rows and messages say which account they are about.
    pub fn multi(&self) -> bool {
        self.accounts.len() > 1
    }

    /// The account with this name (case-insensitive).
    pub fn account_named(&self, name: &str) -> Option<AccountId> {
        self.accounts
            .values()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.id)
    }

    /// A contact, by account and JID.
    pub fn contact(&self, id: &ContactId) -> Option<&roster::Contact> {
        self.account(id.account)?.roster.get(&id.jid)
    }

    /// Every account's roster, for the roster pane.
    pub fn rosters(&self) -> view::Rosters<'_> {
        view::Rosters::new(
            self.accounts.values().map(|a| (a.id, &a.roster)).collect(),
            self.settings.account_display == AccountDisplay::Group && self.multi(),
        )
    }

    /// Shows a message on the status line; with several accounts it names the account.
    fn account_message(&mut self, id: AccountId, text: String, severity: Severity) {
        let text = match self.account(id) {
            Some(a) if self.multi() => format!("{}: {text}", a.name),
            _ => text,
        };
        self.ui.message = Some((text, severity));
    }

    /// Is this conversation on screen and focused?
    pub fn chat_focused(&self, id: &ContactId) -> bool {
        self.ui.focus == Focus::Chat(id.clone())
    }

    /// Is this contact a stranger to its account (not in the roster)?
    pub fn is_stranger(&self, id: &ContactId) -> bool {
        self.contact(id).is_none_or(|c| !c.in_roster)
    }

    /// A message from an account's session: shown in its conversation (opened if need be).
    pub fn receive_message(
        &mut self,
        account: AccountId,
        message: crate::domain::Message,
    ) -> chat::Arrival {
        let id = self.conversation_of(account, &message);
        let stranger = id.nick.is_none() && self.is_stranger(&id);
        let on_screen = self.chat_focused(&id);
        self.chats.receive(&id, message, stranger, on_screen)
    }

    /// The conversation a 1:1 message belongs to: from (or to) an occupant of a room the
    /// user has open, the private one with that occupant; else the peer's.
    pub fn conversation_of(
        &self,
        account: AccountId,
        message: &crate::domain::Message,
    ) -> ContactId {
        let bare = ContactId::new(account, message.peer.clone());
        match &message.resource {
            Some(nick) if self.chats.room(&bare).is_some() => {
                ContactId::occupant(account, message.peer.clone(), nick.clone())
            }
            _ => bare,
        }
    }

    /// A room message: shown in the room's conversation. Returns what it did and whether
    /// it mentions the user.
    pub fn receive_room_message(
        &mut self,
        account: AccountId,
        message: crate::domain::Message,
    ) -> (chat::Arrival, bool) {
        let id = ContactId::new(account, message.peer.clone());
        let on_screen = self.chat_focused(&id);
        let nick = self.room_nick(account);
        self.chats.receive_room(&id, message, &nick, on_screen)
    }

    /// The nick the user joins rooms with on `account`: `[rooms] nick`, else the
    /// account's nick, else its JID's local part.
    pub fn room_nick(&self, account: AccountId) -> String {
        if let Some(nick) = &self.settings.room_nick {
            return nick.clone();
        }
        let Some(a) = self.account(account) else {
            return "rosterm".to_owned();
        };
        a.nick
            .clone()
            .or_else(|| a.jid.node().map(|n| n.to_string()))
            .unwrap_or_else(|| "rosterm".to_owned())
    }

    /// Applies one event from an account's session. The only way the network changes the
    /// store.
    pub fn apply(&mut self, account: AccountId, event: SessionEvent) {
        self.apply_at(account, event, SystemTime::now());
    }

    /// [`State::apply`] with an explicit clock, for tests.
    pub fn apply_at(&mut self, id: AccountId, event: SessionEvent, now: SystemTime) {
        match event {
            SessionEvent::Notice(text) => return self.account_message(id, text, Severity::Error),
            SessionEvent::SubscriptionRequest { from, nick } => {
                return self
                    .subscription_requests
                    .insert(ContactId::new(id, from), nick)
            }
            SessionEvent::Message(message) => {
                self.receive_message(id, message);
                return;
            }
            SessionEvent::RoomMessage(message) => {
                self.receive_room_message(id, message);
                return;
            }
            SessionEvent::Room { room, event } => {
                let notice = self.chats.room_event(&ContactId::new(id, room), event, now);
                if let Some(notice) = notice {
                    self.account_message(id, notice, Severity::Error);
                }
                return;
            }
            SessionEvent::ChatState { peer, state, .. } => {
                return self.chats.chat_state(&ContactId::new(id, peer), state)
            }
            SessionEvent::Delivery {
                peer,
                id: msg,
                delivery,
            } => {
                return self
                    .chats
                    .delivery(&ContactId::new(id, peer), &msg, delivery)
            }
            SessionEvent::ArchivePage {
                with: Some(with),
                complete,
                ..
            } => return self.chats.archive_page(&ContactId::new(id, with), complete),
            SessionEvent::Presence {
                ref from,
                ref resource,
                ..
            } => self
                .chats
                .presence(&ContactId::new(id, from.clone()), resource.as_deref()),
            SessionEvent::RosterPush(ref item)
                if matches!(item.subscription, Subscription::From | Subscription::Both) =>
            {
                // Answered elsewhere (another client approved it): no longer waiting.
                self.subscription_requests
                    .remove(&ContactId::new(id, item.jid.clone()));
            }
            _ => {}
        }
        let Some(account) = self.accounts.get_mut(&id) else {
            return;
        };
        if let Some(notice) = apply_to_account(account, event, now) {
            self.account_message(id, notice, Severity::Error);
        }
    }
}

/// An event that concerns only its account; returns a notice for the status line.
fn apply_to_account(
    account: &mut AccountState,
    event: SessionEvent,
    now: SystemTime,
) -> Option<String> {
    match event {
        SessionEvent::Connection(state) => {
            if state != ConnState::Online {
                account.own_echo = None;
            }
            account.connection = state;
        }
        SessionEvent::SessionStarted { bound } => account.session_started(bound),
        SessionEvent::RosterReceived(items) => account.roster_answered(Some(items)),
        SessionEvent::RosterUnchanged => account.roster_answered(None),
        SessionEvent::RosterVersion(_) => {}
        SessionEvent::RosterPush(item) => account.roster.upsert_item(item),
        SessionEvent::RosterRemove(jid) => account.roster.remove_item(&jid),
        SessionEvent::Presence {
            from,
            resource,
            change,
        } => account.apply_presence(from, resource, change, now),
        SessionEvent::OwnPresenceEcho {
            show,
            status,
            priority,
        } => account.own_echo = Some(OwnPresence::new(show, status, priority)),
        SessionEvent::InputCleaned {
            repaired,
            discarded,
            notice,
        } => {
            account.input_repaired += repaired;
            account.input_discarded += discarded;
            return notice;
        }
        // Conversations: applied by the State (`chats`).
        SessionEvent::Message(_)
        | SessionEvent::ChatState { .. }
        | SessionEvent::Delivery { .. }
        | SessionEvent::ArchivePage { .. } => {}
        // Handled by the State; `update::account_admin` says what the last two mean.
        SessionEvent::Notice(_)
        | SessionEvent::SubscriptionRequest { .. }
        | SessionEvent::PasswordChanged
        | SessionEvent::AccountRemoved => {}
        SessionEvent::Bookmarks(bookmarks) => account.bookmarks = bookmarks,
        SessionEvent::Gateways(found) => account.gateways = Some(found),
        // What they mean for the user: `update::gateways`.
        SessionEvent::GatewayForm { .. } | SessionEvent::GatewayRegistered(_) => {}
        SessionEvent::Console { at, dir, xml } => account.console.push(at, dir, &xml),
        SessionEvent::Idle {
            from,
            resource,
            since,
        } => account.apply_idle(&from, resource.as_deref(), since),
        event @ (SessionEvent::Caps { .. }
        | SessionEvent::Client { .. }
        | SessionEvent::EntityTime { .. }
        | SessionEvent::SoftwareVersion { .. }) => account.apply_device_event(event),
        // Answered by `update` (it decides who may know), and a `/last` answer applied there.
        SessionEvent::LastActivityQuery { .. } | SessionEvent::LastActivity { .. } => {}
        // Rooms: applied by the State (`chats`).
        SessionEvent::Room { .. } | SessionEvent::RoomMessage(_) => {}
    }
    None
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
