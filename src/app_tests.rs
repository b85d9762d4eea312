//! The whole app on a `TestBackend`: scripted keys and session events in, the screen and the
//! commands each account's session receives out.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

use super::{run, Headless, Inputs, Outcome, Signal};
use crate::domain::{AccountId, OwnPresence, Show};
use crate::event::{Command, SessionEvent};
use crate::keymap::Keymap;
use crate::sessions::Sessions;
use crate::store::{AccountState, State};
use crate::test_support::{avail, item, jid, A0, A1};

struct Rig {
    reads: mpsc::Sender<Vec<u8>>,
    signals: mpsc::Sender<Signal>,
    events: Vec<mpsc::Sender<SessionEvent>>,
    commands: Vec<mpsc::UnboundedReceiver<Command>>,
}

fn two_accounts() -> State {
    let account = |id: AccountId, name: &str, who: &str| {
        AccountState::new(id, name.into(), jid(who), OwnPresence::default())
    };
    State::with_accounts(vec![
        account(A0, "home", "me@home"),
        account(A1, "work", "me@work"),
    ])
}

fn rig(n: usize) -> (Rig, Inputs, Sessions) {
    let (reads_tx, reads) = mpsc::channel(64);
    let (signals_tx, signals) = mpsc::channel(4);
    let mut events = Vec::new();
    let mut commands = Vec::new();
    let mut channels = Vec::new();
    for i in 0..n {
        let (ev_tx, ev_rx) = mpsc::channel(64);
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        events.push(ev_tx);
        commands.push(cmd_rx);
        channels.push((AccountId(i as u16), ev_rx, cmd_tx));
    }
    let rig = Rig {
        reads: reads_tx,
        signals: signals_tx,
        events,
        commands,
    };
    (
        rig,
        Inputs {
            reads,
            signals,
            history: None,
            tap: None,
            startup: Vec::new(),
            attached: None,
            desktop: None,
        },
        Sessions::from_channels(channels),
    )
}

fn screen_text(screen: &Headless<TestBackend>) -> String {
    let buf = screen.0.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn login(rig: &Rig, id: usize, bound: &str, roster: Vec<crate::domain::RosterItem>) {
    let tx = &rig.events[id];
    let started = SessionEvent::SessionStarted {
        bound: bound.into(),
    };
    tx.send(started).await.unwrap();
    tx.send(SessionEvent::RosterReceived(roster)).await.unwrap();
}

#[tokio::test]
async fn keys_reach_every_account_and_the_screen_shows_both() {
    let (mut rig, inputs, mut sessions) = rig(2);
    let mut state = two_accounts();
    let mut screen = Headless(Terminal::new(TestBackend::new(100, 12)).unwrap());
    let keymap = Keymap::default();
    let log = crate::logging::Health::default();
    login(
        &rig,
        0,
        "me@home/r",
        vec![item("bob@x", "Bob", &["Friends"])],
    )
    .await;
    login(&rig, 1, "me@work/r", vec![item("bob@x", "Bob", &["Team"])]).await;
    rig.events[1]
        .send(avail("bob@x", "desk", Show::Away, 0, "at lunch"))
        .await
        .unwrap();
    let driver = async {
        // `d` is DND on every account: each session is asked for it.
        rig.reads.send(b"d".to_vec()).await.unwrap();
        let mut sent = Vec::new();
        for commands in &mut rig.commands {
            sent.push(commands.recv().await.unwrap());
        }
        // A paste is never a key: no presence change from the `a` in it.
        rig.reads
            .send(b"\x1b[200~a pasted away\x1b[201~".to_vec())
            .await
            .unwrap();
        rig.signals.send(Signal::Resize).await.unwrap();
        rig.reads.send(b"q".to_vec()).await.unwrap();
        sent
    };
    let looped = run(
        &mut screen,
        inputs,
        &mut state,
        &keymap,
        &mut sessions,
        &log,
    );
    let (outcome, sent) = tokio::join!(looped, driver);
    assert_eq!(outcome.unwrap(), Outcome::Quit);
    let dnd = Command::SetPresence(OwnPresence {
        show: Show::Dnd,
        ..OwnPresence::default()
    });
    assert_eq!(sent, vec![dnd.clone(), dnd]);
    for (i, commands) in rig.commands.iter_mut().enumerate() {
        let rest: Vec<Command> = std::iter::from_fn(|| commands.try_recv().ok()).collect();
        assert_eq!(
            rest,
            vec![Command::Disconnect],
            "account {i} after quitting"
        );
    }
    assert!(state.accounts.values().all(|a| a.own.show == Show::Dnd));
    let text = screen_text(&screen);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("home") && lines[0].contains("dnd"),
        "{text}"
    );
    assert!(
        lines[1].contains("work") && lines[1].contains("dnd"),
        "{text}"
    );
    assert!(text.contains("at lunch"), "work's bob is drawn: {text}");
}

