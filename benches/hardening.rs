#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // a benchmark: a failure is a panic
//! What the hardening costs and what it saves (criterion):
//! - `sieve/ordinary`: the sieve over a stream of ordinary presence stanzas (per stanza);
//! - `sieve/deep`: the sieve over one presence with a payload nested 30,000 levels deep;
//! - `parse/deep`: building that presence with xmpp-parsers as tokio-xmpp does, after the
//!   sieve (what rosterm now pays) and, for comparison, unsieved at 2,000 and 4,000 levels
//!   (the cost is quadratic in the depth: 30,000 unsieved levels take tens of seconds);
//! - `lane/generic` and `lane/fast`: 1,000 ordinary presences from bytes to xmpp-parsers'
//!   `Presence`: as tokio-xmpp builds them (the sieve, then rxml + xso), and
//!   through the sieve's fast lane (the sieve reads them itself; tokio-xmpp parses a stub
//!   each, which the session swaps back);
//! - `cache/start`: instant start with 20,000 contacts: load the saved roster from SQLite,
//!   seed the store and draw the first frame.
//!
//! Run: `cargo bench --bench hardening`. Figures: docs/BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, BenchmarkId, Criterion};
use jid::BareJid;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rosterm::domain::{AccountId, OwnPresence, Show};
use rosterm::domain::{RosterItem, Subscription};
use rosterm::history::{History, LastPresence, Write};
use rosterm::keymap::Keymap;
use rosterm::session::sieve::{FastLane, Sieve};
use rosterm::store::State;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::Presence;
use xmpp_parsers::stanza::Stanza;

const HEADER: &str =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

fn ordinary(n: usize) -> String {
    (0..n)
        .map(|i| format!("<presence from='c{i}@bots.localhost/pc' to='alice@localhost/rosterm'><show>away</show><status>out for lunch, back at two</status><priority>5</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://example.org' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>"))
        .collect()
}

fn deep_presence(depth: usize) -> String {
    format!(
        "<presence from='mallory@evil.example/x'><status>deep</status>{}{}</presence>",
        "<a xmlns='urn:x'>".repeat(depth),
        "</a>".repeat(depth)
    )
}

fn sieve(input: &[u8]) -> Vec<u8> {
    let mut sieve = Sieve::default();
    let mut out = Vec::with_capacity(input.len());
    sieve.feed(HEADER.as_bytes(), &mut out);
    for chunk in input.chunks(16 * 1024) {
        sieve.feed(chunk, &mut out);
    }
    out
}

fn parse_presence(xml: &str) -> Presence {
    let el: Element = xml.parse().expect("well-formed");
    Presence::try_from(el).expect("a presence")
}

fn bench_sieve(c: &mut Criterion) {
    let mut group = c.benchmark_group("sieve");
    let stream = ordinary(1000);
    group.bench_function("ordinary/1000 stanzas", |b| {
        b.iter(|| black_box(sieve(stream.as_bytes())))
    });
    let deep = deep_presence(30_000);
    group.bench_function("deep/30000 levels", |b| {
        b.iter(|| black_box(sieve(deep.as_bytes())))
    });
    group.finish();
}

/// Each `<presence …>…</presence>` or `<presence …/>` in sieved output, as a document.
fn split_presences(sieved: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(sieved).expect("utf-8");
    let body = text.strip_prefix(HEADER).expect("header");
    body.split("<presence")
        .filter(|s| !s.is_empty())
        .map(|s| format!("<presence xmlns='jabber:client'{s}"))
        .collect()
}

