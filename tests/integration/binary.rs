//! The real `rosterm` binary: bad config files fail with one helpful sentence and exit code 2
//! (before touching the terminal); in tmux it shows the roster, sends presence from a key,
//! reports login failures after restoring the terminal, and restores the terminal on quit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use xmpp_parsers::presence::{Show as XShow, Type as PType};

use rosterm::domain::device::DeviceKind;

use crate::harness::{RosterEntry, Server};
use crate::peer::{presence_from, Peer, WAIT};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_rosterm");

fn run_with_config(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .arg("--log-file")
        .arg(dir.path().join("log"))
        .output()
        .unwrap();
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace(&path.display().to_string(), "CONFIG");
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn bad_config_files_fail_with_one_sentence() {
    let cases = [
        ("[account]\njid = \"alice@example.org\"\npassword = \"x\"\nfoo = 1\n", "CONFIG: account.foo: unknown field `foo`"),
        ("[account]\njid = \"@@\"\npassword = \"x\"\n", "CONFIG: account.jid: \"@@\" is not a valid JID"),
        ("[account]\njid = \"a@b\"\npassword = \"x\"\n[presence]\npriority = 300\n", "CONFIG: presence.priority: 300 is out of range; expected -128..127"),
        ("[account]\njid = \"a@b\"\npassword = \"x\"\n[presence]\nshow = \"busy\"\n", "CONFIG: presence.show: \"busy\" is not a presence; expected one of online, chat, away, xa, dnd"),
        ("[account]\njid = \"a@b\"\npassword = \"x\"\n[keys]\nfly = \"f\"\n", "CONFIG: keys.fly: unknown action"),
        ("[account]\njid = \"a@b\"\npassword = \"x\"\nca_file = \"/nonexistent.pem\"\n", "CONFIG: ca_file /nonexistent.pem: cannot read it"),
        ("[account]\njid = \"a@b\"\npassword_command = \"exit 4\"\n", "password_command \"exit 4\" failed: it exited with exit status: 4"),
    ];
    for (config, expected) in cases {
        let (code, stderr) = run_with_config(config);
        assert_eq!(code, 2, "{config}: {stderr}");
        assert!(
            stderr.starts_with(&format!("rosterm: {expected}")),
            "{config}\nwanted: {expected}\ngot:    {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"));
    }
}

#[test]
fn missing_config_says_where_it_looked() {
    let out = Command::new(BIN)
        .args(["--config", "/nonexistent/dir/rosterm.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no config file at /nonexistent/dir/rosterm.toml")
            && stderr.contains("config.example.toml"),
        "{stderr}"
    );
    // Without --config: the per-user default path is named.
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(&format!(
            "{}/.config/rosterm/config.toml",
            home.path().display()
        )),
        "{stderr}"
    );
}

/// A tmux server of our own (its own socket), one session running `command`.
pub(crate) struct Tmux {
    pub(crate) socket: String,
}

impl Tmux {
    pub(crate) fn start(command: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("rosterm-test-{}-{}", std::process::id(), rand_suffix());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .status()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket }
    }

    pub(crate) fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn capture(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Polls the pane until `pred` holds (never a fixed sleep).
    pub(crate) fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0)
}

/// Prosody with alice and bob (named "Bob Builder" in alice's roster, subscribed both
/// ways); bob logged in as `bob/laptop` with this status; a temp dir for rosterm's files.
pub(crate) async fn alice_and_bob(status: &str) -> (Server, Peer, tempfile::TempDir) {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let both = |jid: &str, name: &str| RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec!["Friends".into()],
        subscription: "both",
        ask: None,
    };
    server.set_roster("alice", &[both("bob@localhost", "Bob Builder")]);
    server.set_roster("bob", &[both("alice@localhost", "Alice")]);
    let bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("", status, 5).await;
    (server, bob, tempfile::tempdir().unwrap())
}

