//! The slash-command language of the command line (profanity-compatible where it overlaps).
//!
//! To add a command: a variant of [`SlashCommand`], one row in [`COMMANDS`] (name, usage
//! and help lines, parser), and its handling in `update::commands`. The help overlay, the
//! README's list and Tab completion read the same table. `complete`: Tab completion.

use jid::BareJid;

use crate::domain::Show;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashCommand {
    /// Change show; `status: None` keeps the current status text.
    SetPresence {
        show: Show,
        status: Option<String>,
    },
    /// Change only the status text (empty clears it).
    SetStatus(String),
    Priority(i8),
    /// Unavailable but connected.
    Offline,
    Nick(Option<String>),
    /// Presence to one contact (or resource) only: a contact reference, optionally
    /// followed by `/resource`.
    Directed {
        to: String,
        show: Show,
        status: Option<String>,
    },
    /// Every resource of a contact. Contact arguments are what the user typed (a roster
    /// name, nick or JID, or a unique prefix of one); `update` resolves them.
    StatusGet(String),
    Add {
        jid: BareJid,
        name: Option<String>,
    },
    Remove(String),
    Rename {
        who: String,
        name: String,
    },
    GroupAdd {
        who: String,
        group: String,
    },
    GroupRemove {
        who: String,
        group: String,
    },
    Approve(String),
    Deny(String),
    /// Stop seeing their presence.
    Unsubscribe(String),
    /// Stop them seeing mine.
    Cancel(String),
    /// Limit the roster (None: show everyone).
    Filter(Option<Query>),
    /// List matching contacts.
    Who(Query),
    /// Announce this contact's changes; `None`: list the watched contacts.
    Watch(Option<String>),
    Unwatch(String),
    /// When the contact was last seen; asked of the server (XEP-0012) when nothing is known.
    Last(String),
    /// The contact's presence transitions from the local presence log.
    PresenceHistory(String),
    /// Open a conversation (a JID, or a contact's roster name) and send `text` if given.
    Msg {
        to: String,
        text: Option<String>,
    },
    /// Close the focused conversation.
    Close,
    /// Replace the user's last message in the focused conversation (XEP-0308).
    Correct(String),
    /// Join a room: `room@service[/nick]`, and its password if it needs one.
    Join {
        room: jid::Jid,
        password: Option<String>,
    },
    /// Leave the room on screen, with a reason.
    Leave(Option<String>),
    /// Show (None) or set the topic of the room on screen.
    Topic(Option<String>),
    /// Bookmark the room on screen, with autojoin.
    Bookmark,
    /// List the account's bookmarks.
    Bookmarks,
    /// Remove a bookmark (None: the room on screen's).
    Unbookmark(Option<BareJid>),
    /// The XML console.
    Console(ConsoleArg),
    /// Send one stanza as typed.
    Raw(String),
    /// Change the account's password on the server (asked twice, masked).
    Password,
    /// Delete the account on the server (after its JID is typed out).
    Unregister,
    /// List the server's gateways (XEP-0100).
    Gateways,
    /// Fill a gateway's registration form.
    Register(BareJid),
    Reconnect,
    /// Write the watched contacts to the config file.
    Save,
    Help,
    Quit,
    /// `/account NAME command`: the command on that account only.
    OnAccount {
        account: String,
        command: Box<SlashCommand>,
    },
}

impl SlashCommand {
    /// The contact a contact command is about, as typed (`/add` takes a JID instead).
    pub fn contact(&self) -> Option<&str> {
        match self {
            SlashCommand::StatusGet(who)
            | SlashCommand::Remove(who)
            | SlashCommand::Rename { who, .. }
            | SlashCommand::GroupAdd { who, .. }
            | SlashCommand::GroupRemove { who, .. }
            | SlashCommand::Approve(who)
            | SlashCommand::Deny(who)
            | SlashCommand::Unsubscribe(who)
            | SlashCommand::Cancel(who)
            | SlashCommand::Last(who)
            | SlashCommand::PresenceHistory(who) => Some(who),
            _ => None,
        }
    }
}

/// An account name as a command argument: quoted when it holds spaces.
pub fn quote(name: &str) -> String {
    if name.contains(char::is_whitespace) {
        format!("\"{name}\"")
    } else {
        name.to_owned()
    }
}

