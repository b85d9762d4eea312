//! The messages that cross the session boundary, in domain terms (no XML types).
//!
//! `SessionEvent`: what the network said, already translated and sanitized.
//! `Command`: what the app asks the session to do.

use jid::BareJid;

use crate::domain::room::{Bookmark, RoomEvent};
use crate::domain::{
    ChatState, ConnState, Delivery, Message, Outgoing, OwnPresence, RosterItem, Show,
};

/// What a presence stanza from a contact means for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceChange {
    Available {
        show: Show,
        status: String,
        priority: i8,
        nick: Option<String>,
        /// A `<show>` value XMPP does not define (sanitized): shown as available, marked.
        odd_show: Option<String>,
    },
    /// The resource went offline (or, from a bare JID, the whole contact).
    Unavailable { status: String },
    /// `type='error'`: the contact could not be reached.
    Error { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Connection(ConnState),
    /// A new session is bound (first login, or a reconnect that could not resume).
    SessionStarted {
        bound: String,
    },
    /// The whole roster from a roster get: replaces what the store had.
    RosterReceived(Vec<RosterItem>),
    /// The roster is unchanged since the version rosterm has (roster versioning).
    RosterUnchanged,
    /// The roster's version after a roster result or push (roster versioning), for the cache.
    RosterVersion(String),
    /// A roster push: add or update one item.
    RosterPush(RosterItem),
    /// A roster push with `subscription='remove'`.
    RosterRemove(BareJid),
    /// Presence from a contact (or from another resource of the user's own account).
    /// `resource` is `None` when the presence came from a bare JID.
    Presence {
        from: BareJid,
        resource: Option<String>,
        change: PresenceChange,
    },
    /// The server echoed the user's own presence back from this session's full JID.
    OwnPresenceEcho {
        show: Show,
        status: String,
        priority: i8,
    },
    /// Someone asks to see the user's presence; nothing changes until the user answers.
    SubscriptionRequest {
        from: BareJid,
        nick: Option<String>,
    },
    /// Something the user should read in the status line (sanitized).
    Notice(String),
    /// The server changed the account's password (`Command::ChangePassword`).
    PasswordChanged,
    /// The server deleted the account (`Command::Unregister`); the session has ended.
    AccountRemoved,
    /// A 1:1 message: incoming, a carbon of another client's, from the archive or from
    /// offline storage. Corrections (`replaces`) arrive this way too.
    Message(Message),
    /// A peer's chat state (XEP-0085), from one of its resources.
    ChatState {
        peer: BareJid,
        resource: Option<String>,
        state: ChatState,
    },
    /// An outgoing message (by its id) got further, or failed.
    Delivery {
        peer: BareJid,
        id: String,
        delivery: Delivery,
    },
    /// A page of an archive query (XEP-0313) is in: `with` the conversation asked for (None:
    /// the catch-up of every conversation after a new session); `complete` when the server
    /// has nothing older (for a scroll-back) or newer (for a catch-up) left; `count`
    /// messages came with it (already emitted as `Message`s).
    ArchivePage {
        with: Option<BareJid>,
        count: usize,
        complete: bool,
    },
    /// Something happened in a room the user joined (or is joining).
    Room {
        room: BareJid,
        event: RoomEvent,
    },
    /// A room message (`peer` = the room, `resource` = the sender's nick; the user's own
    /// come back as the room's reflection with `direction` = `Out`), live or from the room's
    /// archive or its join history. See `domain::room`.
    RoomMessage(Message),
    /// The account's bookmarks (XEP-0402), whole, after login and after every change; only
    /// ever from the own account.
    Bookmarks(Vec<Bookmark>),
    /// The gateways (XEP-0100) on the account's server, whole, once every item of the
    /// server has said what it is (after every new session).
    Gateways(Vec<crate::domain::gateway::Gateway>),
    /// A gateway's registration form (`Command::GatewayForm`), for the user to fill.
    GatewayForm {
        gateway: BareJid,
        form: crate::register::form::Form,
    },
    /// The gateway accepted the registration (`Command::GatewayRegister`).
    GatewayRegistered(BareJid),
    /// The presence just before this (`Presence` from `from`/`resource`) carried XEP-0319
    /// idle: its user has been idle since `since` (never in the future).
    Idle {
        from: BareJid,
        resource: Option<String>,
        since: std::time::SystemTime,
    },
    /// The presence just before this (`Presence` from `from`/`resource`) advertised XEP-0115
    /// capabilities with this verification string (a key: never shown).
    Caps {
        from: BareJid,
        resource: Option<String>,
        ver: String,
    },
    /// The client behind a verification string, now that its hash is checked (or it was
    /// cached on disk): every resource that advertises `ver` runs it.
    Client {
        ver: String,
        client: crate::domain::device::Client,
    },
    /// The answer to `Command::QueryTime`: the resource's UTC offset in seconds (XEP-0202),
    /// or what went wrong, in one sentence.
    EntityTime {
        from: BareJid,
        resource: String,
        result: Result<i32, String>,
    },
    /// The answer to `Command::QueryVersion`: the resource's software (XEP-0092) as one
    /// phrase, "Conversations 2.17 (Android 14)" (sanitized), or what went wrong.
    SoftwareVersion {
        from: BareJid,
        resource: String,
        result: Result<String, String>,
    },
    /// Someone asks how long the user has been idle (XEP-0012, `jabber:iq:last`): `from`
    /// (None: the server, for the own account) is checked by the app, which answers with
    /// `Command::AnswerLastActivity` carrying the same `id`.
    LastActivityQuery {
        from: Option<jid::Jid>,
        id: String,
    },
    /// The answer to `Command::QueryLastActivity`: seconds since `jid` was last active (or
    /// logged out) and its status text (sanitized), or what went wrong, in one sentence.
    LastActivity {
        jid: BareJid,
        result: Result<(u64, String), String>,
    },
    /// Incoming stanzas were repaired by the sieve or discarded by the XMPP library since the
    /// last such event; `notice` (sanitized) is worth the status line.
    InputCleaned {
        repaired: u64,
        discarded: u64,
        notice: Option<String>,
    },
    /// One line of the XML console (only while it records: `Command::Console`): a stanza
    /// as sent or received (unsanitized: the store sanitizes), or what the library dropped.
    Console {
        at: std::time::SystemTime,
        dir: ConsoleDir,
        xml: String,
    },
}

