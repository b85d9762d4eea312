//! Auto-away's desktop source in the real binary: rosterm runs in tmux with a real session
//! bus (a private `dbus-daemon`) on which `tests/peers/screensaver.py` plays the desktop's
//! `org.freedesktop.ScreenSaver`. While the desktop is busy (input in another window)
//! alice stays online although rosterm gets no key for twice `away_after`; once the desktop
//! is idle she goes away, with XEP-0319 idle; when it is busy again she is back, exactly.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use xmpp_parsers::presence::Show as XShow;

use crate::binary::{alice_and_bob, shell_command, write_config, Tmux};
use crate::peer::{presence_from, WAIT};

/// A private session bus at `dir/bus`; killed on drop.
fn session_bus(dir: &std::path::Path) -> (tokio::process::Child, String) {
    let address = format!("unix:path={}", dir.join("bus").display());
    let daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", &format!("--address={address}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("dbus-daemon (Debian's dbus-daemon) is installed");
    (daemon, address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_desktop_keeps_alice_online_and_an_idle_one_makes_her_away() {
    let (server, mut bob, dir) = alice_and_bob("here").await;
    let (_daemon, address) = session_bus(dir.path());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/screensaver.py");
    // The bus takes a moment to listen: the service retries until it owns its name.
    let mut saver = None;
    for _ in 0..100 {
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        if let Ok(Ok(Some(line))) = tokio::time::timeout(WAIT, lines.next_line()).await {
            if line == "ready" {
                saver = Some((child, lines));
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut saver, mut asked) = saver.expect("the screensaver service owns its name");
    let mut tell = saver.stdin.take().unwrap();

    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[auto_away]\naway_after = \"3s\"\nxa_after = \"0\"\ntmux_detach = false\n");
    std::fs::write(&config, text).unwrap();
    let command = format!(
        "unset SSH_CONNECTION SSH_CLIENT SSH_TTY XDG_SESSION_ID; export DBUS_SESSION_BUS_ADDRESS={address}; {}",
        shell_command(&config, &log)
    );
    let tmux = Tmux::start(&command, 130, 24);
    tmux.wait_for("the roster with Bob online", |s| {
        s.contains("Bob Builder") && s.contains("here")
    });
    let me = "alice@localhost/rosterm";
    // Busy for twice away_after, while rosterm asks (at least twice) and gets no key.
    let polls = tokio::time::timeout(WAIT, async {
        let mut n = 0;
        while let Ok(Some(line)) = asked.next_line().await {
            n += usize::from(line.starts_with("asked"));
            if n == 3 {
                break;
            }
        }
        n
    })
    .await;
    assert_eq!(polls, Ok(3), "rosterm asks the desktop");
    bob.drain_for(Duration::from_secs(6)).await;
    let went_away = bob
        .received
        .iter()
        .any(|s| presence_from(s, me).is_some_and(|p| p.show == Some(XShow::Away)));
    assert!(!went_away, "busy desktop, yet away: {:?}", bob.received);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("auto-away: the desktop's idle time from ScreenSaver"),
        "{logged}"
    );

    // The desktop goes quiet: away, with idle.
    tell.write_all(b"idle 60\n").await.unwrap();
    let away = bob
        .wait_for("alice away", |s| {
            presence_from(s, me).is_some_and(|p| p.show == Some(XShow::Away))
        })
        .await;
    let p = presence_from(&away, me).unwrap();
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("hello from tmux")
    );
    assert!(
        p.payloads.iter().any(|e| e.is("idle", "urn:xmpp:idle:1")),
        "{p:?}"
    );
    bob.received.clear();

    // Input on the desktop again: back, exactly as she was.
    tell.write_all(b"busy\n").await.unwrap();
    let back = bob
        .wait_for("alice back", |s| {
            presence_from(s, me).is_some_and(|p| p.show.is_none())
        })
        .await;
    let p = presence_from(&back, me).unwrap();
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("hello from tmux")
    );
    assert_eq!(p.priority.0, 4);
    assert!(!p.payloads.iter().any(|e| e.is("idle", "urn:xmpp:idle:1")));
    drop(tell);
    let _ = saver.wait().await;
}
