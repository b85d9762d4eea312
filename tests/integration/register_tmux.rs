//! XEP-0077 in the real terminal: `rosterm register` on a TTY asks for the password twice
//! without echo, and `/password` in the TUI draws `*` only; neither the screen nor the trace
//! log ever holds the password.

use crate::binary::{shell_command, write_config, Tmux, BIN};
use crate::harness::{Options, Server};

fn registering() -> Server {
    Server::start_with(Options {
        registration: true,
        ..Options::default()
    })
}

#[test]
fn register_on_a_terminal_never_echoes_the_password() {
    let server = registering();
    let command = format!(
        "{BIN} register carol@localhost --server 127.0.0.1 --port {} --ca-file {}; echo EXIT=$?; sleep 600",
        server.port,
        server.ca_file.display()
    );
    let tmux = Tmux::start(&command, 120, 30);
    tmux.wait_for("the password prompt", |s| s.contains("Password:"));
    tmux.keys(&["-l", "tty-s3cret-9"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("asked again", |s| s.contains("Password again:"));
    // A different one: asked again from the start.
    tmux.keys(&["-l", "typo"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the mismatch", |s| s.contains("did not match"));
    tmux.keys(&["-l", "tty-s3cret-9"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("asked again", |s| s.matches("Password again:").count() == 2);
    tmux.keys(&["-l", "tty-s3cret-9"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the end", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains("Choose a username and password"),
        "{screen}"
    );
    assert!(screen.contains("[[account]]"), "{screen}");
    assert!(
        !screen.contains("tty-s3cret-9") && !screen.contains("typo"),
        "{screen}"
    );
    let table = format!(
        "[[account]]\njid = \"carol@localhost\"\nserver = \"127.0.0.1\"\nport = {}\nca_file = {:?}\n",
        server.port,
        server.ca_file.display().to_string()
    );
    let (code, stderr) = crate::register::login(&table, "tty-s3cret-9");
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn slash_password_in_the_tui_draws_stars_and_logs_nothing_of_it() {
    let server = registering();
    server.register("alice", "alice-pw");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    // `shell_command` logs at trace level.
    let tmux = Tmux::start(&shell_command(&config, &log), 250, 24);
    tmux.wait_for("online", |s| {
        s.lines()
            .next()
            .is_some_and(|h| h.contains("online") && !h.contains("connecting"))
    });
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "console"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["Escape"]);
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "password"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the question", |s| {
        s.contains("New password for alice@localhost")
    });
    tmux.keys(&["-l", "tui-n3w-pw"]);
    let screen = tmux.wait_for("ten stars", |s| s.contains("(Esc cancels): **********"));
    assert!(!screen.contains("tui-n3w-pw"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("asked again", |s| {
        s.contains("The new password for alice@localhost again")
    });
    tmux.keys(&["-l", "tui-n3w-pw"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("changed", |s| s.contains("changed on the server"));
    assert!(!screen.contains("tui-n3w-pw"), "{screen}");
    // The console's view of it.
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "console filter register"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the request in the console", |s| s.contains("(redacted)"));
    assert!(!screen.contains("tui-n3w-pw"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    tmux.wait_for("exit", |s| s.contains("EXIT="));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("password changed on the server"),
        "{logged}"
    );
    assert!(!logged.contains("tui-n3w-pw"), "never logged");
    let table = format!(
        "[[account]]\njid = \"alice@localhost\"\nserver = \"127.0.0.1\"\nport = {}\nca_file = {:?}\n",
        server.port,
        server.ca_file.display().to_string()
    );
    let (code, stderr) = crate::register::login(&table, "tui-n3w-pw");
    assert_eq!(code, Some(0), "{stderr}");
}
