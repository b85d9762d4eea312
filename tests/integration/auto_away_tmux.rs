//! Auto-away's tmux source in the real binary: rosterm runs in a tmux session, a client
//! attaches (through `script`, which gives it a terminal) and detaches; the contact sees
//! alice go away at once with XEP-0319 idle, and come back exactly when a client attaches
//! again. `away_after` is an hour: only the detach can make her away.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xmpp_parsers::presence::Show as XShow;

use crate::binary::{alice_and_bob, shell_command, write_config, Tmux};
use crate::peer::{presence_from, WAIT};

/// A tmux client attached to the test's session, on a terminal of its own.
fn attach(tmux: &Tmux) -> Child {
    Command::new("script")
        .args([
            "-qfec",
            &format!("tmux -L {} attach -t t", tmux.socket),
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux) is installed")
}

/// Polls `check` until it holds (never a fixed sleep).
fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// Multi-thread: the tmux polling blocks its thread, the peer must keep running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detaching_tmux_is_away_with_idle_and_attaching_is_back() {
    let (server, mut bob, dir) = alice_and_bob("here").await;
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[auto_away]\naway_after = \"1h\"\nxa_after = \"0\"\n");
    std::fs::write(&config, text).unwrap();
    let tmux = Tmux::start(&shell_command(&config, &log), 130, 24);
    tmux.wait_for("the roster with Bob online", |s| {
        s.contains("Bob Builder") && s.contains("here")
    });
    let seen = |attached: bool| {
        let log = log.clone();
        move || {
            std::fs::read_to_string(&log).is_ok_and(|l| {
                l.lines().any(|line| {
                    line.contains("auto-away: the terminal multiplexer")
                        && line.contains(&format!("attached={attached}"))
                })
            })
        }
    };
    let mut client = attach(&tmux);
    wait_until("rosterm saw the client attached", seen(true));
    tmux.tmux(&["detach-client", "-s", "t"]);
    let _ = client.wait();
    let me = "alice@localhost/rosterm";
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
    assert_eq!(p.priority.0, 4);
    assert!(
        p.payloads.iter().any(|e| e.is("idle", "urn:xmpp:idle:1")),
        "{p:?}"
    );
    tmux.wait_for("the header saying so", |s| s.contains("auto-away"));
    // Only what comes after the away counts as coming back (the login presence was online).
    bob.received.clear();

    let mut client = attach(&tmux);
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
    let _ = client.kill();
    let _ = client.wait();
}
