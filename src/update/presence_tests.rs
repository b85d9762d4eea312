//! A presence change says how to undo it; `u` restores the previous one; `q` asks before
//! losing unsent text.

use crossterm::event::KeyCode;

use crate::domain::{OwnPresence, Show};
use crate::event::Command;
use crate::keymap::Keymap;
use crate::store::{Mode, State};
use crate::test_support::{code, incoming, key, mixed_state, A0};
use crate::update::{on_key, Effect};

fn press(s: &mut State, c: char) -> Vec<Effect> {
    on_key(s, &Keymap::default(), key(c))
}

fn message(s: &State) -> String {
    s.ui.message
        .as_ref()
        .map(|m| m.0.clone())
        .unwrap_or_default()
}

#[test]
fn a_presence_key_says_how_to_undo_and_u_restores_it() {
    let mut s = mixed_state();
    let before = s.primary().own.clone();
    assert_eq!(before.show, Show::Away);
    press(&mut s, 'd');
    assert_eq!(s.primary().own.show, Show::Dnd);
    assert!(message(&s).ends_with("(u undoes)"), "{}", message(&s));
    let effects = press(&mut s, 'u');
    assert_eq!(
        effects,
        vec![Effect::Send(A0, Command::SetPresence(before.clone()))]
    );
    assert_eq!(s.primary().own, before);
    assert!(
        message(&s).starts_with("Presence restored: away \"lunch\", priority 5"),
        "{}",
        message(&s)
    );
    // Again: the change again.
    press(&mut s, 'u');
    assert_eq!(s.primary().own.show, Show::Dnd);
}

#[test]
fn undo_restores_status_and_priority_too() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    press(&mut s, 'p');
    for _ in 0..3 {
        on_key(&mut s, &keymap, code(KeyCode::Backspace));
    }
    press(&mut s, '9');
    on_key(&mut s, &keymap, code(KeyCode::Enter));
    assert_eq!(s.primary().own.priority, 9);
    assert!(message(&s).contains("u undoes"), "{}", message(&s));
    press(&mut s, 'u');
    assert_eq!(
        s.primary().own,
        OwnPresence {
            show: Show::Away,
            status: "lunch".into(),
            priority: 5
        }
    );
}

#[test]
fn nothing_to_undo_is_a_sentence() {
    let mut s = mixed_state();
    assert!(press(&mut s, 'u').is_empty());
    assert!(message(&s).starts_with("Nothing to undo"));
}

#[test]
fn quit_asks_when_a_draft_or_a_queued_message_would_be_lost() {
    let mut s = mixed_state();
    assert_eq!(press(&mut s, 'q'), vec![Effect::Quit], "nothing unsent");
    let bob = crate::domain::ContactId::new(A0, crate::test_support::jid("bob@example.org"));
    s.receive_message(A0, incoming("bob@example.org", "m1", "hi"));
    s.chats.get_mut(&bob).unwrap().draft.text = "half a tho".into();
    assert!(press(&mut s, 'q').is_empty());
    assert!(
        matches!(&s.ui.mode, Mode::ConfirmQuit(q) if q.starts_with("1 unsent draft would be lost")),
        "{:?}",
        s.ui.mode
    );
    assert!(press(&mut s, 'n').is_empty());
    assert_eq!(s.ui.mode, Mode::Normal);
    assert_eq!(message(&s), "Not quitting.");
    press(&mut s, 'q');
    assert_eq!(press(&mut s, 'y'), vec![Effect::Quit]);
}

fn with_presets(s: &mut State) {
    s.settings.presets = crate::domain::presets::Presets::new([
        (Show::Dnd, vec!["on a call".into(), "focus time".into()]),
        (Show::Online, vec![String::new()]),
    ]);
}

/// `[presence.messages]`: a show key sets the show's first preset; a show without presets
/// keeps the text; an empty preset clears it.
#[test]
fn a_show_key_sets_its_first_preset_and_keeps_the_text_without_one() {
    let mut s = mixed_state();
    with_presets(&mut s);
    assert_eq!(s.primary().own.status, "lunch");
    press(&mut s, 'x');
    assert_eq!(
        (s.primary().own.show, s.primary().own.status.as_str()),
        (Show::Xa, "lunch")
    );
    let effects = press(&mut s, 'd');
    assert_eq!(s.primary().own.status, "on a call");
    assert!(
        effects.iter().any(|e| matches!(e,
            Effect::Send(A0, Command::SetPresence(p)) if p.status == "on a call")),
        "{effects:?}"
    );
    press(&mut s, 'o');
    assert_eq!(
        (s.primary().own.show, s.primary().own.status.as_str()),
        (Show::Online, "")
    );
}

/// In the status editor Up / Down cycle the current show's presets; Enter sends the text.
#[test]
fn the_status_editor_cycles_the_presets_of_the_current_show() {
    let mut s = mixed_state();
    with_presets(&mut s);
    let keymap = Keymap::default();
    press(&mut s, 'd');
    press(&mut s, 's');
    let text = |s: &State| match &s.ui.mode {
        Mode::Input(input) => input.text.clone(),
        other => panic!("not editing: {other:?}"),
    };
    assert_eq!(text(&s), "on a call");
    on_key(&mut s, &keymap, code(KeyCode::Down));
    assert_eq!(text(&s), "focus time");
    on_key(&mut s, &keymap, code(KeyCode::Down));
    assert_eq!(text(&s), "on a call");
    on_key(&mut s, &keymap, code(KeyCode::Up));
    assert_eq!(text(&s), "focus time");
    let screen = crate::test_support::text(&crate::test_support::render(&mut s, 100, 20));
    assert!(
        screen.contains("status (Up/Down: presets): focus time"),
        "{screen}"
    );
    on_key(&mut s, &keymap, code(KeyCode::Enter));
    assert_eq!(s.primary().own.status, "focus time");
}
