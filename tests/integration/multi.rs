//! Several accounts in one rosterm, against a real Prosody: each account's session on its
//! own thread, their events merged into one `State` as the app does (`Sessions`), keys and
//! commands acting on every account or through one.

use std::time::Duration;

use crossterm::event::KeyCode;
use rosterm::config::{Account, PasswordSource, Secret};
use rosterm::domain::{AccountId, Availability, ConnState, ContactId, OwnPresence, Show};
use rosterm::event::{Command, SessionEvent};
use rosterm::session::connect::RostermConnector;
use rosterm::session::{spawn, SessionSetup};
use rosterm::sessions::{Received, Sessions};
use rosterm::store::{AccountState, State};
use rosterm::update::{self, Effect};
use xmpp_parsers::presence::Show as XShow;

use crate::harness::{RosterEntry, Server};
use crate::peer::{account, presence_from, Peer, WAIT};
use crate::proxy::Proxy;

const HOME: AccountId = AccountId(0);
const WORK: AccountId = AccountId(1);
const BROKEN: AccountId = AccountId(2);

fn entry(jid: &str, name: &str, group: &str) -> RosterEntry {
    RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec![group.into()],
        subscription: "both",
        ask: None,
    }
}

fn jid(s: &str) -> jid::BareJid {
    jid::BareJid::new(s).unwrap()
}

/// alice ("home") knows bob and fay; dave ("work") knows bob and carol; eve exists.
fn server() -> Server {
    let server = Server::start();
    for user in ["alice", "dave", "eve", "bob", "carol", "fay", "frank"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster(
        "alice",
        &[
            entry("bob@localhost", "Bob", "Friends"),
            entry("fay@localhost", "Fay", "Friends"),
        ],
    );
    server.set_roster(
        "dave",
        &[
            entry("bob@localhost", "Bob", "Team"),
            entry("carol@localhost", "Carol", "Team"),
        ],
    );
    server.set_roster(
        "bob",
        &[
            entry("alice@localhost", "Alice", "Friends"),
            entry("dave@localhost", "Dave", "Team"),
        ],
    );
    server.set_roster("carol", &[entry("dave@localhost", "Dave", "Team")]);
    server.set_roster("fay", &[entry("alice@localhost", "Alice", "Friends")]);
    server
}

/// rosterm with several accounts, headless: the sessions, the state and what `update` asked.
struct Multi {
    sessions: Sessions,
    state: State,
    effects: Vec<Effect>,
    log: Vec<(AccountId, SessionEvent)>,
}

impl Multi {
    /// Starts one session per `(name, account, password)`, in order (ids 0, 1, ...).
    fn start(accounts: Vec<(&str, Account, &str)>) -> Multi {
        let mut handles = Vec::new();
        let mut states = Vec::new();
        for (i, (name, account, password)) in accounts.into_iter().enumerate() {
            let id = AccountId(i as u16);
            let own = OwnPresence {
                show: Show::Online,
                status: format!("{name} here"),
                priority: i as i8,
            };
            states.push(AccountState::new(
                id,
                name.into(),
                account.jid.clone(),
                own.clone(),
            ));
            let (connector, probe) = RostermConnector::for_account(&account).expect("CA");
            let handle = spawn(SessionSetup {
                account,
                password: Secret::new(password.into()),
                connector,
                probe,
                initial: own,
                nick: None,
                roster_ver: None,
                history: None,
                archive_after: None,
                caps: Vec::new(),
            })
            .expect("session thread");
            handles.push((id, handle));
        }
        Multi {
            sessions: Sessions::new(handles),
            state: State::with_accounts(states),
            effects: Vec::new(),
            log: Vec::new(),
        }
    }

    fn apply(&mut self, got: Received) {
        if let Received::Event(id, ev) = got {
            self.log.push((id, ev.clone()));
            let effects = update::on_session(&mut self.state, id, ev);
            self.effects.extend(effects);
        }
    }

    /// Applies events (from every account, as the app does) until `pred` holds.
    async fn until(&mut self, what: &str, pred: impl Fn(&State) -> bool) {
        let result = tokio::time::timeout(WAIT, async {
            while !pred(&self.state) {
                let got = self.sessions.recv().await;
                self.apply(got);
            }
        })
        .await;
        assert!(
            result.is_ok(),
            "never reached: {what}\nconnections: {:?}\nlast events: {:?}",
            self.state
                .accounts
                .values()
                .map(|a| (&a.name, &a.connection))
                .collect::<Vec<_>>(),
            &self.log[self.log.len().saturating_sub(8)..]
        );
    }

    fn perform(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(id, cmd) => self.sessions.send(id, cmd),
                other => self.effects.push(other),
            }
        }
    }

    fn press(&mut self, code: KeyCode) {
        let keymap = rosterm::keymap::Keymap::default();
        let effects = update::on_key(
            &mut self.state,
            &keymap,
            crossterm::event::KeyEvent::from(code),
        );
        self.perform(effects);
    }

    fn type_command(&mut self, line: &str) {
        let cmd = rosterm::command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let effects = update::run_command(&mut self.state, cmd);
        self.perform(effects);
    }

    fn contact(&self, id: AccountId, who: &str) -> Option<Availability> {
        self.state
            .contact(&ContactId::new(id, jid(who)))
            .map(|c| c.availability())
    }

    fn stop(self) {
        self.sessions.send_all(Command::Disconnect);
    }
}

