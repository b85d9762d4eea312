//! A log file that cannot be opened or written: the real binary in tmux keeps running, the
//! screen is never written to by logging, and one sentence on the status line says so.

use crate::binary::{cooked, exited, write_config, Tmux, BIN};
use crate::harness::Server;

fn command(config: &std::path::Path, log: &str) -> String {
    format!(
        "{BIN} --config {} --log-file {log} --log-level trace 2>{}.stderr; echo EXIT=$?; stty -a; echo END-OF-STTY; sleep 600",
        config.display(),
        config.display()
    )
}

fn stderr_of(config: &std::path::Path) -> String {
    std::fs::read_to_string(format!("{}.stderr", config.display())).unwrap_or_default()
}

/// Logged in (own JID in the header and the roster loaded).
fn online(screen: &str) -> bool {
    screen.contains("alice@localhost/rosterm") && screen.contains("Bob")
}

#[test]
fn unwritable_or_unopenable_log_files_are_one_status_line_sentence() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.set_roster("alice", &[crate::peer::mutual("bob@localhost", "Bob")]);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let cases = [
        // Opens, but every write fails (ENOSPC).
        (
            "/dev/full",
            "Logging stopped: cannot write to /dev/full: No space left on device",
        ),
        // Cannot be opened at all.
        (
            "/proc/forbidden/x",
            "Logging is off: cannot open the log file /proc/forbidden/x:",
        ),
    ];
    for (log, sentence) in cases {
        let tmux = Tmux::start(&command(&config, log), 200, 20);
        let screen = tmux.wait_for("online with the sentence", |s| {
            online(s) && s.contains(sentence)
        });
        let header = screen.lines().next().unwrap_or_default();
        assert!(header.starts_with(" rosterm alice@localhost"), "{screen}");
        assert!(!screen.contains("tracing"), "{screen}");
        tmux.keys(&["q"]);
        let after = tmux.wait_for("exit", exited);
        assert!(after.contains("EXIT=0"), "{after}");
        assert!(cooked(&after), "{after}");
        assert_eq!(stderr_of(&config), "", "nothing written to the terminal");
    }
}
