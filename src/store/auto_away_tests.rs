use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_000_000 + secs)
}

fn rules() -> Rules {
    Rules {
        away_after: Duration::from_secs(10),
        xa_after: Some(Duration::from_secs(30)),
        ..Rules::standard()
    }
}

fn machine() -> AutoAway {
    AutoAway::new(rules(), t(0))
}

fn own(show: Show, status: &str, priority: i8) -> OwnPresence {
    OwnPresence {
        show,
        status: status.into(),
        priority,
    }
}

#[test]
fn present_until_away_after_then_away_then_xa() {
    let mut a = machine();
    assert_eq!(a.due(), Some(t(10)));
    assert_eq!(a.tick(t(9)), None);
    assert_eq!(a.tick(t(10)), Some(Phase::Away));
    assert_eq!(a.tick(t(11)), None, "already away");
    assert_eq!(a.due(), Some(t(30)));
    assert_eq!(a.tick(t(30)), Some(Phase::Xa));
    assert_eq!(a.due(), None);
    assert_eq!(a.tick(t(1000)), None);
    assert_eq!(a.idle_since(), Some(t(0)));
    assert_eq!(a.idle_secs(t(45)), 45);
}

#[test]
fn a_late_tick_goes_straight_to_xa() {
    let mut a = machine();
    assert_eq!(a.tick(t(100)), Some(Phase::Xa));
}

#[test]
fn activity_brings_back_from_away_and_from_xa_and_restarts_the_clock() {
    let mut a = machine();
    a.tick(t(10));
    assert_eq!(a.activity(t(12)), Some(Phase::Present));
    assert_eq!(a.idle_since(), None);
    assert_eq!(a.due(), Some(t(22)));
    a.tick(t(100));
    assert_eq!(a.phase, Phase::Xa);
    assert_eq!(a.activity(t(101)), Some(Phase::Present));
    assert_eq!(
        a.activity(t(102)),
        None,
        "already present: nothing to restore"
    );
}

#[test]
fn activity_never_moves_the_clock_back() {
    let mut a = machine();
    a.activity(t(20));
    a.activity(t(5));
    assert_eq!(a.last_activity, t(20));
}

#[test]
fn no_xa_stage_when_xa_after_is_off() {
    let mut a = AutoAway::new(
        Rules {
            xa_after: None,
            ..rules()
        },
        t(0),
    );
    assert_eq!(a.tick(t(10_000)), Some(Phase::Away));
    assert_eq!(a.due(), None);
    assert_eq!(a.tick(t(20_000)), None);
}

#[test]
fn disabled_never_goes_away() {
    let mut a = AutoAway::new(Rules::off(), t(0));
    assert_eq!(a.due(), None);
    assert_eq!(a.tick(t(100_000)), None);
    assert_eq!(a.attached(false, t(1)), None);
}

#[test]
fn manual_change_ends_auto_away_without_a_restore() {
    let mut a = machine();
    a.tick(t(10));
    a.manual(t(11));
    assert_eq!(a.phase, Phase::Present);
    assert_eq!(a.due(), Some(t(21)), "the manual change counts as activity");
    assert_eq!(a.activity(t(12)), None);
}

#[test]
fn detaching_is_away_at_once_and_attaching_is_back() {
    let mut a = machine();
    assert_eq!(a.attached(true, t(1)), None, "present already");
    assert_eq!(a.attached(true, t(2)), None, "no change");
    assert_eq!(
        a.last_activity,
        t(1),
        "first seen attached: someone is there"
    );
    assert_eq!(a.attached(false, t(2)), Some(Phase::Away));
    assert_eq!(a.idle_since(), Some(t(1)), "idle since the last activity");
    assert_eq!(a.attached(false, t(3)), None, "no change");
    assert_eq!(a.due(), Some(t(31)));
    assert_eq!(a.tick(t(31)), Some(Phase::Xa));
    assert_eq!(a.attached(true, t(40)), Some(Phase::Present));
    assert_eq!(a.last_activity, t(40));
}

#[test]
fn starting_in_a_detached_session_is_not_away() {
    let mut a = machine();
    assert_eq!(a.attached(false, t(1)), None);
    assert!(!a.detached);
    assert_eq!(a.due(), Some(t(10)));
    // Attaching later is someone arriving.
    assert_eq!(a.attached(true, t(5)), None, "already present");
    assert_eq!(a.last_activity, t(5));
    assert_eq!(a.attached(false, t(6)), Some(Phase::Away));
}

#[test]
fn a_detach_while_present_is_due_now() {
    let mut a = AutoAway::new(rules(), t(0));
    a.detached = true;
    assert_eq!(a.due(), Some(t(0)));
    assert_eq!(a.tick(t(1)), Some(Phase::Away));
}

#[test]
fn detach_is_ignored_when_its_switch_is_off() {
    let mut a = AutoAway::new(
        Rules {
            tmux_detach: false,
            ..rules()
        },
        t(0),
    );
    assert_eq!(a.attached(false, t(1)), None);
    assert!(!a.detached);
}

