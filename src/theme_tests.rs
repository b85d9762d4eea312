use std::path::Path;
use std::sync::Arc;

use ratatui::style::{Color, Modifier, Style};

use super::*;
use crate::test_support::{cell_on_row, mixed_state, render};

fn raw(text: &str) -> RawTheme {
    toml::from_str(text).unwrap()
}

/// The look of every entry as `ui/theme.rs` had it written in code before the theme file.
fn as_it_was_in_code(entry: Entry) -> (&'static str, Style) {
    let fg = |c| Style::default().fg(c);
    let bold = |s: Style| s.add_modifier(Modifier::BOLD);
    match entry {
        Entry::Chat => ("✦", fg(Color::Cyan)),
        Entry::Online => ("●", fg(Color::Green)),
        Entry::Away => ("◐", fg(Color::Yellow)),
        Entry::Xa => ("◑", fg(Color::Blue)),
        Entry::Dnd => ("⊘", fg(Color::Red)),
        Entry::StateError => ("✖", fg(Color::Magenta)),
        Entry::Offline => ("○", fg(Color::DarkGray)),
        Entry::ConnOnline => ("", fg(Color::Green)),
        Entry::Connecting => ("", fg(Color::Yellow)),
        Entry::Reconnecting => ("", bold(fg(Color::Yellow))),
        Entry::Failed | Entry::Error => ("", bold(fg(Color::Red))),
        Entry::Group => ("", bold(Style::default())),
        Entry::Account => ("", fg(Color::Cyan)),
        Entry::Dim => ("", fg(Color::DarkGray)),
        Entry::StatusText => ("", Style::default().add_modifier(Modifier::ITALIC)),
        Entry::Selected => ("▌", Style::default().add_modifier(Modifier::REVERSED)),
        Entry::Watch => ("", bold(fg(Color::Black).bg(Color::Yellow))),
        Entry::InboxTitle => ("", bold(fg(Color::Yellow))),
        Entry::Header => ("", fg(Color::White).bg(Color::Black)),
        Entry::Night => ("☾", fg(Color::DarkGray)),
        Entry::Phone => ("☏", fg(Color::Gray)),
        Entry::Pc => ("▭", fg(Color::Gray)),
        Entry::Web => ("◎", fg(Color::Gray)),
        Entry::Bot => ("⚙", fg(Color::Gray)),
        Entry::Console => ("›", fg(Color::Gray)),
        Entry::Handheld => ("▯", fg(Color::Gray)),
        Entry::Tablet => ("▢", fg(Color::Gray)),
        Entry::OtherDevice => ("·", fg(Color::Gray)),
    }
}

#[test]
fn every_device_has_its_own_one_cell_glyph_and_a_theme_can_change_one() {
    use crate::domain::device::DeviceKind;
    let theme = Theme::shipped();
    let mut seen = std::collections::HashSet::new();
    for kind in DeviceKind::ALL {
        let glyph = &theme.look(Entry::of_device(kind)).glyph;
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(glyph.as_str()),
            1,
            "{kind:?}"
        );
        assert!(seen.insert(glyph.clone()), "{kind:?} shares {glyph}");
    }
    let night = &theme.look(Entry::Night).glyph;
    assert_eq!(unicode_width::UnicodeWidthStr::width(night.as_str()), 1);
    let mine = Theme::build(&[
        raw(DEFAULT_THEME),
        raw("[devices]\nphone = { glyph = \"p\" }"),
    ])
    .expect("builds");
    assert_eq!(mine.look(Entry::Phone).glyph, "p");
    assert_eq!(
        mine.look(Entry::Phone).style,
        theme.look(Entry::Phone).style
    );
    let err = Theme::build(&[
        raw(DEFAULT_THEME),
        raw("[devices]\nfridge = { glyph = \"f\" }"),
    ]);
    assert!(err.is_err_and(|e| e.key == "devices.fridge" && e.message.contains("phone")));
}

