//! A throwaway XMPP server for integration tests (Linux, blocking, std + tempfile): Prosody 0.12
//! by default, or ejabberd 23.01 ([`Kind::Ejabberd`], see `harness/ejabberd.rs`).
//!
//! [`Server::start`] creates a fresh temp dir holding the config, data dir, pidfile, log and a
//! self-signed EC P-256 certificate for `localhost` or [`Options::domain`] (a usable trust
//! root: [`Server::ca_file`]),
//! picks free loopback ports, runs `prosody -F` in the foreground and returns (~70 ms) once the
//! c2s (STARTTLS required) and XEP-0114 component ports are listened on by *this* prosody process
//! and a stream to the domain gets features (polled every 10 ms, up to 10 s; a port taken by
//! someone else means new ports and a retry).
//! Accounts are made with `prosodyctl register` (works while running); rosters are written
//! straight into Prosody's internal storage (only while the user has no session, live or
//! hibernating). Dropping the [`Server`] kills prosody and removes the temp dir. Setup failures
//! panic with the tail of prosody's log.
//!
//! ejabberd gets the same temp dir layout, certificate, ports and API; it takes ~2 s to start
//! (polled up to 60 s), accounts and rosters go through its admin API on one more loopback
//! port (rosters can be set at any time; ejabberd pushes the changes to online resources).
#![allow(dead_code)]

#[path = "harness/ejabberd.rs"]
mod ejabberd;
#[path = "harness/probe.rs"]
mod probe;

use std::borrow::Borrow;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Erlang boots in seconds, and longer when parallel tests start several at once.
const EJABBERD_READY_TIMEOUT: Duration = Duration::from_secs(60);
const PORT_IN_USE: &str = "Failed to open server port";
const OPENSSL_REQ: &str = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 3650 -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth";

/// Which server a [`Server`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Prosody,
    Ejabberd,
}

/// Tunables for [`Server::start_with`].
#[derive(Clone, Debug)]
pub struct Options {
    pub kind: Kind,
    /// `smacks_hibernation_time` (ejabberd: `resume_timeout`): how long a vanished XEP-0198
    /// session stays "online".
    pub smacks_hibernation_secs: u32,
    /// Console log level: "debug" (every stanza), "info", "warn" or "error" (ejabberd: "debug"
    /// or else "info").
    pub log_level: &'static str,
    /// XEP-0198 (mod_smacks). Without it, SIGTERM closes client streams with
    /// `<system-shutdown/>`; with it, resumable sessions are just disconnected.
    pub smacks: bool,
    /// The served domain, also the certificate's CN and only SAN. Not `localhost` when the
    /// test needs DNS for it: resolvers answer names under `localhost.` themselves (RFC 6761).
    pub domain: &'static str,
    /// XEP-0313 user archives (mod_mam; ejabberd: unchanged). Prosody's mod_mam drops a
    /// message it cannot archive (one nested thousands of levels deep) instead of
    /// delivering it.
    pub mam: bool,
    /// XEP-0280 (mod_carbons; ejabberd: unchanged).
    pub carbons: bool,
    /// A XEP-0045 room service at [`Server::muc_domain`] (`conference.<domain>`), with room
    /// archives (muc_mam) and no room locking (Prosody only).
    pub muc: bool,
    /// XEP-0077 (Prosody's `register` module with `allow_registration = true`): accounts can
    /// be created before login, and changed or deleted by their user (Prosody only). Off: no
    /// `register` module at all, so the server refuses all three.
    pub registration: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kind: Kind::Prosody,
            smacks_hibernation_secs: 5,
            log_level: "info",
            smacks: true,
            domain: "localhost",
            mam: true,
            carbons: true,
            muc: false,
            registration: false,
        }
    }
}

/// One roster item as stored by Prosody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEntry {
    pub jid: String,
    pub name: Option<String>,
    pub groups: Vec<String>,
    /// "both" | "to" | "from" | "none"
    pub subscription: &'static str,
    /// `Some("subscribe")` for a pending outbound subscription request.
    pub ask: Option<&'static str>,
}

impl RosterEntry {
    /// A mutually subscribed contact with no name and no groups.
    pub fn new(jid: impl Into<String>) -> Self {
        RosterEntry {
            jid: jid.into(),
            name: None,
            groups: Vec::new(),
            subscription: "both",
            ask: None,
        }
    }
}

