//! Render tests for devices and clocks: a resource's device glyph (XEP-0115) on its row and
//! on a contact row with one resource, the client in the detail view, their time
//! (XEP-0202) and the night mark; without colours and at narrow widths too.

use std::time::{Duration, UNIX_EPOCH};

use ratatui::style::Color;

use crate::domain::device::{Client, DeviceKind};
use crate::domain::{ContactId, Show};
use crate::event::SessionEvent;
use crate::store::{Mode, State};
use crate::test_support::{jid, mixed_state, presence, render, text, A0};

fn device(s: &mut State, who: &str, resource: &str, ver: &str, kind: DeviceKind, name: &str) {
    s.apply(
        A0,
        SessionEvent::Caps {
            from: jid(who),
            resource: Some(resource.into()),
            ver: ver.into(),
        },
    );
    s.apply(
        A0,
        SessionEvent::Client {
            ver: ver.into(),
            client: Client {
                kind,
                name: Some(name.into()),
            },
        },
    );
}

fn glyph(kind: DeviceKind) -> String {
    crate::ui::theme::device(kind).0
}

fn row<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} in\n{screen}"))
}

/// Bob has a laptop and a phone, Carol one pc at home.
fn with_devices() -> State {
    let mut s = mixed_state();
    device(
        &mut s,
        "bob@example.org",
        "laptop",
        "v-pc",
        DeviceKind::Pc,
        "Gajim",
    );
    device(
        &mut s,
        "bob@example.org",
        "phone",
        "v-phone",
        DeviceKind::Phone,
        "Conversations",
    );
    device(
        &mut s,
        "carol@example.org",
        "home",
        "v-bot",
        DeviceKind::Bot,
        "Sopel",
    );
    s
}

#[test]
fn each_resource_row_shows_its_device_and_a_single_resource_contact_row_too() {
    let mut s = with_devices();
    let screen = text(&render(&mut s, 120, 24));
    let (pc, phone, bot) = (
        glyph(DeviceKind::Pc),
        glyph(DeviceKind::Phone),
        glyph(DeviceKind::Bot),
    );
    assert!(
        row(&screen, "├ ").contains(&format!(" {pc} chat")),
        "{screen}"
    );
    assert!(
        row(&screen, "└ ").contains(&format!(" {phone} away")),
        "{screen}"
    );
    // Bob has two resources: his row names neither device.
    let bob = row(&screen, "Bob");
    assert!(!bob.contains(&pc) && !bob.contains(&phone), "{bob}");
    let carol = row(&screen, "Carol");
    assert!(carol.contains(&format!("@home {bot}")), "{carol}");
    // Dave's pc sent no caps: no glyph.
    let dave = row(&screen, "Dave");
    assert!(
        DeviceKind::ALL.iter().all(|k| !dave.contains(&glyph(*k))),
        "{dave}"
    );
}

#[test]
fn a_device_glyph_keeps_the_resource_columns_where_they_were() {
    let mut plain = mixed_state();
    let before = text(&render(&mut plain, 120, 24));
    let mut s = with_devices();
    let after = text(&render(&mut s, 120, 24));
    let col = |screen: &str, needle: &str| {
        let line = row(screen, needle);
        line.find("away").map(|b| line[..b].chars().count())
    };
    assert_eq!(col(&before, "phone"), col(&after, "phone"));
}

#[test]
fn a_caps_ver_learnt_later_shows_on_every_resource_that_advertised_it() {
    let mut s = mixed_state();
    for (who, res) in [("bob@example.org", "phone"), ("carol@example.org", "home")] {
        s.apply(
            A0,
            SessionEvent::Caps {
                from: jid(who),
                resource: Some(res.into()),
                ver: "shared".into(),
            },
        );
    }
    let phone = glyph(DeviceKind::Phone);
    assert!(!row(&text(&render(&mut s, 120, 24)), "Carol").contains(&phone));
    s.apply(
        A0,
        SessionEvent::Client {
            ver: "shared".into(),
            client: Client {
                kind: DeviceKind::Phone,
                name: None,
            },
        },
    );
    let screen = text(&render(&mut s, 120, 24));
    assert!(row(&screen, "Carol").contains(&phone), "{screen}");
    assert!(row(&screen, "phone").contains(&phone), "{screen}");
    // A new presence without caps: no device any more.
    presence(&mut s, "carol@example.org", "home", Show::Away, 0, "");
    assert!(!row(&text(&render(&mut s, 120, 24)), "Carol").contains(&phone));
}

#[test]
fn the_detail_view_names_the_client_and_their_time() {
    let mut s = with_devices();
    // 2026-12-03 22:40 UTC; bob's phone is at UTC+01:00: 23:40, night.
    s.settings.clock = UNIX_EPOCH + Duration::from_secs(1_796_335_200 + 40 * 60);
    s.apply(
        A0,
        SessionEvent::EntityTime {
            from: jid("bob@example.org"),
            resource: "phone".into(),
            result: Ok(3600),
        },
    );
    s.ui.mode = Mode::Detail(ContactId::new(A0, jid("bob@example.org")));
    let screen = text(&render(&mut s, 120, 40));
    assert!(screen.contains("client \"Conversations\""), "{screen}");
    assert!(screen.contains("client \"Gajim\""), "{screen}");
    assert!(screen.contains("their time 23:40 (UTC+01:00)"), "{screen}");
    assert!(screen.contains("night there"), "{screen}");
}

#[test]
fn a_row_says_when_it_is_night_for_the_contact_and_not_by_day() {
    let mut s = with_devices();
    let night = crate::ui::theme::night().0;
    s.settings.clock = UNIX_EPOCH + Duration::from_secs(1_796_335_200 + 40 * 60);
    for (res, offset) in [("laptop", 3600), ("phone", -8 * 3600)] {
        s.apply(
            A0,
            SessionEvent::EntityTime {
                from: jid("bob@example.org"),
                resource: res.into(),
                result: Ok(offset),
            },
        );
    }
    let screen = text(&render(&mut s, 120, 24));
    // The laptop (which wins) is at 23:40, the phone at 14:40.
    assert!(
        row(&screen, "Bob").contains(&format!("{night} 23:40")),
        "{screen}"
    );
    assert!(
        row(&screen, "laptop").contains(&format!("{night} 23:40")),
        "{screen}"
    );
    assert!(!row(&screen, "phone").contains(&night), "{screen}");
}

#[test]
fn devices_and_night_draw_without_colour_and_fit_a_narrow_pane() {
    let mut s = with_devices();
    s.settings.clock = UNIX_EPOCH + Duration::from_secs(1_796_335_200 + 40 * 60);
    s.apply(
        A0,
        SessionEvent::EntityTime {
            from: jid("carol@example.org"),
            resource: "home".into(),
            result: Ok(3600),
        },
    );
    s.settings.no_color = true;
    let buf = render(&mut s, 100, 24);
    assert!(buf
        .content
        .iter()
        .all(|c| (c.fg, c.bg) == (Color::Reset, Color::Reset)));
    assert!(row(&text(&buf), "Carol").contains(&glyph(DeviceKind::Bot)));
    for width in [24, 32, 40, 60] {
        let buf = render(&mut s, width, 24);
        let screen = text(&buf);
        for line in screen.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= usize::from(width),
                "{width}: {line}"
            );
        }
        assert!(screen.contains("Carol"), "{width}\n{screen}");
    }
}
