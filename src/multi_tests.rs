//! Several accounts in one roster: the store, the keys and commands, the report and the
//! screen, with two accounts that share a contact.

use crossterm::event::KeyCode;

use crate::domain::{AccountDisplay, AccountId, ConnState, ContactId, OwnPresence, Show};
use crate::event::{Command, SessionEvent};
use crate::keymap::Keymap;
use crate::store::view::{Filter, Row, RowId};
use crate::store::{AccountState, Mode, State};
use crate::test_support::{avail, code, item, jid, key, A0, A1};
use crate::update::{self, Effect};

fn account(id: AccountId, name: &str, jid_text: &str, priority: i8) -> AccountState {
    let own = OwnPresence {
        show: Show::Online,
        status: String::new(),
        priority,
    };
    AccountState::new(id, name.into(), jid(jid_text), own)
}

/// "home" (me@home) and "work" (me@work); bob is in both rosters.
fn two() -> State {
    let mut s = State::with_accounts(vec![
        account(A0, "home", "me@home", 5),
        account(A1, "work", "me@work", -1),
    ]);
    for (id, bound) in [(A0, "me@home/r"), (A1, "me@work/r")] {
        s.apply(
            id,
            SessionEvent::SessionStarted {
                bound: bound.into(),
            },
        );
    }
    s.apply(
        A0,
        SessionEvent::RosterReceived(vec![
            item("bob@x", "Bob", &["Friends"]),
            item("amy@x", "Amy", &["Friends"]),
        ]),
    );
    s.apply(
        A1,
        SessionEvent::RosterReceived(vec![
            item("bob@x", "Bob", &["Friends"]),
            item("carl@x", "Carl", &["Team"]),
        ]),
    );
    s.apply(A1, avail("bob@x", "desk", Show::Dnd, 0, "at work"));
    s.apply(A0, avail("amy@x", "pc", Show::Away, 0, ""));
    s
}

fn contact_rows(s: &State) -> Vec<(AccountId, String, String)> {
    s.rosters()
        .visible_rows(&Filter::default(), 0, usize::MAX)
        .into_iter()
        .filter_map(|r| match r {
            Row::Contact {
                account, contact, ..
            } => Some((
                account,
                contact.jid.to_string(),
                contact.availability().label().to_owned(),
            )),
            _ => None,
        })
        .collect()
}

/// Every row's position and identity agree, and a window starts at its row.
fn check_positions(s: &State, filter: &Filter) {
    let rosters = s.rosters();
    let all: Vec<RowId> = rosters
        .visible_rows(filter, 0, usize::MAX)
        .iter()
        .map(Row::id)
        .collect();
    assert_eq!(rosters.row_count(filter), all.len());
    for (i, id) in all.iter().enumerate() {
        assert_eq!(rosters.position_of(filter, id), Some(i), "{id:?}");
        assert_eq!(rosters.row_at(filter, i).as_ref(), Some(id), "row {i}");
    }
}

