#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // a benchmark: a failure is a panic
//! Micro-benchmarks of the hot paths at roster sizes of 1k, 5k and 20k contacts:
//! - `presence`: translate one presence stanza and apply it to the store;
//! - `frame`: lay out and render one full screen of the roster into a `TestBackend`;
//! - `reorder`: a contact changes availability (re-sorted in the index).
//!
//! Run: `cargo bench --bench roster`. Figures: docs/BENCHMARKS.md.
//!
//! `cargo bench --bench roster -- --login N` instead runs one login of N contacts and exits,
//! for `valgrind` (dhat: heap peak; callgrind: instructions) and `/usr/bin/time -v`: the
//! roster result parsed from XML as tokio-xmpp receives it, translated and applied, then one
//! presence per contact (two resources for every fifth), parsed, translated and applied,
//! then `--flood M` more presence changes. Prints the store's size. The bytes go as they do
//! in rosterm: through the sieve with its fast lane, then xso (as tokio-xmpp parses), the
//! lane's stubs swapped back; `--generic` leaves the fast lane out (the sieve alone), for
//! comparison.

use rosterm::domain::AccountId;
use std::hint::black_box;

use criterion::{criterion_group, BatchSize, BenchmarkId, Criterion};
use jid::{BareJid, FullJid};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rosterm::domain::{OwnPresence, Show};
use rosterm::domain::{RosterItem, Subscription};
use rosterm::event::{PresenceChange, SessionEvent};
use rosterm::keymap::{Action, Keymap};
use rosterm::session::sieve::{FastLane, Sieve};
use rosterm::session::translate::{translate, Context};
use rosterm::store::State;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::Presence;
use xmpp_parsers::stanza::Stanza;

const A0: AccountId = AccountId(0);

const SIZES: [usize; 3] = [1_000, 5_000, 20_000];
const GROUPS: [&str; 6] = ["Friends", "Work", "Family", "Open Source", "Gaming", ""];
const SHOWS: [Show; 5] = [Show::Online, Show::Chat, Show::Away, Show::Xa, Show::Dnd];

fn jid(i: usize) -> BareJid {
    BareJid::new(&format!("c{i}@bots.localhost")).expect("valid JID")
}

/// alice's empty store, logged in.
fn started() -> State {
    let own = BareJid::new("alice@localhost").expect("valid JID");
    let mut state = State::new(own, OwnPresence::default());
    state.apply(
        A0,
        SessionEvent::SessionStarted {
            bound: "alice@localhost/rosterm".into(),
        },
    );
    state
}

/// A store with `n` contacts in six groups, about 60 % online, some with two resources.
fn store(n: usize) -> State {
    let mut state = started();
    let items = (0..n)
        .map(|i| RosterItem {
            jid: jid(i),
            name: Some(format!("Contact {i:05}")),
            groups: match GROUPS[i % GROUPS.len()] {
                "" => vec![],
                g => vec![g.to_owned()],
            },
            subscription: Subscription::Both,
            pending_out: false,
        })
        .collect();
    state.apply(A0, SessionEvent::RosterReceived(items));
    for i in (0..n).filter(|i| i % 5 < 3) {
        for r in 0..(1 + i % 2) {
            state.apply(
                A0,
                SessionEvent::Presence {
                    from: jid(i),
                    resource: Some(format!("r{r}")),
                    change: PresenceChange::Available {
                        show: SHOWS[(i + r) % 5],
                        status: format!("status of {i}"),
                        priority: (i % 10) as i8,
                        nick: None,
                        odd_show: None,
                    },
                },
            );
        }
    }
    state
}

fn presence_stanza(i: usize, show: &str) -> Presence {
    let xml = format!(
        "<presence xmlns='jabber:client' from='c{i}@bots.localhost/r0' to='alice@localhost/rosterm'>\
         <show>{show}</show><status>Busy with something important</status><priority>5</priority></presence>"
    );
    let el: Element = xml.parse().expect("valid XML");
    Presence::try_from(el).expect("valid presence")
}

