//! A room in the real binary, in tmux, against Prosody's MUC with a slixmpp occupant:
//! `/join` opens the room's pane with the occupant list, typed text goes to the room and
//! comes back reflected (✓✓), the occupant's change is a line of the room's timeline, and
//! `/leave` is seen by the occupant.

use crate::binary::{shell_command, write_config, Tmux};
use crate::harness::{Options, Server};
use crate::muc_peer::{field, MucPeer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_type_and_leave_in_the_real_terminal() {
    let server = Server::start_with(Options {
        muc: true,
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let room = format!("lounge@{}", server.muc_domain());
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {room} bob away brewing tea")).await;

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let tmux = Tmux::start(&shell_command(&config, &log), 140, 24);
    tmux.wait_for("the roster", |s| s.contains("hello from tmux"));

    tmux.keys(&["-l", &format!("/join {room}/ally")]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the room's pane with bob listed", |s| {
        s.contains(&format!("# {room}  2 present"))
            && s.contains("@bob owner · brewing tea")
            && s.contains("You joined as ally; present: 2 occupants")
    });
    assert!(screen.contains("#lounge"), "the tab:\n{screen}");

    // Keys now type into the room: "a" is a letter, not "away".
    tmux.keys(&["-l", "a cup for me too"]);
    tmux.keys(&["Enter"]);
    let got = bob
        .wait_for("alice's message", |r| {
            field(r, "body") == "a cup for me too"
        })
        .await;
    assert_eq!(field(&got, "from"), format!("{room}/ally"));
    tmux.wait_for("the reflection", |s| {
        s.lines().any(|l| l.contains("ally: a cup for me too ✓✓"))
    });

    bob.command(&format!(
        "raw <presence to='{room}/bob'><show>dnd</show><status>on a call</status></presence>"
    ))
    .await;
    tmux.wait_for("bob's change in the timeline", |s| {
        s.contains("-- bob updated: away “brewing tea” → dnd “on a call”")
    });

    tmux.keys(&["-l", "/leave tea time"]);
    tmux.keys(&["Enter"]);
    bob.wait_for("alice leaving", |r| {
        field(r, "from") == format!("{room}/ally") && field(r, "type") == "unavailable"
    })
    .await;
    tmux.wait_for("the pane says so", |s| s.contains("You left the room"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_room_lists_the_occupants_with_show_status_and_role() {
    let server = Server::start_with(Options {
        muc: true,
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let room = format!("tea@{}", server.muc_domain());
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {room} bob xa gone fishing")).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let run = |args: &[&str]| {
        let mut full = vec!["--config", config.to_str().unwrap(), "who", "--room"];
        full.extend_from_slice(args);
        std::process::Command::new(crate::binary::BIN)
            .args(&full)
            .output()
            .unwrap()
    };
    let out = run(&[&format!("{room}/ally"), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["bob"]["show"], "xa", "{json}");
    assert_eq!(
        json["bob"]["role"], "moderator",
        "the room's creator: {json}"
    );
    assert_eq!(json["ally"]["role"], "participant", "{json}");
    let out = run(&["not a room"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a room address"));
}
