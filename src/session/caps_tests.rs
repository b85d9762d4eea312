use super::*;
use crate::domain::device::DeviceKind;

/// XEP-0115 §5.2's example: Exodus 0.9.1 and its verification string.
const EXODUS_VER: &str = "QgayPKawpkPSDYmwT/WM94uAlu0=";

fn exodus(features: &[&str]) -> Element {
    let features: String = features
        .iter()
        .map(|f| format!("<feature var='{f}'/>"))
        .collect();
    format!(
        "<query xmlns='http://jabber.org/protocol/disco#info' \
         node='http://code.google.com/p/exodus#{EXODUS_VER}'>\
         <identity category='client' name='Exodus 0.9.1' type='pc'/>{features}</query>"
    )
    .parse()
    .expect("test XML")
}

const FEATURES: [&str; 4] = [
    "http://jabber.org/protocol/caps",
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "http://jabber.org/protocol/muc",
];

fn full(s: &str) -> FullJid {
    FullJid::new(s).expect("test JID")
}

fn offer(from: &str) -> Offer {
    Offer {
        from: full(from),
        node: "http://code.google.com/p/exodus".into(),
        ver: EXODUS_VER.into(),
        hash: "sha-1".into(),
    }
}

#[test]
fn the_xep_example_verifies() {
    let caps = verify(&exodus(&FEATURES), EXODUS_VER, "sha-1").expect("verified");
    assert_eq!(caps.features.len(), 4);
    let client = caps.client().expect("a client");
    assert_eq!(client.kind, DeviceKind::Pc);
    assert_eq!(client.name.as_deref(), Some("Exodus 0.9.1"));
}

#[test]
fn an_answer_that_does_not_match_its_ver_is_refused() {
    // One feature more (a poisoner claiming Exodus' ver with other features), one fewer,
    // a feature twice, another hash.
    let poisoned = exodus(&[FEATURES[0], FEATURES[1], FEATURES[2], FEATURES[3], "urn:x"]);
    assert!(verify(&poisoned, EXODUS_VER, "sha-1").is_err());
    assert!(verify(&exodus(&FEATURES[..3]), EXODUS_VER, "sha-1").is_err());
    let twice = exodus(&[
        FEATURES[0],
        FEATURES[1],
        FEATURES[2],
        FEATURES[3],
        FEATURES[3],
    ]);
    assert_eq!(
        verify(&twice, EXODUS_VER, "sha-1"),
        Err("the answer lists a feature twice".into())
    );
    assert!(verify(&exodus(&FEATURES), EXODUS_VER, "sha-256").is_err());
    assert!(verify(&exodus(&FEATURES), EXODUS_VER, "md5").is_err());
}

#[test]
fn a_storm_of_presences_with_one_ver_costs_one_query() {
    let mut book = Book::default();
    assert_eq!(book.offer(offer("a@x/1")), Step::Ask(offer("a@x/1")));
    for i in 0..100 {
        assert_eq!(book.offer(offer("a@x/1")), Step::Nothing);
        assert_eq!(book.offer(offer(&format!("b{i}@x/r"))), Step::Nothing);
    }
    let answer = exodus(&FEATURES);
    let outcome = book.answer(EXODUS_VER, "sha-1", &full("a@x/1"), Ok(&answer));
    assert!(matches!(outcome, Outcome::Verified(_)), "{outcome:?}");
    assert_eq!(
        book.offer(offer("c@x/r")),
        Step::Nothing,
        "known and announced"
    );
    assert!(book.get(EXODUS_VER).is_some());
}

