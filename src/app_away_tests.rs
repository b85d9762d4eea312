//! Auto-away in the running loop: it goes away by itself (the loop wakes when it is due), a
//! key brings it back before the key does anything else, and tmux detaching and attaching
//! count.

use std::time::{Duration, SystemTime};

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

use super::{run, Headless, Inputs, Outcome};
use crate::domain::{OwnPresence, Show};
use crate::event::{Command, SessionEvent};
use crate::keymap::Keymap;
use crate::sessions::Sessions;
use crate::store::auto_away::{AutoAway, Rules};
use crate::store::State;
use crate::test_support::{jid, A0};

#[tokio::test]
async fn away_by_itself_back_on_a_key_and_on_attach() {
    let (reads_tx, reads) = mpsc::channel(8);
    let (_signals_tx, signals) = mpsc::channel(4);
    let (attached_tx, attached) = mpsc::channel(4);
    let (ev_tx, ev_rx) = mpsc::channel(8);
    let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel();
    let mut sessions = Sessions::from_channels(vec![(A0, ev_rx, cmd_tx)]);
    let inputs = Inputs {
        reads,
        signals,
        history: None,
        tap: None,
        startup: Vec::new(),
        attached: Some(attached),
        desktop: None,
    };
    let mine = OwnPresence {
        show: Show::Chat,
        status: "around".into(),
        priority: 4,
    };
    let mut state = State::new(jid("me@home"), mine.clone());
    state.auto_away = AutoAway::new(
        Rules {
            away_after: Duration::from_millis(300),
            xa_after: None,
            ..Rules::standard()
        },
        SystemTime::now(),
    );
    let mut screen = Headless(Terminal::new(TestBackend::new(100, 12)).unwrap());
    let (keymap, log) = (Keymap::default(), crate::logging::Health::default());
    let away = Command::SetAutoPresence {
        presence: OwnPresence {
            show: Show::Away,
            ..mine.clone()
        },
        idle_since: None,
    };
    let is_away = |c: &Command| matches!(c, Command::SetAutoPresence { presence, idle_since: Some(_) } if Command::SetAutoPresence { presence: presence.clone(), idle_since: None } == away);
    let driver = async {
        ev_tx
            .send(SessionEvent::SessionStarted {
                bound: "me@home/r".into(),
            })
            .await
            .unwrap();
        let first = cmd_rx.recv().await.unwrap();
        assert!(is_away(&first), "{first:?}");
        // Any key: back, exactly.
        reads_tx.send(b"j".to_vec()).await.unwrap();
        assert_eq!(
            cmd_rx.recv().await.unwrap(),
            Command::SetPresence(mine.clone())
        );
        attached_tx.send(true).await.unwrap();
        attached_tx.send(false).await.unwrap();
        let detached = cmd_rx.recv().await.unwrap();
        assert!(is_away(&detached), "{detached:?}");
        attached_tx.send(true).await.unwrap();
        assert_eq!(
            cmd_rx.recv().await.unwrap(),
            Command::SetPresence(mine.clone())
        );
        reads_tx.send(b"q".to_vec()).await.unwrap();
    };
    let looped = run(
        &mut screen,
        inputs,
        &mut state,
        &keymap,
        &mut sessions,
        &log,
    );
    let (outcome, ()) = tokio::join!(looped, driver);
    assert_eq!(outcome.unwrap(), Outcome::Quit);
    assert_eq!(
        state.primary().own,
        mine,
        "the user's own presence was never changed"
    );
}
