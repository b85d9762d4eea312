//! `/password` and `/unregister` in the UI: typed twice and masked, confirmed by typing the
//! JID, cancelled by Esc or by anything else typed; the password never drawn.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::OwnPresence;
use crate::store::AccountState;
use crate::test_support::{enter_answer as enter, screen_160x12 as screen, type_answer as typed};
use crate::test_support::{jid, A0, A1};

fn online() -> State {
    let mut state = State::new(jid("juliet@example.com"), OwnPresence::default());
    state.account_mut(A0).unwrap().connection = ConnState::Online;
    state
}

#[test]
fn the_new_password_is_asked_twice_masked_and_sent_once() {
    let mut state = online();
    password(&mut state, Scope::All);
    typed(&mut state, "n3w-s3cret");
    let shown = screen(&mut state);
    assert!(
        shown.contains("New password for juliet@example.com (Esc cancels): **********"),
        "{shown}"
    );
    assert!(!shown.contains("n3w"), "never drawn: {shown}");
    assert!(
        !format!("{:?}", state.ui.mode).contains("n3w"),
        "nor in Debug"
    );
    assert!(enter(&mut state).is_empty());
    // A different second one: back to the first question, with why.
    typed(&mut state, "n3w-s3creT");
    assert!(enter(&mut state).is_empty());
    let shown = screen(&mut state);
    assert!(
        shown.contains("New password for juliet@example.com"),
        "{shown}"
    );
    assert!(shown.contains("the two did not match"), "{shown}");
    typed(&mut state, "n3w-s3cret");
    enter(&mut state);
    typed(&mut state, "n3w-s3cret");
    assert!(
        screen(&mut state).contains("The new password for juliet@example.com again: **********")
    );
    let effects = enter(&mut state);
    assert_eq!(
        effects,
        vec![Effect::Send(
            A0,
            Command::ChangePassword(Secret::new("n3w-s3cret".into()))
        )]
    );
    assert_eq!(state.ui.mode, Mode::Normal);
    assert!(!screen(&mut state).contains("n3w"));
    // The answer: what to do next.
    password_changed(&mut state, A0);
    let (text, _) = state.ui.message.clone().unwrap();
    assert!(
        text.contains("password_command") && text.contains("old one no longer works"),
        "{text}"
    );
}

#[test]
fn an_empty_password_is_refused_and_esc_cancels() {
    let mut state = online();
    password(&mut state, Scope::All);
    assert!(enter(&mut state).is_empty());
    assert!(screen(&mut state).contains("the password cannot be empty"));
    typed(&mut state, "abc");
    on_key(&mut state, KeyEvent::from(KeyCode::Backspace));
    paste(&mut state, "xyz\nsecond line");
    assert!(
        screen(&mut state).contains("(Esc cancels): *****"),
        "ab + xyz"
    );
    assert!(on_key(&mut state, KeyEvent::from(KeyCode::Esc)).is_empty());
    assert_eq!(state.ui.mode, Mode::Normal);
    assert_eq!(
        state.ui.message.clone().unwrap().0,
        "Cancelled; the password was not changed."
    );
    // Ctrl-C cancels too (and does not quit).
    password(&mut state, Scope::All);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(on_key(&mut state, ctrl_c).is_empty());
    assert_eq!(state.ui.mode, Mode::Normal);
}

#[test]
fn unregister_needs_the_jid_typed_out_and_anything_else_cancels() {
    let mut state = online();
    unregister(&mut state, Scope::All);
    let shown = screen(&mut state);
    assert!(
        shown.contains("Delete the account juliet@example.com on the server"),
        "{shown}"
    );
    // One stray key, then Enter: cancelled, nothing sent.
    typed(&mut state, "y");
    assert!(
        screen(&mut state).contains("(Esc cancels): y"),
        "typed out in clear"
    );
    assert!(enter(&mut state).is_empty());
    assert_eq!(state.ui.mode, Mode::Normal);
    assert_eq!(
        state.ui.message.clone().unwrap().0,
        "Cancelled: that was not juliet@example.com; the account was not deleted."
    );
    unregister(&mut state, Scope::All);
    typed(&mut state, "juliet@example.com");
    assert_eq!(
        enter(&mut state),
        vec![Effect::Send(A0, Command::Unregister)]
    );
    account_removed(&mut state, A0);
    assert!(matches!(
        &state.primary().connection,
        ConnState::Failed { reason } if reason.contains("was deleted on the server")
    ));
}

#[test]
fn several_accounts_need_one_named_and_an_offline_one_is_refused() {
    let mut state = State::with_accounts(vec![
        AccountState::new(A0, "home".into(), jid("me@home"), OwnPresence::default()),
        AccountState::new(A1, "work".into(), jid("me@work"), OwnPresence::default()),
    ]);
    unregister(&mut state, Scope::All);
    assert_eq!(state.ui.mode, Mode::Normal);
    assert_eq!(
        state.ui.message.clone().unwrap().0,
        "Which account? Use /account NAME /unregister (it acts on one account only)."
    );
    password(&mut state, Scope::One(A1));
    assert_eq!(state.ui.mode, Mode::Normal);
    assert_eq!(
        state.ui.message.clone().unwrap().0,
        "me@work is not connected; /password needs the server."
    );
    state.account_mut(A1).unwrap().connection = ConnState::Online;
    let cmd = crate::command::parse("/account work /unregister").unwrap();
    crate::update::run_command(&mut state, cmd);
    let Mode::Ask(ask) = &state.ui.mode else {
        panic!("{:?}", state.ui.mode)
    };
    assert_eq!((ask.account, ask.jid.as_str()), (A1, "me@work"));
}
