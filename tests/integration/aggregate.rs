//! `[roster] aggregate` through the real binary: the same two resources of bob, reported by
//! `rosterm who` under each rule (the rule is set once at start, so it takes a process).

use std::process::Command;

use crate::binary::{write_config, BIN};
use crate::harness::{RosterEntry, Server};
use crate::peer::Peer;

fn both(jid: &str) -> RosterEntry {
    RosterEntry {
        jid: jid.into(),
        name: None,
        groups: vec![],
        subscription: "both",
        ask: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_reports_the_resource_each_aggregation_rule_picks() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    server.set_roster("alice", &[both("bob@localhost")]);
    server.set_roster("bob", &[both("alice@localhost")]);
    // Priority says the dnd phone, availability the chatty laptop; dnd-wins the phone too,
    // and with the laptop at a higher priority only dnd-wins keeps the phone.
    let phone = Peer::connect(&server, "bob", "phone").await;
    phone.presence("dnd", "driving", 3).await;
    let laptop = Peer::connect(&server, "bob", "laptop").await;
    laptop.presence("chat", "at my desk", 1).await;

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let base = std::fs::read_to_string(&config).unwrap();
    let who = move |rule: &str| {
        std::fs::write(&config, format!("{base}[roster]\naggregate = \"{rule}\"\n")).unwrap();
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .arg("--log-file")
            .arg(config.with_extension("log"))
            .arg("who")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let who = std::sync::Arc::new(who);
    let run = |rule: &'static str| {
        let who = who.clone();
        tokio::task::spawn_blocking(move || who(rule))
    };
    assert_eq!(
        run("priority").await.unwrap(),
        "bob@localhost\tdnd\tphone\t3\tdriving\n"
    );
    assert_eq!(
        run("most-available").await.unwrap(),
        "bob@localhost\tchat\tlaptop\t1\tat my desk\n"
    );
    assert_eq!(
        run("dnd-wins").await.unwrap(),
        "bob@localhost\tdnd\tphone\t3\tdriving\n"
    );
    laptop.presence("", "at my desk", 9).await;
    assert_eq!(
        run("priority").await.unwrap(),
        "bob@localhost\tonline\tlaptop\t9\tat my desk\n"
    );
    assert_eq!(
        run("dnd-wins").await.unwrap(),
        "bob@localhost\tdnd\tphone\t3\tdriving\n"
    );
    phone.close().await;
    laptop.close().await;
}
