//! What the loop does besides updating the state: effects carried out (commands to an
//! account's session, quitting, notifications) and pastes put into the editor.

use crate::domain::{ContactId, Notify};
use crate::history::History;
use crate::sessions::Sessions;
use crate::store::chat::{ChatLine, PAGE};
use crate::store::{Mode, State};
use crate::update::Effect;

use super::Outcome;

/// Carries out effects; returns an outcome when the loop must end.
pub fn perform(
    effects: Vec<Effect>,
    state: &mut State,
    sessions: &Sessions,
    history: Option<&History>,
) -> Option<Outcome> {
    let mode = state.settings.notify;
    for effect in effects {
        match effect {
            Effect::Send(account, cmd) => {
                sessions.send(account, with_room_cursor(cmd, state, account, history))
            }
            Effect::Quit => return Some(Outcome::Quit),
            Effect::LoginFailed(reason) => return Some(Outcome::LoginFailed(reason)),
            Effect::Notify(text) => notify(mode, &text),
            Effect::NotifyMessage(text) => notify(state.settings.message_notify, &text),
            Effect::SaveWatches(watches) => save_watches(state, &watches),
            Effect::LoadTransitions(id) => load_transitions(state, history, id),
            Effect::LoadHistory { chat, before } => {
                let (lines, more) = read_chat(state, history, &chat, before);
                let next = crate::update::chat::loaded(state, &chat, lines, more);
                if let Some(outcome) = perform(next, state, sessions, history) {
                    return Some(outcome);
                }
            }
        }
    }
    None
}

/// A join asks for the room's history after its newest message on disk (none lost, none
/// twice).
fn with_room_cursor(
    cmd: crate::event::Command,
    state: &State,
    account: crate::domain::AccountId,
    history: Option<&History>,
) -> crate::event::Command {
    use crate::event::Command;
    let (
        Command::JoinRoom {
            room,
            nick,
            password,
            after: None,
            ..
        },
        Some(history),
        Some(own),
    ) = (&cmd, history, state.account(account))
    else {
        return cmd;
    };
    match history.last_room_stanza_id(&own.jid, room) {
        Ok(cursor) => Command::JoinRoom {
            room: room.clone(),
            nick: nick.clone(),
            password: password.clone(),
            since: cursor.as_ref().map(|(_, at)| *at),
            after: cursor.map(|(id, _)| id),
        },
        Err(e) => {
            tracing::warn!("{e}");
            cmd
        }
    }
}

/// `/save`: the watched contacts into the config file, and a sentence saying so.
fn save_watches(state: &mut State, watches: &[String]) {
    use crate::store::Severity;
    let message = match &state.settings.config_path {
        None => (
            "There is no config file to save to.".to_owned(),
            Severity::Error,
        ),
        Some(path) => match crate::config::save_watches(path, watches) {
            Ok(()) => (
                format!(
                    "Saved {} watched contact(s) to {} ([watch] contacts).",
                    watches.len(),
                    path.display()
                ),
                Severity::Info,
            ),
            Err(e) => (e, Severity::Error),
        },
    };
    state.ui.message = Some(message);
}

/// How many presence transitions `/history` shows.
const TRANSITIONS: usize = 20;

/// `/history`: the contact's newest transitions, for its detail view; without a database
/// (or when it cannot be read) one sentence instead.
fn load_transitions(state: &mut State, history: Option<&History>, id: ContactId) {
    let (Some(history), Some(account)) = (history, state.account(id.account)) else {
        let text = "No presence history: the local database is off (set storage in the config).";
        state.ui.message = Some((text.into(), crate::store::Severity::Error));
        return;
    };
    let own = account.jid.clone();
    let since = crate::domain::strip::window_start(state.settings.clock, state.settings.utc_offset);
    let read = history
        .transitions(&own, &id.jid, TRANSITIONS)
        .and_then(|last| Ok((last, history.transitions_since(&own, &id.jid, since)?)));
    match read {
        Ok((last, week)) => {
            state.ui.transitions = Some((id, last));
            state.ui.week = week.into_iter().map(|t| (t.at, t.show)).collect();
        }
        Err(e) => {
            tracing::warn!("{e}");
            state.ui.message = Some((format!("{e}"), crate::store::Severity::Error));
        }
    }
}

/// A page of a conversation from the local database (the newest, or the one before the
/// line with key `before`) and whether older ones may be left. Without a database, or when
/// it cannot be read (said on the status line), nothing: the server's archive is next.
fn read_chat(
    state: &mut State,
    history: Option<&History>,
    chat: &ContactId,
    before: Option<i64>,
) -> (Vec<ChatLine>, bool) {
    let (Some(history), Some(account)) = (history, state.account(chat.account)) else {
        return (Vec::new(), false);
    };
    let own = account.jid.clone();
    // A room's pane shows the room's messages; a private conversation via it, only the
    // ones with that occupant.
    let room = chat.nick.is_none() && state.chats.room(chat).is_some();
    let page = match before {
        Some(key) => history.before(&own, &chat.jid, key, PAGE, room),
        None => history.recent(&own, &chat.jid, PAGE, room),
    };
    match page {
        Ok(rows) => {
            let more = rows.len() == PAGE;
            let lines = rows
                .into_iter()
                .filter(|row| chat.nick.is_none() || row.message.resource == chat.nick)
                .map(|row| ChatLine {
                    key: Some(row.key),
                    message: row.message,
                    delivery: row.delivery,
                    edited: row.edited,
                    note: None,
                })
                .collect();
            (lines, more)
        }
        Err(e) => {
            tracing::warn!("{e}");
            state.ui.message = Some((format!("{e}"), crate::store::Severity::Error));
            (Vec::new(), false)
        }
    }
}

