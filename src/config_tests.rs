use super::*;
use crate::domain::Show;

const GOOD: &str = r#"
[account]
jid = "alice@example.org"
password = "pw"
"#;

fn err(text: &str) -> String {
    parse(Path::new("/tmp/c.toml"), text)
        .expect_err("must be rejected")
        .to_string()
}

#[test]
fn example_config_loads_with_its_documented_values() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let c = parse(&path, &text).expect("config.example.toml must stay valid");
    assert_eq!(c.accounts[0].jid.as_str(), "alice@example.org");
    assert_eq!(c.accounts[0].resource.as_deref(), Some("rosterm"));
    assert_eq!(c.accounts[0].tls, TlsMode::StartTls);
    assert_eq!(
        c.presence,
        OwnPresence {
            show: Show::Online,
            status: String::new(),
            priority: 0
        }
    );
    assert_eq!(c.auto_away, crate::domain::away::Rules::standard());
    // Every action is documented in the example's [keys] table.
    for (_, name, _, _) in crate::keymap::Action::ALL {
        assert!(
            text.contains(&format!("# {name} = ")),
            "{name} missing from config.example.toml"
        );
    }
    // Every key the example documents as commented-out is valid when uncommented.
    let keys_at = text.find("[keys]").expect("example has a [keys] table");
    let uncommented = format!(
        "{}{}",
        &text[..keys_at],
        text[keys_at..]
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
    let uncommented = uncommented
        .replace("# cert_fingerprint = ", "cert_fingerprint = ")
        .replace("# keepalive = ", "keepalive = ")
        .replace("# server = ", "server = ")
        .replace("# port = ", "port = ")
        .replace("# dns_server = ", "dns_server = ")
        .replace("# away_status = ", "away_status = ")
        .replace("# xa_status = ", "xa_status = ");
    let c = parse(&path, &uncommented).expect("the documented optional keys are valid uncommented");
    assert!(c.accounts[0].cert_fingerprint.is_some());
    assert_eq!(c.accounts[0].keepalive, 60);
    assert_eq!(
        c.auto_away.away_status.as_deref(),
        Some("away from the keyboard")
    );
    assert_eq!(c.auto_away.xa_status.as_deref(), Some("gone for a while"));
    assert_eq!(c.accounts[0].port, Some(5222));
    assert_eq!(
        c.accounts[0].dns_server,
        Some("127.0.0.1:5353".parse().unwrap())
    );
}

#[test]
fn minimal_config_gets_defaults() {
    let c = parse(Path::new("c.toml"), GOOD).unwrap();
    assert_eq!(
        c.accounts[0].password,
        PasswordSource::Literal(Secret::new("pw".into()))
    );
    assert_eq!(c.accounts[0].resource, None);
    assert_eq!(
        c.accounts[0].dns_server, None,
        "the system's resolver by default"
    );
    assert_eq!(c.presence, OwnPresence::default());
}

#[test]
fn dns_server_is_an_ip_with_an_optional_port() {
    for (text, want) in [
        ("127.0.0.1", "127.0.0.1:53"),
        ("127.0.0.1:5353", "127.0.0.1:5353"),
        ("::1", "[::1]:53"),
        ("[::1]:5353", "[::1]:5353"),
    ] {
        let c = parse(
            Path::new("c.toml"),
            &format!("{GOOD}dns_server = \"{text}\"\n"),
        )
        .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            c.accounts[0].dns_server,
            Some(want.parse().unwrap()),
            "{text}"
        );
    }
}

