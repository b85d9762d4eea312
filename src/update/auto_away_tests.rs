//! Auto-away over every account: away and xa sent with idle, back with exactly the user's
//! presence, manual presence kept, XEP-0012 answered only to those who may know.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jid::Jid;

use crate::domain::{OwnPresence, RosterItem, Show, Subscription};
use crate::event::{Command, SessionEvent};
use crate::store::auto_away::{AutoAway, Rules};
use crate::store::{AccountState, State};
use crate::test_support::{jid, A0, A1};
use crate::update::presence::{go_offline, set_show, Scope};
use crate::update::Effect;

use super::*;

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(2_000_000 + secs)
}

fn own(show: Show, status: &str, priority: i8) -> OwnPresence {
    OwnPresence {
        show,
        status: status.into(),
        priority,
    }
}

/// Two accounts: "work" chat "coding" -3, "home" online "" 7; away after 10 s, xa after 30 s.
fn state() -> State {
    let mut s = State::with_accounts(vec![
        AccountState::new(
            A0,
            "work".into(),
            jid("alice@work.example"),
            own(Show::Chat, "coding", -3),
        ),
        AccountState::new(
            A1,
            "home".into(),
            jid("alice@example.org"),
            own(Show::Online, "", 7),
        ),
    ]);
    let rules = Rules {
        away_after: Duration::from_secs(10),
        xa_after: Some(Duration::from_secs(30)),
        ..Rules::standard()
    };
    s.auto_away = AutoAway::new(rules, t(0));
    s.settings.clock = t(0);
    s
}

fn auto(presence: OwnPresence, since: Option<SystemTime>) -> Command {
    Command::SetAutoPresence {
        presence,
        idle_since: since,
    }
}

#[test]
fn away_then_xa_on_every_account_with_idle_then_back_exactly() {
    let mut s = state();
    assert_eq!(due(&s), Some(t(10)));
    assert!(on_tick(&mut s, t(9)).is_empty());
    assert_eq!(
        on_tick(&mut s, t(10)),
        vec![
            Effect::Send(A0, auto(own(Show::Away, "coding", -3), Some(t(0)))),
            Effect::Send(A1, auto(own(Show::Away, "", 7), Some(t(0)))),
        ]
    );
    assert_eq!(
        on_tick(&mut s, t(30)),
        vec![
            Effect::Send(A0, auto(own(Show::Xa, "coding", -3), Some(t(0)))),
            Effect::Send(A1, auto(own(Show::Xa, "", 7), Some(t(0)))),
        ]
    );
    // The user's own presence was never touched.
    assert_eq!(s.primary().own, own(Show::Chat, "coding", -3));
    assert_eq!(
        on_activity(&mut s, t(40)),
        vec![
            Effect::Send(A0, Command::SetPresence(own(Show::Chat, "coding", -3))),
            Effect::Send(A1, Command::SetPresence(own(Show::Online, "", 7))),
        ]
    );
    assert!(
        on_activity(&mut s, t(41)).is_empty(),
        "nothing more to restore"
    );
    assert_eq!(due(&s), Some(t(51)));
}

#[test]
fn configured_texts_replace_the_status_and_no_idle_when_send_idle_is_off() {
    let mut s = state();
    s.auto_away.rules.away_status = Some("brb".into());
    s.auto_away.rules.send_idle = false;
    let effects = on_tick(&mut s, t(10));
    assert_eq!(
        effects[0],
        Effect::Send(A0, auto(own(Show::Away, "brb", -3), None))
    );
}

#[test]
fn a_manual_dnd_account_is_left_alone_away_and_back() {
    let mut s = state();
    s.account_mut(A1).unwrap().own = own(Show::Dnd, "busy", 1);
    let away = on_tick(&mut s, t(10));
    assert_eq!(away.len(), 1);
    assert!(matches!(away[0], Effect::Send(A0, _)));
    let back = on_activity(&mut s, t(20));
    assert_eq!(
        back,
        vec![Effect::Send(
            A0,
            Command::SetPresence(own(Show::Chat, "coding", -3))
        )]
    );
}

#[test]
fn an_offline_account_is_left_alone() {
    let mut s = state();
    s.account_mut(A1).unwrap().offline = true;
    assert_eq!(on_tick(&mut s, t(10)).len(), 1);
    assert_eq!(on_activity(&mut s, t(11)).len(), 1);
}

