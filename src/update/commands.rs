//! Slash commands: each one changes the state and returns effects. `/account NAME …` runs a
//! command on one account only; without it, presence commands act on every account and
//! contact commands through the contact's account.

use crate::command::{self, SlashCommand};
use crate::domain::{ContactId, OwnPresence};
use crate::event::Command;
use crate::store::{view, Mode, Severity, State};
use crate::update::contacts::{self, resolve};
use crate::update::presence::{self, Scope};
use crate::update::{chat, resolve, rooms, Effect};

fn say(state: &mut State, text: String, severity: Severity) -> Vec<Effect> {
    state.ui.message = Some((text, severity));
    Vec::new()
}

pub fn run_command(state: &mut State, cmd: SlashCommand) -> Vec<Effect> {
    run_in(state, Scope::All, cmd)
}

fn run_in(state: &mut State, scope: Scope, cmd: SlashCommand) -> Vec<Effect> {
    match cmd {
        SlashCommand::OnAccount { account, command } => on_account(state, &account, *command),
        SlashCommand::SetPresence { show, status } => {
            presence::set_show(state, scope, show, status)
        }
        SlashCommand::SetStatus(text) => {
            presence::change(state, scope, |own| own.status.clone_from(&text))
        }
        SlashCommand::Priority(p) => presence::change(state, scope, |own| own.priority = p),
        SlashCommand::Reconnect => presence::reconnect(state, scope),
        SlashCommand::Password => crate::update::account_admin::password(state, scope),
        SlashCommand::Unregister => crate::update::account_admin::unregister(state, scope),
        SlashCommand::Gateways => crate::update::gateways::list(state),
        SlashCommand::Register(gateway) => crate::update::gateways::register(state, scope, gateway),
        SlashCommand::Help => {
            crate::update::keys::open_popup(state, Mode::Help);
            Vec::new()
        }
        SlashCommand::Quit => crate::update::keys::quit(state),
        SlashCommand::Offline => presence::go_offline(state, scope),
        SlashCommand::Nick(Some(nick)) if in_room(state) => rooms::nick(state, nick),
        SlashCommand::Nick(nick) => presence::set_nick(state, scope, nick),
        SlashCommand::Join { room, password } => rooms::join(state, scope, &room, password),
        SlashCommand::Leave(reason) => rooms::leave(state, reason),
        SlashCommand::Topic(text) => rooms::topic(state, text),
        SlashCommand::Bookmark => rooms::bookmark(state),
        SlashCommand::Bookmarks => rooms::list_bookmarks(state),
        SlashCommand::Unbookmark(room) => rooms::unbookmark(state, scope, room),
        SlashCommand::Console(arg) => crate::update::console::console(state, arg),
        SlashCommand::Raw(text) => crate::update::console::raw(state, scope, &text),
        SlashCommand::Directed { to, show, status } => directed(state, scope, &to, show, status),
        SlashCommand::Watch(Some(who)) => watch(state, scope, &who),
        SlashCommand::Watch(None) => list_watches(state),
        SlashCommand::Unwatch(who) => unwatch(state, scope, &who),
        SlashCommand::Save => {
            let watches = state.watch.iter().map(ToString::to_string).collect();
            vec![Effect::SaveWatches(watches)]
        }
        SlashCommand::Who(query) => {
            let filter = filter_for(state, &query);
            crate::update::keys::open_popup(state, Mode::Who(filter));
            Vec::new()
        }
        SlashCommand::Filter(query) => filter(state, query),
        SlashCommand::Msg { to, text } => msg(state, scope, &to, text),
        SlashCommand::Close => chat::close(state, None),
        SlashCommand::Correct(text) => chat::correct(state, text),
        contact => on_contact(state, scope, contact),
    }
}

/// Is a room's pane on screen (where `/nick` is the nick in the room)?
fn in_room(state: &State) -> bool {
    chat::focused(state).is_some_and(|id| state.chats.room(&id).is_some())
}

/// `/account NAME command`: the command on that account only.
fn on_account(state: &mut State, name: &str, cmd: SlashCommand) -> Vec<Effect> {
    let Some(id) = state.account_named(name) else {
        let names: Vec<String> = state.accounts.values().map(|a| a.name.clone()).collect();
        let text = format!(
            "No account named {name:?}; the accounts are {}.",
            names.join(", ")
        );
        return say(state, text, Severity::Error);
    };
    run_in(state, Scope::One(id), cmd)
}