/// A roster item as the server stored it ([`Server::stored_item`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredItem {
    /// "both" | "to" | "from" | "none"
    pub subscription: String,
    /// An outbound subscription request is pending.
    pub asking: bool,
}

/// A running (or stopped) Prosody or ejabberd instance; see the module docs.
pub struct Server {
    pub kind: Kind,
    /// "localhost" (or [`Options::domain`])
    pub domain: String,
    /// c2s port on 127.0.0.1; STARTTLS is required.
    pub port: u16,
    /// "bots.localhost"
    pub component_domain: String,
    /// XEP-0114 component port on 127.0.0.1.
    pub component_port: u16,
    pub component_secret: String,
    /// PEM of the self-signed `localhost` certificate; trust it as a root.
    pub ca_file: PathBuf,
    /// ejabberd's admin API (unused for Prosody).
    admin: ejabberd::Admin,
    opts: Options,
    child: Option<Child>,
    log_path: PathBuf,
    config_path: PathBuf,
    dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(Options::default())
    }

    pub fn start_kind(kind: Kind) -> Server {
        Server::start_with(Options {
            kind,
            ..Options::default()
        })
    }

    pub fn start_with(opts: Options) -> Server {
        let prefix = match opts.kind {
            Kind::Prosody => "prosody-test-",
            Kind::Ejabberd => "ejabberd-test-",
        };
        let dir = tempfile::Builder::new().prefix(prefix).tempdir();
        let dir = dir.expect("create temp dir");
        let root = dir.path();
        for sub in ["data", "certs"] {
            fs::create_dir(root.join(sub)).expect("create dir in temp dir");
        }
        let ca_file = root.join("certs/localhost.crt");
        let mut openssl = Command::new("openssl");
        openssl.args(OPENSSL_REQ.split_whitespace());
        openssl.arg("-subj").arg(format!("/CN={}", opts.domain));
        openssl
            .arg("-addext")
            .arg(format!("subjectAltName=DNS:{}", opts.domain));
        openssl.arg("-keyout").arg(root.join("certs/localhost.key"));
        run(openssl.arg("-out").arg(&ca_file));
        if opts.kind == Kind::Ejabberd {
            let crt = fs::read_to_string(&ca_file).expect("read certificate");
            let key = fs::read_to_string(root.join("certs/localhost.key")).expect("read key");
            fs::write(root.join("certs/localhost.pem"), crt + &key).expect("write pem");
        }
        let random = root.file_name().unwrap_or_default().to_string_lossy();
        let log = match opts.kind {
            Kind::Prosody => "prosody.log",
            Kind::Ejabberd => "ejabberd-console.log",
        };
        let config = match opts.kind {
            Kind::Prosody => "prosody.cfg.lua",
            Kind::Ejabberd => "ejabberd.yml",
        };
        let mut server = Server {
            kind: opts.kind,
            domain: opts.domain.into(),
            port: 0,
            component_domain: format!("bots.{}", opts.domain),
            component_port: 0,
            component_secret: format!("secret-{random}"),
            ca_file,
            admin: ejabberd::Admin::new(root.join("data")),
            opts,
            child: None,
            log_path: root.join(log),
            config_path: root.join(config),
            dir,
        };
        // A free port can be taken by someone else before prosody binds it: retry with new ones.
        for _ in 0..5 {
            server.port = free_port();
            server.component_port = free_port();
            if server.kind == Kind::Ejabberd {
                server.admin.port = free_port();
            }
            server.write_config();
            if server.spawn() {
                return server;
            }
            server.kill();
        }
        server.fail("ports kept being taken")
    }

    /// `prosodyctl register` (~30 ms), ejabberd's admin API (~2 ms); fine while the server runs.
    pub fn register(&self, user: &str, password: &str) {
        if self.kind == Kind::Ejabberd {
            return self.admin.register(user, &self.domain, password);
        }
        let mut ctl = Command::new("prosodyctl");
        ctl.arg("--config").arg(&self.config_path);
        run(ctl.args(["register", user, &self.domain, password]));
    }

    /// Fast account creation for many users: writes a plaintext-password account file, which
    /// Prosody upgrades to SCRAM hashes at the first login. Only for users with no session.
    /// (ejabberd: [`Server::register`].)
    pub fn create_account(&self, user: &str, password: &str) {
        if self.kind == Kind::Ejabberd {
            return self.register(user, password);
        }
        let body = format!(
            "return {{\n\t[\"password\"] = {};\n}};\n",
            lua_str(password)
        );
        write_atomic(&self.store_path("accounts", user), &body);
    }

    /// Replaces `user`'s roster (`user` is the local part on `domain`). Only while the user has
    /// no session. The roster version is the previous file's version + 1 (1 if none).
    pub fn set_roster(&self, user: &str, items: &[RosterEntry]) {
        self.write_roster(user, items.iter());
    }

    /// Like [`Server::set_roster`] with entries `entry(0..n)`, built into one buffered write
    /// (20,000 entries: ~40 ms in a debug build).
    pub fn write_roster_bulk(&self, user: &str, n: usize, entry: impl Fn(usize) -> RosterEntry) {
        self.write_roster(user, (0..n).map(entry));
    }

    /// `contact`'s item in `user`'s roster as the server stored it, if there is one.
    pub fn stored_item(&self, user: &str, contact: &str) -> Option<StoredItem> {
        if self.kind == Kind::Ejabberd {
            return self.admin.stored_item(user, &self.domain, contact);
        }
        let file = self.roster_file(user)?;
        let start = file.find(&format!("[{}]", lua_str(contact)))?;
        let rest = &file[start..];
        // The item ends where the next top-level entry (one tab deep) starts.
        let end = rest[1..].find("\n\t[").map_or(rest.len(), |i| i + 1);
        let item = &rest[..end];
        let at = item.find("[\"subscription\"] = \"")? + "[\"subscription\"] = \"".len();
        Some(StoredItem {
            subscription: item[at..].split('"').next()?.to_owned(),
            asking: item.contains("[\"ask\"] = \"subscribe\""),
        })
    }

    /// The room service's domain (`conference.<domain>`; see [`Options::muc`]).
    pub fn muc_domain(&self) -> String {
        format!("conference.{}", self.domain)
    }

    /// Raw contents of `user`'s roster file (Prosody's own serialization), if any.
    pub fn roster_file(&self, user: &str) -> Option<String> {
        assert_eq!(self.kind, Kind::Prosody, "roster files are Prosody's");
        fs::read_to_string(self.store_path("roster", user)).ok()
    }

    /// SIGKILLs the server and waits: clients see a crash (no `</stream:stream>`), data
    /// survives (Prosody writes storage files atomically; for ejabberd this first waits until
    /// what the harness wrote is on disk, see `ejabberd::Admin`). No-op if already stopped.
    pub fn stop(&mut self) {
        if self.kind == Kind::Ejabberd && self.child.is_some() {
            self.admin.wait_flushed();
        }
        self.kill();
    }

    /// Stops and starts again with the same ports, data, certificate and log file.
    pub fn restart(&mut self) {
        self.stop();
        self.respawn();
    }

    /// Like [`Server::restart`], but the server shuts down cleanly (SIGTERM): it tells its
    /// clients (`<system-shutdown/>`) and closes their streams before it exits.
    pub fn restart_gracefully(&mut self) {
        if let Some(pid) = self.child.as_ref().map(Child::id) {
            run(Command::new("kill").args(["-TERM", &pid.to_string()]));
            // Exited but not reaped: its group id cannot be reused before `kill` below.
            let deadline = Instant::now() + EJABBERD_READY_TIMEOUT;
            while proc_state(pid) != 'Z' && Instant::now() < deadline {
                sleep(Duration::from_millis(10));
            }
        }
        self.kill(); // the helpers, if any are left, and the reaping
        self.respawn();
    }

    fn respawn(&mut self) {
        if !self.spawn() {
            self.fail("a port was taken during restart");
        }
    }

    /// Replaces the certificate (and key) with a self-signed one for `names` (the first is
    /// also the CN), valid from now for `days`, and restarts. A negative `days` makes an
    /// expired certificate (openssl 3.0 then sets notAfter `days` before notBefore = now).
    /// [`Server::ca_file`] then holds the new certificate.
    pub fn use_certificate(&mut self, names: &[&str], days: i32) {
        let certs = self.dir.path().join("certs");
        let (key, csr, ext) = (
            certs.join("localhost.key"),
            certs.join("req.csr"),
            certs.join("ext.cnf"),
        );
        let san: Vec<String> = names.iter().map(|n| format!("DNS:{n}")).collect();
        let extensions = format!(
            "subjectAltName={}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
            san.join(",")
        );
        fs::write(&ext, extensions).expect("write openssl extensions");
        let subject = format!("/CN={}", names.first().copied().unwrap_or("localhost"));
        let mut req = Command::new("openssl");
        req.args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ]);
        req.args(["-nodes", "-subj", &subject]);
        run(req.arg("-keyout").arg(&key).arg("-out").arg(&csr));
        let mut sign = Command::new("openssl");
        sign.args(["x509", "-req", "-days", &days.to_string(), "-in"])
            .arg(&csr);
        sign.arg("-signkey").arg(&key).arg("-extfile").arg(&ext);
        run(sign.arg("-out").arg(&self.ca_file));
        self.restart();
    }

    /// SIGSTOP; returns once prosody is stopped. The kernel still completes TCP handshakes on
    /// its ports, but nothing is read or answered.
    pub fn pause(&self) {
        self.signal("-STOP", true);
    }

    /// SIGCONT after [`Server::pause`]; returns once prosody runs again.
    pub fn resume(&self) {
        self.signal("-CONT", false);
    }

    /// The server's console output so far (all runs, including before restarts).
    pub fn log(&self) -> String {
        self.log_since(0)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("prosody is not running").id()
    }

    /// `user@domain`.
    pub fn jid(&self, user: &str) -> String {
        format!("{user}@{}", self.domain)
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    pub fn data_path(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// SIGKILL (ejabberd: its whole process group) and reap.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            if self.kind == Kind::Ejabberd {
                // Before the wait: the unreaped child keeps the group id from being reused.
                ejabberd::kill_group(child.id());
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn signal(&self, sig: &str, stopped: bool) {
        let pid = self.pid();
        run(Command::new("kill").args([sig, &pid.to_string()]));
        let deadline = Instant::now() + READY_TIMEOUT;
        while is_stopped(pid) != stopped && Instant::now() < deadline {
            sleep(Duration::from_millis(1));
        }
    }

    fn log_since(&self, offset: usize) -> String {
        let bytes = fs::read(&self.log_path).unwrap_or_default();
        String::from_utf8_lossy(bytes.get(offset..).unwrap_or_default()).into_owned()
    }

    /// Panics with `what` and the tail of prosody's log.
    fn fail(&self, what: &str) -> ! {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        let (path, kind) = (self.log_path.display(), self.kind);
        panic!("{what}\n--- {kind:?} log ({path}), last 40 lines ---\n{tail}");
    }

    fn write_config(&self) {
        if self.kind == Kind::Ejabberd {
            let pem = self.dir.path().join("certs/localhost.pem");
            let cfg = ejabberd::config(&ejabberd::Config {
                domain: &self.domain,
                port: self.port,
                component_domain: &self.component_domain,
                component_port: self.component_port,
                component_secret: &self.component_secret,
                api_port: self.admin.port,
                pem: &pem,
                resume_secs: self.opts.smacks_hibernation_secs,
                log_level: self.opts.log_level,
            });
            fs::write(&self.config_path, cfg).expect("write ejabberd config");
            return;
        }
        let path = |p: &str| lua_str(&self.dir.path().join(p).to_string_lossy());
        let (pidfile, data, certs) = (path("prosody.pid"), path("data"), path("certs"));
        let (crt, key) = (path("certs/localhost.crt"), path("certs/localhost.key"));
        let (port, cport) = (self.port, self.component_port);
        let level = lua_str(self.opts.log_level);
        let hibernation = self.opts.smacks_hibernation_secs;
        let (domain, cdomain) = (lua_str(&self.domain), lua_str(&self.component_domain));
        let secret = lua_str(&self.component_secret);
        let smacks = if self.opts.smacks { ", \"smacks\"" } else { "" };
        let mam = if self.opts.mam { ", \"mam\"" } else { "" };
        let carbons = if self.opts.carbons {
            ", \"carbons\""
        } else {
            ""
        };
        let (register, allow_registration) = match self.opts.registration {
            true => (", \"register\"", "true"),
            false => ("", "false"),
        };
        let muc = if self.opts.muc {
            format!(
                "\nComponent {} \"muc\"\n    modules_enabled = {{ \"muc_mam\" }}\n    muc_room_locking = false\n",
                lua_str(&self.muc_domain())
            )
        } else {
            String::new()
        };
        let cfg = format!(
            r#"-- Generated by the rosterm test harness.
run_as_root = true
pidfile = {pidfile}
data_path = {data}
certificates = {certs}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_direct_tls_ports = {{ }}
legacy_ssl_ports = {{ }}
component_ports = {{ {cport} }}
component_interfaces = {{ "127.0.0.1" }}
modules_enabled = {{ "roster", "saslauth", "tls", "disco", "ping", "pep", "lastactivity"{carbons}{mam}{smacks}{register}, "posix" }}
modules_disabled = {{ "s2s", "s2s_auth_certs" }}
log = {{ {{ levels = {{ min = {level} }}, to = "console" }} }}
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
allow_registration = {allow_registration}
smacks_hibernation_time = {hibernation}
-- The internal store keeps at most 10,000 messages per archive by default; the catch-up
-- benchmark needs more.
storage_archive_item_limit = 100000

VirtualHost {domain}
    ssl = {{ certificate = {crt}; key = {key}; }}

Component {cdomain}
    component_secret = {secret}
{muc}"#
        );
        fs::write(&self.config_path, cfg).expect("write prosody config");
    }

    /// Launches the server and waits until it serves every port; false if a port was in use.
    fn spawn(&mut self) -> bool {
        let path = &self.log_path;
        let log = File::options().create(true).append(true).open(path);
        let log = log.unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let log_start = log.metadata().map_or(0, |m| m.len() as usize);
        let (mut cmd, in_use, timeout) = match self.kind {
            Kind::Prosody => {
                let mut cmd = Command::new("prosody");
                cmd.arg("--config").arg(&self.config_path).arg("-F");
                (cmd, PORT_IN_USE, READY_TIMEOUT)
            }
            Kind::Ejabberd => {
                let cmd = ejabberd::command(self.dir.path(), &self.data_path());
                (cmd, ejabberd::PORT_IN_USE, EJABBERD_READY_TIMEOUT)
            }
        };
        let child = cmd
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log fd"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", self.kind));
        let pid = child.id();
        self.child = Some(child);
        let ports = match self.kind {
            Kind::Prosody => vec![self.port, self.component_port],
            Kind::Ejabberd => vec![self.port, self.component_port, self.admin.port],
        };
        let deadline = Instant::now() + timeout;
        let mut last_answer = String::from("its ports are not all listened on");
        loop {
            // ejabberd exits when a port is taken: look at the log before the exit status.
            if self.log_since(log_start).contains(in_use) {
                return false;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                if self.log_since(log_start).contains(in_use) {
                    return false;
                }
                self.fail(&format!("{:?} exited during startup ({status})", self.kind));
            }
            let listening = ports.iter().all(|&p| listens(pid, p));
            let ready = listening
                && match self.kind {
                    Kind::Prosody => self.serves(&mut last_answer),
                    Kind::Ejabberd => ejabberd::ready(&self.log_since(log_start), &ports),
                };
            if ready {
                return true;
            }
            if Instant::now() > deadline {
                let kind = self.kind;
                self.fail(&format!(
                    "{kind:?} not ready after {timeout:?}; {last_answer}"
                ));
            }
            sleep(Duration::from_millis(10));
        }
    }

    /// Whether a client's stream to the domain gets features now (see `harness/probe.rs`);
    /// else `last` says what came instead.
    fn serves(&self, last: &mut String) -> bool {
        match probe::probe(self.port, &self.domain) {
            probe::Answer::Serving => true,
            probe::Answer::NotYet(text) => {
                *last = format!("a stream to {} got: {text}", self.domain);
                false
            }
        }
    }

    /// DATA/<host>/<store>/<user>.dat, with Prosody's %xx encoding of non-alphanumerics.
    fn store_path(&self, store: &str, user: &str) -> PathBuf {
        let file = format!("{}.dat", path_encode(user));
        self.data_path()
            .join(path_encode(&self.domain))
            .join(store)
            .join(file)
    }

    /// Serializes like Prosody 0.12's util.serialization (tabs, `["key"] = value;`).
    fn write_roster<E: Borrow<RosterEntry>>(&self, user: &str, items: impl Iterator<Item = E>) {
        if self.kind == Kind::Ejabberd {
            return self.admin.set_roster(user, &self.domain, items);
        }
        let old = self.roster_file(user).and_then(|f| roster_version(&f));
        let mut out = String::with_capacity(1 << 16);
        out.push_str("return {\n\t[false] = {\n\t\t[\"pending\"] = {};\n");
        let _ = writeln!(out, "\t\t[\"version\"] = {};\n\t}};", old.unwrap_or(0) + 1);
        for item in items {
            let e = item.borrow();
            let _ = writeln!(out, "\t[{}] = {{", lua_str(&e.jid));
            let _ = writeln!(out, "\t\t[\"subscription\"] = {};", lua_str(e.subscription));
            out.push_str("\t\t[\"groups\"] = {");
            if !e.groups.is_empty() {
                out.push('\n');
                for g in &e.groups {
                    let _ = writeln!(out, "\t\t\t[{}] = true;", lua_str(g));
                }
                out.push_str("\t\t");
            }
            out.push_str("};\n");
            if let Some(name) = &e.name {
                let _ = writeln!(out, "\t\t[\"name\"] = {};", lua_str(name));
            }
            if let Some(ask) = e.ask {
                let _ = writeln!(out, "\t\t[\"ask\"] = {};", lua_str(ask));
            }
            out.push_str("\t};\n");
        }
        out.push_str("};\n");
        write_atomic(&self.store_path("roster", user), &out);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill(); // before the TempDir field is dropped and removed
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// Whether process `pid` holds a socket listening on 127.0.0.1:`port` (/proc/net/tcp). Stronger
/// than a TCP connect probe alone: a stranger on the port is never mistaken for our prosody
/// (the stream probe that follows, `harness/probe.rs`, then checks that it serves the domain).
fn listens(pid: u32, port: u16) -> bool {
    let local = format!("0100007F:{port:04X}");
    let table = fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let inodes: Vec<String> = table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() > 9 && f[1] == local && f[3] == "0A")
        .map(|f| format!("socket:[{}]", f[9]))
        .collect();
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .any(|target| inodes.iter().any(|i| target.as_os_str() == i.as_str()))
}

