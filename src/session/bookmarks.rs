//! XEP-0402 bookmarks (PEP node `urn:xmpp:bookmarks:1`) of the own account: fetched after
//! every new session, published and retracted on the user's command, each change followed
//! by a fetch so the app always gets the whole list (`SessionEvent::Bookmarks`).
//!
//! Only the own account answers (the tracker accepts answers from it only). rosterm asks
//! for bookmark events (`+notify` in its caps), and an event from the own bare JID makes it
//! fetch the list again (`translate::message`): what is joined always comes from the own
//! account's answer, never from an event, so a bookmark pushed by anyone else can never
//! make rosterm join anything (CVE-2023-28686 class).

use jid::BareJid;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::{Element, ElementBuilder};
use xmpp_parsers::stanza::Stanza;

use crate::domain::room::Bookmark;
use crate::event::SessionEvent;

use super::requests::RequestKind;
use super::Session;

pub const NODE: &str = "urn:xmpp:bookmarks:1";
const PUBSUB: &str = "http://jabber.org/protocol/pubsub";
const DATA: &str = "jabber:x:data";

/// `attr` with a name known to be valid (minidom wants an `NcName`).
trait Attr {
    fn set(self, name: &str, value: &str) -> Self;
}

impl Attr for ElementBuilder {
    fn set(self, name: &str, value: &str) -> Self {
        match xmpp_parsers::minidom::rxml::NcName::try_from(name) {
            Ok(n) => self.attr(n, value),
            Err(_) => self,
        }
    }
}

fn iq_get(id: String, payload: Element) -> Iq {
    Iq::Get {
        from: None,
        to: None,
        id,
        payload,
    }
}

fn iq_set(id: String, payload: Element) -> Iq {
    Iq::Set {
        from: None,
        to: None,
        id,
        payload,
    }
}

/// `<pubsub><items node='urn:xmpp:bookmarks:1'/></pubsub>`.
pub fn build_fetch() -> Element {
    Element::builder("pubsub", PUBSUB)
        .append(Element::builder("items", PUBSUB).set("node", NODE))
        .build()
}

fn field(var: &str, value: &str) -> Element {
    Element::builder("field", DATA)
        .set("var", var)
        .append(Element::builder("value", DATA).append(value))
        .build()
}

/// Publishes one bookmark, private to the account (XEP-0402 §3.1 publish-options).
pub fn build_publish(b: &Bookmark) -> Element {
    let mut conference = Element::builder("conference", NODE)
        .set("autojoin", if b.autojoin { "true" } else { "false" });
    if let Some(name) = &b.name {
        conference = conference.set("name", name.as_str());
    }
    if let Some(nick) = &b.nick {
        conference = conference.append(Element::builder("nick", NODE).append(nick.as_str()));
    }
    if let Some(password) = &b.password {
        conference =
            conference.append(Element::builder("password", NODE).append(password.as_str()));
    }
    let item = Element::builder("item", PUBSUB)
        .set("id", b.room.as_str())
        .append(conference);
    let form = Element::builder("x", DATA)
        .set("type", "submit")
        .append(field(
            "FORM_TYPE",
            "http://jabber.org/protocol/pubsub#publish-options",
        ))
        .append(field("pubsub#persist_items", "true"))
        .append(field("pubsub#max_items", "max"))
        .append(field("pubsub#send_last_published_item", "never"))
        .append(field("pubsub#access_model", "whitelist"));
    Element::builder("pubsub", PUBSUB)
        .append(
            Element::builder("publish", PUBSUB)
                .set("node", NODE)
                .append(item),
        )
        .append(Element::builder("publish-options", PUBSUB).append(form))
        .build()
}

/// Retracts one bookmark.
pub fn build_retract(room: &BareJid) -> Element {
    Element::builder("pubsub", PUBSUB)
        .append(
            Element::builder("retract", PUBSUB)
                .set("node", NODE)
                .set("notify", "true")
                .append(Element::builder("item", PUBSUB).set("id", room.as_str())),
        )
        .build()
}

/// The bookmarks in a fetch's answer; an item that is not a room bookmark is skipped.
pub fn read_items(payload: &Element) -> Vec<Bookmark> {
    let Some(items) = payload.get_child("items", PUBSUB) else {
        return Vec::new();
    };
    items
        .children()
        .filter(|i| i.is("item", PUBSUB))
        .filter_map(read_item)
        .collect()
}

