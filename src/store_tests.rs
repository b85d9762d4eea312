use super::*;
use crate::domain::{Availability, Show};
use crate::event::PresenceChange;
use crate::store::roster::GroupKey;
use crate::store::view::{rows, Filter, Row};
use crate::test_support::{avail, item, jid, unavail, A0};

fn state() -> State {
    let mut s = State::new(jid("me@x"), OwnPresence::default());
    s.apply(
        A0,
        SessionEvent::SessionStarted {
            bound: "me@x/rosterm".into(),
        },
    );
    s.apply(
        A0,
        SessionEvent::RosterReceived(vec![
            item("bob@x", "Bob", &["Friends"]),
            item("carol@x", "Carol", &["Friends", "Work"]),
            item("dave@x", "", &[]),
        ]),
    );
    s
}

/// The roster as text: one line per row, for order assertions.
fn outline(s: &State) -> Vec<String> {
    rows(&s.primary().roster)
        .map(|r| match r {
            Row::Group { group, stats } => {
                format!("# {} {}/{}", group.key.title(), stats.online, stats.total)
            }
            Row::Contact { contact, .. } => {
                format!("{} {}", contact.label(), contact.availability().label())
            }
            Row::Resource {
                name,
                presence,
                best,
                ..
            } => {
                format!(
                    "  {name} {}{}",
                    presence.show.as_str(),
                    if best { " *" } else { "" }
                )
            }
            Row::Account { id, .. } => format!("= {id}"),
        })
        .collect()
}

fn check_index(s: &State) {
    for (key, g) in s.primary().roster.groups() {
        let entries: usize = g.buckets.iter().map(|b| b.entries.len()).sum();
        assert_eq!(entries, g.stats.total, "{key:?} total");
        let rows: usize = g.buckets.iter().map(|b| b.rows).sum();
        assert_eq!(rows, g.stats.rows, "{key:?} rows");
        assert!(g.stats.total > 0, "empty group {key:?} kept");
    }
    let roster = &s.primary().roster;
    // Every contact is listed exactly where its rank and groups say, with its rows.
    let mut listed = 0;
    for c in roster.contacts() {
        let rank = usize::from(c.availability().rank());
        for key in c.group_keys() {
            let bucket = &roster.groups()[key].buckets[rank];
            assert!(
                bucket.entries.contains(c.sort_key()),
                "{} in {key:?}",
                c.jid
            );
            listed += 1;
        }
    }
    let entries: usize = roster
        .groups()
        .values()
        .flat_map(|g| g.buckets.iter())
        .map(|b| b.entries.len())
        .sum();
    assert_eq!(entries, listed, "no stale entries");
    for g in roster.groups().values() {
        for (rank, b) in g.buckets.iter().enumerate() {
            let rows: usize = b
                .entries
                .iter()
                .filter_map(|k| roster.get(&k.jid))
                .inspect(|c| assert_eq!(usize::from(c.availability().rank()), rank))
                .map(|c| 1 + c.expanded_rows())
                .sum();
            assert_eq!(rows, b.rows, "bucket rows");
        }
    }
    let online = roster
        .contacts()
        .filter(|c| !c.resources.is_empty())
        .count();
    assert_eq!(
        roster.online_count(),
        online,
        "the online count kept in step"
    );
    let all: Vec<_> = rows(&s.primary().roster).map(|r| r.id()).collect();
    assert_eq!(
        s.primary().roster.row_count(),
        all.len(),
        "row_count matches the rows drawn"
    );
    for (i, id) in all.iter().enumerate() {
        assert_eq!(
            s.rosters().position_of(&Filter::default(), id),
            Some(i),
            "position of {id:?}"
        );
        assert_eq!(
            s.rosters().row_at(&Filter::default(), i).as_ref(),
            Some(id),
            "row at {i}"
        );
        let window = s.rosters().visible_rows(&Filter::default(), i, 3);
        assert_eq!(
            window.first().map(|r| r.id()).as_ref(),
            Some(id),
            "window at {i}"
        );
        assert_eq!(window.len(), 3.min(all.len() - i));
    }
}