fn login_failed(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::LoginFailed(_)))
}

/// Waits until `peer` sees `from` with `show`.
async fn sees(peer: &mut Peer, from: &str, show: XShow) {
    peer.wait_for(&format!("{from} {show:?}"), |s| {
        presence_from(s, from).is_some_and(|p| p.show == Some(show.clone()))
    })
    .await;
}

#[tokio::test]
async fn three_accounts_one_with_a_wrong_password_the_others_work_and_go_dnd_together() {
    let server = server();
    let bob = Peer::connect(&server, "bob", "phone").await;
    bob.presence("away", "bob away", 1).await;
    let carol = Peer::connect(&server, "carol", "pc").await;
    carol.presence("", "carol here", 0).await;
    let mut broken = account(&server, "eve", Some("rosterm"));
    broken.password = PasswordSource::Literal(Secret::new("wrong".into()));
    let mut app = Multi::start(vec![
        (
            "home",
            account(&server, "alice", Some("rosterm")),
            "alice-pw",
        ),
        ("work", account(&server, "dave", Some("rosterm")), "dave-pw"),
        ("broken", broken, "wrong"),
    ]);
    app.until(
        "both rosters, bob in both, carol in work, eve failed",
        |s| {
            let c = |id, who: &str| {
                s.contact(&ContactId::new(id, jid(who)))
                    .map(|c| c.availability())
            };
            c(HOME, "bob@localhost") == Some(Availability::Available(Show::Away))
                && c(WORK, "bob@localhost") == Some(Availability::Available(Show::Away))
                && c(WORK, "carol@localhost") == Some(Availability::Available(Show::Online))
                && s.account(BROKEN)
                    .is_some_and(|a| matches!(a.connection, ConnState::Failed { .. }))
        },
    )
    .await;
    assert!(
        !login_failed(&app.effects),
        "two accounts work: keep running"
    );
    assert_eq!(
        app.contact(HOME, "carol@localhost"),
        None,
        "carol is work's only"
    );

    let screen = crate::client::render(&mut app.state, 140, 16);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[0].contains("home") && lines[0].contains("online"),
        "{screen}"
    );
    assert!(
        lines[1].contains("work") && lines[1].contains("online"),
        "{screen}"
    );
    assert!(
        lines[2].contains("broken") && lines[2].contains("failed"),
        "{screen}"
    );
    assert_eq!(
        screen.lines().filter(|l| l.contains("Bob")).count(),
        2,
        "bob once per account: {screen}"
    );

    // One key: DND on both good accounts, as bob sees them.
    let mut bob = bob;
    app.press(KeyCode::Char('d'));
    sees(&mut bob, "alice@localhost/rosterm", XShow::Dnd).await;
    sees(&mut bob, "dave@localhost/rosterm", XShow::Dnd).await;
    app.until("both echoes", |s| {
        [HOME, WORK].iter().all(|id| {
            s.account(*id)
                .and_then(|a| a.own_echo.as_ref())
                .is_some_and(|e| e.show == Show::Dnd)
        })
    })
    .await;

    // `who` covers every account that could report.
    let json = rosterm::who::json_report(&app.state, &[]);
    assert!(
        json.contains("\"home\":{\"bob@localhost\":{\"state\":\"away\""),
        "{json}"
    );
    assert!(json.contains("\"work\":{"), "{json}");
    assert!(
        json.contains("\"carol@localhost\":{\"state\":\"online\""),
        "{json}"
    );
    assert!(!json.contains("\"broken\""), "{json}");
    app.stop();
    bob.close().await;
    carol.close().await;
}

