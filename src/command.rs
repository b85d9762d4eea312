//! The slash-command language of the command line (profanity-compatible where it overlaps).
//!
//! To add a command: a variant of [`SlashCommand`], a row in [`COMMANDS`], a branch in
//! [`parse`], and its handling in `update::run_command`.

use jid::{BareJid, Jid};

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
    /// Presence to one contact (or resource) only.
    Directed {
        to: Jid,
        show: Show,
        status: Option<String>,
    },
    /// Every resource of a contact.
    StatusGet(BareJid),
    Add {
        jid: BareJid,
        name: Option<String>,
    },
    Remove(BareJid),
    Rename {
        jid: BareJid,
        name: String,
    },
    GroupAdd {
        jid: BareJid,
        group: String,
    },
    GroupRemove {
        jid: BareJid,
        group: String,
    },
    Approve(BareJid),
    Deny(BareJid),
    /// Stop seeing their presence.
    Unsubscribe(BareJid),
    /// Stop them seeing mine.
    Cancel(BareJid),
    /// Limit the roster (None: show everyone).
    Filter(Option<Query>),
    /// List matching contacts.
    Who(Query),
    /// Announce this contact's changes.
    Watch(BareJid),
    Unwatch(BareJid),
    Reconnect,
    Help,
    Quit,
    /// `/account NAME command`: the command on that account only.
    OnAccount {
        account: String,
        command: Box<SlashCommand>,
    },
}

impl SlashCommand {
    /// The contact a contact command is about.
    pub fn contact(&self) -> Option<&BareJid> {
        match self {
            SlashCommand::StatusGet(jid)
            | SlashCommand::Add { jid, .. }
            | SlashCommand::Remove(jid)
            | SlashCommand::Rename { jid, .. }
            | SlashCommand::GroupAdd { jid, .. }
            | SlashCommand::GroupRemove { jid, .. }
            | SlashCommand::Approve(jid)
            | SlashCommand::Deny(jid)
            | SlashCommand::Unsubscribe(jid)
            | SlashCommand::Cancel(jid) => Some(jid),
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
    let rest = rest.trim_start();
    let (name, command) = match rest.strip_prefix('"') {
        Some(quoted) => match quoted.split_once('"') {
            Some((name, command)) => (name, command.trim()),
            None => return Err(format!("/account: the quote is not closed; {USAGE}")),
        },
        None => split_word(rest),
    };
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
    /// Available in any way.
    Online,
    Any,
    Is(crate::domain::Availability),
}

/// `[online|away|dnd|xa|chat|offline|error|any] [group]`; the state defaults to online.
fn query(command: &str, rest: &str) -> Result<Query, String> {
    use crate::domain::Availability;
    let (first, more) = split_word(rest);
    let state = match first {
        "" | "online" => Some(QueryState::Online),
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
            state: QueryState::Online,
            group: Some(rest.to_owned()),
        }),
        None => Err(format!(
            "usage: /{command} [online|chat|away|xa|dnd|offline|error|any] [group]"
        )),
    }
}

