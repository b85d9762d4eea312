//! Key-echo latency of the real binary, idle and during a presence storm, side by side with
//! mcabber when it is installed.
//!
//! For each client: a fresh Prosody (the test harness) with N contacts `cI@bots.localhost` for
//! alice, `bench/flooder.py` answering the login probes and waiting to flood, and the client
//! run by `bench/echo.py` in a pseudo-terminal: once logged in and quiet, it opens the editor
//! and times key -> echoed character, first idle, then while the flooder sends M presences
//! at R/s (see bench/echo.py for the method).
//!
//! Run: `cargo bench --bench echo -- --contacts 20000 --rate 10000 --samples 200`
//! (mcabber: `apt-get install mcabber`; skipped with a note when absent; `ROSTERM_BIN=path`
//! measures another rosterm build, e.g. an older commit's). Under `cargo test`
//! it runs rosterm only, at a smoke size. Results: stdout, and one JSON line per client
//! appended to target/echo-results.jsonl.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // a benchmark: a panic is a failed run

#[path = "../tests/integration/harness.rs"]
mod harness;
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use harness::{Options, RosterEntry, Server};

struct Params {
    contacts: usize,
    rate: usize,
    samples: usize,
    clients: Vec<String>,
}

fn params() -> Params {
    let args = support::Args::get();
    let get = |name: &str, default: usize| args.number(name, default);
    let clients = args.list("--clients");
    if args.bench() {
        Params {
            contacts: get("--contacts", 20_000),
            rate: get("--rate", 10_000),
            samples: get("--samples", 200),
            clients: clients.unwrap_or_else(|| vec!["rosterm".into(), "mcabber".into()]),
        }
    } else {
        Params {
            contacts: get("--contacts", 200),
            rate: get("--rate", 2_000),
            samples: get("--samples", 10),
            clients: clients.unwrap_or_else(|| vec!["rosterm".into()]),
        }
    }
}

fn wait_file(path: &Path, what: &str) {
    support::wait_file(path, &format!("{what} starting"), Duration::from_secs(60));
}

fn server_with_roster(contacts: usize) -> Server {
    let server = Server::start_with(Options {
        log_level: "warn",
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    let groups = ["Friends", "Work", "Family", "Open Source", "Gaming"];
    server.write_roster_bulk("alice", contacts, |i| RosterEntry {
        jid: format!("c{i}@bots.localhost"),
        name: Some(format!("Contact {i:05}")),
        groups: vec![groups[i % groups.len()].to_owned()],
        subscription: "to",
        ask: None,
    });
    server
}

fn flooder(server: &Server, p: &Params, dir: &Path, count: usize) -> (Child, PathBuf) {
    let (ready, start) = (dir.join("ready"), dir.join("start"));
    let child = Command::new("/usr/bin/python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/flooder.py"))
        .args(["--port", &server.component_port.to_string()])
        .args(["--secret", &server.component_secret])
        .args([
            "--domain",
            &server.component_domain,
            "--to",
            "alice@localhost",
        ])
        .args(["--contacts", &p.contacts.to_string()])
        .args(["--rate", &p.rate.to_string(), "--count", &count.to_string()])
        .arg("--start-file")
        .arg(&start)
        .arg("--ready-file")
        .arg(&ready)
        .spawn()
        .expect("python3 runs bench/flooder.py");
    wait_file(&ready, "the flooder");
    (child, start)
}

/// The command line for `client`, with its config written into `dir`; None if not installed.
fn client_command(
    client: &str,
    server: &Server,
    dir: &Path,
) -> Option<(Vec<String>, &'static str, &'static str)> {
    let ca = server.ca_file.display();
    match client {
        "rosterm" => {
            let config = dir.join("rosterm.toml");
            std::fs::write(&config, format!(
                "[account]\njid = \"alice@localhost\"\npassword = \"alice-pw\"\nresource = \"rosterm\"\nserver = \"127.0.0.1\"\nport = {}\nca_file = \"{ca}\"\n\n[storage]\npath = \"{}\"\n",
                server.port,
                // A database of this run's own, never the user's.
                dir.join("rosterm.sqlite3").display()
            )).unwrap();
            set_private(&config);
            // ROSTERM_BIN: another build to compare (e.g. an older commit's).
            let bin = std::env::var("ROSTERM_BIN")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_rosterm").to_owned());
            let log = dir.join("rosterm.log").display().to_string();
            Some((
                vec![
                    bin,
                    "--config".into(),
                    config.display().to_string(),
                    "--log-file".into(),
                    log,
                ],
                "│ online",
                "s",
            ))
        }
        "mcabber" => {
            let bin = which("mcabber")?;
            let home = dir.join("home");
            std::fs::create_dir_all(home.join(".mcabber")).unwrap();
            let config = home.join(".mcabber/mcabberrc");
            std::fs::write(&config, format!(
                "set jid = alice@localhost\nset password = alice-pw\nset server = 127.0.0.1\nset port = {}\nset resource = mcabber\nset tls = 1\nset ssl_ca = {ca}\nset beep_on_message = 0\nset logging = 0\nset load_muc_logs = 0\n",
                server.port
            )).unwrap();
            set_private(&config);
            Some((
                vec![
                    "env".into(),
                    format!("HOME={}", home.display()),
                    bin,
                    "-f".into(),
                    config.display().to_string(),
                ],
                "status has been set",
                "",
            ))
        }
        _ => None,
    }
}

fn set_private(path: &Path) {
    support::set_private(path);
}

fn which(name: &str) -> Option<String> {
    support::which(name).map(|p| p.display().to_string())
}

fn main() {
    let p = params();
    for client in &p.clients {
        let server = server_with_roster(p.contacts);
        let dir = tempfile::tempdir().expect("temp dir");
        let Some((cmd, ready, open)) = client_command(client, &server, dir.path()) else {
            println!("echo {client}: not installed, skipped");
            continue;
        };
        // Enough presences for the storm samples (~50 ms each), then some.
        let count = p.rate * (p.samples / 20 + 10);
        let (mut flood, start) = flooder(&server, &p, dir.path(), count);
        let out = Command::new("/usr/bin/python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/echo.py"))
            .args(["--ready", ready, "--open", open])
            .args([
                "--idle",
                &p.samples.to_string(),
                "--storm",
                &p.samples.to_string(),
            ])
            .arg("--start-file")
            .arg(&start)
            .arg("--")
            .args(&cmd)
            .output()
            .expect("python3 runs bench/echo.py");
        let _ = flood.kill();
        let _ = flood.wait();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "echo.py for {client} failed: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = format!(
            "{{\"client\":\"{client}\",\"contacts\":{},\"rate\":{},\"result\":{}}}",
            p.contacts,
            p.rate,
            stdout.trim()
        );
        println!("echo {line}");
        let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/echo-results.jsonl");
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(results)
        {
            use std::io::Write;
            let _ = writeln!(f, "{line}");
        }
    }
}