pub(crate) fn write_config(dir: &Path, server: &Server, password: &str, port: u16) -> PathBuf {
    let path = dir.join("alice.toml");
    std::fs::write(
        &path,
        format!(
            "[account]\njid = \"alice@localhost\"\npassword = \"{password}\"\nresource = \"rosterm\"\nserver = \"127.0.0.1\"\nport = {port}\nca_file = \"{}\"\n[presence]\nshow = \"online\"\nstatus = \"hello from tmux\"\npriority = 4\n[storage]\npath = \"{}\"\n",
            server.ca_file.display(),
            dir.join("rosterm.sqlite3").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

pub(crate) fn shell_command(config: &Path, log: &Path) -> String {
    // After rosterm exits: its exit code and the terminal mode, for the test to read.
    format!(
        "{BIN} --config {} --log-file {} --log-level trace; echo EXIT=$?; stty -a; echo END-OF-STTY; sleep 600",
        config.display(),
        log.display()
    )
}

/// The "N/50 online" count in the header, 0 if not shown.
fn online_count(screen: &str) -> usize {
    screen
        .lines()
        .next()
        .and_then(|h| {
            h.split("│ ")
                .find(|p| p.trim_end().ends_with(" online") && p.contains('/'))
        })
        .and_then(|p| p.split('/').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// rosterm has exited and `stty -a` has printed the terminal mode.
pub(crate) fn exited(screen: &str) -> bool {
    screen.contains("EXIT=") && screen.contains("END-OF-STTY")
}

/// `stty -a` shows canonical mode, echo and signals on (raw mode turns all three off).
pub(crate) fn cooked(stty: &str) -> bool {
    ["icanon", "echo", "isig"]
        .iter()
        .all(|flag| stty.split_whitespace().any(|t| t == *flag))
}

fn alice_show(s: &xmpp_parsers::stanza::Stanza) -> Option<(Option<XShow>, String)> {
    let p = presence_from(s, "alice@localhost/rosterm")?;
    (p.type_ == PType::None).then(|| {
        (
            p.show.clone(),
            p.statuses.values().next().cloned().unwrap_or_default(),
        )
    })
}

// Multi-thread: the tmux polling below blocks its thread, the peer must keep running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_binary_in_tmux_roster_keys_and_clean_exit() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let both = |jid: &str, name: &str| RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec!["Friends".into()],
        subscription: "both",
        ask: None,
    };
    server.set_roster("alice", &[both("bob@localhost", "Bob Builder")]);
    server.set_roster("bob", &[both("alice@localhost", "Alice")]);
    let mut bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("chat", "can we fix it", 7).await;

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let tmux = Tmux::start(&shell_command(&config, &log), 120, 20);

    let screen = tmux.wait_for("the roster with Bob online", |s| {
        s.contains("Bob Builder") && s.contains("can we fix it")
    });
    let header = screen.lines().next().unwrap_or("");
    assert!(
        header.contains("alice@localhost/rosterm") && header.contains("online [4]"),
        "{screen}"
    );
    let row = screen.lines().find(|l| l.contains("Bob Builder")).unwrap();
    assert!(
        row.contains("✦") && row.contains("chat") && row.contains("7") && row.contains("@laptop"),
        "{row}"
    );

    // Bob's presence changes live on screen.
    bob.presence("dnd", "hammering", 7).await;
    tmux.wait_for("bob dnd", |s| {
        s.lines()
            .any(|l| l.contains("Bob Builder") && l.contains("⊘") && l.contains("hammering"))
    });

    // One key: d. Bob receives dnd with the status text kept.
    let _ = bob
        .wait_for("alice's initial presence", |s| alice_show(s).is_some())
        .await;
    tmux.keys(&["d"]);
    let p = bob
        .wait_for("dnd from alice", |s| alice_show(s).is_some())
        .await;
    assert_eq!(
        alice_show(&p),
        Some((Some(XShow::Dnd), "hello from tmux".into()))
    );
    tmux.wait_for("own dnd in header", |s| {
        s.lines().next().is_some_and(|h| h.contains("⊘ dnd [4]"))
    });

    // A slash command with text.
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "away gone fishing"]);
    tmux.keys(&["Enter"]);
    let p = bob
        .wait_for("away from alice", |s| alice_show(s).is_some())
        .await;
    assert_eq!(
        alice_show(&p),
        Some((Some(XShow::Away), "gone fishing".into()))
    );

    // Help overlay, then quit: exit 0, terminal back in cooked mode, main screen.
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| {
        s.contains("rosterm help") && s.contains("set presence: do not disturb")
    });
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", exited);
    assert!(after.contains("EXIT=0"), "{after}");
    assert!(cooked(&after), "terminal left in raw mode:\n{after}");
    assert_eq!(
        tmux.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "0"
    );
    let _ = bob
        .wait_for("alice unavailable", |s| {
            presence_from(s, "alice@localhost/rosterm")
                .is_some_and(|p| p.type_ == PType::Unavailable)
        })
        .await;

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("new session"), "{logged}");
    assert!(!logged.contains("alice-pw"), "password in the log");
    // Nor the SASL PLAIN payload, base64("\0alice\0alice-pw").
    assert!(
        !logged.contains("AGFsaWNlAGFsaWNlLXB3"),
        "SASL payload in the log"
    );
    bob.close().await;
}

