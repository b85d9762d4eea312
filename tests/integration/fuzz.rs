//! Property-based fuzzing of the translate + update path: arbitrary sequences of stanzas
//! (written as XML, parsed like tokio-xmpp does) and key presses must never panic, never let a
//! control, bidi or zero-width character reach the screen, keep the roster index consistent
//! with its rows (unfiltered and under the roster filter), keep the selection on screen,
//! answer every IQ request but a spoofed roster push, and never let such a push touch the
//! roster.
//!
//! The seed is fixed (set `PROPTEST_RNG_SEED` to explore others; `PROPTEST_CASES` for more
//! cases). No regression files are written: a failure reproduces from the seed.

use crate::A0;
use std::fmt::Write as _;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jid::{BareJid, FullJid};
use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::{select, Select};
use proptest::test_runner::RngSeed;
use ratatui::{backend::TestBackend, Terminal};
use rosterm::domain::OwnPresence;
use rosterm::domain::RosterItem;
use rosterm::event::{PresenceChange, SessionEvent};
use rosterm::keymap::Keymap;
use rosterm::sanitize::MAX_STATUS;
use rosterm::session::translate::{translate, Context};
use rosterm::store::{view, State};
use rosterm::update::{layout, on_key, on_session};
use xmpp_parsers::{iq::Iq, minidom::Element, ns, stanza::Stanza};

const OWN: &str = "alice@localhost";
const BOUND: &str = "alice@localhost/rosterm";
/// The id of the roster get in flight.
const QUERY: &str = "q1";
/// Senders: the own account and its resources, contacts, strangers, the server, resources
/// with spaces and non-ASCII, and an invalid JID (its stanzas fail to parse and are skipped).
/// Bidi and zero-width resources are not here: the jid crate's resourceprep rejects them.
const FROM: &[&str] = &[
    OWN,
    BOUND,
    "alice@localhost/phone",
    "bob@localhost",
    "bob@localhost/laptop",
    "bob@localhost/phone",
    "bob@localhost/ phone  2 ",
    "bob@localhost/Ünïcödé 日本 🎉",
    "carol@localhost/work",
    "mallory@evil.example",
    "mallory@evil.example/x",
    "localhost",
    "@@",
];
const ITEMS: &[&str] = &[
    "bob@localhost",
    "carol@localhost",
    "dave@localhost",
    "mallory@evil.example",
    OWN,
];

/// Characters XML allows that a terminal must never see raw, mixed with ordinary text.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('\u{80}', '\u{9f}'),
        1 => proptest::char::range('\u{202a}', '\u{202e}'),
        1 => proptest::char::range('\u{2066}', '\u{2069}'),
        1 => proptest::char::range('\u{200b}', '\u{200f}'),
        2 => select(vec!['\u{7f}', '\u{feff}', '\t', '\r', '\n', ' ', 'é', '日', '🎉',
            '\u{301}', '<', '&', '"']),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => vec(hostile_char(), 0..24).prop_map(String::from_iter),
        // Long: cut by the sanitizer (or, for invisible characters, emptied).
        1 => (hostile_char(), 100..3000usize)
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ]
}

/// XML-escapes text and attribute values (CR, LF and tab as references so they survive).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '\r' | '\n' | '\t' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn attr(name: &str, value: Option<&str>) -> String {
    value.map_or(String::new(), |v| format!(" {name}='{}'", esc(v)))
}

/// One of the `|`-separated words.
fn one_of(words: &'static str) -> Select<&'static str> {
    select(words.split('|').collect::<Vec<_>>())
}

fn from() -> impl Strategy<Value = Option<&'static str>> {
    weighted(0.8, select(FROM))
}