/// `/account NAME command`, where NAME may be quoted.
fn on_account(rest: &str) -> Result<SlashCommand, String> {
    const USAGE: &str = "usage: /account <name> <command>, e.g. /account work away";
    let (name, command) = split_arg(rest).map_err(|e| format!("/account: {e}; {USAGE}"))?;
    if name.is_empty() || command.is_empty() {
        return Err(USAGE.into());
    }
    let command = parse(command)?;
    if matches!(
        command,
        SlashCommand::OnAccount { .. }
            | SlashCommand::Help
            | SlashCommand::Quit
            | SlashCommand::Who(_)
            | SlashCommand::Filter(_)
            | SlashCommand::Watch(_)
            | SlashCommand::Unwatch(_)
            | SlashCommand::Save
    ) {
        return Err(format!(
            "/account: that command is not per account; {USAGE}"
        ));
    }
    Ok(SlashCommand::OnAccount {
        account: name.to_owned(),
        command: Box::new(command),
    })
}

/// Which contacts a `/who` or `/filter` means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub state: QueryState,
    /// A group name as shown in the roster.
    pub group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryState {
    /// Available in any way (online, chat, away, xa or dnd): the word `available`.
    Available,
    Any,
    Is(crate::domain::Availability),
}

/// The state words of `/who` and `/filter`, for the help and Tab completion.
pub const STATES: &[&str] = &[
    "available",
    "online",
    "chat",
    "away",
    "xa",
    "dnd",
    "offline",
    "error",
    "any",
];

/// `[available|online|away|dnd|xa|chat|offline|error|any] [group]`; the state defaults to
/// available (`online` is the plain online show, as in `/status set online`).
fn query(command: &str, rest: &str) -> Result<Query, String> {
    use crate::domain::Availability;
    let (first, more) = split_word(rest);
    let state = match first {
        "" | "available" => Some(QueryState::Available),
        "any" | "all" => Some(QueryState::Any),
        "offline" => Some(QueryState::Is(Availability::Offline)),
        "error" => Some(QueryState::Is(Availability::Error)),
        other => Show::parse(other).map(|s| QueryState::Is(Availability::Available(s))),
    };
    match state {
        Some(state) => Ok(Query {
            state,
            group: (!more.is_empty()).then(|| more.to_owned()),
        }),
        // Not a state word: the whole rest is a group name (state online).
        None if !rest.is_empty() => Ok(Query {
            state: QueryState::Available,
            group: Some(rest.to_owned()),
        }),
        None => Err(format!(
            "usage: /{command} [available|online|chat|away|xa|dnd|offline|error|any] [group]"
        )),
    }
}

/// One slash command: its name (and aliases), the usage and help lines shown by `/help`,
/// and the parser of what follows the name.
pub struct Spec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// (usage, what it does), one line each in the help.
    pub lines: &'static [(&'static str, &'static str)],
    pub parse: fn(&str) -> Result<SlashCommand, String>,
    /// What its arguments are, in order, for Tab completion.
    pub args: &'static [Arg],
}

/// What a command's argument is, for Tab completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A contact: roster name, nick or JID (one word, or quoted).
    Contact,
    /// A group name: the rest of the line.
    Group,
    /// An account name (one word, or quoted).
    Account,
    /// online, chat, away, xa or dnd.
    Show,
    /// A `/who` or `/filter` state word.
    State,
    /// One of these words, each followed by its own arguments.
    Sub(&'static [(&'static str, &'static [Arg])]),
    /// A whole command (after `/account NAME`).
    Command,
}

const CONTACT: &[Arg] = &[Arg::Contact];
const NONE: &[Arg] = &[];

const SHOWS: &str = "use online, chat, away, xa or dnd";

fn text(rest: &str) -> Option<String> {
    (!rest.is_empty()).then(|| rest.to_owned())
}

fn set(show: Show, rest: &str) -> Result<SlashCommand, String> {
    Ok(SlashCommand::SetPresence {
        show,
        status: text(rest),
    })
}

fn status(rest: &str) -> Result<SlashCommand, String> {
    let (sub, rest) = split_word(rest);
    match sub {
        "set" => {
            let (show, rest) = split_word(rest);
            let show = Show::parse(show)
                .ok_or_else(|| format!("/status set: {show:?} is not a presence; {SHOWS}"))?;
            set(show, rest)
        }
        "text" => Ok(SlashCommand::SetStatus(rest.to_owned())),
        "get" => Ok(SlashCommand::StatusGet(contact("status get", rest)?)),
        "clear" if rest.is_empty() => Ok(SlashCommand::SetStatus(String::new())),
        _ => Err("usage: /status set <online|chat|away|xa|dnd> [text], /status text <text>, /status clear, /status get <contact>".into()),
    }
}

