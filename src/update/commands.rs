//! Slash commands: each one changes the state and returns effects. `/account NAME …` runs a
//! command on one account only; without it, presence commands act on every account and
//! contact commands through the contact's account.

use crate::command::{self, SlashCommand};
use crate::domain::OwnPresence;
use crate::event::Command;
use crate::store::{view, Mode, Severity, State};
use crate::update::contacts::{self, resolve};
use crate::update::presence::{self, Scope};
use crate::update::{chat, Effect};

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
        SlashCommand::Help => {
            state.ui.mode = Mode::Help;
            Vec::new()
        }
        SlashCommand::Quit => vec![Effect::Quit],
        SlashCommand::Offline => presence::go_offline(state, scope),
        SlashCommand::Nick(nick) => presence::set_nick(state, scope, nick),
        SlashCommand::Directed { to, show, status } => directed(state, scope, to, show, status),
        SlashCommand::Watch(jid) => {
            let text = format!("Watching {jid}: you will be told when its state changes.");
            state.watch.insert(jid);
            say(state, text, Severity::Info)
        }
        SlashCommand::Unwatch(jid) => {
            let text = if state.watch.remove(&jid) {
                format!("No longer watching {jid}.")
            } else {
                format!("{jid} was not watched.")
            };
            say(state, text, Severity::Info)
        }
        SlashCommand::Who(query) => {
            state.ui.mode = Mode::Who(filter_for(state, &query));
            Vec::new()
        }
        SlashCommand::Filter(query) => filter(state, query),
        SlashCommand::Msg { to, text } => msg(state, scope, &to, text),
        SlashCommand::Close => chat::close(state, None),
        SlashCommand::Correct(text) => chat::correct(state, text),
        contact => on_contact(state, scope, contact),
    }
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
    let Some(jid) = cmd.contact().cloned() else {
        return Vec::new();
    };
    let id = match resolve(state, scope, jid) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    match cmd {
        SlashCommand::StatusGet(_) => {
            state.ui.mode = Mode::Detail(id);
            Vec::new()
        }
        SlashCommand::Add { name, .. } => contacts::add(state, id, name),
        SlashCommand::Remove(_) => contacts::ask_remove(state, id),
        SlashCommand::Rename { name, .. } => contacts::rename(state, id, name),
        SlashCommand::GroupAdd { group, .. } => contacts::group(state, id, group, true),
        SlashCommand::GroupRemove { group, .. } => contacts::group(state, id, group, false),
        SlashCommand::Approve(_) => contacts::approve(state, id, false),
        SlashCommand::Deny(_) | SlashCommand::Cancel(_) => contacts::deny(state, id),
        SlashCommand::Unsubscribe(_) => contacts::unsubscribe(state, id),
        _ => Vec::new(),
    }
}

/// `/msg JID|NAME [text]`: opens (and focuses) the conversation, sends the text if any.
fn msg(state: &mut State, scope: Scope, to: &str, text: Option<String>) -> Vec<Effect> {
    let jid = match by_name_or_jid(state, to) {
        Ok(jid) => jid,
        Err(text) => return say(state, text, Severity::Error),
    };
    let id = match resolve(state, scope, jid) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
    };
    let mut effects = chat::open(state, id.clone());
    if let Some(text) = text {
        effects.extend(chat::send(state, &id, text));
    }
    effects
}

/// A contact's roster name (case-insensitive, in any account) or a JID.
fn by_name_or_jid(state: &State, text: &str) -> Result<jid::BareJid, String> {
    let named: Vec<jid::BareJid> = state
        .accounts
        .values()
        .flat_map(|a| a.roster.contacts())
        .filter(|c| {
            c.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(text))
        })
        .map(|c| c.jid.clone())
        .collect();
    match named.as_slice() {
        [one] => return Ok(one.clone()),
        [first, rest @ ..] if rest.iter().all(|j| j == first) => return Ok(first.clone()),
        [] => {}
        many => {
            let list: Vec<String> = many.iter().map(ToString::to_string).collect();
            return Err(format!("{text:?} names {}; use the JID.", list.join(", ")));
        }
    }
    let known = |j: &jid::BareJid| state.accounts.values().any(|a| a.roster.get(j).is_some());
    match jid::BareJid::new(text) {
        Ok(j) if j.node().is_some() || known(&j) => Ok(j),
        _ => Err(format!(
            "/msg: {text:?} is neither a contact's name nor a JID like bob@example.org."
        )),
    }
}

fn directed(
    state: &mut State,
    scope: Scope,
    to: jid::Jid,
    show: crate::domain::Show,
    status: Option<String>,
) -> Vec<Effect> {
    let id = match resolve(state, scope, to.to_bare()) {
        Ok(id) => id,
        Err(text) => return say(state, text, Severity::Error),
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
    state.ui.filter = match &query {
        Some(q) => view::Filter {
            text: state.ui.filter.text.clone(),
            ..filter_for(state, q)
        },
        None => view::Filter::default(),
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
        command::QueryState::Online => (true, None),
        command::QueryState::Any => (false, None),
        command::QueryState::Is(a) => (false, Some(a)),
    };
    view::Filter {
        online_only,
        show,
        group,
        text: None,
    }
}