fn read_item(item: &Element) -> Option<Bookmark> {
    let room = BareJid::new(item.attr("id")?)
        .ok()
        .filter(|j| j.node().is_some())?;
    let c = item.get_child("conference", NODE)?;
    let text = |name: &str| {
        c.get_child(name, NODE)
            .map(|e| crate::sanitize::sanitize(&e.text(), 256))
            .filter(|t| !t.is_empty())
    };
    Some(Bookmark {
        room,
        name: c.attr("name").map(|n| crate::sanitize::sanitize(n, 256)),
        nick: text("nick"),
        // A password is not shown anywhere; kept as sent.
        password: c
            .get_child("password", NODE)
            .map(|e| e.text())
            .filter(|p| !p.is_empty()),
        autojoin: matches!(c.attr("autojoin"), Some("true" | "1")),
    })
}

impl Session {
    /// Asks the own account for its bookmarks.
    pub(super) async fn fetch_bookmarks(&mut self) {
        self.requests.forget(|k| *k == RequestKind::Bookmarks);
        let id = self
            .requests
            .track(RequestKind::Bookmarks, tokio::time::Instant::now());
        self.send(Stanza::Iq(iq_get(id, build_fetch()))).await;
    }

    pub(super) async fn set_bookmark(&mut self, bookmark: Bookmark) {
        let what = format!("bookmarking {}", bookmark.room);
        self.bookmark_change(what, build_publish(&bookmark)).await;
    }

    pub(super) async fn remove_bookmark(&mut self, room: BareJid) {
        let what = format!("removing the bookmark of {room}");
        self.bookmark_change(what, build_retract(&room)).await;
    }

    async fn bookmark_change(&mut self, what: String, payload: Element) {
        if !self.online {
            let text = format!("Not connected: {what} was not done.");
            self.emit(SessionEvent::Notice(text)).await;
            return;
        }
        let kind = RequestKind::BookmarkSet { what };
        let id = self.requests.track(kind, tokio::time::Instant::now());
        self.send(Stanza::Iq(iq_set(id, payload))).await;
    }

    /// The fetch was answered: the whole list (none when the node does not exist yet).
    pub(super) async fn on_bookmarks_answer(
        &mut self,
        stanza: &Stanza,
        error: Option<String>,
    ) -> bool {
        let list = match (stanza, error) {
            (
                Stanza::Iq(Iq::Result {
                    payload: Some(p), ..
                }),
                None,
            ) => read_items(p),
            (_, Some(error)) if !error.contains("item-not-found") => {
                tracing::info!("bookmarks not available: {error}");
                Vec::new()
            }
            _ => Vec::new(),
        };
        self.emit(SessionEvent::Bookmarks(list)).await
    }

    /// A change was answered: refused is a notice; done, the list is fetched again.
    pub(super) async fn on_bookmark_set_answer(
        &mut self,
        what: String,
        error: Option<String>,
    ) -> bool {
        if let Some(error) = error {
            let text = format!("The server refused {what}: {error}.");
            return self.emit(SessionEvent::Notice(text)).await;
        }
        self.fetch_bookmarks().await;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bookmark(autojoin: bool) -> Bookmark {
        Bookmark {
            room: BareJid::new("dev@conf.example").unwrap(),
            name: Some("Dev".into()),
            nick: Some("ally".into()),
            password: Some("s3<c>".into()),
            autojoin,
        }
    }

    #[test]
    fn a_published_bookmark_reads_back_the_same() {
        let publish = build_publish(&bookmark(true));
        let item = publish
            .get_child("publish", PUBSUB)
            .and_then(|p| p.get_child("item", PUBSUB))
            .unwrap()
            .clone();
        let answer = Element::builder("pubsub", PUBSUB)
            .append(
                Element::builder("items", PUBSUB)
                    .set("node", NODE)
                    .append(item),
            )
            .build();
        assert_eq!(read_items(&answer), [bookmark(true)]);
        let text = String::from(&publish);
        assert!(text.contains("pubsub#access_model"), "{text}");
        assert!(text.contains("whitelist"), "{text}");
    }

    #[test]
    fn items_that_are_not_room_bookmarks_are_skipped() {
        let answer: Element = "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:bookmarks:1'>\
            <item id='not a jid'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'/></item>\
            <item id='conf.example'><conference xmlns='urn:xmpp:bookmarks:1'/></item>\
            <item id='ok@conf.example'><other xmlns='urn:x'/></item>\
            <item id='b@conf.example'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='1'><nick>x\u{202e}y</nick></conference></item>\
            </items></pubsub>"
            .parse()
            .unwrap();
        let got = read_items(&answer);
        assert_eq!(got.len(), 1);
        assert!(got[0].autojoin);
        assert!(!got[0]
            .nick
            .as_deref()
            .unwrap_or_default()
            .contains('\u{202e}'));
    }
}