fn priority(rest: &str) -> Result<SlashCommand, String> {
    let value = rest.parse::<i64>().map_err(|_| {
        format!("/priority: {rest:?} is not a number; use an integer from -128 to 127")
    })?;
    i8::try_from(value)
        .map(SlashCommand::Priority)
        .map_err(|_| format!("/priority: {value} is out of range; use -128 to 127"))
}

fn directed(rest: &str) -> Result<SlashCommand, String> {
    const USAGE: &str = "usage: /presence <contact>[/resource] <show> [text]";
    let (to, rest) = split_arg(rest).map_err(|e| format!("/presence: {e}; {USAGE}"))?;
    let (show, status) = split_word(rest);
    if to.is_empty() || show.is_empty() {
        return Err(USAGE.into());
    }
    let show = Show::parse(show)
        .ok_or_else(|| format!("/presence: {show:?} is not a presence; {SHOWS}"))?;
    Ok(SlashCommand::Directed {
        to: to.to_owned(),
        show,
        status: text(status),
    })
}

fn add(rest: &str) -> Result<SlashCommand, String> {
    let (jid, name) = split_word(rest);
    Ok(SlashCommand::Add {
        jid: bare("add", jid)?,
        name: text(name),
    })
}

fn rename(rest: &str) -> Result<SlashCommand, String> {
    const USAGE: &str = "usage: /rename <contact> <name>";
    let (who, name) = split_arg(rest).map_err(|e| format!("/rename: {e}; {USAGE}"))?;
    if who.is_empty() || name.is_empty() {
        return Err(USAGE.into());
    }
    Ok(SlashCommand::Rename {
        who: who.to_owned(),
        name: name.to_owned(),
    })
}

fn group(rest: &str) -> Result<SlashCommand, String> {
    const USAGE: &str = "usage: /group add <contact> <group>, /group remove <contact> <group>";
    let (sub, rest) = split_word(rest);
    let (who, group) = split_arg(rest).map_err(|e| format!("/group: {e}; {USAGE}"))?;
    if who.is_empty() || group.is_empty() || !matches!(sub, "add" | "remove") {
        return Err(USAGE.into());
    }
    let who = who.to_owned();
    let group = group.trim_matches('"').to_owned();
    Ok(if sub == "add" {
        SlashCommand::GroupAdd { who, group }
    } else {
        SlashCommand::GroupRemove { who, group }
    })
}

fn filter(rest: &str) -> Result<SlashCommand, String> {
    if rest == "clear" || rest == "none" {
        return Ok(SlashCommand::Filter(None));
    }
    Ok(SlashCommand::Filter(Some(query("filter", rest)?)))
}

fn msg(rest: &str) -> Result<SlashCommand, String> {
    const USAGE: &str = "usage: /msg <contact> [text]";
    let (to, text) = split_arg(rest).map_err(|e| format!("/msg: {e}; {USAGE}"))?;
    if to.is_empty() {
        return Err(USAGE.into());
    }
    Ok(SlashCommand::Msg {
        to: to.to_owned(),
        text: (!text.is_empty()).then(|| text.to_owned()),
    })
}

/// A command that takes nothing after its name.
fn console(rest: &str) -> Result<SlashCommand, String> {
    let rest = rest.trim();
    let (word, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let arg = match (word, tail.trim()) {
        ("", _) => ConsoleArg::Open,
        ("off", "") => ConsoleArg::Off,
        ("pretty", "") => ConsoleArg::Pretty,
        ("filter", "" | "all") => ConsoleArg::Filter(None),
        ("filter", what) => ConsoleArg::Filter(Some(what.to_owned())),
        _ => {
            return Err(
                "use /console, /console filter WHAT, /console pretty or /console off".into(),
            )
        }
    };
    Ok(SlashCommand::Console(arg))
}

fn bare_word(rest: &str, cmd: SlashCommand) -> Result<SlashCommand, String> {
    let _ = rest;
    Ok(cmd)
}

/// What `/console` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleArg {
    /// Start recording (if it was not) and show it.
    Open,
    /// Show only these lines (`presence`, `message`, `iq`, `dropped`, or text; `None`: all).
    Filter(Option<String>),
    /// Stop recording and forget what was recorded.
    Off,
    /// Lay stanzas out one element per row, or back to one row each (a switch).
    Pretty,
}