fn bench_presence(c: &mut Criterion) {
    let mut group = c.benchmark_group("presence");
    let own = BareJid::new("alice@localhost").expect("valid JID");
    let bound = FullJid::new("alice@localhost/rosterm").expect("valid JID");
    for n in SIZES {
        let mut state = store(n);
        let stanzas: Vec<Presence> = (0..64)
            .map(|k| presence_stanza((k * 7919) % n, ["away", "dnd", "chat", "xa"][k % 4]))
            .collect();
        let mut k = 0;
        group.bench_with_input(BenchmarkId::new("translate_apply", n), &n, |b, _| {
            b.iter_batched(
                || {
                    k = (k + 1) % stanzas.len();
                    Stanza::Presence(stanzas[k].clone())
                },
                |stanza| {
                    let ctx = Context {
                        own: &own,
                        bound: Some(&bound),
                        roster_query: None,
                        open_query: &|_| false,
                        lane: None,
                        now: std::time::SystemTime::now(),
                    };
                    for ev in translate(stanza, &ctx).events {
                        state.apply(A0, ev);
                    }
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn bench_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    let keymap = Keymap::default();
    for n in SIZES {
        for (label, action) in [("top", Action::Top), ("bottom", Action::Bottom)] {
            let mut state = store(n);
            rosterm::update::apply_action(&mut state, action);
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
            let area = ratatui::layout::Rect::new(0, 0, 120, 40);
            let height = rosterm::ui::roster_height_for(area, &state);
            group.bench_with_input(BenchmarkId::new(label, n), &n, |b, _| {
                b.iter(|| {
                    rosterm::update::layout(&mut state, height);
                    terminal
                        .draw(|f| rosterm::ui::draw(f, black_box(&state), &keymap))
                        .expect("draw");
                })
            });
        }
    }
    group.finish();
}

fn bench_reorder(c: &mut Criterion) {
    let mut group = c.benchmark_group("reorder");
    for n in SIZES {
        let mut state = store(n);
        let mut flip = false;
        group.bench_with_input(BenchmarkId::new("availability_change", n), &n, |b, _| {
            b.iter(|| {
                flip = !flip;
                // An online contact goes offline and back: two re-sorts in the index.
                let who = jid(n / 2);
                let change = if flip {
                    PresenceChange::Unavailable {
                        status: String::new(),
                    }
                } else {
                    PresenceChange::Available {
                        show: Show::Away,
                        status: String::new(),
                        priority: 1,
                        nick: None,
                        odd_show: None,
                    }
                };
                state.apply(
                    A0,
                    SessionEvent::Presence {
                        from: who,
                        resource: Some("r0".into()),
                        change,
                    },
                );
            })
        });
    }
    group.finish();
}

/// The roster result Prosody sends for `n` contacts, as text.
fn roster_result_xml(n: usize) -> String {
    let mut xml = String::from(
        "<iq xmlns='jabber:client' type='result' id='roster1' to='alice@localhost/rosterm'>\
         <query xmlns='jabber:iq:roster' ver='1'>",
    );
    for i in 0..n {
        let group = match GROUPS[i % GROUPS.len()] {
            "" => String::new(),
            g => format!("<group>{g}</group>"),
        };
        xml.push_str(&format!(
            "<item jid='c{i}@bots.localhost' name='Contact {i:05}' subscription='both'>{group}</item>"
        ));
    }
    xml.push_str("</query></iq>");
    xml
}

/// One connection's incoming side, as rosterm has it: the sieve (with or without its fast
/// lane), then xso.
struct Wire {
    sieve: Sieve,
    lane: Option<FastLane>,
    out: Vec<u8>,
}

impl Wire {
    fn new(fast: bool) -> Self {
        let lane = fast.then(FastLane::default);
        let mut sieve = lane.clone().map_or_else(Sieve::default, Sieve::with_lane);
        let mut out = Vec::new();
        sieve.feed(
            b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
            &mut out,
        );
        Wire { sieve, lane, out }
    }

    /// One complete stanza (carrying `xmlns='jabber:client'`, which xso needs to see) to
    /// what the session gets.
    fn stanza(&mut self, xml: &str) -> Stanza {
        self.out.clear();
        self.sieve.feed(xml.as_bytes(), &mut self.out);
        let body = std::str::from_utf8(&self.out).expect("utf-8");
        // A stub carries no namespace of its own: in a stream it has the stream's.
        let doc = match body.strip_prefix("<presence id='rosterm-") {
            Some(rest) => format!("<presence xmlns='jabber:client' id='rosterm-{rest}"),
            None => body.to_owned(),
        };
        let stanza = xso::from_bytes::<Stanza>(doc.as_bytes()).expect("a stanza");
        match &self.lane {
            Some(lane) => lane.resolve(stanza).expect("parked"),
            None => stanza,
        }
    }
}

fn apply_wire(state: &mut State, wire: &mut Wire, xml: &str, roster_query: Option<&str>) {
    let own = BareJid::new("alice@localhost").expect("valid JID");
    let bound = FullJid::new("alice@localhost/rosterm").expect("valid JID");
    let stanza = wire.stanza(xml);
    let ctx = Context {
        own: &own,
        bound: Some(&bound),
        roster_query,
        open_query: &|_| false,
        lane: wire.lane.as_ref(),
        now: std::time::SystemTime::now(),
    };
    for ev in translate(stanza, &ctx).events {
        state.apply(A0, ev);
    }
}

fn presence_xml(i: usize, r: usize, show: &str) -> String {
    format!(
        "<presence xmlns='jabber:client' from='c{i}@bots.localhost/r{r}' to='alice@localhost/rosterm'>\
         <show>{show}</show><status>status of {i}</status><priority>{}</priority></presence>",
        i % 10
    )
}

/// `--login N [--flood M]`: see the module comment.
fn login(n: usize, flood: usize, fast: bool) {
    let mut state = started();
    let mut wire = Wire::new(fast);
    let xml = roster_result_xml(n);
    apply_wire(&mut state, &mut wire, &xml, Some("roster1"));
    drop(xml);
    let shows = ["away", "dnd", "chat", "xa"];
    for i in 0..n {
        for r in 0..(1 + usize::from(i % 5 == 0)) {
            let xml = presence_xml(i, r, shows[(i + r) % 4]);
            apply_wire(&mut state, &mut wire, &xml, None);
        }
    }
    for k in 0..flood {
        let i = (k * 7919) % n;
        let xml = presence_xml(i, k % 2, shows[k % 4]);
        apply_wire(&mut state, &mut wire, &xml, None);
    }
    let roster = state.rosters();
    println!(
        "login: {n} contacts, {} rows, {flood} more presences",
        roster.visible_rows(&Default::default(), 0, 3).len()
    );
    // Kept to the end, so that dhat's "At t-end" is the store's heap.
    std::mem::forget(black_box(state));
}

criterion_group!(benches, bench_presence, bench_frame, bench_reorder);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        let at = args.iter().position(|a| a == name)?;
        args.get(at + 1)?.parse::<usize>().ok()
    };
    if let Some(n) = arg("--login") {
        let fast = !args.iter().any(|a| a == "--generic");
        return login(n, arg("--flood").unwrap_or(0), fast);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