fn bench_lane(c: &mut Criterion) {
    let mut group = c.benchmark_group("lane");
    let stream = ordinary(1000);
    assert_eq!(split_presences(&sieve(stream.as_bytes())).len(), 1000);
    // Both arms: sieve, split into stanzas, xso per stanza (a new rxml parser each time, which
    // both pay alike; tokio-xmpp keeps one per stream).
    group.bench_function("generic/1000 presences (sieve + xso)", |b| {
        b.iter(|| {
            for doc in split_presences(&sieve(stream.as_bytes())) {
                black_box(xso::from_bytes::<Presence>(doc.as_bytes()).expect("parses"));
            }
        })
    });
    group.bench_function("fast/1000 presences (sieve + lane + stub)", |b| {
        b.iter(|| {
            let lane = FastLane::default();
            let mut sieve = Sieve::with_lane(lane.clone());
            let mut out = Vec::with_capacity(stream.len());
            sieve.feed(HEADER.as_bytes(), &mut out);
            for chunk in stream.as_bytes().chunks(16 * 1024) {
                sieve.feed(chunk, &mut out);
            }
            for doc in split_presences(&out) {
                let stub = xso::from_bytes::<Presence>(doc.as_bytes()).expect("a stub");
                black_box(lane.resolve(Stanza::Presence(stub)).expect("parked"));
            }
        })
    });
    group.finish();
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let deep = deep_presence(30_000);
    let sieved = String::from_utf8(sieve(deep.as_bytes())).expect("utf-8");
    let sieved = sieved.strip_prefix(HEADER).expect("header").to_owned();
    let sieved = sieved.replacen("<presence ", "<presence xmlns='jabber:client' ", 1);
    group.bench_function("sieved/30000 levels", |b| {
        b.iter(|| black_box(parse_presence(&sieved)))
    });
    for depth in [2_000, 4_000] {
        let raw =
            deep_presence(depth).replacen("<presence ", "<presence xmlns='jabber:client' ", 1);
        group.bench_with_input(BenchmarkId::new("unsieved", depth), &raw, |b, raw| {
            b.iter(|| black_box(parse_presence(raw)))
        });
    }
    group.finish();
}

fn bench_cache(c: &mut Criterion) {
    let n = 20_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rosterm.sqlite3");
    let me = BareJid::new("alice@localhost").expect("JID");
    let groups = ["Friends", "Work", "Family", "Open Source", "Gaming"];
    let items: Vec<RosterItem> = (0..n)
        .map(|i| RosterItem {
            jid: BareJid::new(&format!("c{i}@bots.localhost")).expect("JID"),
            name: Some(format!("Contact {i}")),
            groups: vec![groups[i % groups.len()].to_string()],
            subscription: Subscription::Both,
            pending_out: false,
        })
        .collect();
    let presence: Vec<LastPresence> = items
        .iter()
        .step_by(2)
        .map(|item| LastPresence {
            jid: item.jid.clone(),
            resource: "pc".into(),
            show: Show::Away,
            status: "out for lunch".into(),
            priority: 0,
        })
        .collect();
    let mut history = History::open(&path).expect("db");
    history.write(&me, &Write::Roster(items)).expect("roster");
    history
        .write(&me, &Write::Version("7".into()))
        .expect("ver");
    history
        .write(&me, &Write::Presence(presence))
        .expect("presence");
    let keymap = Keymap::default();
    let mut group = c.benchmark_group("cache");
    group.sample_size(20);
    group.bench_function("start/20000 contacts", |b| {
        b.iter(|| {
            let cached = History::open(&path)
                .expect("db")
                .load_roster(&me)
                .expect("load");
            let mut state = State::new(me.clone(), OwnPresence::default());
            if let Some(account) = state.account_mut(AccountId(0)) {
                account.seed_from_cache(cached);
            }
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
            let area = ratatui::layout::Rect::new(0, 0, 120, 40);
            let viewport = rosterm::ui::roster_height_for(area, &state);
            rosterm::update::layout(&mut state, viewport);
            terminal
                .draw(|f| rosterm::ui::draw(f, &state, &keymap))
                .expect("draw");
            black_box(state.primary().roster.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_sieve, bench_lane, bench_parse, bench_cache);

/// `criterion_main!`, on a thread with rosterm's network stack: unsieved deep parsing
/// recurses per level (~2.8 KB a level in a debug build, as under `cargo test`).
fn main() {
    let run = || {
        benches();
        Criterion::default().configure_from_args().final_summary();
    };
    let thread = std::thread::Builder::new()
        .stack_size(rosterm::session::NETWORK_STACK)
        .spawn(run)
        .expect("bench thread");
    if thread.join().is_err() {
        std::process::exit(1);
    }
}