fn presence() -> impl Strategy<Value = String> {
    let types = one_of("unavailable|error|subscribe|subscribed|unsubscribed|probe|bogus");
    let shows = one_of("away|chat|dnd|xa|away|chat|dnd|xa|busy");
    (
        (from(), weighted(0.4, types), weighted(0.6, shows)),
        vec((one_of("|en|de|ja|ar"), text()), 0..3),
        (
            weighted(0.7, any::<i8>()),
            weighted(0.3, text()),
            weighted(0.2, text()),
        ),
    )
        .prop_map(|((from, ty, show), statuses, (priority, nick, error))| {
            let mut x = format!(
                "<presence xmlns='jabber:client'{}{}>",
                attr("from", from),
                attr("type", ty)
            );
            if let Some(show) = show {
                let _ = write!(x, "<show>{show}</show>");
            }
            for (lang, status) in statuses {
                let lang = attr("xml:lang", (!lang.is_empty()).then_some(lang));
                let _ = write!(x, "<status{lang}>{}</status>", esc(&status));
            }
            if let Some(p) = priority {
                let _ = write!(x, "<priority>{p}</priority>");
            }
            if let Some(nick) = nick {
                let _ = write!(x, "<nick xmlns='{}'>{}</nick>", ns::NICK, esc(&nick));
            }
            if let Some(text) = error {
                let _ = write!(
                    x,
                    "<error type='cancel'><remote-server-not-found xmlns='{0}'/>\
                    <text xmlns='{0}'>{1}</text></error>",
                    ns::XMPP_STANZAS,
                    esc(&text)
                );
            }
            x + "</presence>"
        })
}

fn items() -> impl Strategy<Value = String> {
    let item = (
        select(ITEMS),
        weighted(0.6, text()),
        vec(text(), 0..3),
        weighted(0.8, one_of("none|to|from|both|remove|bogus")),
        any::<bool>(),
    )
        .prop_map(|(jid, name, groups, sub, ask)| {
            let mut x = format!(
                "<item jid='{jid}'{}{}{}>",
                attr("name", name.as_deref()),
                attr("subscription", sub),
                attr("ask", ask.then_some("subscribe"))
            );
            for g in groups {
                let _ = write!(x, "<group>{}</group>", esc(&g));
            }
            x + "</item>"
        });
    vec(item, 0..4)
        .prop_map(|items| format!("<query xmlns='jabber:iq:roster'>{}</query>", items.concat()))
}

