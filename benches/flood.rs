//! End-to-end presence flood benchmark.
//!
//! A real Prosody (the test harness), a roster of N contacts `cI@bots.localhost` for alice,
//! and `bench/flooder.py`, a XEP-0114 component that answers alice's login probes (the login
//! burst) and then floods M presences at R/s. rosterm's session, store and coalesced renderer
//! (a `TestBackend` frame at most every 16 ms) run headless in this process. Every 100 ms
//! during the flood a presence change is issued as a command; bob, a peer subscribed to
//! alice, timestamps its arrival (command -> server -> peer latency).
//!
//! Run: `cargo bench --bench flood -- --contacts 20000 --rate 10000 --count 200000`
//! (defaults: 20,000 / 10,000 / 200,000). Under `cargo test` it runs a small smoke size.
//! Results: stdout, and one JSON line appended to target/flood-results.jsonl.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // a benchmark: a panic is a failed run

#[path = "../tests/integration/harness.rs"]
mod harness;
#[path = "../tests/integration/peer.rs"]
mod peer;
#[path = "support/mod.rs"]
mod support;

use rosterm::domain::AccountId;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::{Options, RosterEntry, Server};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rosterm::command::SlashCommand;
use rosterm::config::Secret;
use rosterm::domain::ConnState;
use rosterm::domain::{OwnPresence, Show};
use rosterm::event::SessionEvent;
use rosterm::keymap::Keymap;
use rosterm::session::connect::RostermConnector;
use rosterm::session::{spawn, SessionSetup};
use rosterm::store::State;
use rosterm::update::{self, Effect};
use xmpp_parsers::stanza::Stanza;

const A0: AccountId = AccountId(0);

struct Params {
    contacts: usize,
    rate: usize,
    count: usize,
}

fn params() -> Params {
    let args = support::Args::get();
    let get = |name: &str, default: usize| args.number(name, default);
    if args.bench() {
        Params {
            contacts: get("--contacts", 20_000),
            rate: get("--rate", 10_000),
            count: get("--count", 200_000),
        }
    } else {
        // `cargo test --all-targets`: prove the benchmark works, quickly.
        Params {
            contacts: get("--contacts", 300),
            rate: get("--rate", 2_000),
            count: get("--count", 3_000),
        }
    }
}

fn cpu_us() -> u64 {
    support::cpu_us("self")
}