/// (name, usage, description), listed in the help overlay and the README.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "status",
        "/status set <online|chat|away|xa|dnd> [text]",
        "set presence and status text",
    ),
    (
        "status",
        "/status text <text> | /status clear",
        "change or clear only the status text",
    ),
    ("online", "/online [text]", "set presence online"),
    ("chat", "/chat [text]", "set presence free for chat"),
    ("away", "/away [text]", "set presence away"),
    ("xa", "/xa [text]", "set presence extended away"),
    ("dnd", "/dnd [text]", "set presence do not disturb"),
    ("priority", "/priority <-128..127>", "set presence priority"),
    (
        "offline",
        "/offline",
        "appear offline, stay connected (any presence command ends it)",
    ),
    (
        "nick",
        "/nick [name]",
        "set (or clear) the nick sent with your presence",
    ),
    (
        "presence",
        "/presence <jid> <show> [text]",
        "send presence to one contact only",
    ),
    (
        "status",
        "/status get <jid>",
        "every resource of a contact, and since when",
    ),
    (
        "add",
        "/add <jid> [name]",
        "add a contact and ask to see their presence",
    ),
    ("remove", "/remove <jid>", "remove a contact (asks first)"),
    ("rename", "/rename <jid> <name>", "rename a contact"),
    (
        "group",
        "/group add|remove <jid> <group>",
        "put a contact in / take it out of a group",
    ),
    ("approve", "/approve <jid>", "let them see your presence"),
    (
        "deny",
        "/deny <jid>",
        "refuse a request / stop them seeing your presence",
    ),
    (
        "unsubscribe",
        "/unsubscribe <jid>",
        "stop seeing their presence",
    ),
    ("cancel", "/cancel <jid>", "stop them seeing your presence"),
    (
        "watch",
        "/watch <jid>",
        "announce when this contact's state changes",
    ),
    ("unwatch", "/unwatch <jid>", "stop announcing it"),
    (
        "who",
        "/who [online|away|dnd|xa|chat|offline|any] [group]",
        "list who is in that state",
    ),
    (
        "filter",
        "/filter [state] [group] | /filter clear",
        "show only those contacts in the roster",
    ),
    ("reconnect", "/reconnect", "reconnect now"),
    (
        "account",
        "/account <name> <command>",
        "a presence or contact command on one account only",
    ),
    ("help", "/help", "show keys and commands"),
    ("quit", "/quit", "quit rosterm"),
];

fn names() -> impl Iterator<Item = &'static str> {
    let mut seen: Vec<&str> = Vec::new();
    COMMANDS.iter().map(|c| c.0).filter(move |n| {
        if seen.contains(n) {
            false
        } else {
            seen.push(n);
            true
        }
    })
}

