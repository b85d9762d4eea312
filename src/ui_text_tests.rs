//! Render tests for text terminals disagree on: emoji sequences, flags, and drawing without
//! colours (`NO_COLOR`).

use crate::test_support::A0;
use ratatui::style::{Color, Modifier};

use crate::domain::{OwnPresence, Show};
use crate::event::SessionEvent;
use crate::sanitize::{sanitize, MAX_NAME};
use crate::store::State;
use crate::test_support::{cell_on_row, item_in as item, jid, mixed_state, presence, render, text};

/// `NO_COLOR`: not one cell keeps a colour, and the selected row is still told apart, by
/// reverse video and a marker in its first cell.
#[test]
fn no_color_draws_no_colour_and_still_shows_the_selection() {
    let mut s = mixed_state();
    let coloured = render(&mut s, 100, 18);
    assert!(coloured.content.iter().any(|c| c.fg != Color::Reset));
    s.settings.no_color = true;
    let buf = render(&mut s, 100, 18);
    for c in buf.content.iter() {
        assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset), "{c:?}");
    }
    let selected: Vec<u16> = (0..buf.area.height)
        .filter(|y| buf[(0, *y)].symbol() == crate::ui::theme::selected_mark())
        .collect();
    assert_eq!(selected.len(), 1, "{}", text(&buf));
    let y = selected[0];
    let reversed: String = (0..buf.area.width)
        .map(
            |x| match buf[(x, y)].modifier.contains(Modifier::REVERSED) {
                true => 'R',
                false => '.',
            },
        )
        .collect();
    assert!(reversed.starts_with("RRRRRRRRRRR"), "{reversed}");
    // With colours, no marker: the row is reversed as before.
    assert!((0..coloured.area.height)
        .all(|y| coloured[(0, y)].symbol() != crate::ui::theme::selected_mark()));
}

/// Names as the session stores them (through the sanitizer): an emoji joined by ZWJ is one
/// cell of width 2, a lone regional indicator is its letter, a flag is one cell; the column
/// after the name lines up on every row.
#[test]
fn emoji_sequences_and_flags_render_as_one_cell_each_and_columns_line_up() {
    let mut s = State::new(
        jid("alice@example.org"),
        OwnPresence {
            show: Show::Online,
            status: String::new(),
            priority: 0,
        },
    );
    let names = [
        ("a@x", "👩\u{200d}💻 Coder"),
        ("b@x", "Lone 🇫 Bea"),
        ("c@x", "🇫🇷 Flag"),
        ("d@x", "Plain"),
    ];
    s.apply(
        A0,
        SessionEvent::RosterReceived(
            names
                .iter()
                .map(|(j, n)| item(j, &sanitize(n, MAX_NAME), "G"))
                .collect(),
        ),
    );
    presence(&mut s, "a@x", "r", Show::Chat, 1, &sanitize("👍🏽 ok", 100));
    let buf = render(&mut s, 80, 10);
    let screen = text(&buf);
    assert!(screen.contains("Lone F Bea"), "{screen}");
    let (x, y) = cell_on_row(&buf, "Coder", "👩\u{200d}💻");
    assert_eq!(buf[(x + 2, y)].symbol(), " ");
    cell_on_row(&buf, "Flag", "🇫🇷");
    let marks: Vec<u16> = ["Coder", "Bea", "Flag", "Plain"]
        .iter()
        .map(|n| cell_on_row(&buf, n, "⇄").0)
        .collect();
    assert!(marks.iter().all(|x| *x == marks[0]), "{marks:?}\n{screen}");
}
