//! Instant start: the roster saved in the local database is on screen before the server
//! answers, and with roster versioning the server then sends only what changed.

use jid::BareJid;
use rosterm::domain::ConnState;
use rosterm::domain::OwnPresence;
use rosterm::event::{Command, SessionEvent};
use rosterm::history::{History, Writer};

use crate::client::Client;
use crate::harness::Server;
use crate::peer::{account, mutual};

fn alice() -> BareJid {
    BareJid::new("alice@localhost").unwrap()
}

#[tokio::test]
async fn the_saved_roster_shows_at_once_and_only_changes_are_fetched() {
    let server = Server::start();
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[mutual("bob@localhost", "Bob")]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rosterm.sqlite3");

    // First run: nothing saved; the roster and its version are written as they arrive.
    let writer = Writer::spawn(History::open(&db).unwrap(), alice()).unwrap();
    let mut first = Client::start_cached(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        Default::default(),
        writer.sink(),
    );
    assert!(
        first.state.primary().roster.is_empty() && first.state.primary().cached_since.is_none()
    );
    first
        .until("online with roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    first.stop();
    writer.finish(std::time::Duration::from_secs(10));
    let cached = History::open(&db).unwrap().load_roster(&alice()).unwrap();
    assert_eq!(cached.items.len(), 1);
    assert_eq!(cached.items[0].name.as_deref(), Some("Bob"));
    let ver = cached.ver.clone().expect("Prosody versions rosters");

    // Second run: Bob is there before any event, marked as not yet confirmed.
    let writer = Writer::spawn(History::open(&db).unwrap(), alice()).unwrap();
    let mut second = Client::start_cached(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        cached,
        writer.sink(),
    );
    let bob = second
        .state
        .primary()
        .roster
        .get(&BareJid::new("bob@localhost").unwrap());
    assert_eq!(bob.and_then(|c| c.name.as_deref()), Some("Bob"));
    assert!(second.state.primary().cached_since.is_some());
    second
        .until("confirmed by the server", |s| {
            s.primary().roster_loaded && s.primary().cached_since.is_none()
        })
        .await;
    assert!(
        second.log.contains(&SessionEvent::RosterUnchanged),
        "{:?}",
        second.log
    );
    assert!(
        !second
            .log
            .iter()
            .any(|e| matches!(e, SessionEvent::RosterReceived(_))),
        "the unchanged roster was not downloaded again: {:?}",
        second.log
    );
    // A change while online reaches the database with its new version.
    second.command(Command::Subscribe {
        jid: BareJid::new("carol@localhost").unwrap(),
        name: Some("Carol".into()),
    });
    second
        .until("carol added", |s| {
            s.primary()
                .roster
                .get(&BareJid::new("carol@localhost").unwrap())
                .is_some_and(|c| c.in_roster)
        })
        .await;
    second.settle(std::time::Duration::from_millis(500)).await;
    second.stop();
    writer.finish(std::time::Duration::from_secs(10));
    let after = History::open(&db).unwrap().load_roster(&alice()).unwrap();
    assert_eq!(after.items.len(), 2, "{:?}", after.items);
    assert_ne!(
        after.ver.as_deref(),
        Some(ver.as_str()),
        "the version moved on"
    );
}
