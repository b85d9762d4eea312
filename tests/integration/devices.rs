//! Devices and clocks against Prosody, with real slixmpp peers (`tests/peers/device.py`):
//! a peer's XEP-0115 caps give its row a device glyph; a peer that answers disco#info
//! with something its `ver` does not hash to poisons nothing, and a storm of its presences
//! costs one query; a restart of rosterm asks nobody again (the cache on disk); rosterm
//! answers XEP-0202 time queries with `+00:00`, asks a peer whose caps say it answers
//! them, and reads its `Z`.

use std::time::{Duration, SystemTime};

use jid::BareJid;
use rosterm::domain::device::DeviceKind;
use rosterm::domain::OwnPresence;
use rosterm::history::{History, Writer};

use crate::chat_peer::{ChatPeer, Received};
use crate::client::Client;
use crate::harness::Server;
use crate::peer::{account, mutual};

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

/// `user/resource` as a device of `type_` named `name`, answering disco#info as
/// `answer_type` and time queries with `tzo`.
async fn device(
    server: &Server,
    user: &str,
    resource: &str,
    (type_, name): (&str, &str),
    answer_type: &str,
    tzo: &str,
) -> ChatPeer {
    let args = [type_, name, answer_type, tzo];
    ChatPeer::connect_script(server, user, resource, "device.py", &args).await
}

/// A disco#info query from rosterm (Prosody's PEP service asks too, from the bare JID).
fn is_disco(m: &Received) -> bool {
    m.get("kind").map(String::as_str) == Some("disco")
        && m.get("from").map(String::as_str) == Some("alice@localhost/rosterm")
}

