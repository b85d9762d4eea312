use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::{AccountId, Delivery, Show};
use crate::event::SessionEvent;
use crate::keymap::Keymap;
use crate::store::chat::Older;
use crate::test_support::{code, incoming, jid, key, mixed_state};
use crate::update::{on_key, on_session};

fn bob() -> ContactId {
    ContactId::new(AccountId(0), jid("bob@example.org"))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    let keymap = Keymap::default();
    text.chars()
        .flat_map(|c| on_key(state, &keymap, key(c)))
        .collect()
}

fn press(state: &mut State, k: KeyEvent) -> Vec<Effect> {
    on_key(state, &Keymap::default(), k)
}

fn sent(effects: &[Effect]) -> Vec<&Outgoing> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(_, Command::SendMessage(out)) => Some(out),
            _ => None,
        })
        .collect()
}

fn opened_with_bob() -> State {
    let mut s = mixed_state();
    let effects = open(&mut s, bob());
    assert_eq!(
        effects,
        vec![Effect::LoadHistory {
            chat: bob(),
            before: None
        }]
    );
    s
}

#[test]
fn enter_on_a_contact_opens_its_conversation_and_i_its_details() {
    let mut s = mixed_state();
    s.ui.selected = s.rosters().row_at(&s.ui.filter, 1);
    let id = crate::update::contacts::selected_contact(&s).unwrap();
    let effects = press(&mut s, code(KeyCode::Enter));
    assert_eq!(s.ui.focus, Focus::Chat(id.clone()));
    assert!(matches!(&effects[..], [Effect::LoadHistory { chat, before: None }] if *chat == id));
    press(&mut s, code(KeyCode::Esc));
    assert_eq!(s.ui.focus, Focus::Roster);
    press(&mut s, key('i'));
    assert_eq!(s.ui.mode, crate::store::Mode::Detail(id));
}

#[test]
fn typing_in_a_conversation_never_acts_as_keys() {
    let mut s = opened_with_bob();
    let effects = typed(&mut s, "hi dad, quit? ox");
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::Send(_, Command::SetPresence(_)) | Effect::Quit)),
        "{effects:?}"
    );
    assert_eq!(s.chats.get(&bob()).unwrap().draft.text, "hi dad, quit? ox");
    assert_eq!(s.primary().own.show, Show::Away);
}

#[test]
fn enter_sends_to_the_locked_resource_and_shows_it_queued() {
    let mut s = opened_with_bob();
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "b1", "yo")),
    );
    typed(&mut s, "hello");
    let effects = press(&mut s, code(KeyCode::Enter));
    let out = sent(&effects);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].body, "hello");
    assert_eq!(out[0].to.to_string(), "bob@example.org/phone");
    assert!(out[0].receipts_and_states);
    assert!(out[0].id.starts_with("rosterm-"));
    let chat = s.chats.get(&bob()).unwrap();
    assert!(chat.draft.text.is_empty());
    let last = chat.lines.back().unwrap();
    assert_eq!(last.message.body, "hello");
    assert_eq!(last.delivery, Some(Delivery::Queued));
    // Every message gets its own id.
    typed(&mut s, "again");
    let second = press(&mut s, code(KeyCode::Enter));
    assert_ne!(sent(&second)[0].id, out[0].id);
}