/// Parses a command line (with or without the leading `/`). Errors are one sentence.
pub fn parse(line: &str) -> Result<SlashCommand, String> {
    let line = line.trim();
    let line = line.strip_prefix('/').unwrap_or(line);
    let (name, rest) = split_word(line);
    let text = |rest: &str| (!rest.is_empty()).then(|| rest.to_owned());
    match name {
        "" => Err("empty command; try /help".into()),
        "online" | "chat" | "away" | "xa" | "dnd" => Ok(SlashCommand::SetPresence {
            show: Show::parse(name).unwrap_or(Show::Online),
            status: text(rest),
        }),
        "status" => {
            let (sub, rest) = split_word(rest);
            match sub {
                "set" => {
                    let (show, rest) = split_word(rest);
                    let show = Show::parse(show).ok_or_else(|| {
                        format!("/status set: {show:?} is not a presence; use online, chat, away, xa or dnd")
                    })?;
                    Ok(SlashCommand::SetPresence { show, status: text(rest) })
                }
                "text" => Ok(SlashCommand::SetStatus(rest.to_owned())),
                "get" => Ok(SlashCommand::StatusGet(bare("status get", rest)?)),
                "clear" if rest.is_empty() => Ok(SlashCommand::SetStatus(String::new())),
                _ => Err("usage: /status set <online|chat|away|xa|dnd> [text], /status text <text>, /status clear, /status get <jid>".into()),
            }
        }
        "priority" => {
            let value = rest.parse::<i64>().map_err(|_| {
                format!("/priority: {rest:?} is not a number; use an integer from -128 to 127")
            })?;
            i8::try_from(value)
                .map(SlashCommand::Priority)
                .map_err(|_| format!("/priority: {value} is out of range; use -128 to 127"))
        }
        "offline" => Ok(SlashCommand::Offline),
        "nick" => Ok(SlashCommand::Nick(text(rest))),
        "presence" => {
            let (to, rest) = split_word(rest);
            let (show, status) = split_word(rest);
            let to = Jid::new(to).map_err(|_| {
                format!("/presence: {to:?} is not a JID; usage: /presence <jid> <show> [text]")
            })?;
            let show = Show::parse(show).ok_or_else(|| {
                format!("/presence: {show:?} is not a presence; use online, chat, away, xa or dnd")
            })?;
            Ok(SlashCommand::Directed {
                to,
                show,
                status: text(status),
            })
        }
        "add" => {
            let (jid, name) = split_word(rest);
            Ok(SlashCommand::Add {
                jid: bare("add", jid)?,
                name: text(name),
            })
        }
        "remove" => Ok(SlashCommand::Remove(bare("remove", rest)?)),
        "rename" => {
            let (jid, name) = split_word(rest);
            if name.is_empty() {
                return Err("usage: /rename <jid> <name>".into());
            }
            Ok(SlashCommand::Rename {
                jid: bare("rename", jid)?,
                name: name.to_owned(),
            })
        }
        "group" => {
            let (sub, rest) = split_word(rest);
            let (jid, group) = split_word(rest);
            if group.is_empty() || !matches!(sub, "add" | "remove") {
                return Err("usage: /group add <jid> <group>, /group remove <jid> <group>".into());
            }
            let jid = bare("group", jid)?;
            let group = group.to_owned();
            Ok(if sub == "add" {
                SlashCommand::GroupAdd { jid, group }
            } else {
                SlashCommand::GroupRemove { jid, group }
            })
        }
        "approve" => Ok(SlashCommand::Approve(bare("approve", rest)?)),
        "deny" => Ok(SlashCommand::Deny(bare("deny", rest)?)),
        "unsubscribe" => Ok(SlashCommand::Unsubscribe(bare("unsubscribe", rest)?)),
        "cancel" => Ok(SlashCommand::Cancel(bare("cancel", rest)?)),
        "who" => Ok(SlashCommand::Who(query("who", rest)?)),
        "watch" => Ok(SlashCommand::Watch(bare("watch", rest)?)),
        "unwatch" => Ok(SlashCommand::Unwatch(bare("unwatch", rest)?)),
        "filter" if rest == "clear" || rest == "none" => Ok(SlashCommand::Filter(None)),
        "filter" => Ok(SlashCommand::Filter(Some(query("filter", rest)?))),
        "reconnect" => Ok(SlashCommand::Reconnect),
        "account" => on_account(rest),
        "help" => Ok(SlashCommand::Help),
        "quit" | "exit" => Ok(SlashCommand::Quit),
        other => Err(format!(
            "unknown command /{other}; try /help or Tab to complete"
        )),
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

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

/// Tab completion of the command name: a unique match is completed (with a trailing space),
/// several are completed to their common prefix. Returns `None` when nothing changes.
pub fn complete(line: &str, accounts: &[String]) -> Option<String> {
    let word = line.strip_prefix('/').unwrap_or(line);
    if let Some(rest) = word.strip_prefix("account ") {
        return complete_account(rest, accounts);
    }
    if word.contains(char::is_whitespace) {
        return complete_argument(line);
    }
    let matches: Vec<&str> = names().filter(|n| n.starts_with(word)).collect();
    let completed = match matches.as_slice() {
        [] => return None,
        [one] => format!("/{one} "),
        many => {
            let prefix = common_prefix(many);
            format!("/{prefix}")
        }
    };
    (completed != line && completed.len() >= line.len()).then_some(completed)
}

/// Completes the account name of `/account`, then the command after it.
fn complete_account(rest: &str, accounts: &[String]) -> Option<String> {
    let rest = rest.trim_start();
    let quoted: Vec<String> = accounts.iter().map(|n| quote(n)).collect();
    if let Some(name) = quoted
        .iter()
        .find(|n| rest.starts_with(n.as_str()) && rest[n.len()..].starts_with(' '))
    {
        let tail = rest[name.len()..].trim_start();
        let done = complete(&format!("/{tail}"), accounts)?;
        return Some(format!("/account {name} {}", done.trim_start_matches('/')));
    }
    let matches: Vec<&str> = quoted
        .iter()
        .map(String::as_str)
        .filter(|n| n.to_lowercase().starts_with(&rest.to_lowercase()))
        .collect();
    match matches.as_slice() {
        [] => None,
        [one] => Some(format!("/account {one} ")),
        many => {
            let p = common_prefix(many);
            (p.len() > rest.len()).then(|| format!("/account {p}"))
        }
    }
}

/// Completes `/status set <show>` and `/status <sub>`.
fn complete_argument(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let trailing_space = line.ends_with(' ');
    let (candidates, prefix_words): (&[&str], usize) = match (words.as_slice(), trailing_space) {
        (["/status"], true) => (&["set", "text", "clear", "get"], 1),
        (["/status", _], false) => (&["set", "text", "clear", "get"], 1),
        (["/group"], true) => (&["add", "remove"], 1),
        (["/group", _], false) => (&["add", "remove"], 1),
        (["/status", "set"], true) => (&["online", "chat", "away", "xa", "dnd"], 2),
        (["/status", "set", _], false) => (&["online", "chat", "away", "xa", "dnd"], 2),
        _ => return None,
    };
    let partial = if trailing_space {
        ""
    } else {
        words.last().copied().unwrap_or("")
    };
    let matches: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.starts_with(partial))
        .collect();
    let head = words[..prefix_words].join(" ");
    match matches.as_slice() {
        [one] => Some(format!("{head} {one} ")),
        [] => None,
        many => {
            let p = common_prefix(many);
            (p.len() > partial.len()).then(|| format!("{head} {p}"))
        }
    }
}

fn common_prefix(words: &[&str]) -> String {
    let first = words.first().copied().unwrap_or("");
    let mut len = first.len();
    for w in words {
        len = len.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first[..len].to_owned()
}

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
    fn roster_and_subscription_commands() {
        let bob = BareJid::new("bob@example.org").unwrap();
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
            Ok(SlashCommand::Remove(bob.clone()))
        );
        assert_eq!(
            parse("/rename bob@example.org Robert"),
            Ok(SlashCommand::Rename {
                jid: bob.clone(),
                name: "Robert".into()
            })
        );
        assert_eq!(
            parse("/group add bob@example.org Open Source"),
            Ok(SlashCommand::GroupAdd {
                jid: bob.clone(),
                group: "Open Source".into()
            })
        );
        assert_eq!(
            parse("/group remove bob@example.org Work"),
            Ok(SlashCommand::GroupRemove {
                jid: bob.clone(),
                group: "Work".into()
            })
        );
        assert_eq!(
            parse("/approve bob@example.org"),
            Ok(SlashCommand::Approve(bob.clone()))
        );
        assert_eq!(
            parse("/deny bob@example.org"),
            Ok(SlashCommand::Deny(bob.clone()))
        );
        assert_eq!(
            parse("/unsubscribe bob@example.org"),
            Ok(SlashCommand::Unsubscribe(bob.clone()))
        );
        assert_eq!(
            parse("/cancel bob@example.org"),
            Ok(SlashCommand::Cancel(bob.clone()))
        );
        assert_eq!(
            parse("/status get bob@example.org"),
            Ok(SlashCommand::StatusGet(bob.clone()))
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
                to: Jid::new("bob@example.org/phone").unwrap(),
                show: Show::Dnd,
                status: Some("not now".into())
            })
        );
        assert!(parse("/add").unwrap_err().contains("expected one JID"));
        assert!(parse("/add @@bad")
            .unwrap_err()
            .contains("is not a bare JID"));
        assert!(parse("/remove bob@example.org/res")
            .unwrap_err()
            .contains("not a bare JID"));
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
            Ok(SlashCommand::Who(q(QueryState::Online, None)))
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
            Ok(SlashCommand::Who(q(QueryState::Online, Some("Work"))))
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
            complete("/pr", &[]),
            None,
            "priority and presence: nothing longer to add"
        );
        assert_eq!(complete("/pri", &[]), Some("/priority ".into()));
        assert_eq!(complete("/pre", &[]), Some("/presence ".into()));
        assert_eq!(complete("/dn", &[]), Some("/dnd ".into()));
        assert_eq!(complete("/q", &[]), Some("/quit ".into()));
        assert_eq!(complete("/rec", &[]), Some("/reconnect ".into()));
        assert_eq!(complete("/re", &[]), None, "reconnect, remove, rename");
        assert_eq!(complete("/zz", &[]), None);
        assert_eq!(complete("/status s", &[]), Some("/status set ".into()));
        assert_eq!(
            complete("/status set a", &[]),
            Some("/status set away ".into())
        );
        assert_eq!(complete("/status set ", &[]), None);
        let unique: Vec<_> = names().collect();
        assert_eq!(
            unique.len(),
            COMMANDS.len() - 2,
            "status is listed three times, all others once"
        );
    }
}