#[test]
fn a_poisoner_is_refused_and_the_next_resource_with_that_ver_is_asked() {
    let mut book = Book::default();
    assert_eq!(
        book.offer(offer("mallory@evil/x")),
        Step::Ask(offer("mallory@evil/x"))
    );
    assert_eq!(book.offer(offer("bob@good/pc")), Step::Nothing, "waits");
    let poisoned = exodus(&["urn:xmpp:poison"]);
    let outcome = book.answer(EXODUS_VER, "sha-1", &full("mallory@evil/x"), Ok(&poisoned));
    let Outcome::Refused { next, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(next, Some(offer("bob@good/pc")));
    assert!(book.get(EXODUS_VER).is_none(), "nothing cached");
    // mallory's storm asks nothing more while bob is asked, nor once it is refused.
    assert_eq!(book.offer(offer("mallory@evil/x")), Step::Nothing);
    let answer = exodus(&FEATURES);
    let outcome = book.answer(EXODUS_VER, "sha-1", &full("bob@good/pc"), Ok(&answer));
    assert!(matches!(outcome, Outcome::Verified(_)));
    assert_eq!(book.get(EXODUS_VER).map(|c| c.features.len()), Some(4));
}

#[test]
fn an_error_asks_the_next_or_gives_up() {
    let mut book = Book::default();
    assert!(matches!(book.offer(offer("a@x/1")), Step::Ask(_)));
    let outcome = book.answer(EXODUS_VER, "sha-1", &full("a@x/1"), Err("an error".into()));
    assert_eq!(
        outcome,
        Outcome::Refused {
            reason: "an error".into(),
            next: None
        }
    );
    assert_eq!(book.offer(offer("a@x/1")), Step::Nothing, "not asked again");
    assert_eq!(book.offer(offer("b@x/1")), Step::Ask(offer("b@x/1")));
}

#[test]
fn a_silent_resource_is_asked_again_later_less_and_less_then_never() {
    let mut book = Book::default();
    let t0 = tokio::time::Instant::now();
    assert!(matches!(book.offer_at(offer("a@x/1"), t0), Step::Ask(_)));
    // Another resource with the same ver waits; the silence hands the query to it.
    assert_eq!(book.offer_at(offer("b@x/1"), t0), Step::Nothing);
    assert_eq!(
        book.silence(EXODUS_VER, &full("a@x/1"), t0),
        Some(offer("b@x/1"))
    );
    assert_eq!(book.silence(EXODUS_VER, &full("b@x/1"), t0), None);
    let soon = t0 + RETRY_AFTER / 2;
    assert_eq!(
        book.offer_at(offer("a@x/1"), soon),
        Step::Nothing,
        "too soon"
    );
    let later = t0 + RETRY_AFTER;
    assert_eq!(
        book.offer_at(offer("a@x/1"), later),
        Step::Ask(offer("a@x/1"))
    );
    // The second silence waits twice as long; after MAX_SILENCES, never again.
    assert_eq!(book.silence(EXODUS_VER, &full("a@x/1"), later), None);
    assert_eq!(
        book.offer_at(offer("a@x/1"), later + RETRY_AFTER),
        Step::Nothing
    );
    let third = later + RETRY_AFTER * 2;
    assert_eq!(
        book.offer_at(offer("a@x/1"), third),
        Step::Ask(offer("a@x/1"))
    );
    assert_eq!(book.silence(EXODUS_VER, &full("a@x/1"), third), None);
    assert_eq!(MAX_SILENCES, 3);
    let much_later = third + RETRY_AFTER * 100;
    assert_eq!(
        book.offer_at(offer("a@x/1"), much_later),
        Step::Nothing,
        "given up"
    );
}

#[test]
fn a_cached_ver_is_announced_once_without_a_query() {
    let caps = verify(&exodus(&FEATURES), EXODUS_VER, "sha-1").expect("verified");
    let mut book = Book::new(vec![(EXODUS_VER.into(), caps)]);
    let Step::Announce(ver, client) = book.offer(offer("a@x/1")) else {
        panic!("not announced")
    };
    assert_eq!((ver.as_str(), client.kind), (EXODUS_VER, DeviceKind::Pc));
    assert_eq!(book.offer(offer("b@x/1")), Step::Nothing);
}

#[test]
fn offers_need_node_ver_and_hash() {
    let from = full("a@x/1");
    let read = |xml: &str| read_offer(&[xml.parse().expect("test XML")], &from);
    let c = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v='/>";
    assert_eq!(read(c).map(|o| o.query_node()), Some("n#v=".into()));
    assert_eq!(
        read("<c xmlns='http://jabber.org/protocol/caps' node='n' ver='v' ext='a'/>"),
        None
    );
    assert_eq!(
        read("<c xmlns='urn:other' hash='sha-1' node='n' ver='v'/>"),
        None
    );
    let long = format!(
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='{}'/>",
        "v".repeat(200)
    );
    assert_eq!(read(&long), None);
}

#[test]
fn rosterm_advertises_the_ver_of_its_own_disco_info() {
    let ver = own_ver();
    assert_eq!(ver.len(), 28, "a SHA-1 in base64: {ver}");
    let query: Element = crate::session::translate::own_disco().into();
    assert!(verify(&query, &ver, "sha-1").is_ok());
}