/// Every command, in the order `/help` lists them.
pub const COMMANDS: &[Spec] = &[
    Spec {
        name: "status",
        aliases: &[],
        args: &[Arg::Sub(&[
            ("set", &[Arg::Show]),
            ("text", NONE),
            ("clear", NONE),
            ("get", CONTACT),
        ])],
        lines: &[
            (
                "/status set <online|chat|away|xa|dnd> [text]",
                "set presence and status text",
            ),
            (
                "/status text <text> | /status clear",
                "change or clear only the status text",
            ),
            (
                "/status get <contact>",
                "every resource of a contact, and since when",
            ),
        ],
        parse: status,
    },
    Spec {
        name: "online",
        aliases: &[],
        args: NONE,
        lines: &[("/online [text]", "set presence online")],
        parse: |rest| set(Show::Online, rest),
    },
    Spec {
        name: "chat",
        aliases: &[],
        args: NONE,
        lines: &[("/chat [text]", "set presence free for chat")],
        parse: |rest| set(Show::Chat, rest),
    },
    Spec {
        name: "away",
        aliases: &[],
        args: NONE,
        lines: &[("/away [text]", "set presence away")],
        parse: |rest| set(Show::Away, rest),
    },
    Spec {
        name: "xa",
        aliases: &[],
        args: NONE,
        lines: &[("/xa [text]", "set presence extended away")],
        parse: |rest| set(Show::Xa, rest),
    },
    Spec {
        name: "dnd",
        aliases: &[],
        args: NONE,
        lines: &[("/dnd [text]", "set presence do not disturb")],
        parse: |rest| set(Show::Dnd, rest),
    },
    Spec {
        name: "priority",
        aliases: &[],
        args: NONE,
        lines: &[("/priority <-128..127>", "set presence priority")],
        parse: priority,
    },
    Spec {
        name: "offline",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/offline",
            "appear offline, stay connected (any presence command ends it)",
        )],
        parse: |rest| bare_word(rest, SlashCommand::Offline),
    },
    Spec {
        name: "nick",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/nick [name]",
            "set (or clear) the nick sent with your presence",
        )],
        parse: |rest| Ok(SlashCommand::Nick(text(rest))),
    },
    Spec {
        name: "presence",
        aliases: &[],
        args: &[Arg::Contact, Arg::Show],
        lines: &[(
            "/presence <contact>[/resource] <show> [text]",
            "send presence to one contact only",
        )],
        parse: directed,
    },
    Spec {
        name: "add",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/add <jid> [name]",
            "add a contact and ask to see their presence",
        )],
        parse: add,
    },
    Spec {
        name: "remove",
        aliases: &[],
        args: CONTACT,
        lines: &[("/remove <contact>", "remove a contact (asks first)")],
        parse: |rest| Ok(SlashCommand::Remove(contact("remove", rest)?)),
    },
    Spec {
        name: "rename",
        aliases: &[],
        args: CONTACT,
        lines: &[("/rename <contact> <name>", "rename a contact")],
        parse: rename,
    },
    Spec {
        name: "group",
        aliases: &[],
        args: &[Arg::Sub(&[
            ("add", &[Arg::Contact, Arg::Group]),
            ("remove", &[Arg::Contact, Arg::Group]),
        ])],
        lines: &[(
            "/group add|remove <contact> <group>",
            "put a contact in / take it out of a group",
        )],
        parse: group,
    },
    Spec {
        name: "approve",
        aliases: &[],
        args: CONTACT,
        lines: &[("/approve <contact>", "let them see your presence")],
        parse: |rest| Ok(SlashCommand::Approve(contact("approve", rest)?)),
    },
    Spec {
        name: "deny",
        aliases: &[],
        args: CONTACT,
        lines: &[(
            "/deny <contact>",
            "refuse a request / stop them seeing your presence",
        )],
        parse: |rest| Ok(SlashCommand::Deny(contact("deny", rest)?)),
    },
    Spec {
        name: "unsubscribe",
        aliases: &[],
        args: CONTACT,
        lines: &[("/unsubscribe <contact>", "stop seeing their presence")],
        parse: |rest| Ok(SlashCommand::Unsubscribe(contact("unsubscribe", rest)?)),
    },
    Spec {
        name: "cancel",
        aliases: &[],
        args: CONTACT,
        lines: &[("/cancel <contact>", "stop them seeing your presence")],
        parse: |rest| Ok(SlashCommand::Cancel(contact("cancel", rest)?)),
    },
    Spec {
        name: "watch",
        aliases: &[],
        args: CONTACT,
        lines: &[
            (
                "/watch <contact>",
                "announce when this contact's state changes",
            ),
            ("/watch", "list the watched contacts"),
        ],
        parse: |rest| {
            if rest.trim().is_empty() {
                return Ok(SlashCommand::Watch(None));
            }
            Ok(SlashCommand::Watch(Some(contact("watch", rest)?)))
        },
    },
    Spec {
        name: "last",
        aliases: &[],
        args: CONTACT,
        lines: &[(
            "/last <contact>",
            "when it was last seen (asks the server when nothing is known)",
        )],
        parse: |rest| Ok(SlashCommand::Last(contact("last", rest)?)),
    },
    Spec {
        name: "history",
        aliases: &[],
        args: CONTACT,
        lines: &[(
            "/history <contact>",
            "its last 20 presence changes, in the detail view",
        )],
        parse: |rest| Ok(SlashCommand::PresenceHistory(contact("history", rest)?)),
    },
    Spec {
        name: "unwatch",
        aliases: &[],
        args: CONTACT,
        lines: &[("/unwatch <contact>", "stop announcing it")],
        parse: |rest| Ok(SlashCommand::Unwatch(contact("unwatch", rest)?)),
    },
    Spec {
        name: "save",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/save",
            "write the watched contacts to the config file (comments kept)",
        )],
        parse: |rest| bare_word(rest, SlashCommand::Save),
    },
    Spec {
        name: "who",
        aliases: &[],
        args: &[Arg::State, Arg::Group],
        lines: &[(
            "/who [state] [group]",
            "who is available (any show), online (plain), chat, away, xa, dnd, offline, error, any",
        )],
        parse: |rest| Ok(SlashCommand::Who(query("who", rest)?)),
    },
    Spec {
        name: "filter",
        aliases: &[],
        args: &[Arg::State, Arg::Group],
        lines: &[(
            "/filter [state] [group] | /filter clear",
            "show only those contacts in the roster",
        )],
        parse: filter,
    },
    Spec {
        name: "reconnect",
        aliases: &[],
        args: NONE,
        lines: &[("/reconnect", "reconnect now")],
        parse: |rest| bare_word(rest, SlashCommand::Reconnect),
    },
    Spec {
        name: "password",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/password",
            "change your password on the server (asked twice)",
        )],
        parse: |rest| bare_word(rest, SlashCommand::Password),
    },
    Spec {
        name: "unregister",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/unregister",
            "delete the account on the server (type its JID)",
        )],
        parse: |rest| bare_word(rest, SlashCommand::Unregister),
    },
    Spec {
        name: "gateways",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/gateways",
            "list the server's gateways to other networks (IRC, …)",
        )],
        parse: |rest| bare_word(rest, SlashCommand::Gateways),
    },
    Spec {
        name: "register",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/register <gateway>",
            "register with a gateway: its form is asked field by field",
        )],
        parse: gateways::register,
    },
    Spec {
        name: "account",
        aliases: &[],
        args: &[Arg::Account, Arg::Command],
        lines: &[(
            "/account <name> <command>",
            "a presence or contact command on one account only",
        )],
        parse: on_account,
    },
    Spec {
        name: "help",
        aliases: &[],
        args: NONE,
        lines: &[("/help", "show keys and commands")],
        parse: |rest| bare_word(rest, SlashCommand::Help),
    },
    Spec {
        name: "msg",
        aliases: &["query"],
        args: CONTACT,
        lines: &[(
            "/msg <contact> [text]",
            "open a conversation (and send text); Esc back to the roster",
        )],
        parse: msg,
    },
    Spec {
        name: "close",
        aliases: &[],
        args: NONE,
        lines: &[("/close", "close the conversation on screen")],
        parse: |rest| bare_word(rest, SlashCommand::Close),
    },
    Spec {
        name: "correct",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/correct <text>",
            "replace your last message in this conversation",
        )],
        parse: |rest| {
            text(rest)
                .map(SlashCommand::Correct)
                .ok_or_else(|| "usage: /correct <text>".to_owned())
        },
    },
    Spec {
        name: "join",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/join <room@service>[/nick] [password]",
            "join a room (nick: [rooms] nick, else your nick)",
        )],
        parse: rooms::join,
    },
    Spec {
        name: "leave",
        aliases: &["part"],
        args: NONE,
        lines: &[("/leave [reason]", "leave the room on screen")],
        parse: |rest| Ok(SlashCommand::Leave(text(rest))),
    },
    Spec {
        name: "topic",
        aliases: &["subject"],
        args: NONE,
        lines: &[(
            "/topic [text]",
            "show or set the topic of the room on screen",
        )],
        parse: |rest| Ok(SlashCommand::Topic(text(rest))),
    },
    Spec {
        name: "bookmark",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/bookmark",
            "bookmark the room on screen (joined at every login)",
        )],
        parse: |rest| bare_word(rest, SlashCommand::Bookmark),
    },
    Spec {
        name: "bookmarks",
        aliases: &[],
        args: NONE,
        lines: &[("/bookmarks", "list your room bookmarks")],
        parse: |rest| bare_word(rest, SlashCommand::Bookmarks),
    },
    Spec {
        name: "unbookmark",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/unbookmark [room@service]",
            "remove a bookmark (the room on screen's)",
        )],
        parse: rooms::unbookmark,
    },
    Spec {
        name: "console",
        aliases: &["xmlconsole"],
        args: &[Arg::Sub(&[
            ("filter", NONE),
            ("pretty", NONE),
            ("off", NONE),
        ])],
        lines: &[
            (
                "/console",
                "the XML console: every stanza sent and received, from now on",
            ),
            (
                "/console filter WHAT",
                "only presence, message, iq, dropped, or lines with that text (none: all)",
            ),
            (
                "/console pretty",
                "one element per row, indented, or back to one row per stanza (p in it)",
            ),
            ("/console off", "stop recording and forget"),
        ],
        parse: console,
    },
    Spec {
        name: "raw",
        aliases: &[],
        args: NONE,
        lines: &[(
            "/raw <stanza>",
            "send one <message>, <presence> or <iq> as typed (checked first)",
        )],
        parse: |rest| Ok(SlashCommand::Raw(rest.trim().to_owned())),
    },
    Spec {
        name: "quit",
        aliases: &["exit"],
        args: NONE,
        lines: &[("/quit", "quit rosterm")],
        parse: |rest| bare_word(rest, SlashCommand::Quit),
    },
];