#[test]
fn full_config() {
    let c = parse(
        Path::new("/etc/rosterm/c.toml"),
        r#"
[account]
jid = "bob@example.org"
password_command = "pass show xmpp"
resource = "laptop"
server = "127.0.0.1"
port = 5999
tls = "direct"
ca_file = "ca.pem"
[presence]
show = "dnd"
status = "busy"
priority = -128
[keys]
quit = "ctrl-q"
"#,
    )
    .unwrap();
    assert_eq!(
        c.accounts[0].password,
        PasswordSource::Command("pass show xmpp".into())
    );
    assert_eq!(c.accounts[0].port, Some(5999));
    assert_eq!(c.accounts[0].tls, TlsMode::Direct);
    assert_eq!(
        c.accounts[0].ca_file.as_deref(),
        Some(Path::new("/etc/rosterm/ca.pem"))
    );
    assert_eq!(
        c.presence,
        OwnPresence {
            show: Show::Dnd,
            status: "busy".into(),
            priority: -128
        }
    );
}

#[test]
fn invalid_configs_name_file_key_and_valid_values() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[account]\njid = \"a@b\"\npassword = \"p\"\ncolour = 1\n",
            &["/tmp/c.toml", "unknown field `colour`"],
        ),
        ("[acount]\n", &["/tmp/c.toml", "unknown field `acount`"]),
        (
            "[account]\njid = \"not a jid@@\"\npassword = \"p\"\n",
            &["account.jid", "not a valid JID", "alice@example.org"],
        ),
        (
            "[account]\njid = \"example.org\"\npassword = \"p\"\n",
            &["account.jid", "no user part"],
        ),
        ("[account]\npassword = \"p\"\n", &["account.jid", "missing"]),
        (
            "[account]\njid = \"a@b\"\n",
            &["account.password", "missing"],
        ),
        (
            "[account]\njid = \"a@b\"\npassword = \"p\"\npassword_command = \"x\"\n",
            &["not both"],
        ),
        (
            &format!("{GOOD}[presence]\npriority = 128\n"),
            &["presence.priority", "128", "-128..127"],
        ),
        (
            &format!("{GOOD}[presence]\npriority = -129\n"),
            &["presence.priority", "-128..127"],
        ),
        (
            &format!("{GOOD}[presence]\nshow = \"busy\"\n"),
            &["presence.show", "\"busy\"", "online, chat, away, xa, dnd"],
        ),
        (
            &format!("{GOOD}tls = \"ssl\"\n"),
            &["account.tls", "\"starttls\" or \"direct\""],
        ),
        (
            &format!("{GOOD}port = 70000\n"),
            &["account.port", "1..65535"],
        ),
        (
            &format!("{GOOD}keepalive = 1\n"),
            &["account.keepalive", "2..3600"],
        ),
        (
            &format!("{GOOD}cert_fingerprint = \"md5:00\"\n"),
            &["account.cert_fingerprint", "64 hex digits"],
        ),
        (
            &format!("{GOOD}dns_server = \"dns.example.org\"\n"),
            &[
                "account.dns_server",
                "\"dns.example.org\"",
                "127.0.0.1:5353",
            ],
        ),
        (
            &format!("{GOOD}dns_server = \"127.0.0.1:0\"\n"),
            &["account.dns_server", "optional port"],
        ),
        (
            &format!("{GOOD}dns_server = \"127.0.0.1:99999\"\n"),
            &["account.dns_server", "IP address"],
        ),
        (
            &format!("{GOOD}[watch]\ncontacts = [\"@@\"]\n"),
            &["watch.contacts", "not a bare JID"],
        ),
        (
            &format!("{GOOD}[watch]\nnotify = \"email\"\n"),
            &["watch.notify", "\"bell\", \"desktop\" or \"none\""],
        ),
        (
            &format!("{GOOD}[presence]\nmood = \"x\"\n"),
            &["unknown field `mood`"],
        ),
        (
            &format!("{GOOD}[keys]\nfly = \"f\"\n"),
            &["keys.fly", "unknown action", "set_presence_away"],
        ),
        (
            &format!("{GOOD}[keys]\nquit = \"hyper-q\"\n"),
            &["keys.quit", "\"hyper-q\" is not a key"],
        ),
        ("[account\n", &["/tmp/c.toml", "TOML parse error"]),
        ("", &["[account]", "missing"]),
    ];
    for (text, needles) in cases {
        let message = err(text);
        for needle in *needles {
            assert!(
                message.contains(needle),
                "config {text:?}: message {message:?} lacks {needle:?}"
            );
        }
        assert!(!message.contains('\n'), "one line: {message:?}");
    }
}