/// Whether `pid` is in state T (stopped) per /proc/PID/stat.
fn is_stopped(pid: u32) -> bool {
    proc_state(pid) == 'T'
}

/// The state letter of `pid` in /proc/PID/stat (R, S, T, Z, ...); '?' if unreadable.
fn proc_state(pid: u32) -> char {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(')').next().unwrap_or_default().trim_start();
    state.chars().next().unwrap_or('?')
}

/// Runs a command to completion; panics with its output if it fails.
fn run(cmd: &mut Command) {
    let out = cmd.stdin(Stdio::null()).output();
    let out = out.unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    let text = String::from_utf8_lossy(stdout) + String::from_utf8_lossy(stderr);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{text}",
        out.status
    );
}

/// Prosody's datamanager path encoding: every non-alphanumeric byte becomes `%xx`.
fn path_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02x}");
        }
    }
    out
}

/// A Lua string literal escaped exactly like Prosody's util.serialization.
fn lua_str(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'\\' | b'"' | b'\'' => out.extend(['\\', char::from(b)]),
            0x20..=0x7e => out.push(char::from(b)),
            7..=13 => out.extend(['\\', char::from(b"abtnvfr"[usize::from(b - 7)])]),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

fn roster_version(file: &str) -> Option<u64> {
    let rest = &file[file.find("[\"version\"] = ")? + 14..];
    rest[..rest.find(';')?].trim().parse().ok()
}

/// Like Prosody: write `path~`, then rename over `path`.
fn write_atomic(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().expect("store dir")).expect("create store dir");
    let tmp = path.with_extension("dat~");
    fs::write(&tmp, contents).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    fs::rename(&tmp, path).expect("rename store file");
}
