//! Keys in, effects out: what each key and command sends to the session.

use crate::test_support::A0;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jid::BareJid;

use super::*;
use crate::command;
use crate::domain::OwnPresence;
use crate::domain::{ConnState, Show};
use crate::event::SessionEvent;
use crate::keymap::Keymap;
use crate::store::{Mode, Severity};

fn state() -> State {
    let mut s = State::new(
        BareJid::new("me@x").unwrap(),
        OwnPresence {
            show: Show::Online,
            status: "hello".into(),
            priority: 2,
        },
    );
    s.apply(
        A0,
        SessionEvent::SessionStarted {
            bound: "me@x/r".into(),
        },
    );
    s
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    on_key(s, &Keymap::default(), KeyEvent::from(code))
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(press(s, KeyCode::Char(c)));
    }
    effects
}

fn sent(effects: &[Effect]) -> Vec<OwnPresence> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(_, Command::SetPresence(p)) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn single_keys_change_show_and_keep_status() {
    for (key, show) in [
        ('a', Show::Away),
        ('d', Show::Dnd),
        ('x', Show::Xa),
        ('c', Show::Chat),
        ('o', Show::Online),
    ] {
        let mut s = state();
        let effects = press(&mut s, KeyCode::Char(key));
        assert_eq!(
            sent(&effects),
            vec![OwnPresence {
                show,
                status: "hello".into(),
                priority: 2
            }],
            "key {key}"
        );
        assert_eq!(effects.len(), 1, "exactly one presence per change");
    }
}

#[test]
fn status_editor_sends_on_enter_and_cancels_on_esc() {
    let mut s = state();
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    press(&mut s, KeyCode::Char('u'));
    // Ctrl-U clears the prefilled text.
    on_key(
        &mut s,
        &Keymap::default(),
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
    );
    assert!(typed(&mut s, "at lunch").is_empty(), "typing sends nothing");
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent(&effects),
        vec![OwnPresence {
            show: Show::Online,
            status: "at lunch".into(),
            priority: 2
        }]
    );
    assert_eq!(s.ui.mode, Mode::Normal);

    press(&mut s, KeyCode::Char('s'));
    typed(&mut s, "zzz");
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert_eq!(s.primary().own.status, "at lunch");
}

#[test]
fn priority_editor_validates() {
    let mut s = state();
    press(&mut s, KeyCode::Char('p'));
    press(&mut s, KeyCode::Backspace);
    typed(&mut s, "200");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(
        matches!(s.ui.mode, Mode::Input(_)),
        "editor stays open on a bad value"
    );
    assert!(s
        .ui
        .message
        .as_ref()
        .is_some_and(|(m, _)| m.contains("-128 to 127")));
    on_key(
        &mut s,
        &Keymap::default(),
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
    );
    press(&mut s, KeyCode::End);
    for _ in 0..3 {
        press(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "-7");
    assert_eq!(
        sent(&press(&mut s, KeyCode::Enter)),
        vec![OwnPresence {
            show: Show::Online,
            status: "hello".into(),
            priority: -7
        }]
    );
}

#[test]
fn command_line_commands() {
    let mut s = state();
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "away gone fishing");
    assert_eq!(
        sent(&press(&mut s, KeyCode::Enter)),
        vec![OwnPresence {
            show: Show::Away,
            status: "gone fishing".into(),
            priority: 2
        }]
    );
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "status set dnd");
    assert_eq!(
        sent(&press(&mut s, KeyCode::Enter)),
        vec![OwnPresence {
            show: Show::Dnd,
            status: "gone fishing".into(),
            priority: 2
        }]
    );
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "priority 9");
    assert_eq!(sent(&press(&mut s, KeyCode::Enter))[0].priority, 9);
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "quit");
    assert_eq!(press(&mut s, KeyCode::Enter), vec![Effect::Quit]);
}

#[test]
fn unknown_command_is_a_message_not_a_crash() {
    let mut s = state();
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "fly me");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let (message, severity) = s.ui.message.clone().unwrap();
    assert!(message.contains("unknown command /fly"));
    assert_eq!(severity, Severity::Error);
}

#[test]
fn tab_completes_in_the_command_line() {
    let mut s = state();
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "pri");
    press(&mut s, KeyCode::Tab);
    let Mode::Input(input) = &s.ui.mode else {
        panic!()
    };
    assert_eq!(input.text, "/priority ");
    assert_eq!(input.cursor, 10);
}

#[test]
fn presence_changed_while_offline_is_still_sent_to_the_session() {
    let mut s = state();
    s.apply(
        A0,
        SessionEvent::Connection(ConnState::Reconnecting {
            attempt: 1,
            retry_in_secs: 1,
            reason: "x".into(),
        }),
    );
    let effects = press(&mut s, KeyCode::Char('d'));
    assert_eq!(
        sent(&effects).len(),
        1,
        "the session keeps it and sends it once back online"
    );
    assert!(s
        .ui
        .message
        .as_ref()
        .unwrap()
        .0
        .contains("sent when back online"));
}

