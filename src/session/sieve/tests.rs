use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::{Presence, Show};

use super::*;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>";

/// Feeds `input` in chunks of `chunk` bytes.
fn sieve_in_chunks(input: &[u8], chunk: usize) -> (Vec<u8>, Vec<Note>) {
    let mut sieve = Sieve::default();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        sieve.feed(piece, &mut out);
    }
    (out, sieve.take_notes())
}

fn sieve_str(input: &str) -> (String, Vec<Note>) {
    let (out, notes) = sieve_in_chunks(input.as_bytes(), usize::MAX);
    (String::from_utf8(out).expect("utf-8 out"), notes)
}

/// Runs one stanza through the sieve after a stream header and parses what comes out the
/// way tokio-xmpp would.
fn through(stanza: &str) -> (Element, Vec<Note>) {
    let (out, notes) = sieve_str(&format!("{HEADER}{stanza}"));
    let body = out.strip_prefix(HEADER).expect("header kept as is");
    let wrapped = format!("<x xmlns='jabber:client'>{body}</x>");
    let root: Element = wrapped.parse().expect("the sieve's output is well-formed");
    let child = root.children().next().expect("the stanza is kept").clone();
    (child, notes)
}

fn presence(stanza: &str) -> (Presence, Element, Vec<Note>) {
    let (el, notes) = through(stanza);
    let p = Presence::try_from(el.clone()).expect("xmpp-parsers accepts the repaired presence");
    (p, el, notes)
}

fn sieve_mark(el: &Element, attr: &str) -> Option<String> {
    el.get_child("sieve", NS)
        .and_then(|m| m.attr(attr))
        .map(str::to_owned)
}

#[test]
fn an_ordinary_stream_passes_unchanged_however_it_is_cut() {
    let stream = format!(
        "{HEADER}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features> \n\
         <presence from='bob@example.org/pc' to='alice@example.org'><show>away</show><status xml:lang='en'>out &amp; about &gt; 5 &lt; 6 \"q\"</status><priority>-5</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='a&gt;b'/></presence>\
         <message from=\"carol@example.org\" type=\"chat\"><body>a > b, <![CDATA[ <not-a-tag/> ]]> ok</body><!-- a <comment> --><?pi <x?></message>\
         <iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='5'><item jid='fox@example.org' name='Fox &apos;F&apos;'><group>A</group></item></query></iq>\
         <r xmlns='urn:xmpp:sm:3'/><presence from='x@y'/></stream:stream>"
    );
    for chunk in [1, 2, 3, 7, 64, 4096, usize::MAX] {
        let (out, notes) = sieve_in_chunks(stream.as_bytes(), chunk);
        assert_eq!(String::from_utf8_lossy(&out), stream, "chunk {chunk}");
        assert!(notes.is_empty(), "chunk {chunk}: {notes:?}");
    }
}

#[test]
fn a_deep_payload_is_cut_at_the_limit_and_the_rest_kept() {
    let depth = 30_000;
    let stanza = format!(
        "<presence from='mallory@evil.example/x'><show>dnd</show>{}{}<status>still here</status></presence>",
        "<a xmlns='urn:x'>".repeat(depth),
        "</a>".repeat(depth)
    );
    let (p, el, notes) = presence(&stanza);
    assert_eq!(p.show, Some(Show::Dnd));
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("still here")
    );
    let mut deepest = 0;
    let mut node = el.get_child("a", "urn:x");
    while let Some(n) = node {
        deepest += 1;
        node = n.get_child("a", "urn:x");
    }
    assert_eq!(deepest, MAX_DEPTH, "kept down to the limit, not below");
    assert_eq!(notes.len(), 1, "one note per removed subtree: {notes:?}");
    assert_eq!(notes[0].what, Change::TooDeep);
    assert_eq!(notes[0].stanza, "presence");
    assert_eq!(notes[0].from.as_deref(), Some("mallory@evil.example/x"));
}

