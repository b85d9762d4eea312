//! Auto-away against the real Prosody (with `lastactivity`), as a slixmpp contact sees it
//! (`tests/peers/presence.py`): away, then xa, with XEP-0319 idle; back on activity with the
//! exact old presence; a manual DND kept; the presence after a server restart; XEP-0012
//! answered to a subscriber and refused to a stranger; a contact's idle shown.
//!
//! The auto-away clock runs on short durations here ("1s" / "2s"); nothing asserts a timing:
//! every wait is for a condition, the state machine ticked as the app loop would.

use std::time::{Duration, SystemTime};

use rosterm::domain::{OwnPresence, Show};
use rosterm::event::SessionEvent;
use rosterm::store::auto_away::{AutoAway, Rules};
use rosterm::update::{auto_away, Effect};

use crate::chat_peer::{ChatPeer, Received};
use crate::client::Client;
use crate::harness::Server;
use crate::peer::{mutual, WAIT};
use crate::A0;

fn server() -> Server {
    let server = Server::start();
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[mutual("bob@localhost", "Bob")]);
    server.set_roster("bob", &[mutual("alice@localhost", "Alice")]);
    server
}

fn rules() -> Rules {
    Rules {
        away_after: Duration::from_secs(1),
        xa_after: Some(Duration::from_secs(2)),
        ..Rules::standard()
    }
}

fn coding() -> OwnPresence {
    OwnPresence {
        show: Show::Chat,
        status: "coding".into(),
        priority: 3,
    }
}

/// alice's rosterm, online with bob in its roster and bob's presence in.
async fn alice(server: &Server, initial: OwnPresence) -> Client {
    let mut alice = Client::start(server, "alice", "alice-pw", initial);
    alice.state.auto_away = AutoAway::new(rules(), SystemTime::now());
    alice.until("roster", |s| s.primary().roster_loaded).await;
    alice
}

async fn bob(server: &Server) -> ChatPeer {
    ChatPeer::connect_script(server, "bob", "py", "presence.py", &[]).await
}

fn send(client: &Client, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::Send(_, cmd) = effect {
            client.command(cmd);
        }
    }
}

/// Applies what the session reports for `d`, as the app does (answers included).
async fn pump(client: &mut Client, d: Duration) {
    let _ = tokio::time::timeout(d, async {
        while let Some(ev) = client.handle.events.recv().await {
            client.log.push(ev.clone());
            let effects = rosterm::update::on_session(&mut client.state, A0, ev);
            send(client, effects);
        }
    })
    .await;
}

/// Ticks auto-away (as the loop does when it is due) until the peer got what `pred` wants.
async fn tick_until(
    alice: &mut Client,
    peer: &mut ChatPeer,
    what: &str,
    pred: impl Fn(&Received) -> bool,
) -> Received {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        let effects = auto_away::on_tick(&mut alice.state, SystemTime::now());
        send(alice, effects);
        pump(alice, Duration::from_millis(50)).await;
        peer.drain_for(Duration::from_millis(50)).await;
        if let Some(pos) = peer.received.iter().position(&pred) {
            return peer.received.remove(pos);
        }
    }
    panic!(
        "{} never received {what}; got {:?}",
        peer.jid, peer.received
    )
}

fn from_alice(m: &Received) -> bool {
    m.get("kind").is_some_and(|k| k == "presence")
        && m.get("from")
            .is_some_and(|f| f == "alice@localhost/rosterm")
}

fn field<'a>(m: &'a Received, key: &str) -> Option<&'a str> {
    m.get(key).map(String::as_str)
}

#[tokio::test]
async fn auto_away_then_xa_with_idle_then_back_exactly() {
    let server = server();
    let mut bob = bob(&server).await;
    let mut alice = alice(&server, coding()).await;
    let chat = bob
        .wait_for("alice's own presence", |m| {
            from_alice(m) && field(m, "show") == Some("chat")
        })
        .await;
    assert_eq!(field(&chat, "status"), Some("coding"));
    assert_eq!(field(&chat, "idle"), None);

    let away = tick_until(&mut alice, &mut bob, "auto-away", |m| {
        from_alice(m) && field(m, "show") == Some("away")
    })
    .await;
    assert_eq!(field(&away, "status"), Some("coding"), "{away:?}");
    assert_eq!(field(&away, "priority"), Some("3"), "{away:?}");
    let since = field(&away, "idle").unwrap_or_else(|| panic!("no idle: {away:?}"));
    assert!(
        since.ends_with("+00:00") && since.starts_with("20"),
        "{since}"
    );

    let xa = tick_until(&mut alice, &mut bob, "auto-xa", |m| {
        from_alice(m) && field(m, "show") == Some("xa")
    })
    .await;
    assert_eq!(
        field(&xa, "idle"),
        Some(since),
        "idle since the same moment: {xa:?}"
    );
    assert_eq!(field(&xa, "status"), Some("coding"));
    // The header says so.
    let screen = alice.screen(140, 12);
    assert!(screen.contains("auto-away"), "{screen}");

    // A key: back, exactly as before, and no idle.
    bob.received.clear();
    let back = auto_away::on_activity(&mut alice.state, SystemTime::now());
    send(&alice, back);
    let back = bob
        .wait_for("alice back", |m| {
            from_alice(m) && field(m, "show") == Some("chat")
        })
        .await;
    assert_eq!(field(&back, "status"), Some("coding"), "{back:?}");
    assert_eq!(field(&back, "priority"), Some("3"), "{back:?}");
    assert_eq!(field(&back, "idle"), None, "{back:?}");
    assert_eq!(alice.state.primary().own, coding());
    alice.stop();
    bob.close().await;
}