fn sent(effects: &[Effect]) -> Vec<(AccountId, Command)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(id, c) => Some((*id, c.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_same_jid_in_two_accounts_is_two_rows_each_with_its_own_presence() {
    let s = two();
    let rows = contact_rows(&s);
    let bobs: Vec<_> = rows.iter().filter(|r| r.1 == "bob@x").collect();
    assert_eq!(bobs.len(), 2, "{rows:?}");
    assert!(bobs.contains(&&(A0, "bob@x".into(), "offline".into())));
    assert!(bobs.contains(&&(A1, "bob@x".into(), "dnd".into())));
    check_positions(&s, &Filter::default());
    check_positions(
        &s,
        &Filter {
            online_only: true,
            ..Filter::default()
        },
    );
}

#[test]
fn a_section_per_account_when_configured() {
    let mut s = two();
    s.settings.account_display = AccountDisplay::Group;
    let ids: Vec<RowId> = s
        .rosters()
        .visible_rows(&Filter::default(), 0, usize::MAX)
        .iter()
        .map(Row::id)
        .collect();
    assert_eq!(ids.first(), Some(&RowId::Account(A0)));
    let work_at = ids.iter().position(|r| *r == RowId::Account(A1));
    let carl_at = ids
        .iter()
        .position(|r| r.contact().is_some_and(|c| c.jid.as_str() == "carl@x"));
    assert!(work_at < carl_at, "carl is in work's section: {ids:?}");
    check_positions(&s, &Filter::default());
}

#[test]
fn a_presence_key_changes_every_account_and_keeps_each_priority() {
    let mut s = two();
    let effects = update::on_key(&mut s, &Keymap::default(), key('d'));
    let sent = sent(&effects);
    assert_eq!(sent.len(), 2, "{sent:?}");
    for (id, priority) in [(A0, 5), (A1, -1)] {
        let expected = Command::SetPresence(OwnPresence {
            show: Show::Dnd,
            status: String::new(),
            priority,
        });
        assert!(sent.contains(&(id, expected)), "{sent:?}");
    }
    let message = s.ui.message.clone().map(|m| m.0).unwrap_or_default();
    assert!(message.contains("on all 2 accounts"), "{message}");
}

#[test]
fn account_prefix_changes_one_account_only() {
    let mut s = two();
    let cmd = crate::command::parse("/account work away lunch").unwrap();
    let sent = sent(&update::run_command(&mut s, cmd));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, A1);
    assert_eq!(s.account(A1).unwrap().own.show, Show::Away);
    assert_eq!(s.account(A1).unwrap().own.status, "lunch");
    assert_eq!(
        s.account(A0).unwrap().own.show,
        Show::Online,
        "home untouched"
    );
    let cmd = crate::command::parse("/account nope away").unwrap();
    assert!(update::run_command(&mut s, cmd).is_empty());
    let message = s.ui.message.clone().map(|m| m.0).unwrap_or_default();
    assert!(message.contains("No account named") && message.contains("work"));
}

#[test]
fn contact_commands_act_through_the_contacts_account() {
    let mut s = two();
    // carl is only in work's roster.
    let cmd = crate::command::parse("/remove carl@x").unwrap();
    update::run_command(&mut s, cmd);
    let Mode::Confirm { commands, .. } = &s.ui.mode else {
        panic!("asks first");
    };
    assert_eq!(commands, &vec![(A1, Command::RemoveContact(jid("carl@x")))]);
    s.ui.mode = Mode::Normal;
    // bob is in both: without a selection on one of them, rosterm asks which.
    let cmd = crate::command::parse("/rename bob@x Robert").unwrap();
    assert!(update::run_command(&mut s, cmd).is_empty());
    let message = s.ui.message.clone().map(|m| m.0).unwrap_or_default();
    assert!(
        message.contains("home") && message.contains("work"),
        "{message}"
    );
    // With work's bob selected, the same command goes to work.
    s.ui.selected = Some(RowId::Contact(
        crate::store::view::GroupRef {
            section: None,
            key: crate::store::roster::GroupKey::Named("Friends".into()),
        },
        ContactId::new(A1, jid("bob@x")),
    ));
    let cmd = crate::command::parse("/rename bob@x Robert").unwrap();
    let sent = sent(&update::run_command(&mut s, cmd));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, A1);
}

#[test]
fn requests_and_pushes_stay_with_their_account() {
    let mut s = two();
    s.apply(
        A1,
        SessionEvent::SubscriptionRequest {
            from: jid("dan@x"),
            nick: None,
        },
    );
    s.apply(A0, SessionEvent::RosterPush(item("eve@x", "Eve", &[])));
    assert!(s.account(A0).unwrap().roster.get(&jid("eve@x")).is_some());
    assert!(s.account(A1).unwrap().roster.get(&jid("eve@x")).is_none());
    let effects = update::on_key(&mut s, &Keymap::default(), key('y'));
    let sent = sent(&effects);
    assert!(
        sent.contains(&(A1, Command::Approve(jid("dan@x")))),
        "{sent:?}"
    );
    assert!(sent.iter().all(|(id, _)| *id == A1));
}

