//! The message stanzas rosterm sends (chat, chat states, receipts) and the IQs of carbons
//! (XEP-0280) and archive queries (XEP-0313).

use jid::{BareJid, Jid};
use xmpp_parsers::chatstates::ChatState as XChatState;
use xmpp_parsers::data_forms::{DataForm, DataFormType, Field};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::mam::{Query, QueryId};
use xmpp_parsers::message::{Id, Lang, Message};
use xmpp_parsers::message_correct::Replace;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::receipts::{Received, Request};
use xmpp_parsers::rsm::SetQuery;
use xmpp_parsers::stanza_id::OriginId;

use crate::domain::{ChatState, Outgoing};

/// XEP-0334 hints.
const HINTS: &str = "urn:xmpp:hints";

fn empty(name: &str, namespace: &str) -> Element {
    Element::builder(name, namespace).build()
}

/// A chat message: body, id (also its XEP-0359 origin-id), a receipt request and
/// `<active/>` when `receipts_and_states`, `<replace/>` for a correction.
pub fn build_chat(out: &Outgoing) -> Message {
    let mut m = Message::chat(Some(out.to.clone())).with_body(Lang::new(), out.body.clone());
    m.id = Some(Id(out.id.clone()));
    m.payloads.push(OriginId { id: out.id.clone() }.into());
    if out.receipts_and_states {
        m.payloads.push(Request.into());
        m.payloads.push(XChatState::Active.into());
    }
    if let Some(original) = &out.replaces {
        m.payloads.push(
            Replace {
                id: Id(original.clone()),
            }
            .into(),
        );
    }
    m
}

fn x_state(state: ChatState) -> XChatState {
    match state {
        ChatState::Active => XChatState::Active,
        ChatState::Composing => XChatState::Composing,
        ChatState::Paused => XChatState::Paused,
        ChatState::Inactive => XChatState::Inactive,
        ChatState::Gone => XChatState::Gone,
    }
}

/// A standalone chat state (XEP-0085), not to be archived or stored offline (XEP-0334).
pub fn build_chat_state(to: &Jid, state: ChatState) -> Message {
    let mut m = Message::chat(Some(to.clone()));
    m.payloads.push(x_state(state).into());
    m.payloads.push(empty("no-store", HINTS));
    m
}

/// A receipt (XEP-0184) for the message with `id`.
pub fn build_receipt(to: &Jid, id: &str) -> Message {
    let mut m = Message::chat(Some(to.clone()));
    m.payloads.push(Received { id: id.to_owned() }.into());
    m.payloads.push(empty("store", HINTS));
    m
}

/// Enables carbons (XEP-0280) for this session.
pub fn build_carbons_enable(id: &str) -> Iq {
    Iq::from_set(id.to_owned(), xmpp_parsers::carbons::Enable)
}

/// Where in the archive a query starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The newest messages (an empty RSM `<before/>`).
    Newest,
    /// Older than this archive id.
    Before(String),
    /// Newer than this archive id (catch-up).
    After(String),
}

/// An archive query (XEP-0313) of the own archive, `queryid` = the IQ's `id`; `with`
/// limits it to one conversation; at most `max` results per page (RSM, XEP-0059).
pub fn build_archive_query(id: &str, with: Option<&BareJid>, page: &Page, max: u32) -> Iq {
    let fields = with
        .map(|w| Field::text_single("with", w.as_str()))
        .into_iter()
        .collect();
    let (before, after) = match page {
        Page::Newest => (Some(String::new()), None),
        Page::Before(key) => (Some(key.clone()), None),
        Page::After(key) => (None, Some(key.clone())),
    };
    let query = Query {
        queryid: Some(QueryId(id.to_owned())),
        node: None,
        form: Some(DataForm::new(DataFormType::Submit, ns::MAM, fields)),
        set: Some(SetQuery {
            max: Some(max as usize),
            after,
            before,
            index: None,
        }),
        flip_page: false,
    };
    Iq::from_set(id.to_owned(), query)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    fn out(receipts_and_states: bool, replaces: Option<&str>) -> Outgoing {
        Outgoing {
            to: Jid::new("romeo@example.net/orchard").unwrap(),
            id: "m-1".into(),
            body: "hello\nworld".into(),
            replaces: replaces.map(str::to_owned),
            receipts_and_states,
            at: SystemTime::UNIX_EPOCH,
        }
    }

    fn xml(el: impl Into<Element>) -> String {
        String::from(&el.into())
    }

    #[test]
    fn a_chat_message_to_a_contact_asks_for_a_receipt_and_says_active() {
        let s = xml(build_chat(&out(true, None)));
        for part in [
            "type='chat'",
            "to='romeo@example.net/orchard'",
            "id='m-1'",
            "<body>hello\nworld</body>",
            "<origin-id xmlns='urn:xmpp:sid:0' id='m-1'/>",
            "<request xmlns='urn:xmpp:receipts'/>",
            "<active xmlns='http://jabber.org/protocol/chatstates'/>",
        ] {
            assert!(s.contains(part), "{part} missing in {s}");
        }
        assert!(!s.contains("replace"), "{s}");
    }

    #[test]
    fn to_a_stranger_no_receipt_request_nor_state_and_a_correction_names_the_original() {
        let s = xml(build_chat(&out(false, Some("m-0"))));
        assert!(!s.contains("receipts") && !s.contains("chatstates"), "{s}");
        assert!(
            s.contains("<replace xmlns='urn:xmpp:message-correct:0' id='m-0'/>"),
            "{s}"
        );
    }

    #[test]
    fn chat_states_receipts_and_carbons() {
        let to = Jid::new("romeo@example.net").unwrap();
        let s = xml(build_chat_state(&to, ChatState::Composing));
        assert!(
            s.contains("<composing xmlns='http://jabber.org/protocol/chatstates'/>")
                && s.contains("no-store")
                && !s.contains("<body"),
            "{s}"
        );
        let s = xml(build_receipt(&to, "their-7"));
        assert!(
            s.contains("<received xmlns='urn:xmpp:receipts' id='their-7'/>"),
            "{s}"
        );
        let s = xml(build_carbons_enable("c-1"));
        assert!(
            s.contains("type='set'") && s.contains("<enable xmlns='urn:xmpp:carbons:2'/>"),
            "{s}"
        );
    }

    #[test]
    fn archive_queries_page_with_rsm() {
        let bob = BareJid::new("bob@example.net").unwrap();
        let s = xml(build_archive_query(
            "q-1",
            Some(&bob),
            &Page::Before("k9".into()),
            20,
        ));
        for part in [
            "queryid='q-1'",
            "id='q-1'",
            "<value>urn:xmpp:mam:2</value>",
            "var='with'",
            "<value>bob@example.net</value>",
            "<max>20</max>",
            "<before>k9</before>",
        ] {
            assert!(s.contains(part), "{part} missing in {s}");
        }
        let s = xml(build_archive_query(
            "q-2",
            None,
            &Page::After("k1".into()),
            100,
        ));
        assert!(
            s.contains("<after>k1</after>") && !s.contains("var='with'"),
            "{s}"
        );
        let s = xml(build_archive_query("q-3", None, &Page::Newest, 50));
        assert!(
            s.contains("<before/>") || s.contains("<before></before>"),
            "{s}"
        );
    }
}