/// Commands about one contact, through its account.
fn on_contact(state: &mut State, scope: Scope, cmd: SlashCommand) -> Vec<Effect> {
    let found = match &cmd {
        SlashCommand::Add { jid, .. } => resolve(state, scope, jid.clone()),
        other => match other.contact() {
            Some(who) => resolve::contact(state, scope, who),
            None => return Vec::new(),
        },
    };
    let id = match found {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    match cmd {
        SlashCommand::StatusGet(_) => crate::update::keys::open_detail(state, id, false),
        SlashCommand::Add { name, .. } => contacts::add(state, id, name),
        SlashCommand::Remove(_) => contacts::ask_remove(state, id),
        SlashCommand::Rename { name, .. } => contacts::rename(state, id, name),
        SlashCommand::GroupAdd { group, .. } => contacts::group(state, id, group, true),
        SlashCommand::GroupRemove { group, .. } => contacts::group(state, id, group, false),
        SlashCommand::Approve(_) => contacts::approve(state, id, false),
        SlashCommand::Deny(_) | SlashCommand::Cancel(_) => contacts::deny(state, id),
        SlashCommand::Unsubscribe(_) => contacts::unsubscribe(state, id),
        SlashCommand::Last(_) => last(state, id),
        SlashCommand::PresenceHistory(_) => crate::update::keys::open_detail(state, id, true),
        _ => Vec::new(),
    }
}

/// `/last CONTACT`: what is known (an offline contact's last seen), else asks its bare
/// JID (XEP-0012; the server answers for an offline contact).
fn last(state: &mut State, id: ContactId) -> Vec<Effect> {
    let (now, offset) = (state.settings.clock, state.settings.utc_offset);
    let known = state
        .contact(&id)
        .filter(|c| c.resources.is_empty())
        .and_then(|c| c.last_seen);
    if let Some(seen) = known {
        let shown = crate::sanitize::sanitize(id.jid.as_str(), crate::sanitize::MAX_NAME);
        let label = crate::domain::seen::seen_label(seen, now, offset);
        return say(state, format!("{shown}: {label}"), Severity::Info);
    }
    let text = format!("Asking when {} was last seen…", id.jid);
    state.ui.message = Some((text, Severity::Info));
    vec![Effect::Send(id.account, Command::QueryLastActivity(id.jid))]
}

/// The answer to `/last`: the contact's last seen when offline, and the status line.
pub fn last_answer(
    state: &mut State,
    account: crate::domain::AccountId,
    jid: &jid::BareJid,
    result: Result<(u64, String), String>,
    now: std::time::SystemTime,
) {
    let offset = state.settings.utc_offset;
    let multi = state.multi();
    let Some(a) = state.account_mut(account) else {
        return;
    };
    let (text, severity) = a.last_activity(jid, result, (now, offset));
    let text = if multi {
        format!("{}: {text}", a.name)
    } else {
        text
    };
    state.ui.message = Some((text, severity));
}

/// `/msg CONTACT [text]`: opens (and focuses) the conversation, sends the text if any.
fn msg(state: &mut State, scope: Scope, to: &str, text: Option<String>) -> Vec<Effect> {
    let id = match resolve::contact(state, scope, to) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    let mut effects = chat::open(state, id.clone());
    if let Some(text) = text {
        effects.extend(chat::send(state, &id, text));
    }
    effects
}

/// `/watch CONTACT`: announces its changes; a contact not in the roster is watched too,
/// with a warning.
fn watch(state: &mut State, scope: Scope, who: &str) -> Vec<Effect> {
    let id = match resolve::contact(state, scope, who) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    let in_roster = state.contact(&id).is_some_and(|c| c.in_roster);
    let label = label(state, &id);
    let text = if !state.watch.insert(id.jid.clone()) {
        format!("{label} is already watched (/watch lists them, /unwatch stops).")
    } else if in_roster {
        format!("Watching {label}: you will be told when its state changes (/save keeps it).")
    } else {
        format!("Watching {label}, who is not in your roster (/unwatch stops, /add adds).")
    };
    say(state, text, Severity::Info)
}

fn unwatch(state: &mut State, scope: Scope, who: &str) -> Vec<Effect> {
    let id = match resolve::contact(state, scope, who) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    let label = label(state, &id);
    let text = if state.watch.remove(&id.jid) {
        format!("No longer watching {label}.")
    } else {
        format!("{label} was not watched (/watch lists the watched contacts).")
    };
    say(state, text, Severity::Info)
}

/// `/watch` alone: the watched contacts, by name.
fn list_watches(state: &mut State) -> Vec<Effect> {
    if state.watch.is_empty() {
        let text = "Nobody is watched; /watch <contact> announces its changes.";
        return say(state, text.into(), Severity::Info);
    }
    let names: Vec<String> = state
        .watch
        .iter()
        .map(|jid| {
            let c = state
                .accounts
                .values()
                .find_map(|a| a.roster.get(jid).filter(|c| c.in_roster));
            match c {
                Some(c) if c.label() != jid.as_str() => format!("{} ({jid})", c.label()),
                Some(_) => jid.to_string(),
                None => format!("{jid} (not in roster)"),
            }
        })
        .collect();
    let text = format!("Watching {}: {}.", names.len(), names.join(", "));
    say(state, text, Severity::Info)
}

/// A contact's name as the roster shows it, with its JID when they differ.
fn label(state: &State, id: &crate::domain::ContactId) -> String {
    match state.contact(id).map(|c| c.label().to_owned()) {
        Some(label) if label != id.jid.as_str() => format!("{label} ({})", id.jid),
        _ => id.jid.to_string(),
    }
}

/// `/presence CONTACT[/resource] show [text]`.
fn directed(
    state: &mut State,
    scope: Scope,
    to: &str,
    show: crate::domain::Show,
    status: Option<String>,
) -> Vec<Effect> {
    let (who, resource) = match to.split_once('/') {
        Some((who, res)) => (who, Some(res)),
        None => (to, None),
    };
    let id = match resolve::contact(state, scope, who) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    let to = match resource {
        Some(res) => jid::Jid::new(&format!("{}/{res}", id.jid)),
        None => Ok(jid::Jid::from(id.jid.clone())),
    };
    let Ok(to) = to else {
        let res = resource.unwrap_or_default();
        let text = format!("/presence: {res:?} is not a valid resource of {}.", id.jid);
        return say(state, text, Severity::Error);
    };
    let own = state
        .account(id.account)
        .map(|a| a.own.clone())
        .unwrap_or_default();
    let presence = OwnPresence {
        show,
        status: status.unwrap_or(own.status),
        priority: own.priority,
    };
    state.ui.message = Some((
        format!("Sent {} to {to} only.", show.as_str()),
        Severity::Info,
    ));
    vec![Effect::Send(
        id.account,
        Command::DirectedPresence { to, presence },
    )]
}

fn filter(state: &mut State, query: Option<command::Query>) -> Vec<Effect> {
    // Folds are not filters: they stay.
    let folded = std::mem::take(&mut state.ui.filter.folded);
    state.ui.filter = match &query {
        Some(q) => view::Filter {
            text: state.ui.filter.text.clone(),
            folded,
            ..filter_for(state, q)
        },
        None => view::Filter {
            folded,
            ..view::Filter::default()
        },
    };
    let text = if query.is_some() {
        "Roster filtered (/filter clear shows everyone)."
    } else {
        "Showing every contact."
    };
    say(state, text.into(), Severity::Info)
}

/// The roster filter a `/who` or `/filter` query means.
fn filter_for(state: &State, query: &command::Query) -> view::Filter {
    use crate::store::roster::GroupKey;
    let group = query.group.as_ref().map(|name| {
        state
            .accounts
            .values()
            .flat_map(|a| a.roster.groups().keys())
            .find(|k| k.title().eq_ignore_ascii_case(name))
            .cloned()
            .unwrap_or_else(|| GroupKey::Named(name.clone()))
    });
    let (online_only, show) = match query.state {
        command::QueryState::Available => (true, None),
        command::QueryState::Any => (false, None),
        command::QueryState::Is(a) => (false, Some(a)),
    };
    view::Filter {
        online_only,
        show,
        group,
        text: None,
        folded: Default::default(),
    }
}