#[test]
fn failure_before_first_login_ends_the_program_but_not_after() {
    let mut s = State::new(BareJid::new("me@x").unwrap(), OwnPresence::default());
    let effects = on_session(
        &mut s,
        A0,
        SessionEvent::Connection(ConnState::Failed {
            reason: "bad password".into(),
        }),
    );
    assert_eq!(effects, vec![Effect::LoginFailed("bad password".into())]);
    let mut s = state();
    let effects = on_session(
        &mut s,
        A0,
        SessionEvent::Connection(ConnState::Failed {
            reason: "bad password".into(),
        }),
    );
    assert!(
        effects.is_empty(),
        "after a session the failure is shown, not fatal"
    );
}

#[test]
fn quit_and_help_keys() {
    let mut s = state();
    assert_eq!(press(&mut s, KeyCode::Char('q')), vec![Effect::Quit]);
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.ui.mode, Mode::Help);
    press(&mut s, KeyCode::Char('q'));
    assert_eq!(s.ui.mode, Mode::Normal, "q closes help first");
    assert_eq!(
        on_key(
            &mut s,
            &Keymap::default(),
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        ),
        vec![Effect::Quit]
    );
}

#[test]
fn watched_contacts_are_announced_once_per_transition() {
    use crate::domain::{RosterItem, Subscription};
    use crate::event::PresenceChange;
    let mut s = state();
    let bob = BareJid::new("bob@x").unwrap();
    s.apply(
        A0,
        SessionEvent::RosterReceived(vec![RosterItem {
            jid: bob.clone(),
            name: Some("Bob".into()),
            groups: vec![],
            subscription: Subscription::Both,
            pending_out: false,
        }]),
    );
    run_command(&mut s, command::parse("/watch bob@x").unwrap());
    let presence = |show, status: &str| SessionEvent::Presence {
        from: bob.clone(),
        resource: Some("pc".into()),
        change: PresenceChange::Available {
            show,
            status: status.into(),
            priority: 0,
            nick: None,
            odd_show: None,
        },
    };
    let notes = |effects: Vec<Effect>| {
        effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Notify(t) => Some(t),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        notes(on_session(&mut s, A0, presence(Show::Online, "hi"))),
        ["★ Bob came online (online)"]
    );
    assert_eq!(s.ui.message.as_ref().map(|m| m.1), Some(Severity::Watch));
    assert!(
        notes(on_session(&mut s, A0, presence(Show::Online, "new status"))).is_empty(),
        "status text only: no transition"
    );
    assert_eq!(
        notes(on_session(&mut s, A0, presence(Show::Dnd, "busy"))),
        ["★ Bob is now dnd"]
    );
    let gone = SessionEvent::Presence {
        from: bob.clone(),
        resource: None,
        change: PresenceChange::Unavailable {
            status: String::new(),
        },
    };
    assert_eq!(notes(on_session(&mut s, A0, gone)), ["★ Bob went offline"]);
    run_command(&mut s, command::parse("/unwatch bob@x").unwrap());
    assert!(
        notes(on_session(&mut s, A0, presence(Show::Chat, ""))).is_empty(),
        "unwatched"
    );
    // notify = "none": the highlighted line only.
    s.settings.notify = crate::domain::Notify::None;
    s.watch.insert(bob.clone());
    assert!(notes(on_session(&mut s, A0, presence(Show::Away, ""))).is_empty());
    assert!(s.ui.message.as_ref().unwrap().0.contains("is now away"));
}

#[test]
fn inbox_keys_answer_the_oldest_request_and_name_it() {
    let mut s = state();
    let jid = |j: &str| BareJid::new(j).unwrap();
    // zoe asks first; adam (who sorts first) asks just before the key press; zoe asks again.
    for from in ["zoe@x", "adam@x", "zoe@x"] {
        s.apply(
            A0,
            SessionEvent::SubscriptionRequest {
                from: jid(from),
                nick: None,
            },
        );
    }
    let effects = press(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(effects.as_slice(), [Effect::Send(_, Command::Approve(j))] if *j == jid("zoe@x")),
        "{effects:?}"
    );
    let message = s.ui.message.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(message.starts_with("Approved zoe@x"), "{message}");
    let effects = press(&mut s, KeyCode::Char('n'));
    assert!(
        matches!(effects.as_slice(), [Effect::Send(_, Command::Deny(j))] if *j == jid("adam@x")),
        "{effects:?}"
    );
    assert_eq!(
        s.ui.message.clone().map(|(m, _)| m).as_deref(),
        Some("Denied adam@x.")
    );
    assert!(s.subscription_requests.is_empty());
}