#[test]
fn the_shipped_theme_parses_and_is_what_the_ui_draws_with() {
    let parsed = Theme::build(&[raw(DEFAULT_THEME)]).expect("the shipped theme must parse");
    assert_eq!(parsed, *Theme::shipped());
    assert_eq!(*crate::store::Settings::default().theme, parsed);
    for entry in Entry::ALL {
        let (glyph, style) = as_it_was_in_code(entry);
        assert_eq!(
            parsed.look(entry),
            &Look {
                glyph: glyph.into(),
                style
            },
            "{entry:?}"
        );
    }
    // What a frame draws comes from it: Erin is dnd.
    let mut state = mixed_state();
    let buf = render(&mut state, 80, 24);
    let dnd = parsed.look(Entry::Dnd);
    let (x, y) = cell_on_row(&buf, "Erin", &dnd.glyph);
    assert_eq!(buf[(x, y)].fg, Color::Red);
}

#[test]
fn the_state_s_theme_is_drawn_and_entries_it_lacks_stay_default() {
    let user = raw("[states]\ndnd = { glyph = \"D\", fg = \"#ff8800\", modifiers = [\"bold\"] }\n");
    let theme = Theme::build(&[raw(DEFAULT_THEME), user]).unwrap();
    let mut state = mixed_state();
    state.settings.theme = Arc::new(theme);
    let buf = render(&mut state, 80, 24);
    let (x, y) = cell_on_row(&buf, "Erin", "D");
    assert_eq!(buf[(x, y)].fg, Color::Rgb(0xff, 0x88, 0x00));
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = cell_on_row(&buf, "Frank", "◑");
    assert_eq!(buf[(x, y)].fg, Color::Blue);
    // Outside a frame the default is back.
    assert_eq!(
        crate::ui::theme::glyph(Availability::Available(Show::Dnd)),
        "⊘"
    );
}

/// A config naming a theme file with `theme` as its text: the error, as the user sees it.
fn theme_error(theme: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.toml"), theme).unwrap();
    let config = dir.path().join("config.toml");
    let text =
        "[account]\njid = \"alice@example.org\"\npassword = \"pw\"\n[ui]\ntheme = \"mine.toml\"\n";
    let e = crate::config::parse(&config, text)
        .expect_err("must be rejected")
        .to_string();
    let file = dir.path().join("mine.toml").display().to_string();
    e.replace(&file, "mine.toml")
}