#[test]
fn login_failures_in_tmux_print_one_sentence_and_exit_1() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("rosterm.log");
    // A closed port: bind one and drop it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (password, port, expected) in [
        (
            "wrong-pw",
            server.port,
            "rosterm: Login failed: the server rejected the password for alice@localhost",
        ),
        ("alice-pw", closed, "connection refused"),
    ] {
        let config = write_config(dir.path(), &server, password, port);
        let tmux = Tmux::start(&shell_command(&config, &log), 200, 20);
        let after = tmux.wait_for("exit", exited);
        assert!(after.contains("EXIT=1"), "{after}");
        assert!(after.contains(expected), "{after}");
        assert!(cooked(&after), "terminal restored: {after}");
        assert!(!after.contains("panicked"));
    }
    // The untrusted certificate: no ca_file.
    let config = dir.path().join("noca.toml");
    std::fs::write(&config, format!("[account]\njid = \"alice@localhost\"\npassword = \"alice-pw\"\nserver = \"127.0.0.1\"\nport = {}\n", server.port)).unwrap();
    let tmux = Tmux::start(&shell_command(&config, &log), 250, 20);
    let after = tmux.wait_for("exit", exited);
    assert!(after.contains("EXIT=1"), "{after}");
    assert!(
        after.contains("certificate (SHA-256 ")
            && after.contains("is not trusted for localhost")
            && after.contains("ca_file"),
        "{after}"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        !logged.contains("alice-pw") && !logged.contains("wrong-pw"),
        "password in the log"
    );
}

