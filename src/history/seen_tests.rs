//! The presence log: coalescing, the migration to schema 4, reading back and pruning.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::seen::{Coalescer, Transition, CAP, KEEP};
use super::*;

fn jid(s: &str) -> BareJid {
    BareJid::new(s).expect("test JID")
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

#[test]
fn only_a_change_of_the_aggregate_show_is_a_transition() {
    let bob = jid("bob@example.org");
    let mut c = Coalescer::default();
    // Offline with nothing known (the login probe's answer): nothing.
    assert_eq!(c.observe(&bob, None, None, "", at(0)), None);
    let t = c.observe(&bob, Some("pc"), Some(Show::Away), "lunch", at(1));
    assert_eq!(t.map(|t| t.show), Some(Some(Show::Away)));
    // Same show, another status text: nothing.
    assert_eq!(
        c.observe(&bob, Some("pc"), Some(Show::Away), "back soon", at(2)),
        None
    );
    // A second, more available resource changes the aggregate.
    let t = c.observe(&bob, Some("phone"), Some(Show::Online), "", at(3));
    assert_eq!(t.map(|t| t.show), Some(Some(Show::Online)));
    // The away resource leaves: still online.
    assert_eq!(c.observe(&bob, Some("pc"), None, "", at(4)), None);
    let t = c.observe(&bob, Some("phone"), None, "bye", at(5));
    assert_eq!(
        t,
        Some(Transition {
            jid: bob.clone(),
            at: at(5),
            show: None,
            status: "bye".into()
        })
    );
    // A repeated unavailable (bare JID) writes nothing more.
    assert_eq!(c.observe(&bob, None, None, "", at(6)), None);
}

#[test]
fn a_new_session_or_a_restart_writes_nothing_that_is_already_known() {
    let bob = jid("bob@example.org");
    let mut c = Coalescer::seeded([(bob.clone(), Some(Show::Dnd))]);
    assert_eq!(
        c.observe(&bob, Some("pc"), Some(Show::Dnd), "", at(0)),
        None
    );
    c.reset();
    assert_eq!(
        c.observe(&bob, Some("pc"), Some(Show::Dnd), "", at(1)),
        None
    );
    assert!(c.observe(&bob, Some("pc"), None, "", at(2)).is_some());
}

#[test]
fn a_storm_of_presence_writes_one_row_per_real_change() {
    let mut c = Coalescer::default();
    let mut rows = 0;
    for round in 0..5u64 {
        for i in 0..20_000 {
            let who = jid(&format!("c{i}@bots.example"));
            let status = format!("status {round}");
            rows += usize::from(
                c.observe(&who, Some("r"), Some(Show::Online), &status, at(round))
                    .is_some(),
            );
        }
    }
    assert_eq!(rows, 20_000);
}

fn seen(jid_: &str, secs: u64, show: Option<Show>) -> Write {
    Write::Seen(Transition {
        jid: jid(jid_),
        at: at(secs),
        show,
        status: String::new(),
    })
}

#[test]
fn transitions_read_back_and_the_newest_offline_is_the_last_seen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = History::open(&dir.path().join("h.sqlite3")).expect("open");
    let me = jid("alice@example.org");
    h.write_all(
        &me,
        &[
            seen("bob@example.org", 10, Some(Show::Online)),
            seen("bob@example.org", 20, None),
            seen("carol@example.org", 30, Some(Show::Away)),
        ],
    )
    .expect("write");
    let bob = h
        .transitions(&me, &jid("bob@example.org"), 20)
        .expect("read");
    assert_eq!(
        bob.iter().map(|t| t.show).collect::<Vec<_>>(),
        [Some(Show::Online), None]
    );
    let cached = h.load_roster(&me).expect("load");
    assert_eq!(cached.seen, [(jid("bob@example.org"), at(20))]);
    // Another account's log is its own.
    assert!(h
        .latest_seen(&jid("zed@example.org"))
        .expect("other")
        .is_empty());
}

#[test]
fn pruning_drops_old_rows_but_keeps_each_contacts_newest_and_caps_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = History::open(&dir.path().join("h.sqlite3")).expect("open");
    let me = jid("alice@example.org");
    let now = at(KEEP.as_secs() + 1_000);
    // Old rows: two for dave (only his newest stays).
    let mut rows = vec![
        seen("dave@example.org", 1, Some(Show::Online)),
        seen("dave@example.org", 2, None),
    ];
    for i in 0..(CAP as u64 + 5) {
        rows.push(seen("bob@example.org", 1_000 + i, None));
    }
    h.write_all(&me, &rows).expect("write");
    let gone = h.prune_seen(&me, now).expect("prune");
    assert_eq!(gone, 1 + 5);
    let dave = h
        .transitions(&me, &jid("dave@example.org"), 10)
        .expect("dave");
    assert_eq!(dave.len(), 1);
    assert_eq!(dave[0].at, at(2));
    let bob = h
        .transitions(&me, &jid("bob@example.org"), CAP * 2)
        .expect("bob");
    assert_eq!(bob.len(), CAP);
    assert_eq!(bob[0].at, at(1_005));
}

#[test]
fn a_schema_3_file_gains_the_presence_log_and_keeps_its_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite3");
    {
        let old = Connection::open(&path).expect("old");
        old.execute_batch(schema::SCHEMA_1).expect("1");
        old.execute_batch(schema::SCHEMA_2).expect("2");
        old.execute_batch(schema::SCHEMA_3).expect("3");
        old.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema', 3);
             INSERT INTO messages (account, peer, direction, body, at, via, wants_receipt)
                 VALUES ('alice@example.org', 'bob@example.org', 'in', 'hi', 1000, 'live', 0);",
        )
        .expect("old data");
    }
    let me = jid("alice@example.org");
    let mut h = History::open(&path).expect("migrates");
    let kept = h
        .recent(&me, &jid("bob@example.org"), 10, false)
        .expect("messages");
    assert_eq!(kept.len(), 1);
    h.write(&me, &seen("bob@example.org", 5, None))
        .expect("seen");
    drop(h);
    let h = History::open(&path).expect("reopens");
    assert_eq!(h.latest_seen(&me).expect("latest").len(), 1);
    let version: i64 = Connection::open(&path)
        .expect("open")
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .expect("schema");
    assert_eq!(version, crate::history::schema::CURRENT);
}

#[test]
fn the_week_starts_with_the_state_it_was_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = History::open(&dir.path().join("h.sqlite3")).expect("open");
    let me = jid("alice@example.org");
    let rows = [
        seen("bob@example.org", 1, Some(Show::Away)),
        seen("bob@example.org", 2, Some(Show::Online)),
        seen("bob@example.org", 20, None),
        seen("carol@example.org", 15, None),
    ];
    h.write_all(&me, &rows).expect("write");
    let bob = jid("bob@example.org");
    let week = h.transitions_since(&me, &bob, at(10)).expect("since");
    assert_eq!(
        week.iter().map(|t| t.at).collect::<Vec<_>>(),
        [at(2), at(20)]
    );
    // Nothing before: from the start.
    let all = h.transitions_since(&me, &bob, at(0)).expect("all");
    assert_eq!(all.len(), 3);
}