/// Which way a console line went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleDir {
    In,
    Out,
    /// Received, but the XMPP library could not read it and dropped it.
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Record every stanza sent and received for the XML console (or stop).
    Console(bool),
    /// Send this stanza as typed (`/raw`; checked by `raw::parse` first).
    SendRaw(String),
    /// Broadcast this presence now, and again after every new session.
    SetPresence(OwnPresence),
    /// Auto-away's presence: like `SetPresence`, with XEP-0319 `<idle since=…/>` when
    /// `idle_since` is set (also after every new session, until the next presence command).
    SetAutoPresence {
        presence: OwnPresence,
        idle_since: Option<std::time::SystemTime>,
    },
    /// The answer to a `LastActivityQuery`: the seconds idle, or (None) `<forbidden/>`.
    AnswerLastActivity {
        to: Option<jid::Jid>,
        id: String,
        idle_secs: Option<u64>,
    },
    /// Send unavailable presence but stay connected (the roster stays live); the next
    /// `/last`: ask `jid` (its bare JID: the server answers for an offline contact) for its
    /// last activity (XEP-0012).
    QueryLastActivity(BareJid),
    /// Ask a contact's resource for its time (XEP-0202); the answer is
    /// `SessionEvent::EntityTime`.
    QueryTime {
        jid: BareJid,
        resource: String,
    },
    /// Ask a contact's resource which software it runs (XEP-0092); the answer is
    /// `SessionEvent::SoftwareVersion`.
    QueryVersion {
        jid: BareJid,
        resource: String,
    },
    /// `SetPresence` makes the user available again.
    GoOffline,
    /// The nick sent with presence and subscription requests (XEP-0172).
    SetNick(Option<String>),
    /// Presence to one contact only (or one resource), not broadcast.
    DirectedPresence {
        to: jid::Jid,
        presence: OwnPresence,
    },
    /// Add to the roster (with a name) and ask to see their presence.
    Subscribe {
        jid: BareJid,
        name: Option<String>,
    },
    /// Let them see my presence (answer to a request, or pre-approval).
    Approve(BareJid),
    /// Refuse a request, or stop them seeing my presence.
    Deny(BareJid),
    /// Stop seeing their presence.
    Unsubscribe(BareJid),
    /// Remove from the roster (this also ends both subscriptions).
    RemoveContact(BareJid),
    /// Change a roster item's name and groups.
    UpdateContact {
        jid: BareJid,
        name: Option<String>,
        groups: Vec<String>,
    },
    /// Send a chat message (stored by the session first; its steps come back as
    /// `SessionEvent::Delivery`). Unsent messages are sent again after a new session.
    SendMessage(Outgoing),
    /// Tell one contact (a bare or full JID) our chat state (XEP-0085).
    SendChatState {
        to: jid::Jid,
        state: ChatState,
    },
    /// Confirm receipt of the message with this id (XEP-0184).
    SendReceipt {
        to: jid::Jid,
        id: String,
    },
    /// Ask the server's archive (XEP-0313) for up to `max` messages with `with` older than
    /// the one with archive id `before` (None: the newest).
    FetchArchive {
        with: BareJid,
        before: Option<String>,
        max: u32,
    },
    /// Join a room (and join it again after every new session until `LeaveRoom`); the
    /// user's presence goes to it from now on. `after`: the room's stanza-id of the newest
    /// message rosterm has (history since it comes from the room's archive, or the join
    /// history when the room has none); None: the room's recent history.
    JoinRoom {
        room: BareJid,
        nick: String,
        password: Option<String>,
        after: Option<String>,
        /// When the message `after` names was sent: the join history asked for starts
        /// there (after a restart too), not with the room's recent messages.
        since: Option<std::time::SystemTime>,
    },
    /// Leave a room (unavailable presence with the reason as status).
    LeaveRoom {
        room: BareJid,
        reason: Option<String>,
    },
    /// Change the user's nick in a joined room.
    RoomNick {
        room: BareJid,
        nick: String,
    },
    /// Set a room's subject (topic).
    SetSubject {
        room: BareJid,
        text: String,
    },
    /// A groupchat message to a room (`to` = the room's bare JID); its steps come back as
    /// `SessionEvent::Delivery` with `peer` = the room (`Delivered` = reflected by the room).
    SendRoomMessage(Outgoing),
    /// Ask the room's own archive (XEP-0313 at the room) for messages older than `before`.
    FetchRoomArchive {
        room: BareJid,
        before: Option<String>,
        max: u32,
    },
    /// Add or replace a bookmark (XEP-0402).
    SetBookmark(Bookmark),
    RemoveBookmark(BareJid),
    /// Change the account's password on the server (XEP-0077 §3.3); the session then logs
    /// in with it when it reconnects. Answered by `SessionEvent::PasswordChanged` or a notice.
    ChangePassword(crate::config::Secret),
    /// Delete the account on the server (XEP-0077 §3.2, `<remove/>`); on success the
    /// session ends (`SessionEvent::AccountRemoved`).
    Unregister,
    /// Ask a gateway for its registration form (XEP-0077 at a XEP-0100 gateway); answered
    /// by `SessionEvent::GatewayForm` or a notice.
    GatewayForm(BareJid),
    /// Send the filled form to the gateway (`answers`: field var -> what the user typed,
    /// held as secrets); answered by `SessionEvent::GatewayRegistered` or a notice.
    GatewayRegister {
        gateway: BareJid,
        form: crate::register::form::Form,
        answers: Vec<(String, crate::config::Secret)>,
    },
    /// Retry connecting immediately (after a failure or during backoff).
    Reconnect,
    /// Send unavailable presence and close the stream.
    Disconnect,
}
