//! Screens that fit: help laid out to the width and explaining every mark, popups that
//! scroll and say so, a header that abbreviates on a narrow terminal.

use crossterm::event::{KeyCode, KeyEvent};

use crate::keymap::Keymap;
use crate::store::{Mode, State};
use crate::test_support::{key, mixed_state, render, text};
use crate::update;

fn press(s: &mut State, k: KeyEvent) {
    update::on_key(s, &Keymap::default(), k);
}

#[test]
fn help_uses_the_whole_width_and_wraps_on_a_narrow_one() {
    for width in [250u16, 60] {
        let mut s = mixed_state();
        s.ui.mode = Mode::Help;
        let screen = text(&render(&mut s, width, 250));
        let flat: String = screen
            .lines()
            .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
            .collect::<Vec<_>>()
            .join(" ");
        let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
        for (_, description) in crate::command::COMMANDS.iter().flat_map(|c| c.lines) {
            assert!(
                flat.contains(description),
                "{width} columns: {description:?} cut:\n{screen}"
            );
        }
        for (_, description) in Keymap::default().help_lines() {
            assert!(flat.contains(description), "{width}: {description:?} cut");
        }
        let box_width = screen
            .lines()
            .find(|l| l.starts_with("┌ rosterm help"))
            .map(|l| l.chars().count());
        assert_eq!(box_width, Some(usize::from(width)), "{screen}");
    }
}

#[test]
fn help_explains_every_mark() {
    let mut s = mixed_state();
    s.ui.mode = Mode::Help;
    let screen = text(&render(&mut s, 160, 200));
    for mark in [
        "⇄ you see each other",
        "→ you see them",
        "← they see you",
        "· neither",
        "? your request waits",
        "! their request waits",
        "✉",
        "◉",
        "available / total",
        "◌ queued",
        "<connection state>",
    ] {
        assert!(screen.contains(mark), "{mark} not explained:\n{screen}");
    }
}

#[test]
fn who_scrolls_with_the_roster_keys_and_says_there_is_more() {
    let mut s = mixed_state();
    let cmd = crate::command::parse("/who any").unwrap();
    update::run_command(&mut s, cmd);
    let screen = text(&render(&mut s, 100, 8));
    assert!(screen.contains("who: 7 any state"), "{screen}");
    assert!(screen.contains("↓ 2 more: j / Down / PageDown"), "{screen}");
    assert!(
        screen.contains("Bob") && !screen.contains("Heidi"),
        "{screen}"
    );
    press(&mut s, key('j'));
    assert!(
        matches!(s.ui.mode, Mode::Who(_)),
        "j scrolls, it does not close"
    );
    press(&mut s, key('G'));
    let screen = text(&render(&mut s, 100, 8));
    assert!(screen.contains("↑ 2 more: k / Up / PageUp"), "{screen}");
    assert!(
        screen.contains("Heidi") || screen.contains("Grace"),
        "{screen}"
    );
    press(&mut s, KeyEvent::from(KeyCode::Esc));
    assert_eq!(s.ui.mode, Mode::Normal);
}

#[test]
fn the_header_labels_its_parts_and_abbreviates_when_narrow() {
    let mut s = mixed_state();
    let wide = text(&render(&mut s, 160, 12));
    let header = wide.lines().next().unwrap_or_default();
    assert!(
        header.contains("you ◐ away [5]") && header.contains("│ online (connection)"),
        "{header}"
    );
    s.account_mut(crate::test_support::A0).unwrap().own.status =
        "a very long status text that cannot fit".into();
    let narrow = text(&render(&mut s, 60, 12));
    let header = narrow.lines().next().unwrap_or_default();
    assert!(
        header.contains("│ online") && header.contains("│ 5/7"),
        "connection state and counts stay: {header}"
    );
    assert!(header.contains('…'), "a cut status ends with …: {header}");
}

/// The README's tables are generated from the help's sources; `UPDATE_README=1 cargo test
/// --lib readme` rewrites them.
#[test]
fn readme_tables_match_the_help() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let tables = [
        ("keys", crate::ui::help::readme_keys()),
        ("commands", crate::ui::help::readme_commands()),
        ("marks", crate::ui::help::readme_marks()),
    ];
    for (name, table) in tables {
        let begin = format!("<!-- {name}: generated from the help (cargo test --lib readme) -->\n");
        let end = format!("<!-- end of {name} -->");
        let from = readme
            .find(&begin)
            .unwrap_or_else(|| panic!("README lacks {begin}"))
            + begin.len();
        let to = from
            + readme[from..]
                .find(&end)
                .unwrap_or_else(|| panic!("README lacks {end}"));
        if std::env::var_os("UPDATE_README").is_some() {
            readme.replace_range(from..to, &table);
        } else {
            assert_eq!(
                readme[from..to],
                table,
                "README's {name} table differs from the help; run UPDATE_README=1 cargo test --lib readme"
            );
        }
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, readme).unwrap();
    }
}