#[test]
fn roster_grouped_and_sorted_by_availability_then_name() {
    let mut s = state();
    assert_eq!(
        outline(&s),
        [
            "# Friends 0/2",
            "Bob offline",
            "Carol offline",
            "# Work 0/1",
            "Carol offline",
            "# Contacts 0/1",
            "dave@x offline"
        ]
    );
    s.apply(A0, avail("carol@x", "phone", Show::Away, 0, ""));
    s.apply(A0, avail("bob@x", "pc", Show::Dnd, 0, ""));
    s.apply(A0, avail("dave@x", "pc", Show::Chat, 0, ""));
    assert_eq!(
        outline(&s),
        [
            "# Friends 2/2",
            "Carol away",
            "Bob dnd",
            "# Work 1/1",
            "Carol away",
            "# Contacts 1/1",
            "dave@x chat"
        ]
    );
    check_index(&s);
}

#[test]
fn contact_state_comes_from_highest_priority_resource_and_expands() {
    let mut s = state();
    s.apply(A0, avail("bob@x", "laptop", Show::Chat, 5, "coding"));
    s.apply(A0, avail("bob@x", "phone", Show::Dnd, 10, "driving"));
    let bob = s.primary().roster.get(&jid("bob@x")).unwrap();
    assert_eq!(
        bob.best().map(|(r, p)| (r, p.show)),
        Some(("phone", Show::Dnd))
    );
    assert_eq!(
        &outline(&s)[..4],
        ["# Friends 1/2", "Bob dnd", "  phone dnd *", "  laptop chat"]
    );
    // Priority change flips the winner.
    s.apply(A0, avail("bob@x", "laptop", Show::Chat, 20, "coding"));
    assert_eq!(
        s.primary()
            .roster
            .get(&jid("bob@x"))
            .unwrap()
            .availability(),
        Availability::Available(Show::Chat)
    );
    check_index(&s);
}

#[test]
fn unavailable_resource_then_bare_unavailable() {
    let mut s = state();
    s.apply(A0, avail("bob@x", "a", Show::Online, 0, ""));
    s.apply(A0, avail("bob@x", "b", Show::Away, 0, ""));
    s.apply(A0, unavail("bob@x", Some("a")));
    let bob = s.primary().roster.get(&jid("bob@x")).unwrap();
    assert_eq!(bob.resources.keys().collect::<Vec<_>>(), ["b"]);
    s.apply(A0, unavail("bob@x", None));
    let bob = s.primary().roster.get(&jid("bob@x")).unwrap();
    assert!(bob.resources.is_empty());
    assert_eq!(bob.availability(), Availability::Offline);
    assert_eq!(bob.last_status, "bye");
    check_index(&s);
}

#[test]
fn error_presence_shows_error_until_available_again() {
    let mut s = state();
    s.apply(A0, avail("bob@x", "a", Show::Online, 0, ""));
    s.apply(
        A0,
        SessionEvent::Presence {
            from: jid("bob@x"),
            resource: None,
            change: PresenceChange::Error {
                reason: "remote-server-not-found".into(),
            },
        },
    );
    assert_eq!(
        s.primary()
            .roster
            .get(&jid("bob@x"))
            .unwrap()
            .availability(),
        Availability::Error
    );
    s.apply(A0, avail("bob@x", "a", Show::Online, 0, ""));
    assert_eq!(
        s.primary()
            .roster
            .get(&jid("bob@x"))
            .unwrap()
            .availability(),
        Availability::Available(Show::Online)
    );
    check_index(&s);
}

#[test]
fn strangers_are_shown_apart_and_never_join_the_roster() {
    let mut s = state();
    s.apply(A0, avail("eve@evil", "x", Show::Chat, 0, "hi"));
    let eve = s.primary().roster.get(&jid("eve@evil")).unwrap();
    assert!(!eve.in_roster);
    assert!(s
        .primary()
        .roster
        .groups()
        .contains_key(&GroupKey::NotInRoster));
    s.apply(A0, unavail("eve@evil", Some("x")));
    assert!(
        s.primary().roster.get(&jid("eve@evil")).is_none(),
        "an offline stranger leaves no trace"
    );
    s.apply(
        A0,
        SessionEvent::SubscriptionRequest {
            from: jid("eve@evil"),
            nick: None,
        },
    );
    assert!(
        s.primary().roster.get(&jid("eve@evil")).is_none(),
        "a request changes nothing until approved"
    );
    assert!(s
        .subscription_requests
        .contains_key(&crate::domain::ContactId::new(A0, jid("eve@evil"))));
    check_index(&s);
}