/// (VmRSS, VmHWM) in KiB.
fn memory_kib() -> (u64, u64) {
    (
        support::status_kib("self", "VmRSS:"),
        support::status_kib("self", "VmHWM:"),
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn wait_file(path: &Path, what: &str) {
    support::wait_file(path, &format!("{what} starting"), Duration::from_secs(30));
}

fn main() {
    let p = params();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(p));
}

async fn run(p: Params) {
    let server = Server::start_with(Options {
        log_level: "warn",
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let groups = ["Friends", "Work", "Family", "Open Source", "Gaming"];
    // Subscription "to": alice sees the bots, the bots do not get alice's presence (no fan-out
    // of every change to N contacts). bob, the last entry, is mutual.
    server.write_roster_bulk("alice", p.contacts + 1, |i| {
        if i == p.contacts {
            return RosterEntry {
                jid: "bob@localhost".into(),
                name: Some("Bob".into()),
                groups: vec!["Friends".into()],
                subscription: "both",
                ask: None,
            };
        }
        RosterEntry {
            jid: format!("c{i}@bots.localhost"),
            name: Some(format!("Contact {i:05}")),
            groups: if i % 7 == 0 {
                vec![]
            } else {
                vec![groups[i % groups.len()].to_owned()]
            },
            subscription: "to",
            ask: None,
        }
    });
    server.set_roster(
        "bob",
        &[RosterEntry {
            jid: "alice@localhost".into(),
            name: None,
            groups: vec![],
            subscription: "both",
            ask: None,
        }],
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let (ready, start, stats) = (
        dir.path().join("ready"),
        dir.path().join("start"),
        dir.path().join("stats.json"),
    );
    let flooder_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/flooder.py");
    let mut flooder = std::process::Command::new("/usr/bin/python3")
        .arg(&flooder_path)
        .args([
            "--port",
            &server.component_port.to_string(),
            "--secret",
            &server.component_secret,
        ])
        .args([
            "--domain",
            &server.component_domain,
            "--to",
            "alice@localhost",
        ])
        .args([
            "--contacts",
            &p.contacts.to_string(),
            "--rate",
            &p.rate.to_string(),
            "--count",
            &p.count.to_string(),
        ])
        .arg("--start-file")
        .arg(&start)
        .arg("--ready-file")
        .arg(&ready)
        .arg("--stats-file")
        .arg(&stats)
        .spawn()
        .expect("python3 runs bench/flooder.py");
    wait_file(&ready, "the flooder");

    // bob records when alice's numbered presence changes reach him.
    let arrivals: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::default();
    let mut bob = peer::Peer::connect(&server, "bob", "bench").await;
    bob.presence("", "", 0).await;
    let bob_task = tokio::spawn({
        let arrivals = arrivals.clone();
        async move {
            while let Some(stanza) = bob.next_stanza().await {
                if let Some(n) = peer::presence_from(&stanza, "alice@localhost/rosterm")
                    .and_then(|pr| pr.statuses.values().next().cloned())
                    .and_then(|s| s.strip_prefix('k').and_then(|n| n.parse::<usize>().ok()))
                {
                    arrivals.lock().expect("lock").push((n, Instant::now()));
                }
                let _ = matches!(stanza, Stanza::Message(_));
            }
        }
    });

    let (rss_before, _) = memory_kib();
    let account = peer::account(&server, "alice", Some("rosterm"));
    let (connector, probe) = RostermConnector::for_account(&account).expect("CA");
    let initial = OwnPresence::default();
    let mut state = State::new(account.jid.clone(), initial.clone());
    let mut handle = spawn(SessionSetup {
        account,
        password: Secret::new("alice-pw".into()),
        connector,
        probe,
        initial,
        nick: None,
        roster_ver: None,
        history: None,
        archive_after: None,
        caps: Vec::new(),
    })
    .expect("session");
    let keymap = Keymap::default();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    let height = rosterm::ui::roster_height_for(ratatui::layout::Rect::new(0, 0, 120, 40), &state);

    let t_login = Instant::now();
    let mut t_roster_event = None;
    let mut t_roster_frame = None;
    let mut t_burst = None;
    let mut presences = 0usize;
    let mut flood_start: Option<(Instant, u64, usize)> = None;
    let mut flood_first = None;
    let mut flood_end: Option<(Instant, u64)> = None;
    let mut frames = 0usize;
    let mut frame_max = Duration::ZERO;
    let mut frame_total = Duration::ZERO;
    let mut dirty = false;
    let mut last_frame = Instant::now();
    let mut keys: Vec<Instant> = Vec::new();
    let mut next_key = Instant::now();
    let mut rss_after_burst = 0;
    let deadline = Instant::now()
        + Duration::from_secs(120)
        + Duration::from_secs((p.count / p.rate.max(1)) as u64 * 3);

    loop {
        assert!(
            Instant::now() < deadline,
            "benchmark timed out: {presences} presences, state {:?}",
            state.primary().connection
        );
        let ev = tokio::select! {
            ev = handle.events.recv() => ev,
            _ = tokio::time::sleep(Duration::from_millis(5)) => None,
        };
        let mut batch = 0;
        let mut next = ev;
        while let Some(ev) = next {
            if matches!(ev, SessionEvent::Presence { .. }) {
                presences += 1;
                if flood_start.is_some() && flood_first.is_none() {
                    flood_first = Some(Instant::now());
                }
            }
            if matches!(ev, SessionEvent::RosterReceived(_)) {
                t_roster_event = Some(Instant::now());
            }
            if let SessionEvent::Connection(ConnState::Failed { reason }) = &ev {
                panic!("login failed: {reason}");
            }
            update::on_session(&mut state, A0, ev);
            dirty = true;
            batch += 1;
            if batch >= 1024 {
                break;
            }
            next = handle.events.try_recv().ok();
        }
        // Coalesced frames, as in the app loop.
        if dirty && last_frame.elapsed() >= Duration::from_millis(16) {
            let t = Instant::now();
            update::layout(&mut state, height);
            terminal
                .draw(|f| rosterm::ui::draw(f, &state, &keymap))
                .expect("draw");
            let took = t.elapsed();
            frames += 1;
            frame_total += took;
            frame_max = frame_max.max(took);
            last_frame = Instant::now();
            dirty = false;
            if t_roster_event.is_some() && t_roster_frame.is_none() {
                t_roster_frame = Some(Instant::now());
            }
        }
        if t_burst.is_none() && state.primary().roster_loaded && presences >= p.contacts {
            t_burst = Some(Instant::now());
            rss_after_burst = memory_kib().0;
            std::fs::write(&start, b"go").expect("start file");
            flood_start = Some((Instant::now(), cpu_us(), presences));
            next_key = Instant::now() + Duration::from_millis(100);
        }
        if let Some((_, _, base)) = flood_start {
            if flood_end.is_none() {
                if presences - base >= p.count {
                    flood_end = Some((Instant::now(), cpu_us()));
                } else if Instant::now() >= next_key {
                    // A presence change as typed: "/dnd k7" (alternating show values).
                    let n = keys.len();
                    let show = if n.is_multiple_of(2) {
                        Show::Dnd
                    } else {
                        Show::Away
                    };
                    keys.push(Instant::now());
                    for effect in update::run_command(
                        &mut state,
                        SlashCommand::SetPresence {
                            show,
                            status: Some(format!("k{n}")),
                        },
                    ) {
                        if let Effect::Send(_, cmd) = effect {
                            handle.commands.send(cmd).expect("session alive");
                        }
                    }
                    next_key += Duration::from_millis(100);
                }
            }
        }
        if flood_end.is_some() {
            break;
        }
    }
    // Let the last key presses arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, hwm) = memory_kib();
    let _ = handle.commands.send(rosterm::event::Command::Disconnect);
    bob_task.abort();
    let _ = flooder.kill();
    let _ = flooder.wait();

    let (fs, cpu0, _) = flood_start.expect("flood started");
    let (fe, cpu1) = flood_end.expect("flood finished");
    let first = flood_first.unwrap_or(fs);
    let absorb_rate = p.count as f64 / fe.duration_since(first).as_secs_f64();
    let cpu_per = (cpu1 - cpu0) as f64 / p.count as f64;
    let roster_to_screen = t_roster_frame
        .zip(t_roster_event)
        .map(|(f, e)| f.duration_since(e))
        .unwrap_or_default();
    let burst = t_burst
        .zip(t_roster_event)
        .map(|(b, e)| b.duration_since(e))
        .unwrap_or_default();
    let arrivals = arrivals.lock().expect("lock").clone();
    let mut lat: Vec<f64> = arrivals
        .iter()
        .filter_map(|(n, t)| {
            keys.get(*n)
                .map(|k| t.duration_since(*k).as_secs_f64() * 1000.0)
        })
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let per_contact =
        (rss_after_burst.saturating_sub(rss_before)) as f64 * 1024.0 / p.contacts as f64;
    let sent: serde_like::Stats = serde_like::read(&stats);

    println!(
        "rosterm flood benchmark: {} contacts, flood {} presences at {}/s requested",
        p.contacts, p.count, p.rate
    );
    println!("  login: roster on screen {:.1} ms after the roster result; login burst of {} presences absorbed in {:.2} s ({:.0}/s); total login {:.2} s",
        roster_to_screen.as_secs_f64() * 1000.0, p.contacts, burst.as_secs_f64(), p.contacts as f64 / burst.as_secs_f64().max(1e-9), t_burst.map(|t| t.duration_since(t_login).as_secs_f64()).unwrap_or(0.0));
    println!("  flood: flooder sent at {:.0}/s; rosterm absorbed {:.0} presences/s; CPU {:.1} µs/presence", sent.achieved_rate, absorb_rate, cpu_per);
    println!(
        "  frames: {} during the run, mean {:.3} ms, max {:.3} ms",
        frames,
        frame_total.as_secs_f64() * 1000.0 / frames.max(1) as f64,
        frame_max.as_secs_f64() * 1000.0
    );
    println!("  command -> peer latency over {} changes: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} of {} arrived)",
        lat.len(), percentile(&lat, 0.5), percentile(&lat, 0.99), lat.last().copied().unwrap_or(f64::NAN), lat.len(), keys.len());
    println!("  memory: RSS {:.1} MiB before login, {:.1} MiB after the login burst ({:.0} B/contact), peak {:.1} MiB",
        rss_before as f64 / 1024.0, rss_after_burst as f64 / 1024.0, per_contact, hwm as f64 / 1024.0);
    let line = format!(
        "{{\"contacts\":{},\"count\":{},\"rate_requested\":{},\"flooder_rate\":{:.0},\"absorbed_per_s\":{:.0},\"cpu_us_per_presence\":{:.2},\"roster_to_screen_ms\":{:.2},\"login_burst_s\":{:.3},\"latency_p50_ms\":{:.2},\"latency_p99_ms\":{:.2},\"frame_mean_ms\":{:.3},\"frame_max_ms\":{:.3},\"bytes_per_contact\":{:.0},\"peak_rss_mib\":{:.1}}}\n",
        p.contacts, p.count, p.rate, sent.achieved_rate, absorb_rate, cpu_per, roster_to_screen.as_secs_f64() * 1000.0, burst.as_secs_f64(),
        percentile(&lat, 0.5), percentile(&lat, 0.99), frame_total.as_secs_f64() * 1000.0 / frames.max(1) as f64, frame_max.as_secs_f64() * 1000.0, per_contact, hwm as f64 / 1024.0
    );
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/flood-results.jsonl");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
    {
        use std::io::Write;
        let _ = f.write_all(line.as_bytes());
    }
    assert!(!lat.is_empty(), "no presence change reached the peer");
}

/// The flooder's stats file, read without a JSON dependency.
mod serde_like {
    pub struct Stats {
        pub achieved_rate: f64,
    }
    pub fn read(path: &std::path::Path) -> Stats {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let achieved_rate = text
            .split("\"achieved_rate\":")
            .nth(1)
            .and_then(|r| r.trim_start().split([',', '}']).next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(f64::NAN);
        Stats { achieved_rate }
    }
}
