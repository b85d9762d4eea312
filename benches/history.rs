#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // a benchmark: a failure is a panic
//! Message history on disk (SQLite, criterion), with 100,000 messages in one conversation
//! and 20 other conversations of 1,000 messages each:
//! - `open`: open the file and read the newest 200 messages (what opening a conversation
//!   does on start), and the newest 200 on an open connection;
//! - `page`: page back 10 pages of 200 from the newest, and one page from the middle;
//! - `list`: the conversation list, the message count, the archive cursor;
//! - `write` (last: it adds rows): store one new message (every de-duplication lookup
//!   runs and misses), and an archive copy of a stored one (found by its stanza-id), each
//!   in its own transaction; `batch`: 512 new messages in one transaction (the writer
//!   thread's group commit).
//!
//! Run: `cargo bench --bench history`. Figures: docs/BENCHMARKS.md. Under
//! `cargo test --all-targets` the same benchmarks run once on 2,000 messages.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use jid::BareJid;
use rosterm::domain::{Direction, Message, Via};
use rosterm::history::{History, Write};

struct Sizes {
    big: u64,
    others: u64,
    each: u64,
}

fn sizes() -> Sizes {
    if std::env::args().any(|a| a == "--bench") {
        Sizes {
            big: 100_000,
            others: 20,
            each: 1_000,
        }
    } else {
        // `cargo test --all-targets`: prove the benchmark works, quickly.
        Sizes {
            big: 2_000,
            others: 3,
            each: 50,
        }
    }
}

fn jid(s: &str) -> BareJid {
    BareJid::new(s).expect("valid JID")
}

/// Message `i` with `peer`: alternately in and out, a realistic body, every id set.
fn message(peer: &BareJid, i: u64, tag: &str) -> Message {
    let direction = if i.is_multiple_of(3) {
        Direction::Out
    } else {
        Direction::In
    };
    Message {
        peer: peer.clone(),
        resource: Some("phone".into()),
        direction,
        body: format!("message {i}: see you at the station at half past, bring the tickets"),
        id: Some(format!("{tag}-id-{i}")),
        origin_id: Some(format!("{tag}-origin-{i}")),
        stanza_id: Some(format!("{tag}-stanza-{i}")),
        at: UNIX_EPOCH + Duration::from_secs(1_600_000_000) + Duration::from_secs(i * 7),
        replaces: None,
        wants_receipt: true,
        via: if i.is_multiple_of(5) {
            Via::Archive
        } else {
            Via::Live
        },
    }
}

fn fill(history: &mut History, me: &BareJid, sizes: &Sizes) -> BareJid {
    let bob = jid("bob@example.org");
    let started = std::time::Instant::now();
    // As the writer thread does with a burst: up to 512 changes a transaction.
    let mut all: Vec<Write> = (0..sizes.big)
        .map(|i| Write::Message(message(&bob, i, "bob")))
        .collect();
    for p in 0..sizes.others {
        let peer = jid(&format!("friend{p}@example.org"));
        all.extend((0..sizes.each).map(|i| Write::Message(message(&peer, i, &format!("f{p}")))));
    }
    for chunk in all.chunks(512) {
        history.write_all(me, chunk).expect("write");
    }
    let total = sizes.big + sizes.others * sizes.each;
    let spent = started.elapsed();
    eprintln!(
        "history: stored {total} messages in {:.1} s ({:.0} µs each, 512 a transaction)",
        spent.as_secs_f64(),
        spent.as_secs_f64() * 1e6 / total as f64
    );
    bob
}

fn bench_history(c: &mut Criterion) {
    let sizes = sizes();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rosterm.sqlite3");
    let me = jid("alice@example.org");
    let mut history = History::open(&path).expect("db");
    let bob = fill(&mut history, &me, &sizes);
    let reader = History::open(&path).expect("reader");

    let mut group = c.benchmark_group("open");
    group.bench_function("open file + recent 200", |b| {
        b.iter(|| {
            let h = History::open(&path).expect("db");
            black_box(h.recent(&me, &bob, 200, false).expect("recent"))
        })
    });
    group.bench_function("recent 200", |b| {
        b.iter(|| black_box(reader.recent(&me, &bob, 200, false).expect("recent")))
    });
    group.finish();

    let mut group = c.benchmark_group("page");
    group.bench_function("10 pages of 200 back from the newest", |b| {
        b.iter(|| {
            let mut page = reader.recent(&me, &bob, 200, false).expect("recent");
            for _ in 0..10 {
                let first = page.first().expect("a page").key;
                page = reader.before(&me, &bob, first, 200, false).expect("before");
            }
            black_box(page)
        })
    });
    let middle = reader
        .recent(
            &me,
            &bob,
            usize::try_from(sizes.big / 2).expect("size"),
            false,
        )
        .expect("recent")
        .first()
        .expect("a message")
        .key;
    group.bench_function("1 page of 200 from the middle", |b| {
        b.iter(|| {
            black_box(
                reader
                    .before(&me, &bob, middle, 200, false)
                    .expect("before"),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("list");
    group.bench_function("conversations", |b| {
        b.iter(|| black_box(reader.conversations(&me).expect("conversations")))
    });
    group.bench_function("count of the big conversation", |b| {
        b.iter(|| black_box(reader.count(&me, &bob).expect("count")))
    });
    group.bench_function("last stanza-id", |b| {
        b.iter(|| black_box(reader.last_stanza_id(&me).expect("cursor")))
    });
    group.finish();
    // Last: every iteration adds a row to the big conversation.
    let mut group = c.benchmark_group("write");
    let mut next = sizes.big;
    group.bench_function("one new message (dedup lookups miss)", |b| {
        b.iter(|| {
            let mut m = message(&bob, next, "new");
            m.at = SystemTime::now();
            next += 1;
            history.write(&me, &Write::Message(m)).expect("write")
        })
    });
    let mut old = 0;
    group.bench_function("an archive copy of a stored message", |b| {
        b.iter(|| {
            let mut m = message(&bob, old, "bob");
            m.via = Via::Archive;
            old = (old + 7919) % sizes.big;
            history.write(&me, &Write::Message(m)).expect("write")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    let mut next = sizes.big * 10;
    group.bench_function("512 new messages in one transaction", |b| {
        b.iter(|| {
            let now = SystemTime::now();
            let batch: Vec<Write> = (next..next + 512)
                .map(|i| {
                    let mut m = message(&bob, i, "batch");
                    m.at = now;
                    Write::Message(m)
                })
                .collect();
            next += 512;
            history.write_all(&me, &batch).expect("write")
        })
    });
    group.finish();
    assert!(reader.count(&me, &bob).expect("count") > sizes.big);
}

criterion_group!(benches, bench_history);
criterion_main!(benches);