/// Roster pushes from anyone, roster results for the pending query (or another id), and
/// other IQs of every type.
fn iq() -> impl Strategy<Value = String> {
    let payloads = vec![
        "<ping xmlns='urn:xmpp:ping'/>", "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        "<query xmlns='jabber:iq:version'/>", "<vCard xmlns='vcard-temp'/>", "<foo xmlns='urn:x'/>",
        "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
    ];
    let iq = |ty: &str, from: Option<&str>, id: &str, body: &str| {
        format!(
            "<iq xmlns='jabber:client' type='{ty}' id='{id}'{}>{body}</iq>",
            attr("from", from)
        )
    };
    prop_oneof![
        3 => (from(), items()).prop_map(move |(f, q)| iq("set", f, "push", &q)),
        1 => (from(), one_of("q1|q2"), items(), any::<bool>())
            .prop_map(move |(f, id, q, empty)| iq("result", f, id, if empty { "" } else { &q })),
        2 => (from(), one_of("get|set|result|error"), one_of("q1|x1"), select(payloads))
            .prop_map(move |(f, ty, id, p)| iq(ty, f, id, p)),
    ]
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// What the user types into the editor: commands, numbers, a little non-ASCII. Only
/// printable text: the user's own text is not network input (the sanitizer's contract), and
/// the status line echoes a new status as typed.
fn typed() -> impl Strategy<Value = String> {
    let commands = "away brb|status hi|prio 300|priority -5|dnd|help|reconnect|x|12|bo\
        |filter away|filter online|filter group friends|filter clear|who bob|who offline";
    prop_oneof![
        one_of(commands).prop_map(String::from),
        vec(select(vec!['a', 'w', ' ', '7', '-', 'é', '日']), 0..12).prop_map(String::from_iter),
    ]
}

/// One key (moves, presence, help, quit, the online-only filter), or an editor opened with
/// s (status), p (priority), / (command) or f (search) and some typing, then Enter, Tab, Esc,
/// Backspace or nothing.
fn keys() -> impl Strategy<Value = Vec<KeyEvent>> {
    let single = "jkGgadxcoO?q".chars().collect::<Vec<_>>();
    let specials = vec![
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::Enter,
        KeyCode::PageDown,
    ];
    let (enter, tab, esc, bs) = (
        KeyCode::Enter,
        KeyCode::Tab,
        KeyCode::Esc,
        KeyCode::Backspace,
    );
    let ends = vec![enter, enter, enter, tab, esc, bs];
    let edit = (
        select(vec!['s', 'p', '/', 'f']),
        typed(),
        weighted(0.8, select(ends)),
    );
    prop_oneof![
        select(single).prop_map(|c| vec![key(KeyCode::Char(c))]),
        select(specials).prop_map(|k| vec![key(k)]),
        edit.prop_map(|(open, text, end)| {
            let mut keys = vec![key(KeyCode::Char(open))];
            keys.extend(text.chars().map(|c| key(KeyCode::Char(c))));
            keys.extend(end.map(key));
            keys
        }),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Xml(String),
    Keys(Vec<KeyEvent>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => presence().prop_map(Step::Xml),
        4 => iq().prop_map(Step::Xml),
        2 => keys().prop_map(Step::Keys),
    ]
}

/// Control characters, bidi embeddings/overrides/isolates, zero-width characters.
fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{feff}')
        || matches!(c, '\u{2066}'..='\u{2069}')
}

/// Every network string an event carries.
fn strings(ev: &SessionEvent) -> Vec<&str> {
    fn item(i: &RosterItem) -> Vec<&str> {
        i.name.iter().chain(&i.groups).map(String::as_str).collect()
    }
    match ev {
        SessionEvent::RosterReceived(items) => items.iter().flat_map(item).collect(),
        SessionEvent::RosterPush(i) => item(i),
        SessionEvent::Presence {
            resource, change, ..
        } => {
            let (text, nick) = match change {
                PresenceChange::Available { status, nick, .. } => (status, nick.as_deref()),
                PresenceChange::Unavailable { status } => (status, None),
                PresenceChange::Error { reason } => (reason, None),
            };
            resource
                .iter()
                .map(String::as_str)
                .chain([text.as_str()])
                .chain(nick)
                .collect()
        }
        SessionEvent::OwnPresenceEcho { status, .. } => vec![status],
        SessionEvent::SubscriptionRequest { nick, .. } => nick.iter().map(String::as_str).collect(),
        SessionEvent::Notice(text) => vec![text],
        _ => Vec::new(),
    }
}

/// The roster items (not presence) as comparable text, to see whether anything changed.
fn roster_items(state: &State) -> Vec<String> {
    let mut items: Vec<String> = state
        .primary()
        .roster
        .contacts()
        .filter(|c| c.in_roster)
        .map(|c| {
            format!(
                "{} {:?} {:?} {:?} {}",
                c.jid,
                c.name,
                c.group_names(),
                c.subscription,
                c.pending_out
            )
        })
        .collect();
    items.sort();
    items
}

/// One stanza through translate and update, as rosterm's session and app loop do it.
fn feed(state: &mut State, xml: &str) {
    // tokio-xmpp drops what does not parse as a stanza; so does the fuzzer.
    let Ok(stanza) = xml
        .parse::<Element>()
        .map_err(drop)
        .and_then(|e| Stanza::try_from(e).map_err(drop))
    else {
        return;
    };
    let (own, bound) = (BareJid::new(OWN).unwrap(), FullJid::new(BOUND).unwrap());
    let ctx = Context {
        own: &own,
        bound: Some(&bound),
        roster_query: Some(QUERY),
        open_query: &|_| false,
        lane: None,
        now: std::time::SystemTime::now(),
    };
    let (request_id, spoofed) = match &stanza {
        Stanza::Iq(Iq::Get { id, .. }) => (Some(id.clone()), false),
        Stanza::Iq(Iq::Set {
            id, from, payload, ..
        }) => {
            let push = payload.is("query", ns::ROSTER);
            (
                Some(id.clone()),
                push && from.as_ref().is_some_and(|f| f.as_str() != OWN),
            )
        }
        _ => (None, false),
    };
    let before = roster_items(state);
    let out = translate(stanza, &ctx);
    match (&request_id, &out.reply) {
        (Some(_), None) => assert!(spoofed, "unanswered IQ: {xml}"),
        (None, Some(reply)) => panic!("answered a non-request {xml} with {reply:?}"),
        (Some(id), Some(Stanza::Iq(Iq::Result { id: r, .. } | Iq::Error { id: r, .. }))) => {
            assert!(!spoofed && r == id, "{xml}");
        }
        (Some(_), Some(other)) => panic!("{xml} answered with {other:?}"),
        (None, None) => {}
    }
    for ev in out.events {
        for s in strings(&ev) {
            assert!(
                !s.chars().any(hostile) && s.chars().count() <= MAX_STATUS,
                "unsanitized {s:?} from {xml}"
            );
        }
        assert_eq!(on_session(state, A0, ev), vec![], "{xml}");
    }
    if spoofed {
        assert_eq!(
            roster_items(state),
            before,
            "spoofed push changed the roster: {xml}"
        );
    }
}

/// The sorted index agrees with the rows drawn from it, unfiltered and under the current
/// roster filter, and the selection is on screen.
fn check_roster(state: &mut State, viewport: usize) {
    layout(state, viewport);
    let roster = &state.primary().roster;
    let rosters = state.rosters();
    let everyone = view::Filter::default();
    let all: Vec<view::Row> = view::rows(roster).collect();
    assert_eq!(all.len(), roster.row_count());
    for (i, row) in all.iter().enumerate() {
        assert_eq!(
            rosters.position_of(&everyone, &row.id()),
            Some(i),
            "{:?}",
            row.id()
        );
    }
    let filter = &state.ui.filter;
    let shown = rosters.visible_rows(filter, 0, usize::MAX);
    assert_eq!(shown.len(), rosters.row_count(filter), "{filter:?}");
    for (i, row) in shown.iter().enumerate() {
        let pos = rosters.position_of(filter, &row.id());
        assert_eq!(pos, Some(i), "{:?} under {filter:?}", row.id());
    }
    let selected = state.ui.selected.as_ref();
    match selected.and_then(|id| rosters.position_of(filter, id)) {
        Some(pos) => {
            let scroll = state.ui.scroll;
            assert!(pos < shown.len() && scroll <= pos && pos < scroll + viewport);
        }
        None => assert!(shown.is_empty(), "nothing selected in {} rows", shown.len()),
    }
}

fn check_screen(state: &mut State, keymap: &Keymap, width: u16, height: u16) {
    let area = ratatui::layout::Rect::new(0, 0, width, height);
    let rows = rosterm::ui::roster_height_for(area, state);
    check_roster(state, rows);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| rosterm::ui::draw(f, state, keymap))
        .unwrap();
    for cell in terminal.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(hostile),
            "{:?} drawn at {width}x{height}",
            cell.symbol()
        );
    }
}

fn config() -> ProptestConfig {
    let base = ProptestConfig::default(); // reads the PROPTEST_* environment variables
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            base.cases
        } else {
            256
        },
        rng_seed: match base.rng_seed {
            RngSeed::Random => RngSeed::Fixed(0x0005_7a2a),
            fixed => fixed,
        },
        failure_persistence: None,
        ..base
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn stanza_and_key_sequences_keep_the_store_and_screen_sound(steps in vec(step(), 1..40)) {
        let keymap = Keymap::default();
        let mut state = State::new(BareJid::new(OWN).unwrap(), OwnPresence::default());
        on_session(&mut state, A0, SessionEvent::SessionStarted { bound: BOUND.into() });
        for step in steps {
            match step {
                Step::Xml(xml) => feed(&mut state, &xml),
                Step::Keys(keys) => {
                    for k in keys {
                        on_key(&mut state, &keymap, k);
                    }
                }
            }
            check_roster(&mut state, 20);
        }
        check_screen(&mut state, &keymap, 80, 24);
        check_screen(&mut state, &keymap, 20, 5);
    }
}
