//! Render tests on ratatui's `TestBackend`: whole-screen snapshots and the styles that carry
//! meaning, asserted on cells.

use crate::test_support::A0;
use std::time::SystemTime;

use ratatui::style::Color;

use crate::event::{PresenceChange, SessionEvent};

use crate::domain::ConnState;
use crate::domain::Show;
use crate::keymap::Keymap;
use crate::store::{Mode, State};
use crate::update;

use crate::test_support::{cell_on_row, item_in as item, jid, mixed_state, render, text};

#[test]
fn mixed_roster_snapshot() {
    let mut s = mixed_state();
    insta::assert_snapshot!(text(&render(&mut s, 100, 18)));
}

#[test]
fn each_state_has_its_own_glyph_and_colour() {
    let mut s = mixed_state();
    let buf = render(&mut s, 100, 18);
    let cases = [
        ("Bob", "✦", Color::Cyan),
        ("Carol", "●", Color::Green),
        ("Dave", "◐", Color::Yellow),
        ("Frank", "◑", Color::Blue),
        ("Erin", "⊘", Color::Red),
        ("Heidi", "○", Color::DarkGray),
        ("Grace", "✖", Color::Magenta),
    ];
    for (name, glyph, colour) in cases {
        let (x, y) = cell_on_row(&buf, name, glyph);
        assert_eq!(buf[(x, y)].fg, colour, "{name}'s glyph colour");
    }
}

#[test]
fn contact_row_names_the_winning_resource_and_resources_expand() {
    let mut s = mixed_state();
    let screen = text(&render(&mut s, 100, 18));
    let bob = screen.lines().find(|l| l.contains("Bob")).unwrap();
    assert!(
        bob.contains("chat") && bob.contains("@laptop") && bob.contains("Let's talk"),
        "{bob}"
    );
    assert!(screen.contains("├ ✦ laptop"), "{screen}");
    assert!(screen.contains("└ ◐ phone"), "{screen}");
    let frank = screen.lines().find(|l| l.contains("Frank")).unwrap();
    assert!(frank.contains("  -1"), "negative priority shown: {frank}");
}

#[test]
fn header_shows_own_presence_and_connection() {
    let mut s = mixed_state();
    let screen = text(&render(&mut s, 120, 18));
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("alice@example.org/rosterm")
            && header.contains("away [5]")
            && header.contains("\"lunch\""),
        "{header}"
    );
    assert!(
        header.contains("online") && header.contains("5/7 online"),
        "{header}"
    );
    s.apply(
        A0,
        SessionEvent::Connection(ConnState::Reconnecting {
            attempt: 2,
            retry_in_secs: 4,
            reason: "connection refused".into(),
        }),
    );
    let screen = text(&render(&mut s, 160, 18));
    assert!(screen
        .lines()
        .next()
        .unwrap()
        .contains("reconnecting (attempt 2, next try in 4 s): connection refused"));
    s.apply(
        A0,
        SessionEvent::Connection(ConnState::Failed {
            reason: "bad password".into(),
        }),
    );
    let buf = render(&mut s, 160, 18);
    let (x, y) = cell_on_row(&buf, "failed: bad password", "f");
    assert_eq!(buf[(x, y)].fg, Color::Red);
}

#[test]
fn selection_is_highlighted_and_follows_keys() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    update::on_key(&mut s, &keymap, key('j'));
    update::on_key(&mut s, &keymap, key('j'));
    let buf = render(&mut s, 100, 18);
    let (x, y) = cell_on_row(&buf, "├ ✦ laptop", "l");
    assert!(
        buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED),
        "second row down is the laptop resource"
    );
    update::on_key(&mut s, &keymap, key('G'));
    let buf = render(&mut s, 100, 18);
    let (x, y) = cell_on_row(&buf, "Heidi", "H");
    assert!(buf[(x, y)]
        .modifier
        .contains(ratatui::style::Modifier::REVERSED));
}

#[test]
fn scrolls_to_keep_selection_visible() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    update::on_key(
        &mut s,
        &keymap,
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::End),
    );
    let screen = text(&render(&mut s, 100, 6));
    assert!(screen.contains("Heidi"), "{screen}");
    assert!(!screen.contains("▾ Friends"), "{screen}");
}

#[test]
fn help_overlay_lists_every_key_and_command() {
    let mut s = mixed_state();
    s.ui.mode = Mode::Help;
    let screen = text(&render(&mut s, 100, 150));
    for (keys, description) in Keymap::default().help_lines() {
        assert!(
            screen.contains(description),
            "{description} missing:\n{screen}"
        );
        assert!(
            screen.contains(keys.split(' ').next().unwrap()),
            "{keys} missing"
        );
    }
    for (usage, _) in crate::command::COMMANDS.iter().flat_map(|c| c.lines) {
        assert!(screen.contains(usage), "{usage} missing");
    }
    insta::assert_snapshot!(screen);
}