#[test]
fn own_other_resources_are_tracked_apart() {
    let mut s = state();
    s.apply(
        A0,
        SessionEvent::Presence {
            from: jid("me@x"),
            resource: Some("phone".into()),
            change: PresenceChange::Available {
                show: Show::Xa,
                status: String::new(),
                priority: 0,
                nick: None,
                odd_show: None,
            },
        },
    );
    assert_eq!(
        s.primary().own_resources.get("phone").map(|p| p.show),
        Some(Show::Xa)
    );
    assert!(s.primary().roster.get(&jid("me@x")).is_none());
    s.apply(A0, unavail("me@x", Some("phone")));
    assert!(s.primary().own_resources.is_empty());
}

#[test]
fn roster_push_and_remove() {
    let mut s = state();
    s.apply(
        A0,
        SessionEvent::RosterPush(item("bob@x", "Robert", &["Work"])),
    );
    assert_eq!(
        outline(&s)[..3],
        ["# Friends 0/1", "Carol offline", "# Work 0/2"]
    );
    s.apply(A0, avail("carol@x", "a", Show::Online, 0, ""));
    s.apply(A0, SessionEvent::RosterRemove(jid("carol@x")));
    let carol = s.primary().roster.get(&jid("carol@x")).unwrap();
    assert!(
        !carol.in_roster,
        "online contact removed from roster stays visible as not-in-roster"
    );
    s.apply(A0, SessionEvent::RosterRemove(jid("dave@x")));
    assert!(s.primary().roster.get(&jid("dave@x")).is_none());
    check_index(&s);
}

#[test]
fn since_is_kept_while_show_is_unchanged() {
    use std::time::{Duration, UNIX_EPOCH};
    let mut s = state();
    let t0 = UNIX_EPOCH + Duration::from_secs(1000);
    let t1 = UNIX_EPOCH + Duration::from_secs(2000);
    s.apply_at(A0, avail("bob@x", "a", Show::Away, 0, "x"), t0);
    s.apply_at(A0, avail("bob@x", "a", Show::Away, 0, "y"), t1);
    assert_eq!(
        s.primary()
            .roster
            .get(&jid("bob@x"))
            .unwrap()
            .resources
            .get("a")
            .unwrap()
            .since,
        t0
    );
    s.apply_at(A0, avail("bob@x", "a", Show::Dnd, 0, "y"), t1);
    assert_eq!(
        s.primary()
            .roster
            .get(&jid("bob@x"))
            .unwrap()
            .resources
            .get("a")
            .unwrap()
            .since,
        t1
    );
}

#[test]
fn new_session_forgets_stale_presence() {
    let mut s = state();
    s.apply(A0, avail("bob@x", "a", Show::Online, 0, ""));
    s.apply(
        A0,
        SessionEvent::SessionStarted {
            bound: "me@x/rosterm".into(),
        },
    );
    assert!(s
        .primary()
        .roster
        .get(&jid("bob@x"))
        .unwrap()
        .resources
        .is_empty());
    assert!(!s.primary().roster_loaded);
    check_index(&s);
}

#[test]
fn many_random_changes_keep_the_index_consistent() {
    let mut s = state();
    let shows = [Show::Online, Show::Chat, Show::Away, Show::Xa, Show::Dnd];
    let mut x: u64 = 88172645463325252;
    for step in 0..5000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let who = ["bob@x", "carol@x", "dave@x", "zed@y"][(x % 4) as usize];
        let res = ["a", "b", "c"][((x >> 8) % 3) as usize];
        let ev = match (x >> 16) % 5 {
            0 => unavail(who, Some(res)),
            1 => unavail(who, None),
            _ => avail(
                who,
                res,
                shows[((x >> 24) % 5) as usize],
                ((x >> 32) % 7) as i8 - 3,
                "",
            ),
        };
        s.apply(A0, ev);
        if step % 250 == 0 {
            check_index(&s);
        }
    }
    check_index(&s);
}

