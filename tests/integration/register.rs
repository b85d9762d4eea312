//! XEP-0077 against a real Prosody: `rosterm register` (the real binary, stdin piped) creates
//! an account whose printed `[[account]]` table then logs in; a server without registration,
//! an existing user, a missing field, an untrusted certificate and an unreachable server
//! each end with their one sentence and exit 1. `/password` and `/unregister` (through the
//! session, as the UI sends them) change and delete the account on the server.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::binary::BIN;
use crate::harness::{Options, Server};

fn registering() -> Server {
    Server::start_with(Options {
        registration: true,
        ..Options::default()
    })
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `rosterm register USER@localhost --server 127.0.0.1 --port P [--ca-file F]`, `stdin` piped in.
fn register(server: &Server, user: &str, port: u16, ca: bool, stdin: &str) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.env("HOME", home.path())
        .args(["register", &server.jid(user), "--server", "127.0.0.1"])
        .args(["--port", &port.to_string()]);
    if ca {
        cmd.arg("--ca-file").arg(&server.ca_file);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `rosterm who` with `table` (a printed `[[account]]` table) and this password appended:
/// exit code and stderr.
pub(crate) fn login(table: &str, password: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, format!("{table}password = \"{password}\"\n")).unwrap();
    let out = Command::new(BIN)
        .env("HOME", dir.path())
        .arg("--config")
        .arg(&path)
        .arg("--log-file")
        .arg(dir.path().join("log"))
        .arg("who")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The one sentence on stderr after the prompts: its last line.
fn sentence(run: &Run) -> &str {
    run.stderr.trim_end().lines().last().unwrap_or_default()
}

#[test]
fn register_creates_an_account_that_then_logs_in_with_the_printed_table() {
    let server = registering();
    let run = register(&server, "carol", server.port, true, "carol-new-pw-41\n");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("Choose a username and password"),
        "the server's instructions are shown: {}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("carol-new-pw-41") && !run.stderr.contains("carol-new-pw-41"),
        "the password is never printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout
            .contains("[[account]]\njid = \"carol@localhost\"\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("password_command"), "{}", run.stdout);
    assert!(server
        .log()
        .contains("User account created: carol@localhost"));
    // The table as printed, plus the password, is a config that logs in.
    let (code, stderr) = login(&run.stdout, "carol-new-pw-41");
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = login(&run.stdout, "not-the-password");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("rejected the password"), "{stderr}");

    // The same name again: taken.
    let again = register(&server, "carol", server.port, true, "other-pw\n");
    assert_eq!(again.code, Some(1), "{}", again.stderr);
    assert_eq!(
        sentence(&again),
        "rosterm: The account carol@localhost already exists on localhost (the server says: The requested username already exists.); choose another name, or log in with it."
    );
    assert!(again.stdout.is_empty(), "{}", again.stdout);
    // Nothing on stdin: the password is missing.
    let empty = register(&server, "dave", server.port, true, "");
    assert_eq!(empty.code, Some(1), "{}", empty.stderr);
    assert_eq!(
        sentence(&empty),
        "rosterm: Standard input ended before Password was given (one line per field, in the order asked)."
    );
    assert!(!server
        .log()
        .contains("User account created: dave@localhost"));
}

#[test]
fn a_server_without_registration_and_a_bad_connection_each_get_their_sentence() {
    let server = Server::start();
    let run = register(&server, "erin", server.port, true, "pw\n");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "rosterm: localhost does not allow creating accounts from a client (in-band registration is off); register on its web site or ask its admin.\n"
    );
    // The test server's certificate without --ca-file: not trusted, and how to fix it.
    let untrusted = register(&server, "erin", server.port, false, "pw\n");
    assert_eq!(untrusted.code, Some(1), "{}", untrusted.stderr);
    let text = sentence(&untrusted);
    assert!(
        text.contains("is not trusted for localhost") && text.contains("--ca-file"),
        "{text}"
    );
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let unreachable = register(&server, "erin", port, true, "pw\n");
    assert_eq!(unreachable.code, Some(1), "{}", unreachable.stderr);
    assert!(
        sentence(&unreachable).starts_with("rosterm: Cannot connect to 127.0.0.1"),
        "{}",
        unreachable.stderr
    );
    // A JID without a user: a usage error (exit 2), nothing dialled.
    let out = Command::new(BIN)
        .args(["register", "localhost"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an account address"));
    for run in [&run, &untrusted, &unreachable] {
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    }
}

/// alice's `[[account]]` table on `server` (for [`login`]).
fn table(server: &Server, user: &str) -> String {
    format!(
        "[[account]]\njid = \"{}\"\nserver = \"127.0.0.1\"\nport = {}\nca_file = {:?}\n",
        server.jid(user),
        server.port,
        server.ca_file.display().to_string()
    )
}

fn type_keys(client: &mut crate::client::Client, text: &str) {
    for c in text.chars() {
        client.press(crossterm::event::KeyCode::Char(c));
    }
    client.press(crossterm::event::KeyCode::Enter);
}

async fn online(server: &Server, user: &str, password: &str) -> crate::client::Client {
    let mut client = crate::client::Client::start(server, user, password, Default::default());
    client.command(rosterm::event::Command::Console(true));
    client
        .until("online", |s| {
            s.primary().connection == rosterm::domain::ConnState::Online
        })
        .await;
    client
}

fn message(s: &rosterm::store::State) -> String {
    s.ui.message.clone().map(|m| m.0).unwrap_or_default()
}

#[tokio::test]
async fn slash_password_changes_it_on_the_server_and_the_console_never_shows_it() {
    let mut server = registering();
    server.register("alice", "alice-old-pw");
    let mut alice = online(&server, "alice", "alice-old-pw").await;
    alice.type_command("/password");
    type_keys(&mut alice, "alice-n3w-pw");
    type_keys(&mut alice, "alice-n3w-pw");
    alice
        .until("the password changed", |s| {
            message(s).contains("Password of alice@localhost changed on the server")
        })
        .await;
    let lines = &alice.state.primary().console.lines;
    assert!(
        lines
            .iter()
            .any(|l| l.text.contains("<password>(redacted)</password>")),
        "the request is in the console, redacted: {lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.text.contains("alice-n3w-pw")),
        "{lines:?}"
    );
    let screen = alice.screen(100, 20);
    assert!(!screen.contains("alice-n3w-pw"), "{screen}");
    let table = table(&server, "alice");
    let (code, stderr) = tokio::task::spawn_blocking({
        let table = table.clone();
        move || login(&table, "alice-n3w-pw")
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "the new password logs in: {stderr}");
    let (code, stderr) = tokio::task::spawn_blocking(move || login(&table, "alice-old-pw"))
        .await
        .unwrap();
    assert_eq!(code, Some(1), "the old one no longer does: {stderr}");
    assert!(stderr.contains("rejected the password"), "{stderr}");
    // After a restart of the server, the session logs in again: with the new password.
    server.restart();
    alice
        .until("the connection lost", |s| {
            s.primary().connection != rosterm::domain::ConnState::Online
        })
        .await;
    alice
        .until("online again", |s| {
            s.primary().connection == rosterm::domain::ConnState::Online
        })
        .await;
    assert_eq!(alice.sessions_started(), 2);
    // A server without XEP-0077 for its users: the refusal in one sentence.
    alice.stop();
    let plain = Server::start();
    plain.register("bob", "bob-pw");
    let mut bob = online(&plain, "bob", "bob-pw").await;
    bob.type_command("/password");
    type_keys(&mut bob, "x");
    type_keys(&mut bob, "x");
    bob.until("the refusal", |s| message(s).starts_with("localhost "))
        .await;
    let text = message(&bob.state);
    assert!(
        text.starts_with("localhost does not let clients change passwords (service-unavailable)")
            || text.starts_with("localhost did not change the password"),
        "{text}"
    );
    bob.stop();
}

#[tokio::test]
async fn slash_unregister_deletes_the_account_only_once_its_jid_is_typed() {
    let server = registering();
    server.register("alice", "alice-pw");
    let mut alice = online(&server, "alice", "alice-pw").await;
    let table = table(&server, "alice");
    // A cancelled confirmation deletes nothing.
    alice.type_command("/unregister");
    type_keys(&mut alice, "y");
    assert_eq!(
        message(&alice.state),
        "Cancelled: that was not alice@localhost; the account was not deleted."
    );
    let (code, stderr) = tokio::task::spawn_blocking({
        let table = table.clone();
        move || login(&table, "alice-pw")
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "still there: {stderr}");
    // Typed out: deleted, and the session ends instead of trying to log in again.
    alice.type_command("/unregister");
    type_keys(&mut alice, "alice@localhost");
    alice
        .until("the account deleted", |s| {
            matches!(&s.primary().connection,
                rosterm::domain::ConnState::Failed { reason } if reason.contains("was deleted on the server"))
        })
        .await;
    let ended = tokio::time::timeout(crate::peer::WAIT, async {
        while alice.handle.events.recv().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the session ended");
    assert!(server
        .log()
        .contains("User removed their account: alice@localhost"));
    let (code, stderr) = tokio::task::spawn_blocking(move || login(&table, "alice-pw"))
        .await
        .unwrap();
    assert_eq!(code, Some(1), "{stderr}");
}

#[test]
fn help_lists_register_and_its_options() {
    let top = Command::new(BIN).arg("--help").output().unwrap();
    let top = String::from_utf8_lossy(&top.stdout);
    assert!(
        top.contains("register  Create an account on its server (XEP-0077)"),
        "{top}"
    );
    let sub = Command::new(BIN)
        .args(["register", "--help"])
        .output()
        .unwrap();
    let sub = String::from_utf8_lossy(&sub.stdout);
    for option in [
        "--server <HOST>",
        "--port <N>",
        "--ca-file <FILE>",
        "without echo",
    ] {
        assert!(sub.contains(option), "{option}: {sub}");
    }
}