#[test]
fn rosterm_ends_only_when_no_account_could_log_in() {
    let mut s = two_fresh();
    let failed = |reason: &str| {
        SessionEvent::Connection(ConnState::Failed {
            reason: reason.into(),
        })
    };
    assert!(update::on_session(&mut s, A0, failed("not-authorized")).is_empty());
    let effects = update::on_session(&mut s, A1, failed("bad certificate"));
    let Some(Effect::LoginFailed(reason)) = effects.first() else {
        panic!("{effects:?}");
    };
    assert!(reason.contains("home: not-authorized") && reason.contains("work: bad certificate"));

    let mut s = two_fresh();
    update::on_session(&mut s, A0, failed("not-authorized"));
    let started = SessionEvent::SessionStarted {
        bound: "me@work/r".into(),
    };
    assert!(update::on_session(&mut s, A1, started).is_empty());
    assert!(
        update::on_session(&mut s, A0, failed("again")).is_empty(),
        "work is online: keep running"
    );
}

fn two_fresh() -> State {
    State::with_accounts(vec![
        account(A0, "home", "me@home", 0),
        account(A1, "work", "me@work", 0),
    ])
}

#[test]
fn who_reports_each_account() {
    let s = two();
    let json = crate::who::json_report(&s, &[]);
    assert!(json.starts_with("{\"home\":{\"amy@x\":"), "{json}");
    assert!(
        json.contains("\"work\":{\"bob@x\":{\"state\":\"dnd\""),
        "{json}"
    );
    let text = crate::who::text_report(&s, &[]);
    assert!(
        text.contains("bob@x\tdnd\tdesk\t0\tat work\twork\n"),
        "{text}"
    );
}

#[test]
fn the_screen_names_each_account() {
    let mut s = two();
    s.apply(
        A1,
        SessionEvent::Connection(ConnState::Reconnecting {
            attempt: 2,
            retry_in_secs: 8,
            reason: "connection refused".into(),
        }),
    );
    let buf = crate::test_support::render(&mut s, 100, 14);
    let screen = crate::test_support::text(&buf);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[0].contains("home") && lines[0].contains("online"),
        "{screen}"
    );
    assert!(
        lines[1].contains("work") && lines[1].contains("next try in 8 s"),
        "{screen}"
    );
    let bob_rows = lines.iter().filter(|l| l.contains("Bob")).count();
    assert_eq!(bob_rows, 2, "{screen}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("work") && l.contains("Carl")),
        "rows are tagged: {screen}"
    );
}

#[test]
fn account_names_complete_after_the_account_command() {
    let names = vec!["home".to_owned(), "work".to_owned()];
    let ctx = crate::command::Context::accounts(&names);
    let complete = |t: &str| crate::command::complete(t, &ctx);
    assert_eq!(complete("/account w"), Some("/account work ".into()));
    assert_eq!(
        complete("/account work aw"),
        Some("/account work away ".into())
    );
    assert_eq!(complete("/acc"), Some("/account ".into()));
}

#[test]
fn escape_and_typing_in_the_editor_never_change_presence() {
    let mut s = two();
    let keymap = Keymap::default();
    update::on_key(&mut s, &keymap, key('/'));
    for c in "add dad".chars() {
        assert!(update::on_key(&mut s, &keymap, key(c)).is_empty());
    }
    assert!(matches!(s.ui.mode, Mode::Input(_)));
    update::on_key(&mut s, &keymap, code(KeyCode::Esc));
    assert!(s.accounts.values().all(|a| a.own.show == Show::Online));
}

#[test]
fn resource_rows_under_a_tagged_contact_start_below_its_glyph() {
    let mut s = two();
    s.apply(A1, avail("carl@x", "laptop", Show::Chat, 5, ""));
    s.apply(A1, avail("carl@x", "phone", Show::Away, 1, ""));
    let buf = crate::test_support::render(&mut s, 100, 16);
    let screen = crate::test_support::text(&buf);
    let (glyph_x, carl_y) = crate::test_support::cell_on_row(&buf, "Carl", "✦");
    let (fork_x, fork_y) = crate::test_support::cell_on_row(&buf, "├", "├");
    let (end_x, end_y) = crate::test_support::cell_on_row(&buf, "└", "└");
    assert_eq!((fork_y, end_y), (carl_y + 1, carl_y + 2), "{screen}");
    // Untagged, the branch sits two cells right of the contact's glyph; a tag moves both.
    assert_eq!(fork_x, glyph_x + 2, "{screen}");
    assert_eq!(end_x, glyph_x + 2, "{screen}");
    assert_eq!(buf[(glyph_x + 4, fork_y)].symbol(), "✦", "{screen}");
}