#[test]
fn enter_or_space_on_a_group_header_folds_it_and_z_folds_all() {
    let mut s = mixed_state();
    let screen = text(&render(&mut s, 100, 16));
    assert!(screen.contains("▾ Friends"), "{screen}");
    // The selection starts on the first row: the Friends header.
    press(&mut s, KeyEvent::from(KeyCode::Enter));
    let screen = text(&render(&mut s, 100, 16));
    assert!(
        screen.contains("▸ Friends  3/3") && !screen.contains("Bob") && screen.contains("Frank"),
        "{screen}"
    );
    assert!(screen.contains("Friends folded"), "{screen}");
    press(&mut s, key(' '));
    let screen = text(&render(&mut s, 100, 16));
    assert!(
        screen.contains("▾ Friends") && screen.contains("Bob"),
        "{screen}"
    );
    // Space on a contact folds its group; the selection goes to the header.
    press(&mut s, key('j'));
    press(&mut s, key(' '));
    assert!(matches!(
        s.ui.selected,
        Some(crate::store::view::RowId::Group(_))
    ));
    press(&mut s, key('z'));
    let screen = text(&render(&mut s, 100, 16));
    for g in ["▸ Friends", "▸ Work", "▸ Contacts"] {
        assert!(screen.contains(g), "{g}: {screen}");
    }
    press(&mut s, key('j'));
    press(&mut s, key('j'));
    let screen = text(&render(&mut s, 100, 16));
    assert!(
        !screen.contains("Heidi"),
        "moving over folded groups: {screen}"
    );
    press(&mut s, key('Z'));
    let screen = text(&render(&mut s, 100, 16));
    assert!(
        screen.contains("Heidi") && screen.contains("Bob"),
        "{screen}"
    );
}

#[test]
fn every_rejected_input_gets_a_sentence() {
    let mut s = mixed_state();
    // The priority editor keeps the text and says why it refused it.
    press(&mut s, key('p'));
    for _ in 0..3 {
        press(&mut s, KeyEvent::from(KeyCode::Backspace));
    }
    for c in "abc".chars() {
        press(&mut s, key(c));
    }
    press(&mut s, KeyEvent::from(KeyCode::Enter));
    let screen = text(&render(&mut s, 120, 12));
    let bottom = screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        bottom.contains("priority (-128..127): abc")
            && bottom.contains("\"abc\" is not a priority"),
        "{bottom}"
    );
    press(&mut s, KeyEvent::from(KeyCode::Esc));
    // An empty command line.
    press(&mut s, key('/'));
    press(&mut s, KeyEvent::from(KeyCode::Enter));
    assert!(s
        .ui
        .message
        .as_ref()
        .is_some_and(|m| m.0.starts_with("No command given")));
    // A key that means nothing in the roster.
    press(&mut s, key('h'));
    let message = s.ui.message.clone().map(|m| m.0).unwrap_or_default();
    assert!(
        message.starts_with("'h' is not a key in the roster; ?/F1 lists"),
        "{message}"
    );
}

#[test]
fn the_timeline_says_there_is_more_and_l_lists_it_all_scrolling() {
    let mut s = mixed_state();
    press(&mut s, key('t'));
    let total: usize = s
        .accounts
        .values()
        .map(|a| a.timeline.entries().count())
        .sum();
    assert!(total > 4, "{total}");
    let screen = text(&render(&mut s, 120, 18));
    assert!(
        screen.contains(&format!("of {total}: L lists all")),
        "{screen}"
    );
    press(&mut s, key('L'));
    assert_eq!(s.ui.mode, Mode::Timeline);
    let screen = text(&render(&mut s, 120, 8));
    assert!(
        screen.contains(&format!("timeline: {total} changes")),
        "{screen}"
    );
    assert!(screen.contains("more: j / Down / PageDown"), "{screen}");
    press(&mut s, key('G'));
    let screen = text(&render(&mut s, 120, 8));
    assert!(screen.contains("more: k / Up / PageUp"), "{screen}");
    press(&mut s, KeyEvent::from(KeyCode::Esc));
    assert_eq!(s.ui.mode, Mode::Normal);
}

#[test]
fn a_status_cut_by_a_narrow_roster_ends_with_an_ellipsis() {
    let mut s = mixed_state();
    let screen = text(&render(&mut s, 50, 16));
    let bob = screen
        .lines()
        .find(|l| l.contains("Bob"))
        .unwrap_or_default();
    assert!(bob.ends_with('…'), "{bob:?}");
    assert_eq!(bob.chars().count(), 50, "{bob:?}");
}

#[test]
fn who_names_available_and_online_apart() {
    let mut s = mixed_state();
    update::run_command(&mut s, crate::command::parse("/who").unwrap());
    let screen = text(&render(&mut s, 120, 20));
    assert!(screen.contains("who: 5 available (any show)"), "{screen}");
    update::run_command(
        &mut s,
        crate::command::parse("/who online Friends").unwrap(),
    );
    let screen = text(&render(&mut s, 120, 20));
    assert!(screen.contains("who: 1 online in Friends"), "{screen}");
    assert!(
        screen.contains("carol@example.org") && !screen.contains("bob@example.org"),
        "{screen}"
    );
}