#[test]
fn a_long_attribute_is_removed_and_the_stanza_kept() {
    let a = "A".repeat(9000);
    let (p, el, notes) = presence(&format!(
        "<presence from='bob@example.org/pc'><show>away</show><x xmlns='urn:x' keep='1' a='{a}' b=\"2\"/></presence>"
    ));
    assert_eq!(p.show, Some(Show::Away));
    let x = el.get_child("x", "urn:x").expect("element kept");
    assert_eq!(x.attr("a"), None);
    assert_eq!((x.attr("keep"), x.attr("b")), (Some("1"), Some("2")));
    assert_eq!(
        notes,
        vec![Note {
            stanza: "presence".into(),
            from: Some("bob@example.org/pc".into()),
            what: Change::LongAttribute(9000)
        }]
    );
    // Also a long attribute on the stanza itself, and in a message.
    let (el, notes) = through(&format!(
        "<message from='s@x' a='{a}'><body>hi</body></message>"
    ));
    assert_eq!(el.attr("a"), None);
    assert_eq!(
        el.get_child("body", "jabber:client").map(|b| b.text()),
        Some("hi".into())
    );
    assert_eq!(notes.len(), 1);
}

#[test]
fn an_element_with_a_long_name_is_removed() {
    let name = "n".repeat(MAX_TOKEN + 10);
    let (el, notes) = through(&format!(
        "<message from='s@x'><{name} xmlns='urn:x'><b/></{name}><body>hi</body></message>"
    ));
    assert_eq!(el.children().count(), 1, "only the body is left");
    assert_eq!(notes[0].what, Change::LongName);
}

#[test]
fn invalid_show_values_become_available_with_a_mark() {
    for (show, mark) in [
        ("<show>busy</show>", "busy"),
        ("<show/>", ""),
        ("<show></show>", ""),
        ("<show>away<b/></show>", "away"),
        (
            &format!("<show>{}</show>", "x".repeat(200)),
            &"x".repeat(32)[..],
        ),
    ] {
        let (p, el, notes) = presence(&format!(
            "<presence from='bob@x/pc'>{show}<status>s</status></presence>"
        ));
        assert_eq!(p.show, None, "{show}");
        assert_eq!(sieve_mark(&el, "show").as_deref(), Some(mark), "{show}");
        assert!(
            matches!(notes[0].what, Change::BadShow(_)),
            "{show}: {notes:?}"
        );
    }
    // Whitespace around a valid value is not an error.
    let (p, _, notes) = presence("<presence><show> xa\n</show></presence>");
    assert_eq!((p.show, notes.len()), (Some(Show::Xa), 0));
}

#[test]
fn a_second_show_or_priority_is_ignored() {
    let (p, el, notes) = presence(
        "<presence><show>dnd</show><priority>5</priority><show>chat</show><priority>7</priority></presence>",
    );
    assert_eq!((p.show, p.priority.0), (Some(Show::Dnd), 5));
    assert_eq!(sieve_mark(&el, "show"), None);
    assert_eq!(
        notes.iter().map(|n| n.what.clone()).collect::<Vec<_>>(),
        vec![
            Change::Duplicate("a second show"),
            Change::Duplicate("a second priority")
        ]
    );
}

#[test]
fn priorities_out_of_range_are_clamped_and_marked() {
    for (text, expected, marked) in [
        ("300", 127, true),
        ("-129", -128, true),
        ("99999999999999999999999", 127, true),
        ("abc", 0, true),
        ("", 0, true),
        ("+5", 5, false),
        ("-128", -128, false),
    ] {
        let (p, el, notes) = presence(&format!("<presence><priority>{text}</priority></presence>"));
        assert_eq!(p.priority.0, expected, "{text}");
        assert_eq!(sieve_mark(&el, "priority").is_some(), marked, "{text}");
        assert_eq!(notes.len(), usize::from(marked), "{text}");
    }
    assert_eq!(super::repair::parse_priority(b"-"), None);
}