/// Every command name, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|c| c.name)
}

/// Parses a command line (with or without the leading `/`). Errors are one sentence.
pub fn parse(line: &str) -> Result<SlashCommand, String> {
    let line = line.trim();
    let line = line.strip_prefix('/').unwrap_or(line);
    let (name, rest) = split_word(line);
    if name.is_empty() {
        return Err("empty command; try /help".into());
    }
    let spec = COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
        .ok_or_else(|| format!("unknown command /{name}; try /help or Tab to complete"))?;
    (spec.parse)(rest)
}

/// One contact argument (a name, nick or JID, quoted when it holds spaces), or a
/// one-sentence error naming the command.
fn contact(command: &str, text: &str) -> Result<String, String> {
    let (who, rest) = split_arg(text).map_err(|e| format!("/{command}: {e}"))?;
    if who.is_empty() || !rest.is_empty() {
        return Err(format!(
            "/{command}: expected one contact (a name, nick or JID; quote a name with spaces)"
        ));
    }
    Ok(who.to_owned())
}

/// The first argument (a word, or a `"quoted text"`) and the rest, trimmed; an error when a
/// quote is not closed.
pub(crate) fn split_arg(s: &str) -> Result<(&str, &str), String> {
    let s = s.trim_start();
    match s.strip_prefix('"') {
        Some(quoted) => match quoted.split_once('"') {
            Some((word, rest)) => Ok((word, rest.trim())),
            None => Err("the quote is not closed".into()),
        },
        None => Ok(split_word(s)),
    }
}