#[tokio::test]
async fn the_loop_ends_on_sigterm_and_when_no_account_can_log_in() {
    let (rig, inputs, mut sessions) = rig(2);
    let mut state = two_accounts();
    let mut screen = Headless(Terminal::new(TestBackend::new(80, 10)).unwrap());
    let log = crate::logging::Health::default();
    rig.signals.send(Signal::Terminate).await.unwrap();
    let outcome = run(
        &mut screen,
        inputs,
        &mut state,
        &Keymap::default(),
        &mut sessions,
        &log,
    )
    .await;
    assert_eq!(outcome.unwrap(), Outcome::Signal("SIGTERM"));

    let (rig, inputs, mut sessions) = self::rig(2);
    let mut state = two_accounts();
    for (i, reason) in ["wrong password", "bad certificate"].iter().enumerate() {
        let failed = crate::domain::ConnState::Failed {
            reason: (*reason).into(),
        };
        rig.events[i]
            .send(SessionEvent::Connection(failed))
            .await
            .unwrap();
    }
    let outcome = run(
        &mut screen,
        inputs,
        &mut state,
        &Keymap::default(),
        &mut sessions,
        &log,
    )
    .await;
    assert_eq!(
        outcome.unwrap(),
        Outcome::LoginFailed("home: wrong password; work: bad certificate".into())
    );
}

#[tokio::test]
async fn a_conversation_through_the_whole_loop() {
    let (mut rig, inputs, mut sessions) = rig(2);
    let mut state = two_accounts();
    let mut screen = Headless(Terminal::new(TestBackend::new(120, 16)).unwrap());
    let keymap = Keymap::default();
    let log = crate::logging::Health::default();
    login(
        &rig,
        0,
        "me@home/r",
        vec![item("bob@x", "Bob", &["Friends"])],
    )
    .await;
    login(&rig, 1, "me@work/r", vec![item("bob@x", "Bob", &["Team"])]).await;
    let mut hello = crate::test_support::incoming("bob@x", "w1", "hello from work");
    hello.resource = Some("desk".into());
    rig.events[1]
        .send(SessionEvent::Message(hello))
        .await
        .unwrap();
    let driver = async {
        // The message is answered with a receipt through the account it came to.
        let receipt = rig.commands[1].recv().await.unwrap();
        // Alt-1: its conversation; typed letters are text, a paste keeps its lines.
        rig.reads.send(b"\x1b1".to_vec()).await.unwrap();
        rig.reads.send(b"da".to_vec()).await.unwrap();
        rig.reads
            .send(b"\x1b[200~ one\ntwo\x1b[201~".to_vec())
            .await
            .unwrap();
        rig.reads.send(b"\r".to_vec()).await.unwrap();
        let composing = rig.commands[1].recv().await.unwrap();
        let message = rig.commands[1].recv().await.unwrap();
        // Tab: back to the roster; q asks first (the message is still queued), y quits.
        rig.reads.send(b"\t".to_vec()).await.unwrap();
        rig.reads.send(b"q".to_vec()).await.unwrap();
        rig.reads.send(b"y".to_vec()).await.unwrap();
        (receipt, composing, message)
    };
    let looped = run(
        &mut screen,
        inputs,
        &mut state,
        &keymap,
        &mut sessions,
        &log,
    );
    let (outcome, (receipt, composing, message)) = tokio::join!(looped, driver);
    assert_eq!(outcome.unwrap(), Outcome::Quit);
    assert!(
        matches!(&receipt, Command::SendReceipt { to, id } if id == "w1" && to.to_string() == "bob@x/desk"),
        "{receipt:?}"
    );
    assert!(matches!(
        composing,
        Command::SendChatState {
            state: crate::domain::ChatState::Composing,
            ..
        }
    ));
    let Command::SendMessage(out) = message else {
        panic!("not a message: {message:?}");
    };
    assert_eq!(out.body, "da one\ntwo");
    assert_eq!(out.to.to_string(), "bob@x/desk");
    // Nothing reached the home account but its goodbye; no presence changed anywhere.
    let home: Vec<Command> = std::iter::from_fn(|| rig.commands[0].try_recv().ok()).collect();
    assert_eq!(home, vec![Command::Disconnect]);
    assert!(state.accounts.values().all(|a| a.own.show == Show::Online));
    let text = screen_text(&screen);
    assert!(text.contains("1 Bob"), "{text}");
}

#[test]
fn a_session_that_ends_after_unregister_keeps_its_status() {
    let mut state = State::new(jid("me@home"), OwnPresence::default());
    crate::update::account_admin::account_removed(&mut state, A0);
    let said = state.ui.message.clone();
    super::stopped(&mut state, A0);
    assert_eq!(
        state.ui.message, said,
        "the deletion is what the user reads"
    );
    assert!(said.is_some_and(|(m, _)| m.contains("was deleted on the server")));
    // Any other end of a network task is an error.
    let mut state = State::new(jid("me@home"), OwnPresence::default());
    super::stopped(&mut state, A0);
    let (text, severity) = state.ui.message.clone().unwrap();
    assert_eq!(text, "The network task of me@home stopped; see the log.");
    assert_eq!(severity, crate::store::Severity::Error);
}