#[tokio::test]
async fn requests_and_roster_pushes_belong_to_their_account() {
    let server = server();
    let mut app = Multi::start(vec![
        (
            "home",
            account(&server, "alice", Some("rosterm")),
            "alice-pw",
        ),
        ("work", account(&server, "dave", Some("rosterm")), "dave-pw"),
    ]);
    app.until("both online", |s| {
        s.accounts
            .values()
            .all(|a| a.connection == ConnState::Online && a.roster_loaded)
    })
    .await;
    let frank = Peer::connect(&server, "frank", "pc").await;
    frank
        .send_xml("<presence xmlns='jabber:client' type='subscribe' to='dave@localhost'/>")
        .await;
    app.until("frank's request, for work", |s| {
        !s.subscription_requests.is_empty()
    })
    .await;
    let (first, _) = app.state.subscription_requests.iter().next().unwrap();
    assert_eq!(first, &ContactId::new(WORK, jid("frank@localhost")));

    // `y` answers through work: dave's roster on the server now lets frank see him.
    app.press(KeyCode::Char('y'));
    app.until("frank in work's roster", |s| {
        s.contact(&ContactId::new(WORK, jid("frank@localhost")))
            .is_some_and(|c| c.in_roster)
    })
    .await;
    let stored = server
        .stored_item("dave", "frank@localhost")
        .expect("stored");
    assert!(stored.subscription == "from" || stored.subscription == "both");
    assert!(server.stored_item("alice", "frank@localhost").is_none());

    // A contact added through one account is pushed to that account only.
    app.type_command("/account home add zed@localhost Zed");
    app.until("zed pushed to home", |s| {
        s.contact(&ContactId::new(HOME, jid("zed@localhost")))
            .is_some_and(|c| c.in_roster)
    })
    .await;
    assert!(app.contact(WORK, "zed@localhost").is_none());
    assert!(server.stored_item("alice", "zed@localhost").is_some());
    assert!(server.stored_item("dave", "zed@localhost").is_none());
    app.stop();
    frank.close().await;
}

