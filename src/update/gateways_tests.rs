//! `/gateways` and `/register GATEWAY` in the UI: the list, the form asked field by field
//! (the password masked, never drawn nor in `Debug`), sent once in one piece; a required
//! field left empty and a wrong y/n are refused in place; Esc sends nothing; a contact
//! behind a gateway shows its network.

use crossterm::event::{KeyCode, KeyEvent};

use super::*;
use crate::domain::{ConnState, OwnPresence};
use crate::event::SessionEvent;
use crate::test_support::{enter_answer as enter, screen_160x12 as screen, type_answer as typed};
use crate::test_support::{item, jid, A0};
use crate::update::account_admin::on_key;
use xmpp_parsers::minidom::Element;

fn irc() -> Gateway {
    Gateway {
        jid: jid("irc.example.com"),
        name: "IRC".into(),
        network: "irc".into(),
        registration: true,
    }
}

fn online() -> State {
    let mut state = State::new(jid("juliet@example.com"), OwnPresence::default());
    state.account_mut(A0).unwrap().connection = ConnState::Online;
    state
}

fn form(extra: &str) -> Form {
    let query: Element = format!(
        "<query xmlns='jabber:iq:register'><instructions>Enter your IRC nick.</instructions><username/><password/>{extra}</query>"
    )
    .parse()
    .unwrap();
    crate::register::form::parse(&query)
}

#[test]
fn gateways_lists_what_the_server_said_or_that_it_is_still_asking() {
    let mut state = online();
    list(&mut state);
    let (text, _) = state.ui.message.clone().unwrap();
    assert!(text.contains("still asking example.com"), "{text}");
    state.apply(A0, SessionEvent::Gateways(Vec::new()));
    list(&mut state);
    let (text, _) = state.ui.message.clone().unwrap();
    assert!(text.contains("the server lists none"), "{text}");
    state.apply(A0, SessionEvent::Gateways(vec![irc()]));
    list(&mut state);
    let (text, _) = state.ui.message.clone().unwrap();
    assert_eq!(
        text,
        "Gateways: irc.example.com (irc, \"IRC\") (/register GATEWAY to use one)"
    );
}

#[test]
fn the_form_is_asked_field_by_field_masked_and_sent_once() {
    let mut state = online();
    let effects = register(&mut state, Scope::All, jid("irc.example.com"));
    assert!(
        matches!(&effects[..], [Effect::Send(A0, Command::GatewayForm(g))] if g.as_str() == "irc.example.com"),
        "{effects:?}"
    );
    let effects = crate::update::network::on_session(
        &mut state,
        A0,
        SessionEvent::GatewayForm {
            gateway: jid("irc.example.com"),
            form: form(""),
        },
    );
    assert!(effects.is_empty());
    let shown = screen(&mut state);
    assert!(
        shown.contains("irc.example.com (1/2, Esc cancels) Enter your IRC nick. Username:"),
        "{shown}"
    );
    // Required: Enter on nothing is refused in place.
    assert!(enter(&mut state).is_empty());
    assert!(screen(&mut state).contains("it is required"));
    typed(&mut state, "juliet_irc");
    assert!(screen(&mut state).contains("Username: juliet_irc"));
    assert!(enter(&mut state).is_empty());
    typed(&mut state, "irc-s3cret");
    let shown = screen(&mut state);
    assert!(
        shown.contains("(2/2, Esc cancels) Password: **********"),
        "{shown}"
    );
    assert!(!shown.contains("irc-s3cret"), "never drawn: {shown}");
    assert!(!format!("{:?}", state.ui.mode).contains("irc-s3cret"));
    let effects = enter(&mut state);
    let [Effect::Send(
        A0,
        Command::GatewayRegister {
            gateway, answers, ..
        },
    )] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(gateway.as_str(), "irc.example.com");
    let answers: Vec<(&str, &str)> = answers
        .iter()
        .map(|(v, s)| (v.as_str(), s.expose()))
        .collect();
    assert_eq!(
        answers,
        [("username", "juliet_irc"), ("password", "irc-s3cret")]
    );
    assert!(matches!(state.ui.mode, Mode::Normal));
    assert!(
        !format!("{effects:?}").contains("irc-s3cret"),
        "nor in the command's Debug"
    );
}

#[test]
fn a_wrong_answer_is_refused_in_place_and_esc_sends_nothing() {
    let mut state = online();
    let extra = "<x xmlns='jabber:x:data' type='form'><field var='username' type='text-single' label='Nick'><required/></field><field var='tls' type='boolean' label='Use TLS'/></x>";
    form_arrived(&mut state, A0, jid("irc.example.com"), form(extra));
    typed(&mut state, "juliet_irc");
    enter(&mut state);
    typed(&mut state, "maybe");
    assert!(enter(&mut state).is_empty(), "not sent");
    let shown = screen(&mut state);
    assert!(shown.contains("Use TLS [y/n]"), "{shown}");
    assert!(shown.contains("is not an answer; type y or n"), "{shown}");
    on_key(&mut state, KeyEvent::from(KeyCode::Esc));
    assert!(matches!(state.ui.mode, Mode::Normal));
    let (text, _) = state.ui.message.clone().unwrap();
    assert_eq!(text, "Cancelled; nothing was sent to irc.example.com.");
}

#[test]
fn register_needs_a_connected_account() {
    let mut state = online();
    state.account_mut(A0).unwrap().connection = ConnState::Connecting;
    assert!(register(&mut state, Scope::All, jid("irc.example.com")).is_empty());
    let (text, severity) = state.ui.message.clone().unwrap();
    assert!(text.contains("is not connected"), "{text}");
    assert_eq!(severity, Severity::Error);
}

#[test]
fn a_contact_behind_a_gateway_shows_its_network_and_no_other_does() {
    let mut state = online();
    state.apply(
        A0,
        SessionEvent::RosterReceived(vec![
            item(
                "nick%irc.libera.chat@irc.example.com",
                "Nick on Libera",
                &[],
            ),
            item("bob@example.org", "Bob", &[]),
        ]),
    );
    let before = screen(&mut state);
    assert!(!before.contains("[irc]"), "{before}");
    state.apply(A0, SessionEvent::Gateways(vec![irc()]));
    let shown = screen(&mut state);
    let row = |name: &str| {
        shown
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{shown}"))
            .to_owned()
    };
    assert!(row("Nick on Libera").contains("[irc]"), "{shown}");
    assert!(!row("Bob").contains("[irc]"), "{shown}");
}

#[test]
fn a_gateway_that_knows_the_user_says_so_in_the_question() {
    let mut state = online();
    form_arrived(
        &mut state,
        A0,
        jid("irc.example.com"),
        form("<registered/>"),
    );
    let shown = screen(&mut state);
    assert!(
        shown.contains("(1/2, Esc cancels) You are registered already: this changes it."),
        "{shown}"
    );
}
