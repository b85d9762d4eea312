//! End-to-end benchmark of a crowded room (XEP-0045), rosterm beside mcabber.
//!
//! A real Prosody (the test harness) and `bench/crowd.py`, a XEP-0114 component playing
//! the room `crowd@bots.localhost` with N occupants: a join gets every occupant's presence,
//! then the self-presence (110) and the subject; then a storm of M occupant presence changes
//! (10 % leaving) at R/s to every joined client.
//!
//! rosterm: its session, store and coalesced renderer (a `TestBackend` frame at most every
//! 16 ms, the room's pane on screen) run headless in this process, the join typed as
//! `/join`. Measured: join → the complete occupant list on screen (the self-presence
//! applied, N occupants in the store, a frame drawn after it), CPU for that, the storm's
//! absorption rate and CPU per occupant presence, peak RSS.
//!
//! mcabber (when installed, in `--bench` mode): a fresh Prosody and crowd, mcabber in a
//! pseudo-terminal (`script`) joining through its `hook-post-connect`; its screen is not
//! read, so what is measured is its process: CPU from the join until it has been idle for
//! 1 s (and the wall time to that last busy moment), the same for the storm, and its peak
//! RSS (VmHWM).
//!
//! Run: `cargo bench --bench room -- --occupants 5000 --rate 5000 --count 20000`
//! (defaults as shown). Under `cargo test` it runs rosterm only, at a smoke size. Results:
//! stdout, and one JSON line per client appended to target/room-results.jsonl.

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

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Options, Server};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rosterm::command::SlashCommand;
use rosterm::config::Secret;
use rosterm::domain::room::RoomEvent;
use rosterm::domain::{AccountId, ConnState, ContactId, OwnPresence};
use rosterm::event::SessionEvent;
use rosterm::keymap::Keymap;
use rosterm::session::connect::RostermConnector;
use rosterm::session::{spawn, SessionSetup};
use rosterm::store::State;
use rosterm::update::{self, Effect};
use support::{cpu_us, wait_file, which};

const A0: AccountId = AccountId(0);

struct Params {
    occupants: usize,
    rate: usize,
    count: usize,
    clients: Vec<String>,
}

fn params() -> Params {
    let args = support::Args::get();
    let clients = args.list("--clients");
    match args.bench() {
        true => Params {
            occupants: args.number("--occupants", 5_000),
            rate: args.number("--rate", 5_000),
            count: args.number("--count", 20_000),
            clients: clients.unwrap_or_else(|| {
                ["rosterm", "mcabber", "poezio", "profanity"]
                    .map(String::from)
                    .to_vec()
            }),
        },
        // `cargo test --all-targets`: prove the benchmark works, quickly.
        false => Params {
            occupants: args.number("--occupants", 200),
            rate: args.number("--rate", 2_000),
            count: args.number("--count", 1_000),
            clients: vec!["rosterm".into()],
        },
    }
}

/// The room's component and its files.
struct Crowd {
    child: Child,
    start: PathBuf,
    joined: PathBuf,
    stats: PathBuf,
    _dir: tempfile::TempDir,
}