/// The last-activity query `id` from `peer` to alice's rosterm, and its answer.
async fn ask_idle(peer: &mut ChatPeer, id: &str) -> Received {
    peer.send_xml(&format!(
        "<iq xmlns='jabber:client' type='get' id='{id}' to='alice@localhost/rosterm'>\
         <query xmlns='jabber:iq:last'/></iq>"
    ))
    .await;
    let id = id.to_owned();
    peer.wait_for("the last-activity answer", move |m| {
        m.get("kind").is_some_and(|k| k == "iq") && m.get("id") == Some(&id)
    })
    .await
}

#[tokio::test]
async fn manual_dnd_is_kept_and_last_activity_only_to_a_subscriber() {
    let server = server();
    let mut bob = bob(&server).await;
    let dnd = OwnPresence {
        show: Show::Dnd,
        status: "in a meeting".into(),
        priority: 1,
    };
    let mut alice = alice(&server, dnd.clone()).await;
    bob.wait_for("alice's dnd", |m| {
        from_alice(m) && field(m, "show") == Some("dnd")
    })
    .await;
    // Idle long enough for xa: nothing is sent for a manual dnd.
    let deadline = tokio::time::Instant::now() + WAIT;
    while alice.state.auto_away.phase != rosterm::store::auto_away::Phase::Xa {
        assert!(tokio::time::Instant::now() < deadline, "never auto-xa");
        let effects = auto_away::on_tick(&mut alice.state, SystemTime::now());
        assert!(
            effects.is_empty(),
            "a manual dnd is left alone: {effects:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // bob may know how long alice has been idle: the answer comes after anything alice sent
    // before it, so no other presence of hers means none was sent.
    let answer = answered(&mut alice, ask_idle(&mut bob, "last-1")).await;
    assert_eq!(field(&answer, "type"), Some("result"), "{answer:?}");
    let secs: u64 = field(&answer, "seconds").unwrap().parse().unwrap();
    assert!(secs >= 2, "idle at least as long as xa_after: {secs}");
    assert!(
        !bob.received
            .iter()
            .any(|m| from_alice(m) && field(m, "show") != Some("dnd")),
        "{:?}",
        bob.received
    );
    // carol is a stranger: refused.
    let mut carol = ChatPeer::connect_script(&server, "carol", "py", "presence.py", &[]).await;
    let refused = answered(&mut alice, ask_idle(&mut carol, "last-2")).await;
    assert_eq!(field(&refused, "type"), Some("error"), "{refused:?}");
    assert_eq!(field(&refused, "error"), Some("forbidden"), "{refused:?}");
    assert_eq!(field(&refused, "seconds"), None);
    // Activity: still the manual dnd, nothing to restore.
    assert!(auto_away::on_activity(&mut alice.state, SystemTime::now()).is_empty());
    assert_eq!(alice.state.primary().own, dnd);
    alice.stop();
    bob.close().await;
    carol.close().await;
}

/// `asking`'s answer, alice's client applying (and answering) what comes meanwhile.
async fn answered(
    alice: &mut Client,
    asking: impl std::future::Future<Output = Received>,
) -> Received {
    tokio::select! {
        answer = asking => answer,
        () = pump(alice, WAIT) => panic!("no answer within {WAIT:?}"),
    }
}

#[tokio::test]
async fn a_manual_change_during_auto_away_ends_it_and_stays() {
    let server = server();
    let mut bob = bob(&server).await;
    let mut alice = alice(&server, coding()).await;
    tick_until(&mut alice, &mut bob, "auto-away", |m| {
        from_alice(m) && field(m, "show") == Some("away")
    })
    .await;
    alice.press(crossterm::event::KeyCode::Char('d'));
    let dnd = bob
        .wait_for("the manual dnd", |m| {
            from_alice(m) && field(m, "show") == Some("dnd")
        })
        .await;
    assert_eq!(field(&dnd, "status"), Some("coding"), "{dnd:?}");
    assert_eq!(field(&dnd, "idle"), None, "{dnd:?}");
    assert!(!alice.state.auto_away.active());
    // Idle again, long past xa: the dnd stays.
    let deadline = tokio::time::Instant::now() + WAIT;
    while alice.state.auto_away.phase != rosterm::store::auto_away::Phase::Xa {
        assert!(tokio::time::Instant::now() < deadline, "never auto-xa");
        let effects = auto_away::on_tick(&mut alice.state, SystemTime::now());
        assert!(effects.is_empty(), "{effects:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    alice.stop();
    bob.close().await;
}

#[tokio::test]
async fn auto_away_survives_a_server_restart_and_restores_after_it() {
    let mut server = server();
    let mut alice = alice(&server, coding()).await;
    let away = OwnPresence {
        show: Show::Away,
        ..coding()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while alice.state.primary().own_echo.as_ref() != Some(&away) {
        assert!(tokio::time::Instant::now() < deadline, "never echoed away");
        let effects = auto_away::on_tick(&mut alice.state, SystemTime::now());
        send(&alice, effects);
        pump(&mut alice, Duration::from_millis(50)).await;
    }
    server.restart();
    alice
        .until("reconnecting", |s| {
            matches!(
                s.primary().connection,
                rosterm::domain::ConnState::Reconnecting { .. }
            )
        })
        .await;
    alice
        .until("the new session's echo", |s| {
            s.primary().connection == rosterm::domain::ConnState::Online
                && s.primary().own_echo.is_some()
        })
        .await;
    assert!(
        alice.sessions_started() >= 2,
        "a new session, not a resumption"
    );
    assert_eq!(
        alice.state.primary().own_echo.as_ref(),
        Some(&away),
        "the new session sends the auto-away presence"
    );
    let back = auto_away::on_activity(&mut alice.state, SystemTime::now());
    send(&alice, back);
    alice
        .until("back, echoed", |s| s.primary().own_echo == Some(coding()))
        .await;
    alice.stop();
}

#[tokio::test]
async fn a_contacts_idle_is_shown() {
    let server = server();
    let mut bob = bob(&server).await;
    let mut alice = alice(&server, coding()).await;
    let since = SystemTime::now() - Duration::from_secs(25 * 60 + 30);
    let stamp = xep0082(since);
    bob.send_xml(&format!(
        "<presence xmlns='jabber:client'><show>away</show><status>lunch</status>\
         <idle xmlns='urn:xmpp:idle:1' since='{stamp}'/></presence>"
    ))
    .await;
    alice
        .until("bob's idle", |s| {
            s.primary()
                .roster
                .get(&jid::BareJid::new("bob@localhost").unwrap())
                .and_then(|c| c.resources.get("py"))
                .is_some_and(|p| p.idle.is_some())
        })
        .await;
    assert!(alice
        .log
        .iter()
        .any(|e| matches!(e, SessionEvent::Idle { resource: Some(r), .. } if r == "py")));
    alice.state.settings.clock = SystemTime::now();
    let screen = alice.screen(120, 12);
    let row = screen
        .lines()
        .find(|l| l.contains("Bob"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("idle 25m") && row.contains("lunch"), "{row}");
    alice.stop();
    bob.close().await;
}

/// A XEP-0082 UTC date-time with a `+00:00` offset.
fn xep0082(at: SystemTime) -> String {
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    format!(
        "{}T{:02}:{:02}:{:02}+00:00",
        rosterm::domain::civil_date(days),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Ticks auto-away as the loop does (sending what it asks) until it reaches `phase`.
async fn tick_to(alice: &mut Client, phase: rosterm::store::auto_away::Phase) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while alice.state.auto_away.phase != phase {
        assert!(tokio::time::Instant::now() < deadline, "never {phase:?}");
        let effects = auto_away::on_tick(&mut alice.state, SystemTime::now());
        send(alice, effects);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn auto_away_reaches_every_joined_room_with_idle_and_comes_back() {
    use crate::muc_peer::{field as report_field, MucPeer};
    let server = Server::start_with(crate::harness::Options {
        muc: true,
        ..crate::harness::Options::default()
    });
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    let coven = format!("coven@{}", server.muc_domain());
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    let mut alice = alice(&server, coding()).await;
    alice.type_command(&format!("join {coven}/alice"));
    let id = rosterm::domain::ContactId::new(A0, jid::BareJid::new(&coven).unwrap());
    alice
        .until("joined", |s| s.chats.room(&id).is_some_and(|r| r.joined()))
        .await;
    let me = format!("{coven}/alice");
    tick_to(&mut alice, rosterm::store::auto_away::Phase::Away).await;
    let away = bob
        .presence_from(&me, |r| report_field(r, "show") == "away")
        .await;
    assert_eq!(report_field(&away, "status"), "coding", "{away:?}");
    assert!(report_field(&away, "idle").ends_with("+00:00"), "{away:?}");
    tick_to(&mut alice, rosterm::store::auto_away::Phase::Xa).await;
    bob.presence_from(&me, |r| report_field(r, "show") == "xa")
        .await;
    // Only what comes after xa counts as coming back (the join presence was chat too).
    bob.received.clear();
    let back = auto_away::on_activity(&mut alice.state, SystemTime::now());
    send(&alice, back);
    let back = bob
        .presence_from(&me, |r| report_field(r, "show") == "chat")
        .await;
    assert_eq!(report_field(&back, "status"), "coding", "{back:?}");
    assert_eq!(report_field(&back, "idle"), "", "{back:?}");
    alice.stop();
    bob.close().await;
}