#[test]
fn timeline_records_enter_update_leave_from_presence() {
    use crate::store::timeline::TimelineKind::*;
    use std::time::{Duration, UNIX_EPOCH};
    let mut s = state();
    let t = |n| UNIX_EPOCH + Duration::from_secs(n);
    s.apply_at(A0, avail("bob@x", "a", Show::Online, 0, ""), t(10));
    s.apply_at(A0, avail("bob@x", "a", Show::Online, 0, ""), t(20)); // unchanged: nothing
    s.apply_at(A0, avail("bob@x", "a", Show::Away, 0, "lunch"), t(30));
    s.apply_at(A0, avail("bob@x", "b", Show::Dnd, 0, ""), t(40));
    s.apply_at(A0, unavail("bob@x", None), t(50)); // bare: both resources leave
    let got: Vec<_> = s
        .primary()
        .timeline
        .entries()
        .map(|e| (e.resource.as_str(), e.kind, e.at))
        .collect();
    assert_eq!(
        got,
        [
            ("a", Enter, t(10)),
            ("a", Update, t(30)),
            ("b", Enter, t(40)),
            ("a", Leave, t(50)),
            ("b", Leave, t(50))
        ]
    );
    // Own resources do not go in the contacts' timeline.
    s.apply_at(A0, avail("me@x", "phone", Show::Xa, 0, ""), t(60));
    assert_eq!(s.primary().timeline.len(), 5);
}

#[test]
fn filtered_views_are_consistent() {
    let mut s = state();
    s.apply(A0, avail("bob@x", "a", Show::Online, 0, ""));
    s.apply(A0, avail("bob@x", "b", Show::Away, 1, ""));
    s.apply(A0, avail("carol@x", "a", Show::Dnd, 0, ""));
    let filters = [
        Filter::default(),
        Filter {
            online_only: true,
            ..Filter::default()
        },
        Filter {
            show: Some(Availability::Offline),
            ..Filter::default()
        },
        Filter {
            group: Some(GroupKey::Named("Work".into())),
            ..Filter::default()
        },
        Filter {
            text: Some("ar".into()),
            ..Filter::default()
        },
        Filter {
            text: Some("zzz".into()),
            ..Filter::default()
        },
    ];
    for f in &filters {
        let all: Vec<_> = s
            .rosters()
            .visible_rows(f, 0, usize::MAX)
            .iter()
            .map(|r| r.id())
            .collect();
        assert_eq!(s.rosters().row_count(f), all.len(), "{f:?}");
        for (i, id) in all.iter().enumerate() {
            assert_eq!(s.rosters().position_of(f, id), Some(i), "{f:?} {id:?}");
            assert_eq!(s.rosters().row_at(f, i).as_ref(), Some(id), "{f:?} {i}");
        }
    }
    let online = Filter {
        online_only: true,
        ..Filter::default()
    };
    let shown: Vec<_> = s
        .rosters()
        .visible_rows(&online, 0, 100)
        .iter()
        .map(|r| r.id())
        .collect();
    assert!(!shown.iter().any(
        |id| matches!(id, crate::store::view::RowId::Contact(_, c) if c.jid.as_str() == "dave@x")
    ));
    let text = Filter {
        text: Some("ar".into()),
        ..Filter::default()
    };
    assert_eq!(
        s.rosters().row_count(&text),
        4,
        "Carol in Friends and Work, with headers"
    );
}

#[test]
fn nick_names_a_contact_without_a_roster_name() {
    let mut s = state();
    assert_eq!(
        s.primary().roster.get(&jid("dave@x")).unwrap().label(),
        "dave@x"
    );
    s.apply(
        A0,
        SessionEvent::Presence {
            from: jid("dave@x"),
            resource: Some("pc".into()),
            change: PresenceChange::Available {
                show: Show::Online,
                status: String::new(),
                priority: 0,
                nick: Some("Davey".into()),
                odd_show: None,
            },
        },
    );
    assert_eq!(
        s.primary().roster.get(&jid("dave@x")).unwrap().label(),
        "Davey"
    );
    // A roster name wins over the nick.
    s.apply(A0, avail("bob@x", "pc", Show::Online, 0, ""));
    assert_eq!(
        s.primary().roster.get(&jid("bob@x")).unwrap().label(),
        "Bob"
    );
    check_index(&s);
}