#[test]
fn fingerprints_parse_with_or_without_prefix_and_colons() {
    let hex = "23:87:D9:C2:B6:E2:50:F6:E4:EA:6D:54:27:86:BD:AA:28:24:3A:30:94:C0:25:E1:7F:A7:1D:4F:5E:1D:31:3C";
    let a = parse_fingerprint(&format!("sha256:{hex}")).unwrap();
    assert_eq!(a[0], 0x23);
    assert_eq!(a[31], 0x3c);
    assert_eq!(
        parse_fingerprint(&hex.replace(':', "").to_lowercase()),
        Some(a)
    );
    assert_eq!(parse_fingerprint("sha256:00"), None);
    assert_eq!(
        parse_fingerprint(&format!("sha256:{}", "zz".repeat(32))),
        None
    );
}

#[test]
fn missing_file_says_where_and_points_at_the_example() {
    let e = load(Path::new("/nonexistent/rosterm.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/nonexistent/rosterm.toml") && e.contains("config.example.toml"),
        "{e}"
    );
}

#[test]
fn password_never_in_debug_output() {
    let c = parse(Path::new("c.toml"), GOOD).unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("\"pw\""), "{debug}");
    assert!(debug.contains("redacted"));
}

#[cfg(unix)]
#[test]
fn world_readable_password_file_warns() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, GOOD).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let c = load(&path).unwrap();
    assert!(
        c.warnings.iter().any(|w| w.contains("chmod 600")),
        "{:?}",
        c.warnings
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(load(&path).unwrap().warnings.is_empty());
}

#[test]
fn password_command_first_line_errors_and_timeout_free_path() {
    let ok = resolve_password(&PasswordSource::Command(
        "printf 'hunter2\\nsecond\\n'".into(),
    ))
    .unwrap();
    assert_eq!(ok.expose(), "hunter2");
    let e = resolve_password(&PasswordSource::Command("echo nope >&2; exit 3".into()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("exit") && e.contains("nope"), "{e}");
    let e = resolve_password(&PasswordSource::Command("true".into()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("printed nothing"), "{e}");
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped yet).
fn ended(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn kill(pid: &str) {
    let _ = std::process::Command::new("kill")
        .arg(pid)
        .stderr(std::process::Stdio::null())
        .status();
}

#[test]
fn password_command_that_hangs_is_stopped_with_what_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("bg.pid");
    // A background child holding the pipes, and sh itself never finishing.
    let command = format!("sleep 600 & echo $! > {}; sleep 600", pidfile.display());
    let started = std::time::Instant::now();
    let e = resolve_password(&PasswordSource::Command(command))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("within 10 seconds") && e.contains("stopped"),
        "{e}"
    );
    // Not a timing assertion on rosterm's speed: it must not wait for the command's 600 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(300));
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let pid = pid.trim();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !ended(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let alive = !ended(pid);
    kill(pid);
    assert!(!alive, "the command's background child was left running");
}

#[test]
fn password_command_is_taken_while_a_background_child_holds_the_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("bg.pid");
    let command = format!("echo secret; sleep 600 & echo $! > {}", pidfile.display());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(resolve_password(&PasswordSource::Command(command))));
    // A bound for "never returned" (the old code waited for the child's 600 s).
    let result = rx.recv_timeout(std::time::Duration::from_secs(60));
    let pid = std::fs::read_to_string(&pidfile).unwrap_or_default();
    let still_holding = !pid.trim().is_empty() && !ended(pid.trim());
    kill(pid.trim());
    match result {
        Ok(Ok(secret)) => assert_eq!(secret.expose(), "secret"),
        other => panic!("no password while the background child held stdout: {other:?}"),
    }
    assert!(
        still_holding,
        "the background child was not running any more"
    );
}