/// The README's first command, with the binary under test: both demo accounts log in, the
/// roster fills with their contacts (rows tagged with their account, a colleague of both
/// accounts twice), a key changes presence on both, and quitting ends the demo with exit
/// code 0.
#[test]
fn demo_script_shows_a_live_roster_and_exits_cleanly() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let marker = format!("rosterm-demo-test-{}", rand_suffix());
    let tmux = Tmux::start(
        &format!("cd {repo} && ROSTERM_BIN={BIN} DEMO_KEEP=0 ./demo/run.sh; echo DEMO_EXIT=$? {marker}; sleep 600"),
        130,
        45,
    );
    // The bots answer the login probes within moments; wait until most contacts are in.
    let tagged =
        |s: &str, account: &str| s.lines().any(|l| l.starts_with(&format!("  {account} ")));
    tmux.wait_for("the demo roster with most contacts online", |s| {
        let mut header = s.lines();
        header
            .next()
            .is_some_and(|h| h.contains("demo@localhost/rosterm"))
            && header
                .next()
                .is_some_and(|h| h.contains("work@localhost/rosterm"))
            && s.contains("▾ Friends")
            && online_count(s) >= 10
            && s.contains('├')
            && tagged(s, "demo")
            && tagged(s, "work")
    });
    // Bots away or extended away send XEP-0319 idle: shown on their rows.
    tmux.wait_for("an idle contact", |s| {
        s.lines()
            .any(|l| l.contains("  idle ") && l.chars().any(|c| c.is_ascii_digit()))
    });
    // The bots advertise XEP-0115 caps: their rows show their devices (verified, so a
    // phone, a pc, and Marvin the bot).
    tmux.wait_for("device glyphs", |s| {
        let glyph = |k| rosterm::ui::theme::device(k).0;
        [DeviceKind::Phone, DeviceKind::Pc]
            .into_iter()
            .all(|k| s.lines().any(|l| l.contains(&glyph(k))))
    });
    // Hiroshi is in both accounts' rosters: a row for each.
    tmux.keys(&["f"]);
    tmux.keys(&["-l", "Hiroshi"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Hiroshi in both accounts", |s| {
        ["demo", "work"].iter().all(|a| {
            s.lines()
                .any(|l| l.starts_with(&format!("  {a} ")) && l.contains("Hiroshi Tanaka"))
        })
    });
    // Marvin is a bot (his caps say so).
    tmux.keys(&["f"]);
    tmux.keys(&["BSpace"; 7]);
    tmux.keys(&["-l", "Marvin"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Marvin the bot", |s| {
        let bot = rosterm::ui::theme::device(DeviceKind::Bot).0;
        s.lines().any(|l| l.contains("Marvin") && l.contains(&bot))
    });
    // Ada is behind the demo's IRC gateway (XEP-0100), which /gateways lists.
    tmux.keys(&["f"]);
    tmux.keys(&["BSpace"; 6]);
    tmux.keys(&["-l", "Ada (IRC)"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ada behind the IRC gateway", |s| {
        s.lines()
            .any(|l| l.contains("Ada (IRC)") && l.contains("[irc]"))
    });
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "gateways"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the gateway listed", |s| {
        s.contains("Gateways: demo: irc.localhost (irc, \"Demo IRC\")")
    });
    tmux.keys(&["d"]);
    tmux.wait_for("both accounts dnd", |s| {
        s.lines().take(2).filter(|h| h.contains("⊘ dnd")).count() == 2
    });
    // A demo contact writes first; the busy room joined at start is the first tab (its
    // pane lists the bot occupants), the greeting the second; the contact answers what we
    // write (its client confirms it: ✓✓).
    tmux.wait_for("the greeting, unread", |s| {
        s.contains("✉1") && s.contains("Alt-2 (or Tab twice)")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the busy room", |s| {
        s.contains("# lounge@conference.localhost") && s.contains("Participants (")
    });
    // Its bot occupants advertise caps: their rows in the occupant list (right of the
    // bar) get device glyphs once checked.
    let screen = tmux.wait_for("occupants' devices", |s| {
        let glyph = |k| rosterm::ui::theme::device(k).0;
        s.lines().any(|l| {
            l.rsplit_once('│').is_some_and(|(_, list)| {
                [DeviceKind::Phone, DeviceKind::Pc, DeviceKind::Web]
                    .into_iter()
                    .any(|k| list.contains(&glyph(k)))
            })
        })
    });
    assert!(screen.contains("Participants ("), "{screen}");
    tmux.keys(&["Tab"]);
    tmux.wait_for("the greeting's conversation", |s| s.contains("Write to me"));
    tmux.keys(&["-l", "hello from the test"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("delivered and answered", |s| {
        let mine = s
            .lines()
            .position(|l| l.contains("me: hello from the test ✓✓"));
        mine.is_some_and(|i| {
            s.lines()
                .skip(i + 1)
                .any(|l| l.contains(": ") && !l.contains("me: "))
        })
    });
    assert!(!screen.contains("✗"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the roster's hint", |s| s.contains("? help"));
    tmux.keys(&["q"]);
    let after = tmux.wait_for("demo exit", |s| {
        s.contains(&format!("DEMO_EXIT=0 {marker}"))
    });
    assert!(!after.contains("error"), "{after}");
}

/// Hostile text from the network, through a real server into the real binary in tmux: no
/// raw control character reaches the pane, and the pane title is unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_shown_inert_in_the_terminal() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let entry = |jid: &str, name: &str| RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec!["Friends".into()],
        subscription: "both",
        ask: None,
    };
    // The roster name itself carries an 8-bit CSI, a bidi override and a zero-width space.
    server.set_roster(
        "alice",
        &[entry("bob@localhost", "Bob\u{9b}2J\u{202e}evil\u{200b}")],
    );
    server.set_roster("bob", &[entry("alice@localhost", "Alice")]);
    let bob = Peer::connect(&server, "bob", "x\u{200b}y").await;
    // XML 1.0 cannot carry ESC/BEL; what it can: C1 (8-bit CSI/OSC/ST), DEL, bidi, tabs, CR/LF.
    // (The CR arrives as LF: Prosody re-serializes it raw and XML end-of-line handling
    // normalizes it.)
    let long = "L".repeat(100_000);
    bob.send_xml(&format!(
        "<presence xmlns='jabber:client'><show>dnd</show><status>a&#x9d;0;PWNED-TITLE&#x9c;b&#x9b;31mc&#x7f;d&#x202e;e&#x9;f&#xD;g&#xA;h{long}</status></presence>"
    ))
    .await;

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let tmux = Tmux::start(&shell_command(&config, &log), 120, 20);
    let title_before = tmux.tmux(&["display", "-p", "-t", "t", "#{pane_title}"]);
    let screen = tmux.wait_for("bob's hostile status", |s| s.contains("PWNED-TITLE"));
    let row = screen.lines().find(|l| l.contains("PWNED-TITLE")).unwrap();
    assert!(
        row.contains("a\u{fffd}0;PWNED-TITLE\u{fffd}b\u{fffd}31mc␡de f⏎g⏎h"),
        "{row}"
    );
    assert!(
        screen.contains("Bob\u{fffd}2Jevil"),
        "roster name shown inert: {screen}"
    );
    for c in screen.chars() {
        assert!(
            c == '\n' || !c.is_control(),
            "raw control {c:?} in the pane:\n{screen}"
        );
        assert!(
            !('\u{202a}'..='\u{202e}').contains(&c) && c != '\u{200b}',
            "invisible {c:?} in the pane"
        );
    }
    assert!(
        !row.contains(&"L".repeat(1000)) || row.chars().count() <= 120,
        "long status cut to the line"
    );
    let title_after = tmux.tmux(&["display", "-p", "-t", "t", "#{pane_title}"]);
    assert_eq!(title_before, title_after, "the pane title changed");
    assert!(!title_after.contains("PWNED"));
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", exited);
    assert!(after.contains("EXIT=0") && cooked(&after), "{after}");
    bob.close().await;
}

/// Sends `signal` ("TERM") to the rosterm started with `config`.
pub(crate) fn signal_rosterm(config: &Path, signal: &str) {
    let pid = Command::new("pgrep")
        .args(["-f", &format!("^{BIN} --config {}", config.display())])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    assert!(!pid.is_empty(), "rosterm's pid");
    assert!(Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap()
        .success());
}

/// SIGTERM and SIGHUP end rosterm cleanly: exit 0, terminal restored.
#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    for signal in ["TERM", "HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("rosterm.log");
        let config = write_config(dir.path(), &server, "alice-pw", server.port);
        let tmux = Tmux::start(&shell_command(&config, &log), 120, 20);
        tmux.wait_for("online", |s| {
            s.lines().next().is_some_and(|h| h.contains("│ online"))
        });
        signal_rosterm(&config, signal);
        let after = tmux.wait_for("exit", exited);
        assert!(after.contains("EXIT=0"), "SIG{signal}: {after}");
        assert!(cooked(&after), "SIG{signal} left the terminal raw: {after}");
        assert_eq!(
            tmux.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
                .trim(),
            "0"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_reports_online_contacts_and_requested_ones_as_json() {
    let server = Server::start();
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    let both = |jid: &str, name: &str| RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec![],
        subscription: "both",
        ask: None,
    };
    server.set_roster(
        "alice",
        &[
            both("bob@localhost", "Bob"),
            both("carol@localhost", "Carol"),
        ],
    );
    server.set_roster("bob", &[both("alice@localhost", "Alice")]);
    server.set_roster("carol", &[both("alice@localhost", "Alice")]);
    let bob = Peer::connect(&server, "bob", "phone").await;
    bob.presence("dnd", "in \"meetings\"", 3).await;

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let (config_path, log_path) = (config.clone(), dir.path().join("log"));
    let run = move |args: &[&str]| {
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&config_path)
            .arg("--log-file")
            .arg(&log_path)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let all = run(&["who", "--json"]);
        let some = run(&["who", "bob@localhost", "carol@localhost", "--json"]);
        let text = run(&["who"]);
        (all, some, text)
    })
    .await
    .map(|(all, some, text)| {
        assert_eq!(all.0, Some(0), "{}", all.2);
        assert_eq!(
            all.1,
            "{\"bob@localhost\":{\"state\":\"dnd\",\"online\":true,\"name\":\"Bob\",\"resource\":\"phone\",\"priority\":3,\"status\":\"in \\\"meetings\\\"\",\"last_seen\":null,\"account\":\"alice@localhost\"}}\n"
        );
        assert_eq!(some.0, Some(0), "{}", some.2);
        assert!(some.1.contains("\"carol@localhost\":{\"state\":\"offline\",\"online\":false"), "{}", some.1);
        // Nothing is stored of carol (no database in this config): unknown, not absent.
        assert!(some.1.contains("\"last_seen\":null"), "{}", some.1);
        assert!(some.1.contains("\"bob@localhost\":{\"state\":\"dnd\""), "{}", some.1);
        text
    })
    .unwrap();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "bob@localhost\tdnd\tphone\t3\tin \"meetings\"\n");
    bob.close().await;

    // A login failure: a clear message and a non-zero exit, nothing on stdout.
    let bad = write_config(dir.path(), &server, "wrong-pw", server.port);
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&bad)
        .arg("--log-file")
        .arg(dir.path().join("log"))
        .arg("who")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rejected the password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
