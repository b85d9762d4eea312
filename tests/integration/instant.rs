//! Instant start in a real terminal: after one run, the next start draws the saved roster
//! at once, even with the server down, says it is not yet confirmed, keeps trying, and
//! replaces it with the server's answer when the server is back.

use crate::binary::{write_config, Tmux, BIN};
use crate::harness::Server;
use crate::peer::mutual;

fn command(config: &std::path::Path) -> String {
    format!(
        "{BIN} --config {} --log-file {}.log; echo EXIT=$?; sleep 600",
        config.display(),
        config.display()
    )
}

#[test]
fn the_saved_roster_is_drawn_at_once_even_with_the_server_down() {
    let mut server = Server::start();
    server.register("alice", "alice-pw");
    server.set_roster(
        "alice",
        &[
            mutual("bob@localhost", "Bob"),
            mutual("zoe@localhost", "Zoe"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "alice-pw", server.port);

    // First run: online, roster loaded; quit saves it.
    let tmux = Tmux::start(&command(&config), 120, 30);
    tmux.wait_for("the roster", |s| {
        s.contains("Zoe") && s.contains("0/2 online")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("a clean exit", |s| s.contains("EXIT=0"));
    drop(tmux);

    // Second run with the server down: the saved roster at once, marked, and still trying.
    let port = server.port;
    server.stop();
    let tmux = Tmux::start(&command(&config), 120, 30);
    let screen = tmux.wait_for("the saved roster", |s| {
        s.contains("Bob") && s.contains("Zoe") && s.contains("saved roster")
    });
    assert!(!screen.contains("Waiting for the roster"), "{screen}");
    let screen = tmux.wait_for("a reconnect attempt", |s| s.contains("reconnecting"));
    assert!(
        !screen.contains("EXIT="),
        "an unreachable server does not end it: {screen}"
    );

    // The server is back: the saved roster is confirmed and the mark goes away.
    server.restart();
    assert_eq!(server.port, port);
    tmux.keys(&["/", "reconnect", "Enter"]);
    let screen = tmux.wait_for("the confirmed roster", |s| {
        s.contains("0/2 online") && !s.contains("saved roster")
    });
    assert!(screen.contains("Zoe"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("a clean exit", |s| s.contains("EXIT=0"));
}
