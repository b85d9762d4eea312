//! Contacts by name, nick or JID prefix in every contact command; Tab cycling through them.

use crossterm::event::KeyCode;

use crate::command;
use crate::event::{Command, SessionEvent};
use crate::keymap::Keymap;
use crate::store::{Mode, Severity, State};
use crate::test_support::{code, item_in, jid, key, mixed_state, A0};
use crate::update::{on_key, run_command, Effect};

fn run(s: &mut State, line: &str) -> Vec<Effect> {
    run_command(s, command::parse(line).unwrap())
}

fn message(s: &State) -> String {
    s.ui.message
        .as_ref()
        .map(|m| m.0.clone())
        .unwrap_or_default()
}

fn with_bert() -> State {
    let mut s = mixed_state();
    s.apply(
        A0,
        SessionEvent::RosterPush(item_in("bert@example.org", "Bert", "Friends")),
    );
    s
}

#[test]
fn a_contact_is_found_by_name_prefix_jid_or_case() {
    let mut s = mixed_state();
    run(&mut s, "/status get car");
    assert!(
        matches!(&s.ui.mode, Mode::Detail(id) if id.jid == jid("carol@example.org")),
        "{:?}",
        s.ui.message
    );
    s.ui.mode = Mode::Normal;
    run(&mut s, "/remove HEIDI");
    assert!(
        matches!(&s.ui.mode, Mode::Confirm { question, .. } if question.contains("heidi@example.org"))
    );
    s.ui.mode = Mode::Normal;
    let effects = run(&mut s, "/deny frank@");
    assert_eq!(
        effects,
        vec![Effect::Send(A0, Command::Deny(jid("frank@example.org")))]
    );
}

#[test]
fn an_ambiguous_or_unknown_contact_is_one_sentence() {
    let mut s = with_bert();
    assert!(run(&mut s, "/approve b").is_empty());
    let text = message(&s);
    assert!(
        text.contains("Bob (bob@example.org)") && text.contains("Bert (bert@example.org)"),
        "{text}"
    );
    assert!(text.starts_with("\"b\" could be"), "{text}");
    assert!(run(&mut s, "/unsubscribe zz").is_empty());
    assert!(
        message(&s).starts_with("No contact matches \"zz\""),
        "{}",
        message(&s)
    );
    assert_eq!(s.ui.message.as_ref().map(|m| m.1), Some(Severity::Error));
    // An exact name wins over the names it begins.
    run(&mut s, "/status get bob");
    assert!(matches!(&s.ui.mode, Mode::Detail(id) if id.jid == jid("bob@example.org")));
    // A JID nobody knows is still a JID.
    let effects = run(&mut s, "/approve zoe@example.org");
    assert_eq!(
        effects,
        vec![Effect::Send(A0, Command::Approve(jid("zoe@example.org")))]
    );
}

#[test]
fn msg_and_directed_presence_take_names() {
    let mut s = mixed_state();
    run(&mut s, "/msg ERI hello");
    assert_eq!(
        s.ui.focus,
        crate::store::Focus::Chat(crate::domain::ContactId::new(A0, jid("erin@example.org")))
    );
    let effects = run(&mut s, "/presence bob/phone dnd busy");
    assert!(matches!(
        effects.as_slice(),
        [Effect::Send(_, Command::DirectedPresence { to, .. })] if to.to_string() == "bob@example.org/phone"
    ));
}

#[test]
fn a_group_is_never_silently_made_from_a_prefix() {
    let mut s = mixed_state();
    assert!(run(&mut s, "/group add heidi Fr").is_empty());
    assert!(
        message(&s).contains("There is no group \"Fr\", but Friends begins"),
        "{}",
        message(&s)
    );
    let groups = |e: &[Effect]| match e {
        [Effect::Send(_, Command::UpdateContact { groups, .. })] => groups.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        groups(&run(&mut s, "/group add heidi friends")),
        vec!["Friends"]
    );
    assert_eq!(groups(&run(&mut s, "/group add heidi Fr!")), vec!["Fr"]);
    assert!(message(&s).contains("the new group Fr"), "{}", message(&s));
    assert_eq!(
        groups(&run(&mut s, "/group add heidi Chess")),
        vec!["Chess"]
    );
    assert!(message(&s).contains("the new group Chess"));
}

fn line_of(s: &State) -> String {
    match &s.ui.mode {
        Mode::Input(i) => i.text.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tab_cycles_through_contacts_and_says_which() {
    let mut s = with_bert();
    let keymap = Keymap::default();
    on_key(&mut s, &keymap, key('/'));
    for c in "status get b".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    let line = line_of;
    // Nothing longer in common: the first Tab takes the first candidate.
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    assert_eq!(line(&s), "/status get Bert ");
    assert!(message(&s).contains("Bert, Bob"), "{}", message(&s));
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    assert_eq!(line(&s), "/status get Bob ");
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    assert_eq!(line(&s), "/status get Bert ");
    // Typing ends the cycle; Tab then completes what is typed.
    for c in "x".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    assert_eq!(line(&s), "/status get Bert x");
    assert!(
        message(&s).starts_with("Nothing to complete"),
        "{}",
        message(&s)
    );
}

#[test]
fn tab_completes_a_group_after_the_contact() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    on_key(&mut s, &keymap, key('/'));
    for c in "group add hei".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    for c in "Fr".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    assert!(matches!(&s.ui.mode, Mode::Input(i) if i.text == "/group add Heidi Friends"));
}

#[test]
fn watch_is_checked_listed_and_undone_by_name() {
    let mut s = mixed_state();
    run(&mut s, "/watch");
    assert!(message(&s).starts_with("Nobody is watched"));
    run(&mut s, "/watch car");
    assert!(message(&s).starts_with("Watching Carol (carol@example.org)"));
    run(&mut s, "/watch nosuch@example.org");
    assert!(
        message(&s).contains("not in your roster"),
        "{}",
        message(&s)
    );
    run(&mut s, "/watch nosuch");
    assert!(message(&s).starts_with("No contact matches"));
    run(&mut s, "/watch");
    assert_eq!(
        message(&s),
        "Watching 2: Carol (carol@example.org), nosuch@example.org (not in roster)."
    );
    run(&mut s, "/unwatch carol");
    assert!(message(&s).starts_with("No longer watching Carol"));
}

#[test]
fn save_writes_the_watches_through_the_loop() {
    let mut s = mixed_state();
    run(&mut s, "/watch bob");
    run(&mut s, "/watch carol");
    assert_eq!(
        run(&mut s, "/save"),
        vec![Effect::SaveWatches(vec![
            "bob@example.org".into(),
            "carol@example.org".into()
        ])]
    );
}

#[test]
fn tab_in_the_search_completes_a_name_and_selects_it() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    on_key(&mut s, &keymap, key('f'));
    for c in "gr".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    on_key(&mut s, &keymap, code(KeyCode::Tab));
    assert!(
        matches!(&s.ui.mode, Mode::Input(i) if i.text == "Grace"),
        "{:?}",
        s.ui.mode
    );
    assert_eq!(s.ui.filter.text.as_deref(), Some("grace"));
    assert!(matches!(
        &s.ui.selected,
        Some(crate::store::view::RowId::Contact(_, c)) if c.jid == jid("grace@example.org")
    ));
}
