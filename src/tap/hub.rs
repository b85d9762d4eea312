//! The loop's side of the control socket: commands carried out on the state (through the
//! same `update` functions keys and slash commands use), and the `events` readers, fed with
//! `try_send` only: a reader that does not keep up loses lines, is told how many, and never
//! slows rosterm down.

use std::time::SystemTime;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::server::Incoming;
use super::{Reply, Request, StatusLine};
use crate::command::SlashCommand;
use crate::domain::{Availability, ConnState, ContactId, Show};
use crate::event::SessionEvent;
use crate::store::{Severity, State};
use crate::update::Effect;

struct Reader {
    types: Vec<String>,
    jid: Option<String>,
    tx: mpsc::Sender<String>,
    /// Lines dropped since the last one delivered.
    missed: u64,
}

impl Reader {
    fn wants(&self, line: &Value) -> bool {
        let kind = line["type"].as_str().unwrap_or("");
        (self.types.is_empty() || self.types.iter().any(|t| t == kind))
            && self.jid.as_deref().is_none_or(|j| {
                line["jid"]
                    .as_str()
                    .is_some_and(|l| l.eq_ignore_ascii_case(j))
            })
    }

    /// Queues `text`; false when the reader has hung up.
    fn offer(&mut self, mut text: String, now: SystemTime) -> bool {
        if self.missed > 0 {
            let note = json!({
                "time": super::event::timestamp(now), "type": "missed", "count": self.missed,
            });
            text = format!("{note}\n{text}");
        }
        match self.tx.try_send(text) {
            Ok(()) => {
                self.missed = 0;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.missed += 1;
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

/// Every `events` reader.
#[derive(Default)]
pub struct Hub {
    readers: Vec<Reader>,
}

impl Hub {
    /// Is anyone listening (else no line is even built)?
    pub fn active(&self) -> bool {
        !self.readers.is_empty()
    }

    /// A request from the socket; returns what the loop must carry out.
    pub fn incoming(&mut self, state: &mut State, incoming: Incoming) -> Vec<Effect> {
        match incoming {
            Incoming::Subscribe { types, jid, tx } => {
                let mut reader = Reader {
                    types,
                    jid,
                    tx,
                    missed: 0,
                };
                let now = SystemTime::now();
                let lines: Vec<String> = super::event::present(state, now)
                    .into_iter()
                    .filter(|l| reader.wants(l))
                    .map(|l| format!("{l}\n"))
                    .collect();
                if reader.offer(lines.concat(), now) {
                    self.readers.push(reader);
                }
                Vec::new()
            }
            Incoming::Command(request, reply) => {
                let (answer, effects) = command(state, request);
                let _ = reply.send(answer);
                effects
            }
        }
    }

    /// Sends readers what `event` (just applied) changed.
    pub fn publish(
        &mut self,
        state: &State,
        account: crate::domain::AccountId,
        event: &SessionEvent,
        before: Option<super::event::Before>,
    ) {
        let now = SystemTime::now();
        let lines = super::event::changes(state, account, event, before, now);
        if lines.is_empty() {
            return;
        }
        self.readers.retain_mut(|reader| {
            let text: String = lines
                .iter()
                .filter(|l| reader.wants(l))
                .map(|l| format!("{l}\n"))
                .collect();
            text.is_empty() || reader.offer(text, now)
        });
    }
}

/// A command, carried out as the user's own would be; the reply says what happened.
fn command(state: &mut State, request: Request) -> (Reply, Vec<Effect>) {
    match request {
        Request::Presence {
            show,
            status,
            account,
        } => {
            let Some(show) = Show::parse(&show) else {
                let text = format!("{show:?} is not a presence; use online, chat, away, xa or dnd");
                return (Reply::refused(text), Vec::new());
            };
            let cmd = SlashCommand::SetPresence { show, status };
            run(state, on_account(account, cmd))
        }
        Request::Msg { to, text, account } => msg(state, &to, text, account),
        Request::Join { room } => join(state, &room),
        Request::Who { json } => {
            let report = if json {
                crate::who::json_report(state, &[])
            } else {
                crate::who::text_report(state, &[])
            };
            (Reply::ok(report), Vec::new())
        }
        Request::Status => (
            Reply {
                status: Some(status_line(state)),
                ..Reply::ok("")
            },
            Vec::new(),
        ),
        Request::Events { .. } => (Reply::refused("events are streamed"), Vec::new()),
    }
}

/// `rosterm ctl join ROOM[/nick]`: joined on the first account, the focus left where it is.
fn join(state: &mut State, room: &str) -> (Reply, Vec<Effect>) {
    let Some(target) = jid::Jid::new(room).ok().filter(|j| j.node().is_some()) else {
        let text = format!("{room:?} is not a room address, like room@conference.example.org");
        return (Reply::refused(text), Vec::new());
    };
    let kept = state.ui.message.clone();
    let account = state.primary().id;
    let effects = crate::update::rooms::join_unfocused(state, account, &target, None);
    let said = std::mem::replace(&mut state.ui.message, kept);
    let text = match (said, effects.is_empty()) {
        (_, true) => format!("already in {}", target.to_bare()),
        (Some((text, _)), false) => text,
        (None, false) => format!("joining {}", target.to_bare()),
    };
    (Reply::ok(text), effects)
}

#[cfg(test)]
#[test]
fn ctl_join_joins_in_the_background_and_refuses_what_is_not_a_room() {
    let mut state = crate::test_support::mixed_state();
    let (reply, effects) = join(&mut state, "dev@conf.example/ally");
    assert!(
        matches!(&effects[..], [.., Effect::Send(_, crate::event::Command::JoinRoom { nick, .. })] if nick == "ally"),
        "{effects:?}"
    );
    assert_eq!(state.ui.focus, crate::store::Focus::Roster);
    let (again, effects) = join(&mut state, "nope");
    assert!(effects.is_empty());
    assert_ne!(reply, again);
}

fn on_account(account: Option<String>, command: SlashCommand) -> SlashCommand {
    match account {
        Some(account) => SlashCommand::OnAccount {
            account,
            command: Box::new(command),
        },
        None => command,
    }
}

/// Runs a slash command; its status-line message is the reply (an error refuses).
fn run(state: &mut State, cmd: SlashCommand) -> (Reply, Vec<Effect>) {
    let kept = state.ui.message.take();
    let effects = crate::update::run_command(state, cmd);
    let said = state.ui.message.clone();
    if kept.is_some() && said.is_none() {
        state.ui.message = kept;
    }
    match said {
        Some((text, Severity::Error)) => (Reply::refused(text), effects),
        Some((text, _)) => (Reply::ok(text), effects),
        None => (Reply::ok("done"), effects),
    }
}

/// `ctl msg JID text`: sent through the contact's account, its conversation opened in the
/// background (the user's focus stays where it is).
fn msg(state: &mut State, to: &str, text: String, account: Option<String>) -> (Reply, Vec<Effect>) {
    let Ok(jid) = jid::BareJid::new(to) else {
        return (
            Reply::refused(format!("{to:?} is not a JID like bob@example.org")),
            Vec::new(),
        );
    };
    let id = match account {
        Some(name) => match state.account_named(&name) {
            Some(a) => ContactId::new(a, jid),
            None => {
                return (
                    Reply::refused(format!("no account named {name:?}")),
                    Vec::new(),
                )
            }
        },
        None => {
            match crate::update::contacts::resolve(state, crate::update::presence::Scope::All, jid)
            {
                Ok(id) => id,
                Err(text) => return (Reply::refused(text), Vec::new()),
            }
        }
    };
    let online = state
        .account(id.account)
        .is_some_and(|a| a.connection == ConnState::Online);
    let effects = crate::update::chat::send_in_background(state, &id, text);
    let said = if online {
        "sent"
    } else {
        "queued: the account is not connected"
    };
    (Reply::ok(format!("{said} to {}", id.jid)), effects)
}

/// What `rosterm status` prints from.
pub fn status_line(state: &State) -> StatusLine {
    let first = state.primary();
    let show = if first.offline {
        "offline".to_owned()
    } else {
        first.own.show.as_str().to_owned()
    };
    StatusLine {
        show,
        status: first.own.status.clone(),
        unread: state.chats.unread(),
        online: state
            .accounts
            .values()
            .flat_map(|a| a.roster.contacts())
            .filter(|c| matches!(c.availability(), Availability::Available(_)))
            .count(),
        accounts: state.accounts.len(),
        connected: state
            .accounts
            .values()
            .filter(|a| a.connection == ConnState::Online)
            .count(),
    }
}
