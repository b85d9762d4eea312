//! Last seen against Prosody (with `lastactivity`): a contact that goes online then offline
//! is "seen" on its row, still after rosterm starts again on the same database, and `/last`
//! asks the server about a contact nothing is known of.

use std::time::SystemTime;

use jid::BareJid;
use rosterm::domain::OwnPresence;
use rosterm::history::{History, Writer};
use rosterm::store::State;

use crate::chat_peer::ChatPeer;
use crate::client::Client;
use crate::harness::Server;
use crate::peer::{account, mutual};

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn seen(s: &State, who: &str) -> Option<SystemTime> {
    s.primary().roster.get(&jid(who)).and_then(|c| c.last_seen)
}

fn row(client: &mut Client, name: &str) -> String {
    client.state.settings.clock = SystemTime::now();
    let screen = client.screen(120, 14);
    screen
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("{screen}"))
        .to_owned()
}

#[tokio::test]
async fn a_contact_that_leaves_is_seen_after_a_restart_too_and_last_asks_the_server() {
    let server = Server::start();
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster(
        "alice",
        &[
            mutual("bob@localhost", "Bob"),
            mutual("carol@localhost", "Carol"),
        ],
    );
    server.set_roster("bob", &[mutual("alice@localhost", "Alice")]);
    server.set_roster("carol", &[mutual("alice@localhost", "Alice")]);
    // carol was online once, before alice's rosterm ever ran: only the server knows.
    ChatPeer::connect(&server, "carol", "py", false)
        .await
        .close()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rosterm.sqlite3");
    let me = jid("alice@localhost");

    let writer = Writer::spawn(History::open(&db).unwrap(), me.clone()).unwrap();
    let mut first = Client::start_cached(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        Default::default(),
        writer.sink(),
    );
    first.until("roster", |s| s.primary().roster_loaded).await;
    let bob = ChatPeer::connect(&server, "bob", "py", false).await;
    first
        .until("bob online", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| !c.resources.is_empty())
        })
        .await;
    assert_eq!(seen(&first.state, "bob@localhost"), None);
    bob.close().await;
    first
        .until("bob seen leaving", |s| seen(s, "bob@localhost").is_some())
        .await;
    let bob_row = row(&mut first, "Bob");
    assert!(
        bob_row.contains("seen ") && bob_row.contains(" ago"),
        "{bob_row}"
    );
    // carol's offline answer to the login probe is not a departure.
    assert_eq!(seen(&first.state, "carol@localhost"), None);
    let left = seen(&first.state, "bob@localhost");
    first.stop();
    writer.finish(std::time::Duration::from_secs(10));

    // The log on disk: bob online, then offline; carol not at all.
    let history = History::open(&db).unwrap();
    let log = history.transitions(&me, &jid("bob@localhost"), 20).unwrap();
    let shows: Vec<_> = log.iter().map(|t| t.show).collect();
    assert_eq!(
        shows,
        [Some(rosterm::domain::Show::Online), None],
        "{log:?}"
    );
    assert!(history
        .transitions(&me, &jid("carol@localhost"), 20)
        .unwrap()
        .is_empty());
    let cached = history.load_roster(&me).unwrap();
    assert_eq!(cached.seen.len(), 1, "{:?}", cached.seen);

    // Started again on the same database: bob is seen before the server says anything,
    // and still once it has.
    let writer = Writer::spawn(History::open(&db).unwrap(), me.clone()).unwrap();
    let mut second = Client::start_cached(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        cached,
        writer.sink(),
    );
    assert!(row(&mut second, "Bob").contains("seen "));
    second.until("roster", |s| s.primary().roster_loaded).await;
    let kept = seen(&second.state, "bob@localhost");
    assert!(kept.is_some() && kept <= left.map(|t| t + std::time::Duration::from_millis(1)));
    assert!(row(&mut second, "Bob").contains("seen "));

    // Nothing is known of carol: /last asks the server, which answers for her bare JID.
    second.type_command("/last carol@localhost");
    second
        .until("carol's last activity", |s| {
            seen(s, "carol@localhost").is_some()
        })
        .await;
    let (text, _) = second.state.ui.message.clone().unwrap();
    assert!(text.starts_with("carol@localhost: seen "), "{text}");
    assert!(row(&mut second, "Carol").contains("seen "));
    // A stranger's server refuses (it is not subscribed): one sentence.
    second.type_command("/last nobody@localhost");
    second
        .until("the refusal", |s| {
            s.ui.message
                .as_ref()
                .is_some_and(|(t, _)| t.starts_with("nobody@localhost did not say"))
        })
        .await;
    second.stop();
    writer.finish(std::time::Duration::from_secs(10));
    let history = History::open(&db).unwrap();
    assert_eq!(
        history
            .transitions(&me, &jid("carol@localhost"), 20)
            .unwrap()
            .len(),
        1
    );
}