/// A bare JID argument, or a one-sentence error naming the command.
fn bare(command: &str, text: &str) -> Result<BareJid, String> {
    let text = text.trim();
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(format!(
            "/{command}: expected one JID, like bob@example.org"
        ));
    }
    BareJid::new(text)
        .map_err(|_| format!("/{command}: {text:?} is not a bare JID, like bob@example.org"))
}

pub(crate) fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

pub use complete::{candidates, complete, Context};

pub mod complete;
mod gateways;
mod rooms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_with_and_without_text() {
        assert_eq!(
            parse("/away gone fishing"),
            Ok(SlashCommand::SetPresence {
                show: Show::Away,
                status: Some("gone fishing".into())
            })
        );
        assert_eq!(
            parse("/dnd"),
            Ok(SlashCommand::SetPresence {
                show: Show::Dnd,
                status: None
            })
        );
        assert_eq!(
            parse("/online"),
            Ok(SlashCommand::SetPresence {
                show: Show::Online,
                status: None
            })
        );
        assert_eq!(
            parse("/chat hi"),
            Ok(SlashCommand::SetPresence {
                show: Show::Chat,
                status: Some("hi".into())
            })
        );
        assert_eq!(
            parse("/xa  back  monday "),
            Ok(SlashCommand::SetPresence {
                show: Show::Xa,
                status: Some("back  monday".into())
            })
        );
    }

    #[test]
    fn status_set_text_clear() {
        assert_eq!(
            parse("/status set dnd in a meeting"),
            Ok(SlashCommand::SetPresence {
                show: Show::Dnd,
                status: Some("in a meeting".into())
            })
        );
        assert_eq!(
            parse("/status set chat"),
            Ok(SlashCommand::SetPresence {
                show: Show::Chat,
                status: None
            })
        );
        assert_eq!(
            parse("/status text lunch"),
            Ok(SlashCommand::SetStatus("lunch".into()))
        );
        assert_eq!(
            parse("/status clear"),
            Ok(SlashCommand::SetStatus(String::new()))
        );
        assert!(parse("/status set busy")
            .unwrap_err()
            .contains("\"busy\" is not a presence"));
        assert!(parse("/status").is_err());
    }

    #[test]
    fn priority_range() {
        assert_eq!(parse("/priority -128"), Ok(SlashCommand::Priority(-128)));
        assert_eq!(parse("/priority 127"), Ok(SlashCommand::Priority(127)));
        assert!(parse("/priority 128").unwrap_err().contains("out of range"));
        assert!(parse("/priority high")
            .unwrap_err()
            .contains("not a number"));
        assert!(parse("/priority").is_err());
    }

    #[test]
    fn unknown_and_misc() {
        assert!(parse("/fly").unwrap_err().contains("unknown command /fly"));
        assert_eq!(parse("/quit"), Ok(SlashCommand::Quit));
        assert_eq!(parse("quit"), Ok(SlashCommand::Quit));
        assert_eq!(parse("/reconnect"), Ok(SlashCommand::Reconnect));
        assert!(parse("/").is_err());
    }

    #[test]
    fn roster_editing_commands() {
        let bob = BareJid::new("bob@example.org").unwrap();
        let b = || "bob@example.org".to_owned();
        assert_eq!(
            parse("/add bob@example.org Bob Marley"),
            Ok(SlashCommand::Add {
                jid: bob.clone(),
                name: Some("Bob Marley".into())
            })
        );
        assert_eq!(
            parse("/add bob@example.org"),
            Ok(SlashCommand::Add {
                jid: bob.clone(),
                name: None
            })
        );
        assert_eq!(
            parse("/remove bob@example.org"),
            Ok(SlashCommand::Remove(b()))
        );
        assert_eq!(
            parse("/rename Bob Robert"),
            Ok(SlashCommand::Rename {
                who: "Bob".into(),
                name: "Robert".into()
            })
        );
        assert_eq!(
            parse("/group add \"Bob M\" Open Source"),
            Ok(SlashCommand::GroupAdd {
                who: "Bob M".into(),
                group: "Open Source".into()
            })
        );
        assert_eq!(
            parse("/group remove bob@example.org Work"),
            Ok(SlashCommand::GroupRemove {
                who: b(),
                group: "Work".into()
            })
        );
    }

    #[test]
    fn subscription_and_presence_commands_keep_what_was_typed() {
        let b = || "bob@example.org".to_owned();
        assert_eq!(
            parse("/approve mum"),
            Ok(SlashCommand::Approve("mum".into()))
        );
        assert_eq!(parse("/deny bob@example.org"), Ok(SlashCommand::Deny(b())));
        assert_eq!(
            parse("/unsubscribe bob@example.org"),
            Ok(SlashCommand::Unsubscribe(b()))
        );
        assert_eq!(
            parse("/cancel bob@example.org"),
            Ok(SlashCommand::Cancel(b()))
        );
        assert_eq!(
            parse("/status get Mum"),
            Ok(SlashCommand::StatusGet("Mum".into()))
        );
        assert_eq!(parse("/watch"), Ok(SlashCommand::Watch(None)));
        assert_eq!(
            parse("/watch iv"),
            Ok(SlashCommand::Watch(Some("iv".into())))
        );
        assert_eq!(
            parse("/nick Ally"),
            Ok(SlashCommand::Nick(Some("Ally".into())))
        );
        assert_eq!(parse("/nick"), Ok(SlashCommand::Nick(None)));
        assert_eq!(parse("/offline"), Ok(SlashCommand::Offline));
        assert_eq!(
            parse("/presence bob@example.org/phone dnd not now"),
            Ok(SlashCommand::Directed {
                to: "bob@example.org/phone".into(),
                show: Show::Dnd,
                status: Some("not now".into())
            })
        );
    }

    #[test]
    fn bad_contact_commands_say_what_is_wrong() {
        assert!(parse("/add").unwrap_err().contains("expected one JID"));
        assert!(parse("/add @@bad")
            .unwrap_err()
            .contains("is not a bare JID"));
        assert!(parse("/remove")
            .unwrap_err()
            .contains("expected one contact"));
        assert!(parse("/remove \"Bob")
            .unwrap_err()
            .contains("quote is not closed"));
        assert!(parse("/rename bob@example.org")
            .unwrap_err()
            .contains("usage"));
        assert!(parse("/group move bob@example.org X")
            .unwrap_err()
            .contains("usage"));
        assert!(parse("/presence bob@example.org busy")
            .unwrap_err()
            .contains("\"busy\" is not a presence"));
    }

    #[test]
    fn who_and_filter_queries() {
        use crate::domain::Availability;
        let q = |state, group: Option<&str>| Query {
            state,
            group: group.map(str::to_owned),
        };
        assert_eq!(
            parse("/who"),
            Ok(SlashCommand::Who(q(QueryState::Available, None)))
        );
        assert_eq!(
            parse("/who online"),
            Ok(SlashCommand::Who(q(
                QueryState::Is(Availability::Available(Show::Online)),
                None
            ))),
            "online is the plain show, as in /status set online"
        );
        assert_eq!(
            parse("/who dnd"),
            Ok(SlashCommand::Who(q(
                QueryState::Is(Availability::Available(Show::Dnd)),
                None
            )))
        );
        assert_eq!(
            parse("/who any Open Source"),
            Ok(SlashCommand::Who(q(QueryState::Any, Some("Open Source"))))
        );
        assert_eq!(
            parse("/who Work"),
            Ok(SlashCommand::Who(q(QueryState::Available, Some("Work"))))
        );
        assert_eq!(
            parse("/who offline Work"),
            Ok(SlashCommand::Who(q(
                QueryState::Is(Availability::Offline),
                Some("Work")
            )))
        );
        assert_eq!(parse("/filter clear"), Ok(SlashCommand::Filter(None)));
        assert_eq!(
            parse("/filter away"),
            Ok(SlashCommand::Filter(Some(q(
                QueryState::Is(Availability::Available(Show::Away)),
                None
            ))))
        );
    }

    #[test]
    fn tab_completion() {
        assert_eq!(
            complete("/pr", &Context::default()),
            None,
            "priority and presence: nothing longer to add"
        );
        assert_eq!(
            complete("/pri", &Context::default()),
            Some("/priority ".into())
        );
        assert_eq!(
            complete("/pre", &Context::default()),
            Some("/presence ".into())
        );
        assert_eq!(complete("/dn", &Context::default()), Some("/dnd ".into()));
        assert_eq!(complete("/q", &Context::default()), Some("/quit ".into()));
        assert_eq!(
            complete("/rec", &Context::default()),
            Some("/reconnect ".into())
        );
        assert_eq!(
            complete("/re", &Context::default()),
            None,
            "reconnect, remove, rename"
        );
        assert_eq!(complete("/zz", &Context::default()), None);
        assert_eq!(
            complete("/status s", &Context::default()),
            Some("/status set ".into())
        );
        assert_eq!(
            complete("/status set a", &Context::default()),
            Some("/status set away ".into())
        );
        assert_eq!(complete("/status set ", &Context::default()), None);
        let mut unique: Vec<_> = names().collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COMMANDS.len(), "one row per command");
    }
}