#[tokio::test]
async fn one_account_reconnects_while_the_other_stays_online() {
    let server = server();
    let proxy = Proxy::start(server.port).await;
    let bob = Peer::connect(&server, "bob", "phone").await;
    bob.presence("", "", 1).await;
    let mut home = account(&server, "alice", Some("rosterm"));
    home.port = Some(proxy.port);
    let mut app = Multi::start(vec![
        ("home", home, "alice-pw"),
        ("work", account(&server, "dave", Some("rosterm")), "dave-pw"),
    ]);
    app.until("both online with bob", |s| {
        [HOME, WORK].iter().all(|id| {
            s.contact(&ContactId::new(*id, jid("bob@localhost")))
                .is_some_and(|c| c.availability() != Availability::Offline)
        })
    })
    .await;
    let before = app.log.len();
    proxy.cut();
    app.until("home notices", |s| {
        matches!(
            s.account(HOME).map(|a| &a.connection),
            Some(ConnState::Reconnecting { .. })
        )
    })
    .await;
    bob.presence("xa", "gone", 1).await;
    app.until("work sees bob's change while home is away", |s| {
        s.contact(&ContactId::new(WORK, jid("bob@localhost")))
            .is_some_and(|c| c.availability() == Availability::Available(Show::Xa))
    })
    .await;
    app.until("home back, and sees bob's change too", |s| {
        s.account(HOME)
            .is_some_and(|a| a.connection == ConnState::Online)
            && s.contact(&ContactId::new(HOME, jid("bob@localhost")))
                .is_some_and(|c| c.availability() == Availability::Available(Show::Xa))
    })
    .await;
    let work_connection_changes = app.log[before..]
        .iter()
        .filter(|(id, ev)| *id == WORK && matches!(ev, SessionEvent::Connection(_)))
        .count();
    assert_eq!(
        work_connection_changes,
        0,
        "work never left: {:?}",
        &app.log[before..]
    );
    app.stop();
    bob.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooded_account_does_not_delay_another() {
    let server = server();
    let fay = Peer::connect(&server, "fay", "bot").await;
    let carol = Peer::connect(&server, "carol", "pc").await;
    carol.presence("", "", 0).await;
    let mut app = Multi::start(vec![
        (
            "home",
            account(&server, "alice", Some("rosterm")),
            "alice-pw",
        ),
        ("work", account(&server, "dave", Some("rosterm")), "dave-pw"),
    ]);
    app.until("both online, carol seen", |s| {
        s.contact(&ContactId::new(WORK, jid("carol@localhost")))
            .is_some_and(|c| c.availability() == Availability::Available(Show::Online))
            && s.account(HOME).is_some_and(|a| a.roster_loaded)
    })
    .await;
    // The app is busy: nothing is taken from the sessions while fay floods home.
    const FLOOD: usize = 2000;
    for i in 0..FLOOD {
        fay.presence("", &format!("flood {i}"), 0).await;
    }
    let waited = tokio::time::timeout(WAIT, async {
        while app.sessions.backlog(HOME) < FLOOD * 3 / 4 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "home's backlog: {}",
        app.sessions.backlog(HOME)
    );
    carol.presence("dnd", "meeting", 0).await;
    // Now the app takes events again: once work's next event waits, it comes within a turn
    // or two, not after home's whole backlog. Work may first get something else (Prosody's
    // late answer to the login probe of offline bob): then wait again for carol's change.
    let mut home_events;
    loop {
        let waited = tokio::time::timeout(WAIT, async {
            while app.sessions.backlog(WORK) == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "carol's change reached work's session");
        home_events = 0;
        let got = loop {
            match app.sessions.recv().await {
                got @ Received::Event(HOME, _) => {
                    home_events += 1;
                    app.apply(got);
                }
                got => break got,
            }
        };
        app.apply(got);
        if app.contact(WORK, "carol@localhost") == Some(Availability::Available(Show::Dnd)) {
            break;
        }
    }
    assert!(
        home_events <= 2,
        "{home_events} of home's events went first"
    );
    assert!(
        app.sessions.backlog(HOME) > FLOOD / 2,
        "home's flood still waits"
    );
    app.stop();
    fay.close().await;
    carol.close().await;
}

/// A config with these `[[account]]` tables: (name, user, password, extra lines).
fn multi_config(
    dir: &std::path::Path,
    server: &Server,
    accounts: &[(&str, &str, &str, &str)],
) -> std::path::PathBuf {
    let mut text = String::new();
    for (name, user, password, extra) in accounts {
        text.push_str(&format!(
            "[[account]]\nname = \"{name}\"\njid = \"{user}@localhost\"\npassword = \"{password}\"\nresource = \"rosterm\"\nserver = \"127.0.0.1\"\nport = {}\nca_file = \"{}\"\n{extra}\n",
            server.port,
            server.ca_file.display()
        ));
    }
    text.push_str("[presence]\nstatus = \"hello\"\n[storage]\nenabled = false\n");
    let path = dir.join("accounts.toml");
    std::fs::write(&path, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

#[tokio::test]
async fn the_real_binary_with_three_accounts_one_failing() {
    use crate::binary::{cooked, exited, shell_command, Tmux, BIN};
    let server = server();
    let mut bob = Peer::connect(&server, "bob", "phone").await;
    bob.presence("away", "bob away", 1).await;
    let mut carol = Peer::connect(&server, "carol", "pc").await;
    carol.presence("", "carol here", 0).await;
    // `send` only queues: the peers' streams write while this task awaits, and the tmux
    // waits below block it. Without these waits carol's presence sometimes reached Prosody
    // only after the screen was checked, and work showed her offline.
    for (peer, me) in [
        (&mut bob, "bob@localhost/phone"),
        (&mut carol, "carol@localhost/pc"),
    ] {
        peer.wait_for("own presence echoed", |s| presence_from(s, me).is_some())
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = multi_config(
        dir.path(),
        &server,
        &[
            ("home", "alice", "alice-pw", ""),
            (
                "work",
                "dave",
                "dave-pw",
                "presence = { status = \"At my desk\", priority = 3 }",
            ),
            ("broken", "eve", "not-eves-password", ""),
        ],
    );
    let log = dir.path().join("rosterm.log");
    let tmux = Tmux::start(&shell_command(&config, &log), 140, 24);
    let screen = tmux.wait_for("two rosters and one failure", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.len() > 3
            && lines[0].contains("home")
            && lines[0].contains("online")
            && lines[1].contains("work")
            && lines[1].contains("At my desk")
            && lines[2].contains("broken")
            && lines[2].contains("failed")
            && s.lines()
                .filter(|l| l.contains("Bob") && l.contains("bob away"))
                .count()
                == 2
            && s.lines()
                .any(|l| l.contains("Carol") && l.contains("carol here"))
    });
    let carol_row = screen.lines().find(|l| l.contains("Carol")).unwrap();
    assert!(
        carol_row.contains("work"),
        "rows name their account: {screen}"
    );

    // One key, both good accounts DND as bob sees them; work keeps its own status text.
    let _ = bob
        .wait_for("initial presences", |s| {
            presence_from(s, "dave@localhost/rosterm").is_some()
        })
        .await;
    tmux.keys(&["d"]);
    sees(&mut bob, "alice@localhost/rosterm", XShow::Dnd).await;
    let p = bob
        .wait_for("dave dnd", |s| {
            presence_from(s, "dave@localhost/rosterm").is_some_and(|p| p.show == Some(XShow::Dnd))
        })
        .await;
    let p = presence_from(&p, "dave@localhost/rosterm").unwrap();
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("At my desk")
    );
    assert_eq!(p.priority.0, 3);
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", exited);
    assert!(after.contains("EXIT=0") && cooked(&after), "{after}");

    // `who --json` reports both good accounts, names the broken one on stderr, exits 0.
    let out = std::process::Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .arg("--log-file")
        .arg(&log)
        .args(["who", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.starts_with("{\"home\":{\"bob@localhost\":{\"state\":\"away\""),
        "{stdout}"
    );
    assert!(stdout.contains("\"work\":{"), "{stdout}");
    assert!(stderr.contains("broken"), "{stderr}");
    bob.close().await;
    carol.close().await;
}