#[test]
fn hostile_strings_never_reach_the_buffer_raw() {
    let mut s = mixed_state();
    // Strings already sanitized in the session; this checks the whole path from a stanza.
    let own = jid("alice@example.org");
    let ctx = crate::session::translate::Context {
        own: &own,
        bound: None,
        roster_query: None,
        open_query: &|_| false,
        lane: None,
        now: std::time::SystemTime::now(),
    };
    let el: xmpp_parsers::minidom::Element = "<presence xmlns='jabber:client' from='bob@example.org/x&#x200B;y'><status>a&#x9b;2J&#x7f;b&#x200B;c&#xD;</status></presence>"
        .parse()
        .unwrap();
    let stanza = xmpp_parsers::stanza::Stanza::try_from(el).unwrap();
    for ev in crate::session::translate::translate(stanza, &ctx).events {
        s.apply(A0, ev);
    }
    let buf = render(&mut s, 120, 18);
    for cell in buf.content() {
        for c in cell.symbol().chars() {
            assert!(
                !c.is_control() && !('\u{202a}'..='\u{202e}').contains(&c) && c != '\u{200b}',
                "raw {c:?} in buffer"
            );
        }
    }
    assert!(text(&buf).contains("a\u{fffd}2J␡bc␍"));
}

#[test]
fn own_presence_shows_sending_until_the_server_echoes_it() {
    let mut s = mixed_state();
    let header = |s: &mut State| {
        text(&render(s, 140, 6))
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        !header(&mut s).contains("sending"),
        "echoed: {}",
        header(&mut s)
    );
    s.account_mut(A0).unwrap().own.show = Show::Dnd;
    assert!(
        header(&mut s).contains("(sending…)"),
        "changed, not echoed yet"
    );
    s.apply(
        A0,
        SessionEvent::OwnPresenceEcho {
            show: Show::Dnd,
            status: "lunch".into(),
            priority: 5,
        },
    );
    assert!(!header(&mut s).contains("sending"));
}

#[test]
fn help_scrolls_on_a_small_terminal() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    update::on_key(&mut s, &keymap, key('?'));
    let screen = text(&render(&mut s, 100, 24));
    assert!(
        screen.contains("more: j / Down / PageDown") && !screen.contains("/quit"),
        "{screen}"
    );
    for _ in 0..120 {
        update::on_key(
            &mut s,
            &keymap,
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down),
        );
    }
    let screen = text(&render(&mut s, 100, 24));
    assert!(
        screen.contains("/quit") && screen.contains("? or Esc closes"),
        "scrolled to the end: {screen}"
    );
    assert!(!screen.contains("more: j / Down"));
}