#[test]
fn a_manual_change_ends_auto_away_and_the_others_come_back() {
    let mut s = state();
    on_tick(&mut s, t(10));
    s.settings.clock = t(12);
    let effects = set_show(&mut s, Scope::One(A1), Show::Dnd, None);
    assert_eq!(
        effects,
        vec![
            Effect::Send(A0, Command::SetPresence(own(Show::Chat, "coding", -3))),
            Effect::Send(A1, Command::SetPresence(own(Show::Dnd, "", 7))),
        ]
    );
    assert!(!s.auto_away.active());
    assert!(on_activity(&mut s, t(13)).is_empty(), "nothing to restore");
    // Later, only the account still online goes away; the manual dnd stays.
    let away = on_tick(&mut s, t(40));
    assert_eq!(away.len(), 1);
    assert!(matches!(away[0], Effect::Send(A0, _)));
}

#[test]
fn a_manual_change_without_auto_away_sends_only_itself() {
    let mut s = state();
    let effects = set_show(&mut s, Scope::All, Show::Away, None);
    assert_eq!(effects.len(), 2);
    assert!(effects
        .iter()
        .all(|e| matches!(e, Effect::Send(_, Command::SetPresence(p)) if p.show == Show::Away)));
}

#[test]
fn going_offline_during_auto_away_restores_nothing_on_that_account() {
    let mut s = state();
    on_tick(&mut s, t(10));
    let effects = go_offline(&mut s, Scope::One(A0));
    assert_eq!(
        effects,
        vec![
            Effect::Send(A1, Command::SetPresence(own(Show::Online, "", 7))),
            Effect::Send(A0, Command::GoOffline),
        ]
    );
}

#[test]
fn detaching_goes_away_at_once_and_attaching_comes_back() {
    let mut s = state();
    assert!(
        on_attached(&mut s, true, t(0)).is_empty(),
        "attached: nothing to do"
    );
    assert_eq!(on_attached(&mut s, false, t(1)).len(), 2);
    assert!(s.auto_away.active());
    assert_eq!(on_attached(&mut s, true, t(2)).len(), 2);
    assert!(!s.auto_away.active());
}

fn with_roster(s: &mut State, items: &[(&str, Subscription, bool)]) {
    let items = items
        .iter()
        .map(|(j, sub, _)| RosterItem {
            jid: jid(j),
            name: None,
            groups: Vec::new(),
            subscription: *sub,
            pending_out: false,
        })
        .collect();
    s.apply(A0, SessionEvent::RosterReceived(items));
}

fn answer(s: &State, from: Option<&str>) -> Option<u64> {
    let from = from.map(|f| Jid::new(f).unwrap());
    match &answer_last_activity(s, A0, from, "q1".into(), t(25))[..] {
        [Effect::Send(A0, Command::AnswerLastActivity { id, idle_secs, .. })] => {
            assert_eq!(id, "q1");
            *idle_secs
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn last_activity_only_to_presence_subscribers_and_the_own_account() {
    let mut s = state();
    with_roster(
        &mut s,
        &[
            ("from@example.org", Subscription::From, true),
            ("both@example.org", Subscription::Both, true),
            ("to@example.org", Subscription::To, true),
            ("none@example.org", Subscription::None, true),
        ],
    );
    assert_eq!(answer(&s, Some("from@example.org/phone")), Some(25));
    assert_eq!(answer(&s, Some("both@example.org/pc")), Some(25));
    assert_eq!(answer(&s, None), Some(25), "the server, for the account");
    assert_eq!(answer(&s, Some("alice@work.example/phone")), Some(25));
    for stranger in [
        "to@example.org/x",
        "none@example.org/x",
        "mallory@evil.example/x",
        "work.example",
        "alice@example.org/rosterm", // the other account's JID is not this one's
    ] {
        assert_eq!(answer(&s, Some(stranger)), None, "{stranger}");
    }
    s.auto_away.rules.send_idle = false;
    assert_eq!(answer(&s, Some("both@example.org/pc")), None);
    assert_eq!(answer(&s, None), Some(25));
}

#[test]
fn a_query_arrives_as_an_event_and_is_answered() {
    let mut s = state();
    let effects = crate::update::on_session(
        &mut s,
        A0,
        SessionEvent::LastActivityQuery {
            from: Some(Jid::new("mallory@evil.example/x").unwrap()),
            id: "q9".into(),
        },
    );
    assert!(matches!(
        &effects[..],
        [Effect::Send(A0, Command::AnswerLastActivity { idle_secs: None, id, .. })] if id == "q9"
    ));
}