#[test]
fn alt_enter_makes_a_new_line_and_a_slash_line_is_a_command() {
    let mut s = opened_with_bob();
    typed(&mut s, "one");
    press(&mut s, KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
    typed(&mut s, "two");
    assert_eq!(s.chats.get(&bob()).unwrap().draft.text, "one\ntwo");
    let effects = press(&mut s, code(KeyCode::Enter));
    assert_eq!(sent(&effects)[0].body, "one\ntwo");
    typed(&mut s, "/dnd busy");
    let effects = press(&mut s, code(KeyCode::Enter));
    assert!(sent(&effects).is_empty());
    assert_eq!(s.primary().own.show, Show::Dnd);
    typed(&mut s, "/me waves");
    assert_eq!(
        sent(&press(&mut s, code(KeyCode::Enter)))[0].body,
        "/me waves"
    );
    typed(&mut s, "//etc/hosts is a file");
    assert_eq!(
        sent(&press(&mut s, code(KeyCode::Enter)))[0].body,
        "/etc/hosts is a file"
    );
}

#[test]
fn composing_and_active_go_only_to_contacts_who_see_us() {
    let mut s = opened_with_bob();
    let effects = typed(&mut s, "h");
    assert!(matches!(
        &effects[..],
        [Effect::Send(
            _,
            Command::SendChatState {
                state: ChatState::Composing,
                ..
            }
        )]
    ));
    assert!(typed(&mut s, "i").is_empty(), "composing is said once");
    press(&mut s, code(KeyCode::Backspace));
    let effects = press(&mut s, code(KeyCode::Backspace));
    assert!(matches!(
        &effects[..],
        [Effect::Send(
            _,
            Command::SendChatState {
                state: ChatState::Active,
                ..
            }
        )]
    ));
    // A stranger gets no chat states and no receipt request.
    let stranger = ContactId::new(AccountId(0), jid("eve@evil.example"));
    open(&mut s, stranger.clone());
    assert!(s.chats.get(&stranger).unwrap().stranger);
    assert!(typed(&mut s, "who are you").is_empty());
    let out = press(&mut s, code(KeyCode::Enter));
    assert!(!sent(&out)[0].receipts_and_states);
}

#[test]
fn receipts_only_to_known_contacts_and_once() {
    let mut s = mixed_state();
    let msg = incoming("bob@example.org", "b1", "ping");
    let effects = on_session(&mut s, AccountId(0), SessionEvent::Message(msg.clone()));
    assert!(effects.iter().any(|e| matches!(e,
        Effect::Send(_, Command::SendReceipt { to, id }) if id == "b1" && to.to_string() == "bob@example.org/phone")));
    let again = on_session(&mut s, AccountId(0), SessionEvent::Message(msg));
    assert!(
        again.is_empty(),
        "a copy is neither answered nor announced: {again:?}"
    );
    let from_stranger = incoming("eve@evil.example", "e1", "click this");
    let effects = on_session(&mut s, AccountId(0), SessionEvent::Message(from_stranger));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::Send(_, Command::SendReceipt { .. }))));
    let id = ContactId::new(AccountId(0), jid("eve@evil.example"));
    assert!(s.chats.get(&id).unwrap().stranger);
}

#[test]
fn news_rings_the_notifier_unless_on_screen_or_dnd() {
    let mut s = mixed_state();
    let effects = on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "1", "hi")),
    );
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::NotifyMessage(t) if t.contains("Bob: hi"))));
    focus(&mut s, bob());
    let effects = on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "2", "hi")),
    );
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::NotifyMessage(_))));
    s.ui.focus = Focus::Roster;
    s.accounts.get_mut(&AccountId(0)).unwrap().own.show = Show::Dnd;
    let effects = on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "3", "hi")),
    );
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::NotifyMessage(_))));
    // Opening Bob read the first; the third, silenced, is still unread.
    assert_eq!(s.chats.unread(), 1);
}

#[test]
fn msg_opens_by_name_and_sends_and_close_closes() {
    let mut s = mixed_state();
    let cmd = crate::command::parse("/msg bob Hello there").unwrap();
    let effects = crate::update::run_command(&mut s, cmd);
    assert_eq!(sent(&effects)[0].body, "Hello there");
    assert_eq!(s.ui.focus, Focus::Chat(bob()));
    let cmd = crate::command::parse("/msg nobody-here").unwrap();
    crate::update::run_command(&mut s, cmd);
    assert!(s
        .ui
        .message
        .as_ref()
        .unwrap()
        .0
        .starts_with("No contact matches"));
    typed(&mut s, "/close");
    press(&mut s, code(KeyCode::Enter));
    assert!(s.chats.get(&bob()).is_none());
    assert_eq!(s.ui.focus, Focus::Roster);
}

#[test]
fn tab_and_alt_digits_switch_conversations() {
    let mut s = opened_with_bob();
    let carol = ContactId::new(AccountId(0), jid("carol@example.org"));
    open(&mut s, carol.clone());
    press(&mut s, code(KeyCode::Tab));
    assert_eq!(s.ui.focus, Focus::Roster);
    press(&mut s, code(KeyCode::Tab));
    assert_eq!(s.ui.focus, Focus::Chat(bob()));
    press(&mut s, KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT));
    assert_eq!(s.ui.focus, Focus::Chat(carol));
    press(&mut s, KeyEvent::new(KeyCode::Char('0'), KeyModifiers::ALT));
    assert_eq!(s.ui.focus, Focus::Roster);
}