#[test]
fn status_duplicates_attributes_and_markup_are_cleaned() {
    let (p, _, notes) = presence(
        "<presence><status xml:lang='en' foo='bar'>one <b>bold</b> two</status><status xml:lang='en'>again</status><status>plain</status></presence>",
    );
    assert_eq!(p.statuses.len(), 2);
    assert_eq!(p.statuses.get("en").map(String::as_str), Some("one  two"));
    assert_eq!(p.statuses.get("").map(String::as_str), Some("plain"));
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn other_namespaces_and_other_stanzas_are_left_alone() {
    let stanza = "<message><show>busy</show><x xmlns='urn:x'><show>busy</show></x></message>";
    let (out, notes) = sieve_str(&format!("{HEADER}{stanza}"));
    assert!(out.ends_with(stanza));
    assert!(notes.is_empty());
    let stanza =
        "<presence><x xmlns='urn:x'><show>busy</show></x><show xmlns='urn:y'>z</show></presence>";
    let (out, notes) = sieve_str(&format!("{HEADER}{stanza}"));
    assert!(out.ends_with(stanza));
    assert!(notes.is_empty());
}

#[test]
fn a_stream_restart_starts_counting_depth_again() {
    // After SASL the server opens a new stream without closing the old one.
    let deep_ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
    let input = format!("{HEADER}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>{HEADER}<message>{deep_ok}</message>");
    let (out, notes) = sieve_str(&input);
    assert_eq!(out, input);
    assert!(notes.is_empty());
}

#[test]
fn hostile_input_split_anywhere_gives_the_same_output() {
    let input = format!(
        "{HEADER}<presence from='a@b'><show>busy</show><priority>300</priority><x a='{}'/>{}{}</presence><message><body>ok</body></message>",
        "v".repeat(5000),
        "<d>".repeat(100),
        "</d>".repeat(100)
    );
    let (whole, notes) = sieve_in_chunks(input.as_bytes(), usize::MAX);
    for chunk in [1, 2, 5, 13, 100, 1000] {
        let (out, n) = sieve_in_chunks(input.as_bytes(), chunk);
        assert_eq!(out, whole, "chunk {chunk}");
        assert_eq!(n, notes);
    }
    assert_eq!(notes.len(), 4, "{notes:?}");
}

#[test]
fn notes_describe_the_sender() {
    let note = Note {
        stanza: "presence".into(),
        from: Some("bob@x".into()),
        what: Change::BadShow("busy".into()),
    };
    assert_eq!(
        note.describe(),
        "presence from bob@x: invalid show \"busy\" shown as available"
    );
}

#[test]
fn a_forged_note_is_removed() {
    let (p, el, notes) = presence(&format!(
        "<presence><show>away</show><sieve xmlns='{NS}' show='forged'/><p:sieve xmlns:p='{NS}' show='x'/></presence>"
    ));
    assert_eq!(p.show, Some(Show::Away));
    assert_eq!(sieve_mark(&el, "show"), None);
    assert_eq!(notes.len(), 2);
}

/// Feeds `input` in chunks of `chunk` bytes to a sieve with a fast lane.
fn lane_in_chunks(input: &[u8], chunk: usize) -> (Vec<u8>, FastLane) {
    let lane = FastLane::default();
    let mut sieve = Sieve::with_lane(lane.clone());
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        sieve.feed(piece, &mut out);
    }
    (out, lane)
}

/// The stanzas of a sieved stream as tokio-xmpp would see them, stubs resolved by `lane`.
fn stanzas_through(out: &[u8], lane: &FastLane) -> Vec<String> {
    let body = std::str::from_utf8(out)
        .expect("utf-8 out")
        .strip_prefix(HEADER)
        .expect("header kept as is");
    let root: Element = format!("<x xmlns='jabber:client'>{body}</x>")
        .parse()
        .expect("well-formed");
    root.children()
        .map(|el| {
            let stanza = xmpp_parsers::stanza::Stanza::try_from(el.clone()).expect("a stanza");
            match lane.resolve(stanza) {
                Some(xmpp_parsers::stanza::Stanza::Presence(mut p)) => {
                    let payloads: Vec<String> =
                        p.payloads.drain(..).map(|e| String::from(&e)).collect();
                    format!("{p:?} {payloads:?}")
                }
                Some(other) => format!("{other:?}"),
                None => "missing".into(),
            }
        })
        .collect()
}

#[test]
fn presences_take_the_fast_lane_in_order_and_arrive_as_the_generic_path_builds_them() {
    let stream = format!(
        "{HEADER}<presence from='bob@localhost/a'><show>away</show><status>one &amp; two</status></presence>\
         <message from='bob@localhost/a' type='chat'><body>hi</body></message>\
         <presence from='bob@localhost/b'><show>busy</show><priority>300</priority></presence>\
         <presence from='bob@localhost/c'><p:x xmlns:p='urn:x'>a prefix keeps it on the generic path</p:x></presence>\
         <presence from='bob@localhost/d' type='unavailable'/>\
         <presence from='bob@localhost/e'><x xmlns='urn:x' a='{}'/></presence>",
        "A".repeat(MAX_TOKEN + 1)
    );
    let (plain, _) = sieve_in_chunks(stream.as_bytes(), usize::MAX);
    let expected = stanzas_through(&plain, &FastLane::default());
    assert_eq!(expected.len(), 6);
    for chunk in [1, 7, 64, usize::MAX] {
        let (out, lane) = lane_in_chunks(stream.as_bytes(), chunk);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert_eq!(text.matches("<presence id='rosterm-").count(), 4, "{text}");
        assert!(
            text.contains("a prefix keeps"),
            "the prefixed one passes as it is"
        );
        assert_eq!(stanzas_through(&out, &lane), expected, "chunk {chunk}");
    }
}

