//! Render tests for idle: a contact's XEP-0319 idle on its rows and in the detail view, and
//! the header while auto-away is on.

use std::time::Duration;

use crate::domain::{ContactId, Show};
use crate::event::SessionEvent;
use crate::store::auto_away::{AutoAway, Rules};
use crate::store::Mode;
use crate::test_support::{jid, mixed_state, presence, render, text, A0};

fn idle_bob(s: &mut crate::store::State) {
    presence(s, "bob@example.org", "phone", Show::Away, 1, "on the move");
    let since = s.settings.clock - Duration::from_secs(25 * 60 + 10);
    s.apply(
        A0,
        SessionEvent::Idle {
            from: jid("bob@example.org"),
            resource: Some("phone".into()),
            since,
        },
    );
}

#[test]
fn a_contacts_idle_is_shown_on_its_resource_row_and_in_the_detail_view() {
    let mut s = mixed_state();
    idle_bob(&mut s);
    let screen = text(&render(&mut s, 120, 24));
    let phone = screen
        .lines()
        .find(|l| l.contains("phone"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(phone.contains("idle 25m"), "{phone}");
    // The laptop, which wins, sent no idle.
    let bob = screen.lines().find(|l| l.contains("Bob")).unwrap();
    assert!(!bob.contains("idle"), "{bob}");
    s.ui.mode = Mode::Detail(ContactId::new(A0, jid("bob@example.org")));
    let screen = text(&render(&mut s, 120, 30));
    assert!(screen.contains("idle for 25 min"), "{screen}");
}

#[test]
fn the_contact_row_says_idle_when_its_best_resource_is() {
    let mut s = mixed_state();
    presence(&mut s, "carol@example.org", "home", Show::Online, 0, "");
    let since = s.settings.clock - Duration::from_secs(3 * 3600);
    s.apply(
        A0,
        SessionEvent::Idle {
            from: jid("carol@example.org"),
            resource: Some("home".into()),
            since,
        },
    );
    let screen = text(&render(&mut s, 120, 24));
    let carol = screen.lines().find(|l| l.contains("Carol")).unwrap();
    assert!(carol.contains("idle 3h"), "{carol}");
}

#[test]
fn the_header_says_auto_away_and_shows_what_is_sent() {
    let mut s = mixed_state();
    s.account_mut(A0).unwrap().own.show = Show::Online;
    let start = s.settings.clock - Duration::from_secs(700);
    s.auto_away = AutoAway::new(Rules::standard(), start);
    assert_eq!(
        s.auto_away.tick(s.settings.clock),
        Some(crate::store::auto_away::Phase::Away)
    );
    let screen = text(&render(&mut s, 140, 20));
    let header = screen.lines().next().unwrap();
    assert!(header.contains("auto-away, idle 11m"), "{header}");
    assert!(header.contains("away (auto)"), "{header}");
    s.auto_away.activity(s.settings.clock);
    let screen = text(&render(&mut s, 140, 20));
    let header = screen.lines().next().unwrap();
    assert!(!header.contains("auto"), "{header}");
    assert!(header.contains("online"), "{header}");
}

/// With two resources the detail view names the one the row shows and the rule (the
/// default, priority, as no test sets another).
#[test]
fn the_detail_view_names_the_shown_resource_and_the_rule() {
    let mut s = mixed_state();
    idle_bob(&mut s);
    s.ui.mode = Mode::Detail(ContactId::new(A0, jid("bob@example.org")));
    let screen = text(&render(&mut s, 120, 30));
    let line = screen
        .lines()
        .find(|l| l.contains("the row shows"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("the row shows laptop"), "{line}");
    assert!(
        screen.contains("roster.aggregate = \"priority\": highest priority, then most available"),
        "{screen}"
    );
}
