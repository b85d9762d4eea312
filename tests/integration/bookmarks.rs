//! XEP-0402 bookmarks against a real Prosody (PEP): a bookmark set by rosterm comes back in
//! the account's list, autojoin joins it at the next login (a restart of the session), a
//! bookmark event forged by a contact joins nothing, and a removed bookmark is gone.

use jid::BareJid;
use rosterm::domain::room::Bookmark;
use rosterm::domain::OwnPresence;
use rosterm::event::{Command, SessionEvent};

use crate::client::Client;
use crate::harness::{Options, Server};
use crate::peer::{Peer, WAIT};
use crate::A0;

async fn bookmarks(
    client: &mut Client,
    what: &str,
) -> (Vec<Bookmark>, Vec<rosterm::update::Effect>) {
    let found = tokio::time::timeout(WAIT, async {
        while let Some(ev) = client.handle.events.recv().await {
            let effects = rosterm::update::on_session(&mut client.state, A0, ev.clone());
            if let SessionEvent::Bookmarks(list) = ev {
                return Some((list, effects));
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(got)) => got,
        _ => panic!("no bookmarks ({what})"),
    }
}

fn joins(effects: &[rosterm::update::Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            rosterm::update::Effect::Send(_, Command::JoinRoom { room, nick, .. }) => {
                Some(format!("{room}/{nick}"))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn bookmarks_autojoin_at_login_and_a_forged_event_joins_nothing() {
    let server = Server::start_with(Options {
        muc: true,
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let room = BareJid::new(&format!("dev@{}", server.muc_domain())).unwrap();

    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    let (first, effects) = bookmarks(&mut alice, "after login").await;
    assert!(first.is_empty(), "{first:?}");
    assert!(joins(&effects).is_empty());
    alice.command(Command::SetBookmark(Bookmark {
        room: room.clone(),
        name: Some("Dev".into()),
        nick: Some("ally".into()),
        password: None,
        autojoin: true,
    }));
    let (after, _) = bookmarks(&mut alice, "after the set").await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(
        (&after[0].room, after[0].nick.as_deref(), after[0].autojoin),
        (&room, Some("ally"), true)
    );
    drop(alice);

    // The next login: the bookmark is joined (in the background), the forged one is not.
    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    let (list, effects) = bookmarks(&mut alice, "after the restart").await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(joins(&effects), [format!("{room}/ally")]);

    // A contact pushes a bookmark event of its own: never read (sent while alice is online).
    let bob = Peer::connect(&server, "bob", "pc").await;
    bob.send_xml(&format!(
        "<message xmlns='jabber:client' to='alice@localhost' type='headline'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:bookmarks:1'>\
         <item id='evil@{0}'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'><nick>pwned</nick></conference></item>\
         </items></event></message>",
        server.muc_domain()
    ))
    .await;

    alice.command(Command::RemoveBookmark(room.clone()));
    let (gone, effects) = bookmarks(&mut alice, "after the removal").await;
    assert!(gone.is_empty(), "{gone:?}");
    assert!(joins(&effects).is_empty());
    let evil = BareJid::new(&format!("evil@{}", server.muc_domain())).unwrap();
    assert!(alice
        .state
        .chats
        .get(&rosterm::domain::ContactId::new(A0, evil))
        .is_none());
    assert!(alice.state.primary().bookmarks.is_empty());
    drop(bob);
}

/// XEP-0402 `+notify`: a bookmark added by another client of the same account reaches the
/// running rosterm at once (no new login), which joins it when it says autojoin; one it
/// removes is gone from the list.
#[tokio::test]
async fn a_bookmark_added_by_another_client_is_joined_live() {
    let server = Server::start_with(Options {
        muc: true,
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    let room = BareJid::new(&format!("live@{}", server.muc_domain())).unwrap();
    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    let (first, _) = bookmarks(&mut alice, "after login").await;
    assert!(first.is_empty(), "{first:?}");

    let phone = crate::peer::account(&server, "alice", Some("phone"));
    let mut other = Client::start_account(phone, "alice-pw", OwnPresence::default());
    let _ = bookmarks(&mut other, "the other client's login").await;
    other.command(Command::SetBookmark(Bookmark {
        room: room.clone(),
        name: Some("Live".into()),
        nick: Some("ally".into()),
        password: None,
        autojoin: true,
    }));
    let (live, effects) = bookmarks(&mut alice, "the event from the other client").await;
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].room, room);
    assert_eq!(joins(&effects), [format!("{room}/ally")]);

    other.command(Command::RemoveBookmark(room.clone()));
    let (gone, effects) = bookmarks(&mut alice, "the retraction").await;
    assert!(gone.is_empty(), "{gone:?}");
    assert!(joins(&effects).is_empty());
}