#[test]
fn applied_keeps_priority_and_status_unless_configured() {
    let mut a = machine();
    let mine = own(Show::Chat, "hacking", -5);
    assert_eq!(a.applied(&mine), None, "present: the user's own");
    a.tick(t(10));
    assert_eq!(a.applied(&mine), Some(own(Show::Away, "hacking", -5)));
    a.rules.away_status = Some("gone".into());
    assert_eq!(a.applied(&mine), Some(own(Show::Away, "gone", -5)));
    a.tick(t(30));
    assert_eq!(a.applied(&mine), Some(own(Show::Xa, "hacking", -5)));
    a.rules.xa_status = Some("long gone".into());
    assert_eq!(a.applied(&mine), Some(own(Show::Xa, "long gone", -5)));
}

#[test]
fn a_manual_away_xa_or_dnd_is_never_overridden() {
    let mut a = machine();
    a.tick(t(100));
    for show in [Show::Away, Show::Xa, Show::Dnd] {
        assert_eq!(a.applied(&own(show, "mine", 3)), None, "{show:?}");
    }
    assert!(a.applied(&own(Show::Online, "", 0)).is_some());
}

#[test]
fn durations() {
    assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
    assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    assert_eq!(parse_duration("0"), Some(Duration::ZERO));
    assert_eq!(parse_duration("0m"), Some(Duration::ZERO));
    for bad in [
        "",
        "10",
        "m",
        "10x",
        "-1m",
        "1.5h",
        "10 minutes",
        "99999999999999999999h",
    ] {
        assert_eq!(parse_duration(bad), None, "{bad:?}");
    }
}

/// Contacts' idle (XEP-0319): kept on the resource its presence came from, until a presence
/// without it.
#[test]
fn a_contacts_idle_is_kept_until_a_presence_without_it() {
    use crate::event::SessionEvent;
    use crate::test_support::{avail, item, jid, A0};
    let mut s = crate::store::State::new(jid("alice@example.org"), OwnPresence::default());
    s.apply(
        A0,
        SessionEvent::RosterReceived(vec![item("bob@example.org", "Bob", &[])]),
    );
    s.apply(A0, avail("bob@example.org", "pc", Show::Away, 0, ""));
    let idle = |s: &crate::store::State| {
        s.contact(&crate::domain::ContactId::new(A0, jid("bob@example.org")))
            .and_then(|c| c.resources.get("pc").and_then(|p| p.idle))
    };
    s.apply(
        A0,
        SessionEvent::Idle {
            from: jid("bob@example.org"),
            resource: Some("pc".into()),
            since: t(5),
        },
    );
    assert_eq!(idle(&s), Some(t(5)));
    // For a resource that is not there: nothing (and no stranger appears).
    s.apply(
        A0,
        SessionEvent::Idle {
            from: jid("mallory@evil.example"),
            resource: Some("x".into()),
            since: t(5),
        },
    );
    assert!(s
        .contact(&crate::domain::ContactId::new(
            A0,
            jid("mallory@evil.example")
        ))
        .is_none());
    s.apply(A0, avail("bob@example.org", "pc", Show::Online, 0, ""));
    assert_eq!(idle(&s), None);
}

#[test]
fn desktop_input_keeps_the_user_present_and_brings_them_back_only_when_recent() {
    let mut m = machine();
    // Busy in another window: rosterm's keys are quiet, the desktop is not.
    assert_eq!(m.desktop_input(t(8), t(8)), None);
    assert_eq!(m.tick(t(12)), None, "input at 8: not away before 18");
    assert_eq!(m.tick(t(18)), Some(Phase::Away));
    // An input older than the last activity changes nothing.
    assert_eq!(m.desktop_input(t(5), t(19)), None);
    // An input that is already long ago (the desktop's reading lags): still away.
    assert_eq!(m.desktop_input(t(9), t(40)), None);
    assert_eq!(m.phase, Phase::Away);
    // A fresh one: back.
    assert_eq!(m.desktop_input(t(41), t(41)), Some(Phase::Present));
    // Never from the future.
    assert_eq!(m.desktop_input(t(90), t(50)), None);
    assert_eq!(m.last_activity, t(50));
    // Turned off: not a source.
    let mut off = AutoAway::new(
        Rules {
            desktop: false,
            ..rules()
        },
        t(0),
    );
    assert_eq!(off.desktop_input(t(8), t(8)), None);
    assert_eq!(off.tick(t(12)), Some(Phase::Away));
    assert_eq!(
        off.desktop_input(t(12), t(12)),
        None,
        "no way back through it"
    );
}

#[test]
fn a_grace_for_a_polled_source_delays_away_but_not_the_idle_time() {
    let mut m = machine();
    m.grace = Duration::from_secs(5);
    assert_eq!(m.due(), Some(t(15)));
    assert_eq!(m.tick(t(12)), None, "away_after passed, the grace not yet");
    // The desktop's reading arrives late: an input at 11, seen at 13.
    assert_eq!(m.desktop_input(t(11), t(13)), None);
    assert_eq!(m.tick(t(20)), None);
    assert_eq!(m.tick(t(26)), Some(Phase::Away));
    assert_eq!(
        m.idle_since(),
        Some(t(11)),
        "idle since the input, not since the grace"
    );
    assert_eq!(m.due(), Some(t(46)));
}