/// The terminal bell, or a desktop notification (notify-send) when asked for and installed.
fn notify(mode: Notify, text: &str) {
    use std::io::Write;
    if mode == Notify::Desktop {
        let sent = std::process::Command::new("notify-send")
            .args(["--app-name=rosterm", "rosterm", text])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = sent {
            // Reaped off the UI thread; the notification itself is fire-and-forget.
            std::thread::spawn(move || child.wait());
            return;
        }
    }
    if mode != Notify::None {
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07");
        let _ = out.flush();
    }
}

/// A paste goes into the open editor (its first line, control characters dropped) or into
/// the focused conversation's input (every line); anywhere else it is ignored: a paste never
/// acts as keys.
pub fn on_paste(state: &mut State, text: &str) {
    if let Mode::Ask(_) = &state.ui.mode {
        return crate::update::account_admin::paste(state, text);
    }
    if let (Mode::Normal, crate::store::Focus::Chat(id)) = (&state.ui.mode, &state.ui.focus) {
        let id = id.clone();
        if let Some(chat) = state.chats.get_mut(&id) {
            let clean: String = text
                .replace("\r\n", "\n")
                .chars()
                .map(|c| if c == '\r' { '\n' } else { c })
                .filter(|c| *c == '\n' || !c.is_control())
                .take(10_000)
                .collect();
            let draft = &mut chat.draft;
            let at = draft
                .text
                .char_indices()
                .nth(draft.cursor)
                .map_or(draft.text.len(), |(i, _)| i);
            draft.text.insert_str(at, &clean);
            draft.cursor += clean.chars().count();
        }
        return;
    }
    if let Mode::Input(input) = &mut state.ui.mode {
        let line = text.split(['\n', '\r']).next().unwrap_or("");
        let clean: String = line
            .chars()
            .filter(|c| !c.is_control())
            .take(1000)
            .collect();
        let at = input
            .text
            .char_indices()
            .nth(input.cursor)
            .map(|(i, _)| i)
            .unwrap_or(input.text.len());
        input.text.insert_str(at, &clean);
        input.cursor += clean.chars().count();
    }
}

#[cfg(test)]
mod tests {
    use crate::event::Command;

    /// A join (typed, or from a bookmark) asks for the history after the room's newest
    /// message on disk, with when it was sent: not the room's recent 50 again.
    #[test]
    fn a_join_carries_the_newest_room_message_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut history = crate::history::History::open(&dir.path().join("h.sqlite3")).unwrap();
        let state = crate::test_support::mixed_state();
        let own = state.primary().jid.clone();
        let mut m = crate::test_support::incoming("dev@conf.example", "r1", "room talk");
        m.resource = Some("bob".into());
        m.stanza_id = Some("ROOM-7".into());
        let at = m.at;
        history
            .write(&own, &crate::history::Write::RoomMessage(m))
            .unwrap();
        let join = |room: &str| Command::JoinRoom {
            room: crate::test_support::jid(room),
            nick: "ally".into(),
            password: None,
            after: None,
            since: None,
        };
        let account = state.primary().id;
        let cmd =
            super::with_room_cursor(join("dev@conf.example"), &state, account, Some(&history));
        let Command::JoinRoom { after, since, .. } = cmd else {
            panic!("{cmd:?}")
        };
        assert_eq!(after.as_deref(), Some("ROOM-7"));
        let ms =
            |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
        assert_eq!(since.map(ms), Some(ms(at)));
        // A room with nothing on disk: its recent history.
        let cmd =
            super::with_room_cursor(join("ops@conf.example"), &state, account, Some(&history));
        assert!(
            matches!(
                cmd,
                Command::JoinRoom {
                    after: None,
                    since: None,
                    ..
                }
            ),
            "{cmd:?}"
        );
    }

    #[test]
    fn save_says_where_it_saved_or_why_not() {
        let mut s = crate::test_support::mixed_state();
        super::save_watches(&mut s, &["bob@x".into()]);
        assert!(s
            .ui
            .message
            .unwrap()
            .0
            .starts_with("There is no config file"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\n[account]\njid = \"me@x\"\n").unwrap();
        let mut s = crate::test_support::mixed_state();
        s.settings.config_path = Some(path.clone());
        super::save_watches(&mut s, &["bob@x".into()]);
        assert!(s
            .ui
            .message
            .unwrap()
            .0
            .starts_with("Saved 1 watched contact(s)"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# mine\n[account]\njid = \"me@x\"\n\n[watch]\ncontacts = [\"bob@x\"]\n"
        );
    }
}