#[test]
fn a_bad_user_theme_is_one_sentence_naming_the_file_and_the_key() {
    let cases = [
        (
            "[states]\ndnd = { fg = \"reddish\" }",
            "mine.toml: states.dnd.fg: \"reddish\" is not a colour",
        ),
        (
            "[states]\ndnd = { colour = \"red\" }",
            "mine.toml: states.dnd.colour: unknown field `colour`",
        ),
        (
            "[states]\nbusy = { glyph = \"B\" }",
            "mine.toml: states.busy: not an entry of [states]; expected chat, online",
        ),
        (
            "[colours]\ndnd = {}",
            "mine.toml: colours: not a theme table",
        ),
        (
            "[parts]\ndim = { glyph = \"x\" }",
            "mine.toml: parts.dim.glyph: this entry has no glyph",
        ),
        (
            "[parts]\nselected = { glyph = \"\" }",
            "mine.toml: parts.selected.glyph: \"\" is not a glyph",
        ),
        (
            "[parts]\ngroup = { modifiers = [\"bold\", \"blinky\"] }",
            "mine.toml: parts.group.modifiers[2]: \"blinky\" is not a modifier",
        ),
    ];
    for (theme, start) in cases {
        let e = theme_error(theme);
        assert!(e.starts_with(start), "{theme}:\n{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}

#[test]
fn a_good_user_theme_loads_through_the_config_and_a_missing_one_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        "[parts]\ndim = { fg = \"gray\" }\n",
    )
    .unwrap();
    let text = |file: &str| {
        format!(
            "[account]\njid = \"alice@example.org\"\npassword = \"pw\"\n[ui]\ntheme = \"{file}\"\n"
        )
    };
    let config = dir.path().join("config.toml");
    let c = crate::config::parse(&config, &text("t.toml")).unwrap();
    assert_eq!(
        c.theme.look(Entry::Dim).style,
        Style::default().fg(Color::Gray)
    );
    assert_eq!(
        c.theme.look(Entry::Away),
        Theme::shipped().look(Entry::Away)
    );
    let e = crate::config::parse(&config, &text("gone.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&dir.path().join("gone.toml").display().to_string()),
        "{e}"
    );
    let none = crate::config::parse(
        Path::new("c.toml"),
        "[account]\njid = \"a@b.c\"\npassword = \"p\"\n",
    );
    assert!(Arc::ptr_eq(&none.unwrap().theme, &Theme::shipped()));
}

fn config_with_ui(ui: &str) -> Result<crate::config::Config, String> {
    let text = format!("[account]\njid = \"alice@example.org\"\npassword = \"pw\"\n[ui]\n{ui}\n");
    crate::config::parse(Path::new("c.toml"), &text).map_err(|e| e.to_string())
}

#[test]
fn every_preset_parses_and_keeps_each_state_s_glyph_its_own() {
    for preset in Preset::ALL {
        let theme = Theme::build(&preset.layers().unwrap()).unwrap();
        let glyphs: std::collections::HashSet<_> = Entry::ALL
            .into_iter()
            .filter(|e| e.key().0 == "states")
            .map(|e| theme.look(e).glyph.clone())
            .collect();
        assert_eq!(glyphs.len(), 7, "{preset:?}");
        let c = config_with_ui(&format!("preset = \"{}\"", preset.name())).unwrap();
        assert_eq!(c.theme.ascii, preset == Preset::Ascii);
        assert_eq!(c.theme.look(Entry::Dnd).glyph, theme.look(Entry::Dnd).glyph);
    }
}

#[test]
fn the_ascii_preset_has_only_ascii_glyphs_and_the_light_one_no_light_text() {
    let ascii = Theme::build(&Preset::Ascii.layers().unwrap()).unwrap();
    let light = Theme::build(&Preset::Light.layers().unwrap()).unwrap();
    for entry in Entry::ALL {
        assert!(ascii.look(entry).glyph.is_ascii(), "{entry:?}");
        let fg = light.look(entry).style.fg;
        let unreadable = [Color::Yellow, Color::White, Color::LightYellow, Color::Gray];
        assert!(
            !fg.is_some_and(|c| unreadable.contains(&c)),
            "{entry:?}: {fg:?}"
        );
    }
}

#[test]
fn a_frame_drawn_with_the_ascii_preset_is_ascii_and_a_theme_file_goes_over_a_preset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        "[states]\ndnd = { glyph = \"D\" }\n",
    )
    .unwrap();
    let text = "[account]\njid = \"a@b.c\"\npassword = \"p\"\n[ui]\npreset = \"ascii\"\ntheme = \"t.toml\"\n";
    let c = crate::config::parse(&dir.path().join("c.toml"), text).unwrap();
    assert_eq!(c.theme.look(Entry::Dnd).glyph, "D");
    assert_eq!(c.theme.look(Entry::Away).glyph, "a");
    let mut state = mixed_state();
    state.settings.theme = c.theme.clone();
    let buf = render(&mut state, 80, 24);
    let screen: String = buf.content.iter().map(|c| c.symbol()).collect();
    assert!(screen.is_ascii(), "{screen}");
    let (x, y) = cell_on_row(&buf, "Erin", "D");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    // dave's status "Café ☕" is still readable.
    assert!(screen.contains("Cafe ?"), "{screen}");
}

#[test]
fn an_unknown_preset_is_one_sentence_naming_the_key() {
    let e = config_with_ui("preset = \"solarized\"").unwrap_err();
    assert!(e.contains("ui.preset"), "{e}");
    assert!(e.contains("expected dark, light or ascii"), "{e}");
}