#[test]
fn password_command_with_output_larger_than_a_pipe_buffer() {
    let command = "echo secret; yes filler | head -c 200000; echo done >&2";
    let secret = resolve_password(&PasswordSource::Command(command.into())).unwrap();
    assert_eq!(secret.expose(), "secret");
}

#[test]
fn notify_messages_is_checked_and_named() {
    let path = std::path::Path::new("/tmp/c.toml");
    let base = "[account]\njid = \"a@b.c\"\npassword = \"x\"\n";
    let c = parse(path, &format!("{base}[notify]\nmessages = \"desktop\"\n")).unwrap();
    assert_eq!(c.message_notify, crate::domain::Notify::Desktop);
    let err = parse(path, &format!("{base}[notify]\nmessages = \"loud\"\n"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("notify.messages") && err.contains("\"loud\""),
        "{err}"
    );
}

#[test]
fn rooms_nick_and_join_are_read_and_checked() {
    let text = format!("{GOOD}\n[rooms]\nnick = \"ally\"\njoin = [\"dev@conf.example\", \"ops@conf.example/al\"]\n");
    let c = parse(Path::new("/tmp/c.toml"), &text).expect("valid");
    assert_eq!(c.rooms.nick.as_deref(), Some("ally"));
    let joins: Vec<String> = c.rooms.join.iter().map(ToString::to_string).collect();
    assert_eq!(joins, ["dev@conf.example", "ops@conf.example/al"]);
    let e = err(&format!("{GOOD}\n[rooms]\njoin = [\"conf.example\"]\n"));
    assert!(
        e.contains("rooms.join") && e.contains("not a room address"),
        "{e}"
    );
    let e = err(&format!("{GOOD}\n[rooms]\nnik = \"x\"\n"));
    assert!(e.contains("nik"), "{e}");
}

#[test]
fn presence_presets_and_the_start_rule_are_read_and_checked() {
    let c = parse(
        Path::new("/tmp/c.toml"),
        &format!(
            "{GOOD}[presence]\nstatus_on_start = \"last\"\n[presence.messages]\naway = \"lunch\"\ndnd = [\"on a call\", \"focus\"]\nonline = \"\"\n"
        ),
    )
    .expect("valid");
    assert_eq!(c.status_on_start, StartStatus::Last);
    assert_eq!(c.presets.of(Show::Dnd), ["on a call", "focus"]);
    assert_eq!(c.presets.first(Show::Away), Some("lunch"));
    assert_eq!(c.presets.first(Show::Online), Some(""));
    assert_eq!(c.presets.first(Show::Xa), None);
    let c = parse(Path::new("/tmp/c.toml"), GOOD).expect("valid");
    assert_eq!(c.status_on_start, StartStatus::Config);
    for (text, parts) in [
        (
            format!("{GOOD}[presence]\nstatus_on_start = \"previous\"\n"),
            &[
                "presence.status_on_start",
                "\"previous\"",
                "\"config\" or \"last\"",
            ][..],
        ),
        (
            format!("{GOOD}[presence.messages]\nbusy = \"x\"\n"),
            &["presence.messages.busy", "online, chat, away, xa or dnd"],
        ),
        (
            format!("{GOOD}[presence.messages]\naway = \"a\\u001b[2Jb\"\n"),
            &["presence.messages.away", "control character"],
        ),
        (
            format!("{GOOD}[presence.messages]\naway = 3\n"),
            &["presence.messages", "a status text or a list"],
        ),
        (
            format!("{GOOD}[account.presence]\nstatus_on_start = \"last\"\n"),
            &["account.presence.status_on_start", "global [presence]"],
        ),
    ] {
        let m = err(&text);
        for part in parts {
            assert!(m.contains(part), "{m:?} lacks {part:?}");
        }
    }
}