#[test]
fn correct_replaces_the_last_own_message() {
    let mut s = opened_with_bob();
    typed(&mut s, "teh");
    let first = press(&mut s, code(KeyCode::Enter));
    let first_id = sent(&first)[0].id.clone();
    typed(&mut s, "/correct the");
    let effects = press(&mut s, code(KeyCode::Enter));
    assert_eq!(
        sent(&effects)[0].replaces.as_deref(),
        Some(first_id.as_str())
    );
    let chat = s.chats.get(&bob()).unwrap();
    assert_eq!(chat.lines.len(), 1);
    assert_eq!(chat.lines[0].message.body, "the");
    assert!(chat.lines[0].edited);
}

#[test]
fn scrolling_back_asks_the_disk_then_the_archive() {
    let mut s = opened_with_bob();
    let lines: Vec<_> = (0..30)
        .map(|i| {
            let mut l =
                crate::store::chat::ChatLine::new(incoming("bob@example.org", &i.to_string(), "x"));
            l.key = Some(100 + i);
            l
        })
        .collect();
    assert!(loaded(&mut s, &bob(), lines, true).is_empty());
    for _ in 0..4 {
        let effects = press(&mut s, code(KeyCode::PageUp));
        assert!(effects.is_empty(), "{effects:?}");
    }
    let effects = press(&mut s, code(KeyCode::PageUp));
    assert_eq!(
        effects,
        vec![Effect::LoadHistory {
            chat: bob(),
            before: Some(100)
        }]
    );
    assert_eq!(s.chats.get(&bob()).unwrap().older, Older::Loading);
    let effects = loaded(&mut s, &bob(), Vec::new(), false);
    assert!(matches!(
        &effects[..],
        [Effect::Send(_, Command::FetchArchive { max: 100, .. })]
    ));
}

#[test]
fn the_conversation_pane_shows_who_what_and_how_far() {
    use crate::test_support::{render, text};
    let mut s = opened_with_bob();
    s.settings.clock = std::time::SystemTime::now();
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "b1", "hello alice")),
    );
    let long: Vec<String> = (1..=30).map(|i| format!("line {i}")).collect();
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "b2", &long.join("\n"))),
    );
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(incoming("bob@example.org", "b3", "/me waves")),
    );
    typed(&mut s, "hi bob");
    let out = press(&mut s, code(KeyCode::Enter));
    let id = sent(&out)[0].id.clone();
    typed(&mut s, "second");
    press(&mut s, code(KeyCode::Enter));
    s.apply(
        AccountId(0),
        SessionEvent::Delivery {
            peer: jid("bob@example.org"),
            id,
            delivery: Delivery::Delivered,
        },
    );
    s.apply(
        AccountId(0),
        SessionEvent::ChatState {
            peer: jid("bob@example.org"),
            resource: Some("laptop".into()),
            state: ChatState::Composing,
        },
    );
    typed(&mut s, "draft");
    let screen = text(&render(&mut s, 130, 40));
    for needed in [
        "1 Bob",
        "Bob  chat",
        "typing…",
        "Bob: hello alice",
        "[… 18 more lines]",
        "* Bob waves",
        "me: hi bob ✓✓",
        "me: second ◌ queued",
        "> draft",
    ] {
        assert!(screen.contains(needed), "{needed:?} missing:\n{screen}");
    }
    // Wide: the roster stays beside the conversation; narrow: the conversation alone.
    assert!(screen.contains("Carol"), "{screen}");
    let narrow = text(&render(&mut s, 80, 30));
    assert!(
        !narrow.contains("Carol") && narrow.contains("> draft"),
        "{narrow}"
    );
}

#[test]
fn composing_turns_paused_after_a_while_and_back_when_typing_resumes() {
    let mut s = opened_with_bob();
    typed(&mut s, "hel");
    let typed_at = s.chats.get(&bob()).unwrap().typed_at.unwrap();
    assert_eq!(pause_due(&s), Some(typed_at + PAUSE_AFTER));
    assert!(on_tick(&mut s, typed_at + PAUSE_AFTER / 2).is_empty());
    let effects = on_tick(&mut s, typed_at + PAUSE_AFTER);
    assert!(matches!(
        &effects[..],
        [Effect::Send(
            _,
            Command::SendChatState {
                state: ChatState::Paused,
                ..
            }
        )]
    ));
    assert_eq!(pause_due(&s), None, "paused is said once");
    let effects = typed(&mut s, "l");
    assert!(matches!(
        &effects[..],
        [Effect::Send(
            _,
            Command::SendChatState {
                state: ChatState::Composing,
                ..
            }
        )]
    ));
}
