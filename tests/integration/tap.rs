//! The control socket of the real binary (running in tmux, against Prosody): `ctl` commands
//! act as the user would and a peer sees the result, `events` streams a peer's changes as
//! JSON lines, `status` prints a line, a second instance with the same config is refused, a
//! reader that never reads does not slow the screen down, and after quitting nothing answers.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use xmpp_parsers::presence::Show as XShow;
use xmpp_parsers::stanza::Stanza;

use crate::binary::{alice_and_bob, exited, shell_command, write_config, Tmux, BIN};
use crate::peer::{presence_from, WAIT};

fn rosterm(config: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `rosterm events …` in the background; its lines arrive on the returned channel.
fn events(
    config: &std::path::Path,
    args: &[&str],
) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .arg("events")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

fn next_matching(
    rx: &mpsc::Receiver<String>,
    what: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no event line for {what}"));
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            value["time"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{line}"
        );
        if pred(&value) {
            return value;
        }
    }
}

fn alice_show(s: &Stanza) -> Option<Option<XShow>> {
    presence_from(s, "alice@localhost/rosterm").map(|p| p.show.clone())
}

// Multi-thread: the tmux polling blocks its thread, the peer must keep running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_socket_events_and_status_of_a_running_rosterm() {
    let (server, mut bob, dir) = alice_and_bob("at the yard").await;
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    // Nothing runs yet: one sentence, exit 1.
    let (code, _, err) = rosterm(&config, &["ctl", "who"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no rosterm is running"), "{err}");

    let tmux = Tmux::start(&shell_command(&config, &log), 120, 20);
    tmux.wait_for("bob online", |s| s.contains("at the yard"));

    // A second instance with the same config is refused before it touches anything.
    let (code, _, err) = rosterm(&config, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("another rosterm is running with this config"),
        "{err}"
    );

    // The event stream: first who is present, then bob's changes.
    let (mut reader, lines) = events(&config, &["--filter", "presence"]);
    let present = next_matching(&lines, "bob present", |v| v["action"] == "present");
    assert_eq!(present["jid"], "bob@localhost");
    assert_eq!(present["resource"], "laptop");
    assert_eq!(present["status"], "at the yard");
    bob.presence("away", "lunch", 5).await;
    let update = next_matching(&lines, "bob's update", |v| v["action"] == "update");
    assert_eq!(
        (update["show"].as_str(), update["status"].as_str()),
        (Some("away"), Some("lunch"))
    );
    assert_eq!(update["type"], "presence");

    // ctl presence: bob sees alice go dnd with the text.
    let _ = bob
        .wait_for("alice's first presence", |s| alice_show(s).is_some())
        .await;
    let (code, out, err) = rosterm(&config, &["ctl", "presence", "dnd", "in", "a", "call"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let p = bob
        .wait_for("alice dnd", |s| alice_show(s) == Some(Some(XShow::Dnd)))
        .await;
    let Stanza::Presence(p) = p else {
        unreachable!()
    };
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("in a call")
    );
    let (code, out, _) = rosterm(
        &config,
        &[
            "status",
            "--format",
            "[{show}] {unread} unread, {online} online",
        ],
    );
    assert_eq!((code, out.trim()), (Some(0), "[dnd] 0 unread, 1 online"));
    // A bad show is refused with one sentence.
    let (code, _, err) = rosterm(&config, &["ctl", "presence", "busy"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("\"busy\" is not a presence"), "{err}");

    // ctl msg: bob gets it; the conversation opens in the background (the roster keeps focus).
    let (code, out, err) = rosterm(
        &config,
        &[
            "ctl",
            "msg",
            "bob@localhost",
            "hello",
            "from",
            "a",
            "script",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    bob.wait_for("the scripted message", |s| {
        matches!(s, Stanza::Message(m) if m.bodies.values().any(|b| b == "hello from a script"))
    })
    .await;
    tmux.wait_for("the conversation in the bar", |s| {
        s.contains("1 Bob Builder") && !s.contains("> ▏")
    });
    let (code, out, _) = rosterm(&config, &["ctl", "who", "--json"]);
    assert_eq!(code, Some(0));
    let who: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(who["bob@localhost"]["state"], "away", "{out}");
    let (code, out, err) = rosterm(&config, &["ctl", "join", "room@conference.localhost"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("room@conference.localhost"), "{out}");
    let (code, _, err) = rosterm(&config, &["ctl", "join", "not-a-room"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not a room address"), "{err}");

    // A reader that never reads: its queue fills, rosterm goes on drawing; it is told later.
    let mut stuck = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .arg("events")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..3000 {
        bob.presence("chat", &format!("flood {i} {}", "x".repeat(200)), 5)
            .await;
    }
    tmux.wait_for("the flood's last presence", |s| s.contains("flood 2999"));
    let stuck_out = stuck.stdout.take().unwrap();
    let (tx, stuck_lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stuck_out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    // Once it reads again, the next line it gets is preceded by what it missed. (Keep bob
    // changing until then: what he sends while the queue is still full is missed too.)
    let missed =
        |v: &serde_json::Value| v["type"] == "missed" && v["count"].as_u64().is_some_and(|n| n > 0);
    let mut told = false;
    for i in 0..200 {
        bob.presence("", &format!("after the flood {i}"), 5).await;
        let deadline = std::time::Instant::now() + Duration::from_millis(200);
        while let Ok(line) =
            stuck_lines.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        {
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            told |= missed(&value);
        }
        if told {
            break;
        }
    }
    assert!(told, "the stuck reader was never told what it missed");
    let _ = stuck.kill();
    let _ = stuck.wait();

    // Quit: the stream ends, the socket is gone.
    tmux.keys(&["q"]);
    tmux.wait_for("exit", exited);
    let status = tokio::task::spawn_blocking(move || reader.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(!status.success(), "events ends with the instance");
    let (code, _, err) = rosterm(&config, &["ctl", "who"]);
    assert_eq!(code, Some(1), "{err}");
    bob.close().await;
}