fn glyph(kind: DeviceKind) -> String {
    rosterm::ui::theme::device(kind).0
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

/// The device the store shows for a contact's only resource.
fn kind_of(client: &Client, who: &str) -> Option<DeviceKind> {
    let account = client.state.primary();
    let contact = account.roster.get(&jid(who))?;
    let (_, p) = contact.best()?;
    account.client_of(p).map(|c| c.kind)
}

fn friends(server: &Server, users: &[&str]) {
    server.register("alice", "alice-pw");
    let entries: Vec<_> = users
        .iter()
        .map(|u| mutual(&format!("{u}@localhost"), u))
        .collect();
    server.set_roster("alice", &entries);
    for user in users {
        server.register(user, &format!("{user}-pw"));
        server.set_roster(user, &[mutual("alice@localhost", "Alice")]);
    }
}

#[tokio::test]
async fn a_device_glyph_comes_from_verified_caps_and_a_poisoner_changes_nothing() {
    let server = Server::start();
    friends(&server, &["mallory", "bob"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rosterm.sqlite3");
    let me = jid("alice@localhost");
    let writer = Writer::spawn(History::open(&db).unwrap(), me.clone()).unwrap();
    let mut alice = Client::start_cached(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        Default::default(),
        writer.sink(),
    );
    alice.until("roster", |s| s.primary().roster_loaded).await;

    // mallory advertises the ver of a phone named "Phone", and answers as a bot.
    let mut mallory = device(&server, "mallory", "x", ("phone", "Phone"), "bot", "Z").await;
    let asked = mallory.wait_for("a disco#info query", is_disco).await;
    assert!(
        asked["node"].starts_with("https://rosterm.invalid/test-device#"),
        "{asked:?}"
    );
    assert_eq!(asked["from"], "alice@localhost/rosterm");
    // A storm of the same presence asks nothing more.
    let caps_presence = format!(
        "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
         node='https://rosterm.invalid/test-device' ver='{}'/><status>again</status></presence>",
        asked["node"].rsplit('#').next().unwrap()
    );
    for _ in 0..5 {
        mallory.send_xml(&caps_presence).await;
    }
    alice
        .until("mallory's storm", |s| {
            s.primary()
                .roster
                .get(&jid("mallory@localhost"))
                .and_then(|c| c.best())
                .is_some_and(|(_, p)| p.status == "again")
        })
        .await;

    // bob really is that phone: he is asked (mallory's answer was not cached) and believed.
    let mut bob = device(&server, "bob", "phone", ("phone", "Phone"), "phone", "Z").await;
    let asked_bob = bob.wait_for("a disco#info query", is_disco).await;
    assert_eq!(asked_bob["node"], asked["node"], "the same ver");
    alice
        .until("bob's device", |s| {
            let a = s.primary();
            a.roster
                .get(&jid("bob@localhost"))
                .and_then(|c| c.best())
                .and_then(|(_, p)| a.client_of(p))
                .is_some()
        })
        .await;
    assert_eq!(kind_of(&alice, "bob@localhost"), Some(DeviceKind::Phone));
    let bob_row = row(&mut alice, "bob");
    assert!(bob_row.contains(&glyph(DeviceKind::Phone)), "{bob_row}");
    // Nobody is a bot: mallory advertised a phone's ver, and a phone is what it stands for.
    let mallory_row = row(&mut alice, "mallory");
    assert!(
        !mallory_row.contains(&glyph(DeviceKind::Bot)),
        "{mallory_row}"
    );
    assert_ne!(kind_of(&alice, "mallory@localhost"), Some(DeviceKind::Bot));
    mallory.drain_for(Duration::from_secs(1)).await;
    assert!(
        !mallory.received.iter().any(is_disco),
        "mallory was asked again: {:?}",
        mallory.received
    );
    alice.stop();
    writer.finish(Duration::from_secs(10));
    let cached = History::open(&db).unwrap().load_caps().unwrap();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(
        cached[0].1.identities,
        [("client".into(), "phone".into(), Some("Phone".into()))]
    );
    mallory.close().await;
    bob.close().await;
}

#[tokio::test]
async fn after_a_restart_the_cached_caps_are_used_without_a_query() {
    let server = Server::start();
    friends(&server, &["bob"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rosterm.sqlite3");
    let me = jid("alice@localhost");
    let mut bob = device(&server, "bob", "laptop", ("pc", "Gajim"), "pc", "Z").await;

    let writer = Writer::spawn(History::open(&db).unwrap(), me.clone()).unwrap();
    let mut first = Client::start_cached(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        Default::default(),
        writer.sink(),
    );
    bob.wait_for("the first query", is_disco).await;
    first
        .until("bob's pc", |s| {
            let a = s.primary();
            a.roster
                .get(&jid("bob@localhost"))
                .and_then(|c| c.best())
                .is_some_and(|(_, p)| a.client_of(p).is_some())
        })
        .await;
    first.stop();
    writer.finish(Duration::from_secs(10));

    let history = History::open(&db).unwrap();
    let caps = history.load_caps().unwrap();
    let cached = history.load_roster(&me).unwrap();
    assert_eq!(caps.len(), 1);
    let writer = Writer::spawn(history, me.clone()).unwrap();
    let mut second = Client::start_with(
        account(&server, "alice", Some("rosterm")),
        "alice-pw",
        OwnPresence::default(),
        cached,
        writer.sink(),
        None,
        caps,
    );
    second
        .until("bob's pc, from the cache", |s| {
            let a = s.primary();
            a.roster
                .get(&jid("bob@localhost"))
                .and_then(|c| c.best())
                .is_some_and(|(_, p)| a.client_of(p).is_some())
        })
        .await;
    assert_eq!(kind_of(&second, "bob@localhost"), Some(DeviceKind::Pc));
    assert!(row(&mut second, "bob").contains(&glyph(DeviceKind::Pc)));
    // The query would have gone out with bob's presence, before the glyph could show.
    bob.drain_for(Duration::from_secs(1)).await;
    assert!(
        !bob.received.iter().any(is_disco),
        "asked again after a restart: {:?}",
        bob.received
    );
    second.stop();
    writer.finish(Duration::from_secs(10));
    bob.close().await;
}

#[tokio::test]
async fn time_is_answered_with_plus_zero_and_a_peers_z_is_read() {
    let server = Server::start();
    friends(&server, &["bob"]);
    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    alice.until("roster", |s| s.primary().roster_loaded).await;
    let mut bob = device(&server, "bob", "phone", ("phone", "Phone"), "phone", "Z").await;
    alice
        .until("bob online", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| !c.resources.is_empty())
        })
        .await;

    // rosterm's answer to a time query: UTC, offset written +00:00.
    bob.send_xml("ask-time alice@localhost/rosterm").await;
    let answer = bob
        .wait_for("rosterm's time", |m| {
            m.get("kind").map(String::as_str) == Some("time")
        })
        .await;
    assert_eq!(answer["from"], "alice@localhost/rosterm");
    assert_eq!(answer["tzo"], "+00:00");
    assert!(answer["utc"].ends_with('Z'), "{answer:?}");

    // bob's caps say it answers time queries: rosterm asks once on its own; its "Z" reads
    // as UTC+00:00.
    let is_time_query = |m: &Received| m.get("kind").map(String::as_str) == Some("time-query");
    bob.wait_for("a time query", is_time_query).await;
    alice
        .until("bob's clock", |s| {
            s.primary()
                .devices
                .clock(&jid("bob@localhost"), "phone")
                .is_some()
        })
        .await;
    assert_eq!(
        alice
            .state
            .primary()
            .devices
            .clock(&jid("bob@localhost"), "phone"),
        Some(0)
    );
    // The detail view asks again (the contact may have travelled).
    alice.type_command("/status get bob@localhost");
    bob.wait_for("a time query from the detail view", is_time_query)
        .await;
    alice
        .until("bob's software (XEP-0092)", |s| {
            s.primary()
                .devices
                .version(&jid("bob@localhost"), "phone")
                .is_some()
        })
        .await;
    alice.state.settings.clock = SystemTime::now();
    let screen = alice.screen(120, 30);
    assert!(
        screen.contains("software \"Phone 1.0 (TestOS)\""),
        "{screen}"
    );
    assert!(screen.contains("(UTC+00:00)"), "{screen}");
    assert!(screen.contains("client \"Phone\""), "{screen}");
    alice.stop();
    bob.close().await;
}

#[tokio::test]
async fn rosterms_own_presence_carries_caps_that_verify_against_its_answer() {
    use xmpp_parsers::caps::{compute_disco, hash_caps, Caps};
    use xmpp_parsers::disco::DiscoInfoResult;
    use xmpp_parsers::iq::Iq;
    use xmpp_parsers::stanza::Stanza;

    let server = Server::start();
    friends(&server, &["bob"]);
    let mut bob = crate::peer::Peer::connect(&server, "bob", "peer").await;
    bob.presence("", "", 0).await;
    let alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    let presence = bob
        .wait_for("rosterm's presence", |s| {
            crate::peer::presence_from(s, "alice@localhost/rosterm").is_some()
        })
        .await;
    let Stanza::Presence(p) = presence else {
        unreachable!()
    };
    let caps = p
        .payloads
        .iter()
        .find_map(|e| Caps::try_from(e.clone()).ok())
        .expect("a <c/> in rosterm's presence");
    let ver = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&caps.ver)
    };
    let node = format!("{}#{ver}", caps.node);
    bob.send_xml(&format!(
        "<iq xmlns='jabber:client' type='get' id='caps1' to='alice@localhost/rosterm'>\
         <query xmlns='http://jabber.org/protocol/disco#info' node='{node}'/></iq>"
    ))
    .await;
    let answer = bob
        .wait_for(
            "the disco#info answer",
            |s| matches!(s, Stanza::Iq(Iq::Result { id, .. }) if id == "caps1"),
        )
        .await;
    let Stanza::Iq(Iq::Result {
        payload: Some(query),
        ..
    }) = answer
    else {
        panic!("no payload: {answer:?}")
    };
    let disco = DiscoInfoResult::try_from(query).expect("a disco#info result");
    assert_eq!(disco.node.as_deref(), Some(node.as_str()));
    assert!(disco.features.contains("urn:xmpp:time"));
    let hash = hash_caps(&compute_disco(&disco), caps.hash).unwrap();
    assert_eq!(
        hash.hash, caps.ver,
        "rosterm's ver is the hash of its own answer"
    );
    alice.stop();
    bob.close().await;
}

/// A room occupant's caps, asked of its occupant JID (the room relays the query), give its
/// row in the room's occupant list a device glyph; rosterm's own presence in the room
/// carries its caps too.
#[tokio::test]
async fn a_room_occupants_caps_give_its_row_a_device_glyph() {
    let server = Server::start_with(crate::harness::Options {
        muc: true,
        ..crate::harness::Options::default()
    });
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let room = jid(&format!("devs@{}", server.muc_domain()));
    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    alice
        .until("online", |s| {
            s.primary().connection == rosterm::domain::ConnState::Online
        })
        .await;
    alice.type_command(&format!("/join {room}"));
    let id = rosterm::domain::ContactId::new(crate::A0, room.clone());
    alice
        .until("joined", |s| s.chats.room(&id).is_some_and(|r| r.joined()))
        .await;
    let mut phone = device(&server, "bob", "phone", ("phone", "Pocket"), "phone", "Z").await;
    phone.send_xml(&format!("join {room}/bobby")).await;
    let phone_of = |s: &rosterm::store::State| {
        let room = s.chats.room(&id)?;
        let ver = room.occupants.get("bobby")?.caps.clone()?;
        s.primary().devices.client_for(&ver).map(|c| c.kind)
    };
    alice
        .until("bobby's phone known", |s| {
            phone_of(s) == Some(DeviceKind::Phone)
        })
        .await;
    // Asked of the occupant JID, relayed by the room to bob's real resource (Prosody's PEP
    // service asks too, from bob's bare JID).
    let from_room = format!("{room}/");
    phone
        .wait_for("a disco#info query relayed by the room", |m| {
            m.get("kind").map(String::as_str) == Some("disco")
                && m.get("from").is_some_and(|f| f.starts_with(&from_room))
        })
        .await;
    let screen = alice.screen(120, 12);
    let row = screen
        .lines()
        .find(|l| l.contains("bobby"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains(&glyph(DeviceKind::Phone)), "{screen}");
    alice.stop();
    phone.close().await;
}