#[test]
fn a_presence_too_long_to_hold_passes_as_it_is() {
    let long = "s".repeat(3000);
    let statuses: String = (0..8)
        .map(|i| format!("<status xml:lang='l{i}'>{long}</status>"))
        .collect();
    let stream = format!("{HEADER}<presence from='bob@localhost/a'>{statuses}</presence>");
    let (out, _) = lane_in_chunks(stream.as_bytes(), 1000);
    let text = String::from_utf8_lossy(&out);
    assert!(text.ends_with("</presence>"), "passed on whole");
    assert!(!text.contains("rosterm-"));
}

/// The roster query of a sieved roster result, read as the session reads it.
fn roster_through(out: &[u8], lane: Option<&FastLane>) -> String {
    let body = std::str::from_utf8(out)
        .expect("utf-8")
        .strip_prefix(HEADER)
        .expect("header");
    let root: Element = format!("<x xmlns='jabber:client'>{body}</x>")
        .parse()
        .expect("well-formed");
    let iq = root.children().next().expect("the iq");
    let query = iq.children().next().expect("the query").clone();
    let (ver, items, unreadable) = crate::session::translate::read_roster(query, lane);
    format!("{ver:?} {items:?} {unreadable}")
}

#[test]
fn roster_items_take_the_fast_lane_and_read_as_the_generic_path_reads_them() {
    let items: String = (0..50)
        .map(|i| format!("<item jid='c{i}@bots.localhost' name='C &amp; {i}' subscription='both'><group>Bots</group></item>"))
        .collect();
    let stream = format!(
        "{HEADER}<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='v7'>{items}\
         <item jid='odd@localhost'><group xml:lang='en'>kept on the generic path</group></item>\
         <item jid='📱fox@bots.localhost' subscription='to' ask='subscribe'/></query></iq>\
         <iq type='set' id='push1'><query xmlns='jabber:iq:roster'><item jid='p@localhost'/></query></iq>"
    );
    let (plain, _) = sieve_in_chunks(stream.as_bytes(), usize::MAX);
    let expected = roster_through(&plain, None);
    for chunk in [1, 13, 4096, usize::MAX] {
        let (out, lane) = lane_in_chunks(stream.as_bytes(), chunk);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert_eq!(
            text.matches("<item").count(),
            2,
            "the odd one and the push's: {text}"
        );
        assert!(
            text.contains("<parked xmlns='urn:x-rosterm:sieve'"),
            "{text}"
        );
        // The parked items come first, then the odd one: order within a roster means nothing.
        let mut got: Vec<String> = split_items(&roster_through(&out, Some(&lane)));
        let mut want = split_items(&expected);
        got.sort();
        want.sort();
        assert_eq!(got, want, "chunk {chunk}");
    }
}

fn split_items(debug: &str) -> Vec<String> {
    debug.split("Ok(RosterItem").map(str::to_owned).collect()
}

#[test]
fn a_roster_item_too_long_to_hold_passes_as_it_is_and_the_others_are_parked() {
    let groups: String = (0..8)
        .map(|i| format!("<group>{i}{}</group>", "g".repeat(3000)))
        .collect();
    let stream = format!(
        "{HEADER}<iq type='result' id='r1'><query xmlns='jabber:iq:roster'>\
         <item jid='a@localhost'/><item jid='big@localhost'>{groups}</item><item jid='b@localhost'/>\
         </query></iq>"
    );
    let (out, lane) = lane_in_chunks(stream.as_bytes(), 1000);
    let text = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(text.matches("<item").count(), 1, "only the big one passes");
    let read = roster_through(&out, Some(&lane));
    for jid in ["a@localhost", "big@localhost", "b@localhost"] {
        assert!(read.contains(jid), "{jid} in {read}");
    }
    assert!(read.ends_with(" 0"), "nothing unreadable: {read}");
}