#[test]
fn inbox_snapshot() {
    let mut s = mixed_state();
    s.apply(
        A0,
        SessionEvent::SubscriptionRequest {
            from: jid("zoe@example.net"),
            nick: Some("Zoe".into()),
        },
    );
    s.apply(
        A0,
        SessionEvent::SubscriptionRequest {
            from: jid("heidi@example.org"),
            nick: None,
        },
    );
    let screen = text(&render(&mut s, 100, 20));
    assert!(
        screen.contains("✉ Subscription requests (2)")
            && screen.contains("y approve · Y approve and subscribe back · n deny"),
        "{screen}"
    );
    let heidi = screen.lines().find(|l| l.contains("Heidi")).unwrap();
    assert!(
        heidi.contains("⇄!"),
        "pending-in mark on the roster row: {heidi}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn timeline_snapshot() {
    let mut s = mixed_state();
    s.ui.timeline = true;
    s.apply_at(
        A0,
        SessionEvent::Presence {
            from: jid("carol@example.org"),
            resource: Some("home".into()),
            change: PresenceChange::Unavailable {
                status: "bye".into(),
            },
        },
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(3600 + 60),
    );
    let screen = text(&render(&mut s, 100, 30));
    assert!(
        screen.contains("01:01:00 - Carol/home went offline  bye"),
        "{screen}"
    );
    assert!(
        screen.contains("00:00:00 + Bob/laptop came online ✦ chat  Let's talk"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    // Filtered to one contact.
    s.ui.timeline_filter = Some(crate::domain::ContactId::new(A0, jid("erin@example.org")));
    let screen = text(&render(&mut s, 100, 30));
    assert!(
        screen.contains("Erin/office") && !screen.contains("Carol/home"),
        "{screen}"
    );
}

#[test]
fn filtered_roster_snapshot() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    update::on_key(&mut s, &keymap, key('O'));
    let screen = text(&render(&mut s, 100, 18));
    assert!(
        !screen.contains("Heidi") && !screen.contains("Grace") && screen.contains("Bob"),
        "online only: {screen}"
    );
    assert!(
        !screen.contains("▾ Contacts"),
        "a group with nobody shown is hidden: {screen}"
    );
    insta::assert_snapshot!(screen);
    // Live search on top: "er" matches Erin and Frank? no: Erin only among online.
    update::on_key(&mut s, &keymap, key('f'));
    for c in "er".chars() {
        update::on_key(&mut s, &keymap, key(c));
    }
    let screen = text(&render(&mut s, 100, 18));
    assert!(
        screen.contains("Erin") && !screen.contains("Bob") && !screen.contains("Carol"),
        "{screen}"
    );
    update::on_key(
        &mut s,
        &keymap,
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc),
    );
    assert_eq!(s.ui.filter.text, None, "Esc clears the search");
}

#[test]
fn who_overlay_lists_matches_live() {
    let mut s = mixed_state();
    let cmd = crate::command::parse("/who away").unwrap();
    update::run_command(&mut s, cmd);
    let screen = text(&render(&mut s, 110, 20));
    assert!(
        screen.contains("who: 1") && screen.contains("Dave") && !screen.contains("Erin "),
        "{screen}"
    );
    let cmd = crate::command::parse("/who any Work").unwrap();
    update::run_command(&mut s, cmd);
    let screen = text(&render(&mut s, 110, 20));
    assert!(
        screen.contains("who: 3") && screen.contains("Grace") && screen.contains("Frank"),
        "{screen}"
    );
}

#[test]
fn messages_quoting_typed_text_are_sanitized_too() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    update::on_key(&mut s, &keymap, key('s'));
    for c in ['x', '\u{200d}', '\u{202e}', 'y'] {
        update::on_key(&mut s, &keymap, key(c));
    }
    update::on_key(
        &mut s,
        &keymap,
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
    );
    let buf = render(&mut s, 120, 10);
    for cell in buf.content() {
        assert!(
            !cell.symbol().contains(['\u{200d}', '\u{202e}']),
            "invisible character in {:?}",
            cell.symbol()
        );
    }
    assert!(
        text(&buf).contains("\"lunchxy\""),
        "the editor starts from the current status: {}",
        text(&buf)
    );
}

#[test]
fn selection_follows_a_contact_that_moves_to_another_group() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    // Select Carol (Friends): header, Bob, laptop, phone, Carol.
    for _ in 0..4 {
        update::on_key(&mut s, &keymap, key('j'));
    }
    render(&mut s, 100, 18);
    assert!(
        matches!(&s.ui.selected, Some(crate::store::view::RowId::Contact(_, j)) if j.jid.as_str() == "carol@example.org")
    );
    // Carol moves to Work.
    s.apply(
        A0,
        SessionEvent::RosterPush(item("carol@example.org", "Carol", "Work")),
    );
    let buf = render(&mut s, 100, 18);
    let (x, y) = cell_on_row(&buf, "Carol", "C");
    assert!(
        buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED),
        "the moved contact is still highlighted: {}",
        text(&buf)
    );
}

#[test]
fn every_active_filter_is_on_screen_with_its_key_and_counters_say_shown() {
    let mut s = mixed_state();
    let keymap = Keymap::default();
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    let screen = text(&render(&mut s, 100, 18));
    assert!(!screen.contains("Filter:"), "no filter, no line: {screen}");
    assert!(screen.contains("▾ Friends  3/3"), "{screen}");
    update::on_key(&mut s, &keymap, key('O'));
    update::on_key(&mut s, &keymap, key('f'));
    for c in "ca".chars() {
        update::on_key(&mut s, &keymap, key(c));
    }
    update::on_key(
        &mut s,
        &keymap,
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
    );
    let screen = text(&render(&mut s, 100, 18));
    let lines: Vec<&str> = screen.lines().collect();
    let filter_line = lines
        .iter()
        .find(|l| l.starts_with("Filter:"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        filter_line.contains("online only (O shows all)")
            && filter_line.contains("search \"ca\" (f then Esc clears)"),
        "{screen}"
    );
    assert!(
        screen.contains("▾ Friends  1/3 shown"),
        "Carol only: {screen}"
    );
    // The search selected its first match; Enter opens it.
    assert!(screen.contains("Carol selected: Enter opens"), "{screen}");
    update::on_key(
        &mut s,
        &keymap,
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
    );
    assert_eq!(
        s.ui.focus,
        crate::store::Focus::Chat(crate::domain::ContactId::new(
            crate::test_support::A0,
            crate::test_support::jid("carol@example.org")
        ))
    );
}
