//! The shipped theme presets in a real terminal (tmux): `[ui] preset = "ascii"` puts nothing
//! but ASCII on the terminal, text from the network included, and each state keeps a glyph.

use crate::binary::{write_config, Tmux, BIN};
use crate::harness::{RosterEntry, Server};
use crate::peer::Peer;

/// Bob is away with a status in French and an emoji; alice's rosterm runs with the ascii
/// preset. The pane, as tmux holds it, is ASCII from the first row to the last, and Bob's row
/// reads as a user of such a terminal expects: `a` for away, his status with its letters (the
/// emoji, two cells wide, is a `?` and a blank).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ascii_preset_puts_only_ascii_on_the_terminal() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let bob_entry = RosterEntry {
        name: Some("Bob Bücher".into()),
        groups: vec!["Friends".into()],
        ..RosterEntry::new("bob@localhost")
    };
    server.set_roster("alice", &[bob_entry]);
    server.set_roster("bob", &[RosterEntry::new("alice@localhost")]);
    let bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("away", "au café ☕ → 15h", 0).await;

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[ui]\npreset = \"ascii\"\n");
    std::fs::write(&config, text).unwrap();
    let log = dir.path().join("rosterm.log");
    let tmux = Tmux::start(
        &format!(
            "{BIN} --config {} --log-file {}",
            config.display(),
            log.display()
        ),
        120,
        20,
    );
    let screen = tmux.wait_for("bob away, in ascii", |s| {
        s.lines()
            .any(|l| l.contains("Bob Bucher") && l.contains("au cafe ?  > 15h"))
    });
    let row = screen.lines().find(|l| l.contains("Bob Bucher")).unwrap();
    assert!(row.contains(" a "), "no away letter on bob's row: {row:?}");
    assert!(
        screen.lines().next().unwrap().contains("| online"),
        "{screen}"
    );
    let raw = tmux.tmux(&["capture-pane", "-p", "-e", "-t", "t"]);
    let other: Vec<char> = raw.chars().filter(|c| !c.is_ascii()).collect();
    assert!(
        other.is_empty(),
        "non-ASCII on the terminal: {other:?}\n{screen}"
    );
    tmux.keys(&["?"]);
    let help = tmux.wait_for("the help", |s| s.contains("Keys in the roster"));
    assert!(help.is_ascii(), "{help}");
    tmux.keys(&["Escape"]);
}