impl Crowd {
    fn start(server: &Server, p: &Params) -> Crowd {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = |name: &str| dir.path().join(name);
        let (ready, start, joined, stats) = (
            path("ready"),
            path("start"),
            path("joined"),
            path("stats.json"),
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/crowd.py");
        let child = Command::new("/usr/bin/python3")
            .arg(script)
            .args(["--port", &server.component_port.to_string()])
            .args(["--secret", &server.component_secret])
            .args(["--domain", &server.component_domain])
            .args(["--occupants", &p.occupants.to_string()])
            .args([
                "--rate",
                &p.rate.to_string(),
                "--count",
                &p.count.to_string(),
            ])
            .arg("--ready-file")
            .arg(&ready)
            .arg("--start-file")
            .arg(&start)
            .arg("--joined-file")
            .arg(&joined)
            .arg("--stats-file")
            .arg(&stats)
            .spawn()
            .expect("python3 runs bench/crowd.py");
        wait_file(&ready, "the crowd's handshake", Duration::from_secs(30));
        Crowd {
            child,
            start,
            joined,
            stats,
            _dir: dir,
        }
    }

    /// Starts the storm.
    fn go(&self) {
        std::fs::write(&self.start, b"go").expect("start file");
    }

    /// Returns once the component has sent all of the storm.
    fn wait_sent(&self, within: Duration) {
        wait_file(&self.stats, "the storm", within);
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server() -> Server {
    let server = Server::start_with(Options {
        log_level: "warn",
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    server
}

/// One client's figures.
#[derive(Default)]
struct Figures {
    join_ms: f64,
    join_cpu_ms: f64,
    storm_per_s: f64,
    storm_cpu_us: f64,
    peak_mib: f64,
}

fn main() {
    let p = params();
    let mut lines = Vec::new();
    for client in &p.clients {
        let figures = match client.as_str() {
            "rosterm" => Some(rosterm(&p)),
            "mcabber" => mcabber(&p),
            "poezio" => poezio(&p),
            "profanity" => profanity(&p),
            other => panic!("unknown client {other:?} (rosterm, mcabber, poezio, profanity)"),
        };
        let Some(f) = figures else {
            println!("{client}: not installed, skipped (apt-get install {client})");
            continue;
        };
        println!(
            "{client}: {} occupants: join → {} in {:.0} ms ({:.0} ms CPU); storm of {} changes: {:.0}/s absorbed, {:.1} µs CPU each; peak RSS {:.1} MiB",
            p.occupants,
            match client.as_str() {
                "rosterm" => "every occupant in the store, a frame drawn",
                _ => "its process idle for 1 s",
            },
            f.join_ms,
            f.join_cpu_ms,
            p.count,
            f.storm_per_s,
            f.storm_cpu_us,
            f.peak_mib
        );
        lines.push(format!(
            "{{\"client\":\"{client}\",\"occupants\":{},\"count\":{},\"rate\":{},\"join_ms\":{:.1},\"join_cpu_ms\":{:.1},\"storm_per_s\":{:.0},\"storm_cpu_us\":{:.2},\"peak_rss_mib\":{:.1}}}\n",
            p.occupants, p.count, p.rate, f.join_ms, f.join_cpu_ms, f.storm_per_s, f.storm_cpu_us, f.peak_mib
        ));
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/room-results.jsonl");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
    {
        use std::io::Write;
        for line in lines {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

fn rosterm(p: &Params) -> Figures {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(rosterm_run(p))
}

/// Applies what the session sends for up to 5 ms (at most 1024 events); true if any came.
async fn pump(
    handle: &mut rosterm::session::SessionHandle,
    state: &mut State,
    mut seen: impl FnMut(&SessionEvent),
) -> bool {
    let first = tokio::select! {
        ev = handle.events.recv() => ev,
        _ = tokio::time::sleep(Duration::from_millis(5)) => None,
    };
    let mut next = first;
    let mut any = false;
    for _ in 0..1024 {
        let Some(ev) = next else { break };
        if let SessionEvent::Connection(ConnState::Failed { reason }) = &ev {
            panic!("login failed: {reason}");
        }
        seen(&ev);
        for effect in update::on_session(state, A0, ev) {
            if let Effect::Send(_, cmd) = effect {
                handle.commands.send(cmd).expect("session alive");
            }
        }
        any = true;
        next = handle.events.try_recv().ok();
    }
    any
}

async fn rosterm_run(p: &Params) -> Figures {
    let server = server();
    let crowd = Crowd::start(&server, p);
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
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).expect("backend");
    let deadline = Instant::now() + Duration::from_secs(120);
    while state.primary().connection != ConnState::Online || !state.primary().roster_loaded {
        assert!(Instant::now() < deadline, "no login");
        pump(&mut handle, &mut state, |_| {}).await;
    }
    let room = jid::BareJid::new(&format!("crowd@{}", server.component_domain)).unwrap();
    let id = ContactId::new(A0, room.clone());
    let (t_join, cpu_join) = (Instant::now(), cpu_us("self"));
    let join = SlashCommand::Join {
        room: jid::Jid::from(room.clone()),
        password: None,
    };
    for effect in update::run_command(&mut state, join) {
        if let Effect::Send(_, cmd) = effect {
            handle.commands.send(cmd).expect("session alive");
        }
    }
    let on_screen = |s: &State| {
        s.chats
            .room(&id)
            .is_some_and(|r| r.joined() && r.occupants.len() > p.occupants)
    };
    let mut last_frame = Instant::now();
    let mut dirty = false;
    let mut joined_at = None;
    let mut changes = 0usize;
    let mut storm: Option<(Instant, u64)> = None;
    let mut storm_first = None;
    let storm_end = loop {
        assert!(Instant::now() < deadline, "timed out: {changes} changes");
        let storming = storm.is_some();
        dirty |= pump(&mut handle, &mut state, |ev| {
            if storming
                && matches!(
                    ev,
                    SessionEvent::Room {
                        event: RoomEvent::Occupant(_) | RoomEvent::Left { .. },
                        ..
                    }
                )
            {
                changes += 1;
            }
        })
        .await;
        if storm.is_some() && storm_first.is_none() && changes > 0 {
            storm_first = Some(Instant::now());
        }
        if dirty && last_frame.elapsed() >= Duration::from_millis(16) {
            update::layout(&mut state, 40);
            terminal
                .draw(|f| rosterm::ui::draw(f, &state, &keymap))
                .expect("draw");
            last_frame = Instant::now();
            dirty = false;
            if joined_at.is_none() && on_screen(&state) {
                joined_at = Some((Instant::now(), cpu_us("self")));
                storm = Some((Instant::now(), cpu_us("self")));
                crowd.go();
            }
        }
        if storm.is_some() && changes >= p.count {
            break (Instant::now(), cpu_us("self"));
        }
    };
    let _ = handle.commands.send(rosterm::event::Command::Disconnect);
    crowd.stop();
    let (t_on_screen, cpu_on_screen) = joined_at.expect("joined");
    let (_, cpu_storm0) = storm.expect("storm");
    let (t_end, cpu_storm1) = storm_end;
    let first = storm_first.unwrap_or(t_on_screen);
    Figures {
        join_ms: t_on_screen.duration_since(t_join).as_secs_f64() * 1000.0,
        join_cpu_ms: (cpu_on_screen - cpu_join) as f64 / 1000.0,
        storm_per_s: p.count as f64 / t_end.duration_since(first).as_secs_f64().max(1e-9),
        storm_cpu_us: (cpu_storm1 - cpu_storm0) as f64 / p.count as f64,
        peak_mib: support::status_kib("self", "VmHWM:") as f64 / 1024.0,
    }
}

/// Waits until `pid` has used no CPU for `quiet`; returns when it was last busy and its CPU
/// then (µs).
fn until_idle(pid: &str, quiet: Duration, within: Duration) -> (Instant, u64) {
    let deadline = Instant::now() + within;
    let (mut last_busy, mut cpu) = (Instant::now(), cpu_us(pid));
    while last_busy.elapsed() < quiet {
        assert!(Instant::now() < deadline, "{pid} never went idle");
        std::thread::sleep(Duration::from_millis(20));
        let now = cpu_us(pid);
        if now != cpu {
            (last_busy, cpu) = (Instant::now(), now);
        }
    }
    (last_busy, cpu)
}

/// The pid of the process named `name` whose parent is `parent`.
fn child_named(parent: u32, name: &str) -> Option<String> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().into_string().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (comm, rest) = (
            stat.split('(').nth(1)?.split(')').next()?,
            stat.rsplit(')').next()?,
        );
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (comm == name && ppid == parent).then_some(pid)
    })
}

/// How to run one terminal peer: its command line (run by `sh` in a pseudo-terminal), the
/// process name to measure, and whether it must not run as root (then it runs as nobody).
struct PeerRun {
    command: String,
    process: &'static str,
    as_nobody: bool,
    /// Typed into its terminal every half second until the room sees the join (for a
    /// client that cannot join from its config).
    typed: Option<String>,
}

fn mcabber(p: &Params) -> Option<Figures> {
    let bin = which("mcabber")?;
    run_peer(p, |server, home| {
        let rc = home.join("mcabberrc");
        let text = format!(
            "set jid = alice@localhost\nset password = alice-pw\nset server = 127.0.0.1\nset port = {}\nset resource = mcabber\nset tls = 1\nset ssl_ca = {}\nset beep_on_message = 0\nset logging = 0\nset load_muc_logs = 0\nset hook-post-connect = room join crowd@{} mcab\n",
            server.port,
            home.join("ca.pem").display(),
            server.component_domain
        );
        write_private(&rc, &text);
        PeerRun {
            command: format!("exec {} -f {}", bin.display(), rc.display()),
            process: "mcabber",
            as_nobody: false,
            typed: None,
        }
    })
}

/// poezio refuses to run as root: it runs as nobody, its files in a home of its own.
fn poezio(p: &Params) -> Option<Figures> {
    let bin = which("poezio")?;
    run_peer(p, |server, home| {
        let cfg = home.join("poezio.cfg");
        let text = format!(
            "[Poezio]\njid = alice@localhost/poezio\npassword = alice-pw\ncustom_host = 127.0.0.1\ncustom_port = {}\nca_cert_path = {}\nrooms = crowd@{}/poez\nuse_bookmarks_method = none\nenable_user_mood = false\nenable_user_activity = false\nenable_user_tune = false\nenable_user_gaming = false\nuse_log = false\n",
            server.port,
            home.join("ca.pem").display(),
            server.component_domain
        );
        write_private(&cfg, &text);
        PeerRun {
            command: format!("exec {} -f {}", bin.display(), cfg.display()),
            process: "poezio",
            as_nobody: true,
            typed: None,
        }
    })
}

/// profanity joins by the command typed (it autojoins bookmarks only); its account trusts
/// the server's certificate (`tls.policy=trust`: it has no CA file option for one account).
fn profanity(p: &Params) -> Option<Figures> {
    let bin = which("profanity")?;
    run_peer(p, |server, home| {
        let dir = home.join(".local/share/profanity");
        std::fs::create_dir_all(&dir).expect("profanity's data dir");
        let text = format!(
            "[alice]\nenabled=true\njid=alice@localhost\nserver=127.0.0.1\nport={}\nresource=profanity\npassword=alice-pw\ntls.policy=trust\n",
            server.port
        );
        write_private(&dir.join("accounts"), &text);
        PeerRun {
            command: format!("exec {} -a alice", bin.display()),
            process: "profanity",
            as_nobody: false,
            typed: Some(format!(
                "/join crowd@{} nick prof\r",
                server.component_domain
            )),
        }
    })
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("peer config");
    support::set_private(path);
}

/// Runs a peer in a pseudo-terminal against a fresh server and crowd; measures its process
/// (see the module comment).
fn run_peer(p: &Params, setup: impl FnOnce(&Server, &Path) -> PeerRun) -> Option<Figures> {
    let server = server();
    let crowd = Crowd::start(&server, p);
    let home = tempfile::tempdir().expect("home");
    std::fs::copy(&server.ca_file, home.path().join("ca.pem")).expect("CA copy");
    let run = setup(&server, home.path());
    let command = format!("stty cols 160 rows 50; {}", run.command);
    let mut script = Command::new("script");
    if run.as_nobody {
        chown_nobody(home.path());
        script = Command::new("setpriv");
        script.args(["--reuid=65534", "--regid=65534", "--clear-groups", "script"]);
    }
    let mut script = script
        .args(["-qfec", &command, "/dev/null"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("XDG_CACHE_HOME", home.path().join(".cache"))
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux)");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !crowd.joined.exists() {
        assert!(Instant::now() < deadline, "{} never joined", run.process);
        if let (Some(text), Some(stdin)) = (&run.typed, script.stdin.as_mut()) {
            use std::io::Write;
            let _ = stdin.write_all(text.as_bytes());
            let _ = stdin.flush();
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let t_join = Instant::now();
    let pid = child_named(script.id(), run.process).expect("the peer's pid");
    let cpu_join = cpu_us(&pid);
    let (t_done, cpu_done) = until_idle(&pid, Duration::from_secs(1), Duration::from_secs(300));
    let cpu_storm0 = cpu_us(&pid);
    let t_storm = Instant::now();
    crowd.go();
    crowd.wait_sent(Duration::from_secs(300));
    let (t_storm_done, cpu_storm1) =
        until_idle(&pid, Duration::from_secs(1), Duration::from_secs(600));
    let peak = support::status_kib(&pid, "VmHWM:");
    let _ = script.kill();
    let _ = Command::new("kill").args(["-9", &pid]).status();
    let _ = script.wait();
    crowd.stop();
    Some(Figures {
        join_ms: t_done.duration_since(t_join).as_secs_f64() * 1000.0,
        join_cpu_ms: (cpu_done - cpu_join) as f64 / 1000.0,
        storm_per_s: p.count as f64 / t_storm_done.duration_since(t_storm).as_secs_f64().max(1e-9),
        storm_cpu_us: (cpu_storm1 - cpu_storm0) as f64 / p.count as f64,
        peak_mib: peak as f64 / 1024.0,
    })
}

/// Everything under `dir` (and `dir`) owned by nobody.
fn chown_nobody(dir: &Path) {
    let status = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(dir)
        .status()
        .expect("chown");
    assert!(status.success(), "chown nobody {}", dir.display());
}
