//! Render tests for "last seen": an offline contact's row and its detail view.

use std::time::Duration;

use crate::domain::{ContactId, Show};
use crate::event::{PresenceChange, SessionEvent};
use crate::store::Mode;
use crate::test_support::{jid, mixed_state, presence, render, text, A0};

fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("{screen}"))
}

#[test]
fn a_contact_that_goes_offline_is_seen_live_and_its_detail_says_when() {
    let mut s = mixed_state();
    presence(&mut s, "heidi@example.org", "pc", Show::Online, 0, "");
    let left = s.settings.clock - Duration::from_secs(3 * 3600 + 5);
    s.apply_at(
        A0,
        SessionEvent::Presence {
            from: jid("heidi@example.org"),
            resource: Some("pc".into()),
            change: PresenceChange::Unavailable {
                status: "gone fishing".into(),
            },
        },
        left,
    );
    let screen = text(&render(&mut s, 120, 24));
    let heidi = row(&screen, "Heidi");
    assert!(heidi.contains("seen 3h ago"), "{heidi}");
    assert!(heidi.contains("gone fishing"), "{heidi}");
    s.ui.mode = Mode::Detail(ContactId::new(A0, jid("heidi@example.org")));
    let screen = text(&render(&mut s, 120, 30));
    let when = crate::domain::seen::local_date_time(left, 0);
    assert!(screen.contains(&format!("last seen {when}")), "{screen}");
}

#[test]
fn seen_more_than_a_week_ago_is_a_date_and_online_contacts_say_nothing() {
    let mut s = mixed_state();
    let long_ago = s.settings.clock - Duration::from_secs(10 * 86_400);
    let account = s.account_mut(A0).expect("account");
    account.seed_last_seen(vec![
        (jid("heidi@example.org"), long_ago),
        (jid("carol@example.org"), long_ago),
        (jid("stranger@example.org"), long_ago),
    ]);
    assert!(account.roster.get(&jid("stranger@example.org")).is_none());
    let date = crate::domain::civil_date(
        (long_ago
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
            / 86_400) as i64,
    );
    let screen = text(&render(&mut s, 120, 24));
    assert!(
        row(&screen, "Heidi").contains(&format!("seen {date}")),
        "{screen}"
    );
    assert!(!row(&screen, "Carol").contains("seen"), "{screen}");
}

#[test]
fn history_lists_the_transitions_newest_first_in_the_detail_view() {
    let mut s = mixed_state();
    let id = ContactId::new(A0, jid("heidi@example.org"));
    let t = |secs: u64, show, status: &str| crate::history::Transition {
        jid: jid("heidi@example.org"),
        at: s.settings.clock - Duration::from_secs(secs),
        show,
        status: status.into(),
    };
    let rows = vec![t(7200, Some(Show::Away), "lunch"), t(3600, None, "bye")];
    let newest = crate::domain::seen::local_date_time(rows[1].at, 0);
    s.ui.transitions = Some((id.clone(), rows));
    s.ui.show_transitions = true;
    s.ui.mode = Mode::Detail(id);
    let screen = text(&render(&mut s, 120, 30));
    let at = |needle: &str| {
        screen
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {screen}"))
    };
    assert!(at("presence history") < at("offline  bye"), "{screen}");
    assert!(at("offline  bye") < at("away     lunch"), "{screen}");
    assert!(screen.contains(&format!("{newest}  ○ offline")), "{screen}");
}

#[test]
fn the_detail_view_draws_the_last_7_days_snapshot() {
    use std::time::UNIX_EPOCH;
    let mut s = mixed_state();
    // Saturday 2026-11-28, 15:00 UTC.
    let now = UNIX_EPOCH + Duration::from_secs(1_795_824_000 + 15 * 3600);
    s.settings.clock = now;
    let id = ContactId::new(A0, jid("heidi@example.org"));
    let h = |hours: u64| now - Duration::from_secs(hours * 3600);
    s.ui.week = vec![
        (h(6 * 24 + 10), Some(Show::Online)),
        (h(6 * 24 + 2), None),
        (h(3 * 24), Some(Show::Away)),
        (h(3 * 24 - 3), Some(Show::Dnd)),
        (h(2 * 24), None),
        (h(5), Some(Show::Chat)),
        (h(2), None),
    ];
    s.ui.transitions = Some((id.clone(), Vec::new()));
    s.ui.mode = Mode::Detail(id);
    let screen = text(&render(&mut s, 80, 30));
    assert!(screen.contains("last 7 days"), "{screen}");
    assert!(!screen.contains("presence history"), "{screen}");
    insta::assert_snapshot!(screen);
}
