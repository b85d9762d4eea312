use super::*;

#[test]
fn one_socket_per_config_in_a_private_directory() {
    let a = socket_path(Path::new("/etc/a.toml"));
    let b = socket_path(Path::new("/etc/b.toml"));
    assert_ne!(a, b);
    assert_eq!(a, socket_path(Path::new("/etc/a.toml")));
    assert_eq!(a.parent(), Some(socket_dir().as_path()));
}

/// The documented event lines (docs/EVENTS.md), by (type, action).
fn documented() -> Vec<serde_json::Value> {
    let doc = include_str!("../../docs/EVENTS.md");
    doc.lines()
        .filter(|l| l.starts_with("{\"time\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn event_lines_have_the_documented_shapes() {
    use crate::domain::{ConnState, Delivery};
    use crate::event::SessionEvent;
    use crate::test_support::{avail, incoming, jid, mixed_state, unavail, A0};
    use std::time::SystemTime;

    let doc = documented();
    let mut state = mixed_state();
    let now = SystemTime::now();
    let mut produced = event::present(&state, now);
    for ev in [
        avail(
            "heidi@example.org",
            "phone",
            crate::domain::Show::Online,
            0,
            "",
        ),
        avail(
            "heidi@example.org",
            "phone",
            crate::domain::Show::Dnd,
            0,
            "driving",
        ),
        unavail("heidi@example.org", Some("phone")),
        SessionEvent::Message(incoming("bob@example.org", "a1", "hi")),
        SessionEvent::Delivery {
            peer: jid("bob@example.org"),
            id: "f3c9-1".into(),
            delivery: Delivery::Delivered,
        },
        SessionEvent::SubscriptionRequest {
            from: jid("carol@example.org"),
            nick: Some("Carol".into()),
        },
        SessionEvent::Connection(ConnState::Reconnecting {
            attempt: 1,
            retry_in_secs: 2,
            reason: "connection lost".into(),
        }),
    ] {
        let before = event::before(&state, A0, &ev);
        state.apply(A0, ev.clone());
        let lines = event::changes(&state, A0, &ev, before, now);
        assert_eq!(lines.len(), 1, "{ev:?} -> {lines:?}");
        produced.extend(lines);
    }
    for line in &produced {
        let twin = doc
            .iter()
            .find(|d| d["type"] == line["type"] && d["action"] == line["action"])
            .unwrap_or_else(|| panic!("undocumented: {line}"));
        assert_eq!(keys(twin), keys(line), "{line} vs the doc's {twin}");
    }
    for action in [
        "present",
        "enter",
        "update",
        "leave",
        "in",
        "delivery",
        "request",
        "reconnecting",
    ] {
        assert!(
            produced.iter().any(|l| l["action"] == action),
            "{action} never produced"
        );
    }
}
