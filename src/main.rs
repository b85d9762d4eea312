//! rosterm's entry point: parse the CLI, load the config, start logging and the session, run
//! the TUI, and map every failure to one sentence on stderr and a non-zero exit code.
//! The code lives in the library (`src/lib.rs` has the map).

use std::process::ExitCode;

use clap::Parser;

use rosterm::domain::AccountId;
use rosterm::sessions::Sessions;
use rosterm::store::{AccountState, State};
use rosterm::{app, cli::Cli, config, history, logging, session, tap, terminal};

/// Exit codes: 0 quit, 1 login/runtime failure, 2 usage or config error.
const EXIT_FAILURE: u8 = 1;
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("rosterm: {message}");
            ExitCode::from(code)
        }
    }
}

/// `rosterm who`: no terminal UI; the report on stdout, errors on stderr.
fn who(
    sessions: &mut Sessions,
    state: &mut State,
    jids: &[String],
    (json, config): (bool, &config::Config),
) -> Result<(), (u8, String)> {
    let jids = jids
        .iter()
        .map(|j| {
            jid::BareJid::new(j).map_err(|_| {
                (
                    EXIT_CONFIG,
                    format!("who: {j:?} is not a bare JID, like bob@example.org"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (EXIT_FAILURE, format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(rosterm::who::collect(sessions, state));
    sessions.send_all(rosterm::event::Command::Disconnect);
    result.map_err(|reason| (EXIT_FAILURE, reason))?;
    if let Some(db) = &config.storage {
        seed_last_seen(state, db);
    }
    // Accounts with nothing to report are named on stderr; the others are reported.
    for problem in rosterm::who::settled(state).unwrap_or_default() {
        eprintln!("rosterm: {problem}");
    }
    let report = if json {
        rosterm::who::json_report(state, &jids)
    } else {
        rosterm::who::text_report(state, &jids)
    };
    print!("{report}");
    sessions.join(std::time::Instant::now() + std::time::Duration::from_secs(3));
    Ok(())
}

/// `rosterm who --room ROOM`: the room's occupants.
fn who_room(
    sessions: &mut Sessions,
    state: &mut State,
    room: &str,
    json: bool,
) -> Result<(), (u8, String)> {
    let target = jid::Jid::new(room)
        .ok()
        .filter(|j| j.node().is_some())
        .ok_or_else(|| {
            (
                EXIT_CONFIG,
                format!(
                    "who --room: {room:?} is not a room address, like room@conference.example.org"
                ),
            )
        })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (EXIT_FAILURE, format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(rosterm::who::room::collect(sessions, state, &target));
    sessions.send_all(rosterm::event::Command::Disconnect);
    result.map_err(|reason| (EXIT_FAILURE, reason))?;
    let bare = target.to_bare();
    let report = if json {
        rosterm::who::room::json_report(state, &bare)
    } else {
        rosterm::who::room::text_report(state, &bare)
    };
    print!("{report}");
    sessions.join(std::time::Instant::now() + std::time::Duration::from_secs(3));
    Ok(())
}

/// The local offset from UTC in seconds, from `date +%z` (0 if unavailable): std has no
/// time zones, and one process spawn at startup beats a time-zone dependency.
fn local_utc_offset() -> i64 {
    let Ok(out) = std::process::Command::new("date").arg("+%z").output() else {
        return 0;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let text = text.trim();
    let (sign, digits) = match text.split_at_checked(1) {
        Some(("-", d)) => (-1, d),
        Some(("+", d)) => (1, d),
        _ => return 0,
    };
    match (
        digits.get(..2).and_then(|h| h.parse::<i64>().ok()),
        digits.get(2..4).and_then(|m| m.parse::<i64>().ok()),
    ) {
        (Some(h), Some(m)) => sign * (h * 3600 + m * 60),
        _ => 0,
    }
}

/// Starts logging to `--log-file` (or the default path). A log that cannot be opened does not
/// stop rosterm: it runs without one, and the returned sentence goes on the status line.
fn start_logging(
    path: Option<std::path::PathBuf>,
    level: tracing::level_filters::LevelFilter,
) -> (logging::Health, Option<String>) {
    let Some(path) = path.or_else(logging::default_path) else {
        return (logging::Health::default(), None);
    };
    match logging::init(&path, level) {
        Ok(health) => (health, None),
        Err(problem) => (logging::Health::default(), Some(problem)),
    }
}

/// What the local database holds for one account at start.
#[derive(Default)]
struct Saved {
    writer: Option<history::Writer>,
    roster: history::CachedRoster,
    /// The newest archive id stored: where the archive catch-up starts.
    archive_after: Option<String>,
    /// Messages of an earlier run that never reached the server: sent again.
    queued: Vec<history::StoredMessage>,
    /// Contacts' verified capabilities (XEP-0115): no resource is asked for them again.
    caps: Vec<(String, rosterm::domain::device::Capabilities)>,
    problem: Option<String>,
}

/// `who`: when each contact was last seen, from the presence log (a database that cannot be
/// read leaves it unknown).
fn seed_last_seen(state: &mut State, db: &std::path::Path) {
    // Never creates the file: `who` only reads what an interactive run saved.
    if !db.exists() {
        return;
    }
    let Ok(history) = history::History::open(db) else {
        return;
    };
    for account in state.accounts.values_mut() {
        match history.load_roster(&account.jid) {
            Ok(cached) => account.seed_last_seen(cached.seen),
            Err(e) => tracing::warn!("{e}"),
        }
    }
}

/// Opens the local database and reads what it saved; a database that cannot be used is one
/// sentence on the status line, and rosterm goes on without it.
fn open_history(path: &std::path::Path, account: &jid::BareJid) -> Saved {
    let opened = history::History::open(path).and_then(|h| {
        let roster = h.load_roster(account)?;
        let archive_after = h.last_stanza_id(account)?;
        let queued = h.queued(account)?;
        let caps = h.load_caps()?;
        Ok((h, roster, archive_after, queued, caps))
    });
    let (db, roster, archive_after, queued, caps) = match opened {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!("{e}");
            return Saved {
                problem: Some(format!("{e}; nothing is saved.")),
                ..Saved::default()
            };
        }
    };
    let (writer, problem) = match history::Writer::spawn(db, account.clone()) {
        Ok(writer) => (Some(writer), None),
        Err(e) => (None, Some(format!("cannot start the database thread: {e}"))),
    };
    Saved {
        writer,
        roster,
        archive_after,
        queued,
        caps,
        problem,
    }
}

/// A message of an earlier run that the server never acknowledged, to send again (same id).
fn resend(stored: history::StoredMessage) -> Option<rosterm::event::Command> {
    let m = stored.message;
    let to = match &m.resource {
        Some(res) => jid::Jid::new(&format!("{}/{res}", m.peer)).ok()?,
        None => jid::Jid::from(m.peer.clone()),
    };
    Some(rosterm::event::Command::SendMessage(
        rosterm::domain::Outgoing {
            to,
            id: m.reference()?.to_owned(),
            body: m.body,
            replaces: m.replaces,
            receipts_and_states: m.wants_receipt,
            at: m.at,
        },
    ))
}

/// One account, started: its session, its database writer, and its part of the state.
struct Started {
    handle: session::SessionHandle,
    history: Option<history::Writer>,
    account: AccountState,
    problem: Option<String>,
}

/// Starts one account's session (and its database writer, in the interactive UI).
fn start_account(
    config: &config::Config,
    id: AccountId,
    account: &config::Account,
    interactive: bool,
) -> Result<Started, (u8, String)> {
    let password =
        config::resolve_password(&account.password).map_err(|e| (EXIT_CONFIG, e.to_string()))?;
    let (connector, probe) = session::connect::RostermConnector::for_account(account)
        .map_err(|e| (EXIT_CONFIG, format!("{}: {e}", config.path.display())))?;
    let saved = match (&config.storage, interactive) {
        (Some(db), true) => open_history(db, &account.jid),
        _ => Saved::default(),
    };
    let (history, cached, problem) = (saved.writer, saved.roster, saved.problem);
    let own = match (config.status_on_start, cached.own.clone()) {
        (config::StartStatus::Last, Some(last)) => last,
        _ => config.presence_for(account),
    };
    let nick = config.nick_for(account);
    let handle = session::spawn(session::SessionSetup {
        account: account.clone(),
        password,
        connector,
        probe,
        initial: own.clone(),
        nick: nick.clone(),
        roster_ver: cached.ver.clone(),
        history: history.as_ref().and_then(history::Writer::sink),
        archive_after: saved.archive_after,
        caps: saved.caps,
    })
    .map_err(|e| {
        (
            EXIT_FAILURE,
            format!("cannot start the network thread: {e}"),
        )
    })?;
    for cmd in saved.queued.into_iter().filter_map(resend) {
        let _ = handle.commands.send(cmd);
    }
    let mut state = AccountState::new(id, account.name.clone(), account.jid.clone(), own);
    state.nick = nick;
    state.seed_from_cache(cached);
    Ok(Started {
        handle,
        history,
        account: state,
        problem,
    })
}

/// The control socket of an interactive instance: another instance with this config ends
/// this one (exit 2); a socket that cannot be made is one sentence on the status line.
fn claim_socket(
    config: &std::path::Path,
    interactive: bool,
) -> Result<(Option<tap::server::Claimed>, Option<String>), (u8, String)> {
    if !interactive {
        return Ok((None, None));
    }
    match tap::server::claim(&tap::socket_path(config)) {
        Ok(claimed) => Ok((Some(claimed), None)),
        Err(e @ tap::TapError::Running(_)) => Err((EXIT_CONFIG, e.to_string())),
        Err(e) => Ok((
            None,
            Some(format!("{e}; rosterm ctl will not reach this instance.")),
        )),
    }
}

/// `ctl`, `events` and `status` act through a running instance: no config is read, no
/// account started.
fn is_control(cmd: &rosterm::cli::CliCommand) -> bool {
    !matches!(
        cmd,
        rosterm::cli::CliCommand::Who { .. } | rosterm::cli::CliCommand::Register { .. }
    )
}

fn is_register(cmd: &rosterm::cli::CliCommand) -> bool {
    matches!(cmd, rosterm::cli::CliCommand::Register { .. })
}

/// `rosterm register`: no config, no log file; the table on stdout, the rest on stderr.
fn register(cmd: rosterm::cli::CliCommand) -> Result<(), (u8, String)> {
    use rosterm::register::{self, Failure};
    let rosterm::cli::CliCommand::Register {
        jid,
        server,
        port,
        ca_file,
    } = cmd
    else {
        return Err((EXIT_CONFIG, "not the register command".into()));
    };
    let fail = |f: Failure| match f {
        Failure::Usage(m) => (EXIT_CONFIG, m),
        Failure::Refused(m) => (EXIT_FAILURE, m),
    };
    let request = register::Request::new(&jid, server, port, ca_file).map_err(fail)?;
    // On a thread with the network stack: a hostile server's deeply nested XML is parsed
    // and dropped there (see `session::NETWORK_STACK`).
    let asked = request.clone();
    let network = std::thread::Builder::new()
        .name("rosterm-register".into())
        .stack_size(session::NETWORK_STACK)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure::Refused(format!("cannot start the runtime: {e}")))?;
            let mut asker = register::ask::stdin();
            runtime.block_on(register::register(&asked, asker.as_mut()))
        })
        .map_err(|e| {
            (
                EXIT_FAILURE,
                format!("cannot start the network thread: {e}"),
            )
        })?;
    let result = network.join().map_err(|_| {
        (
            EXIT_FAILURE,
            "the network thread failed; see above.".to_owned(),
        )
    })?;
    result.map_err(fail)?;
    print!("{}", request.account_table());
    Ok(())
}

fn run(mut cli: Cli) -> Result<(), (u8, String)> {
    let level = logging::parse_level(&cli.log_level)
        .map_err(|m| (EXIT_CONFIG, format!("--log-level: {m}")))?;
    if let Some(cmd) = cli.command.take_if(|cmd| is_register(cmd)) {
        return register(cmd); // No config, no log file.
    }
    let path = (cli.config.take().map_or_else(config::default_path, Ok))
        .map_err(|e| (EXIT_CONFIG, e.to_string()))?;
    if let Some(cmd) = cli.command.take_if(|cmd| is_control(cmd)) {
        return rosterm::tap::client::run_cli(&path, cmd);
    }
    let config = config::load(&path).map_err(|e| (EXIT_CONFIG, e.to_string()))?;
    // Before any contact exists: the store sorts by it from the first event on.
    rosterm::store::presence::set_rule(config.aggregate);
    let (log_health, log_problem) = start_logging(cli.log_file, level);
    tracing::info!(config = %path.display(), accounts = config.accounts.len(), "starting");
    let interactive = cli.command.is_none();
    let (mut claimed, tap_problem) = claim_socket(&path, interactive)?;
    let mut handles = Vec::new();
    let mut writers = Vec::new();
    let mut accounts = Vec::new();
    let mut problems: Vec<String> = config.warnings.iter().take(1).cloned().collect();
    problems.extend(log_problem.clone());
    problems.extend(tap_problem);
    for (i, account) in config.accounts.iter().enumerate() {
        let id = AccountId(i as u16);
        let started = start_account(&config, id, account, interactive)?;
        handles.push((id, started.handle));
        writers.push((id, started.history));
        accounts.push(started.account);
        problems.extend(started.problem);
    }
    let mut sessions = Sessions::new(handles);
    let mut state = initial_state(&config, accounts);
    if let Some(rosterm::cli::CliCommand::Who { jids, json, room }) = cli.command {
        if let Some(problem) = &log_problem {
            eprintln!("rosterm: {problem}");
        }
        if let Some(room) = room {
            return who_room(&mut sessions, &mut state, &room, json);
        }
        return who(&mut sessions, &mut state, &jids, (json, &config));
    }
    if !problems.is_empty() {
        problems.dedup();
        state.ui.message = Some((problems.join(" · "), rosterm::store::Severity::Error));
    }

    // The conversations' pages are read through a connection of the UI's own.
    let reader = config
        .storage
        .as_ref()
        .and_then(|p| history::History::open(p).ok());
    let outcome = run_ui_folded(
        &mut state,
        &config,
        &mut sessions,
        &log_health,
        (reader, claimed.as_mut()),
    )?;
    drop(claimed);
    // The terminal is back to normal before anything is printed. Give the sessions a moment
    // to say goodbye to the server.
    sessions.join(std::time::Instant::now() + std::time::Duration::from_secs(3));
    save_presence(&state, writers);
    exit_of(outcome)
}

fn exit_of(outcome: std::io::Result<app::Outcome>) -> Result<(), (u8, String)> {
    match outcome {
        Ok(app::Outcome::Quit) => Ok(()),
        Ok(app::Outcome::Signal(name)) => {
            tracing::info!("quit on {name}");
            Ok(())
        }
        Ok(app::Outcome::LoginFailed(reason)) => Err((EXIT_FAILURE, reason)),
        Err(e) => Err((EXIT_FAILURE, format!("terminal error: {e}"))),
    }
}

/// `[rooms] join`: the rooms joined at start, on the first account.
fn startup_joins(state: &mut State, config: &config::Config) -> Vec<rosterm::update::Effect> {
    let account = state.primary().id;
    // What the status line says at start (a problem) matters more than "Joining…".
    let message = state.ui.message.clone();
    let mut effects = Vec::new();
    for room in &config.rooms.join {
        effects.extend(rosterm::update::rooms::join_unfocused(
            state, account, room, None,
        ));
    }
    state.ui.message = message;
    effects
}

/// The state the app starts with: the accounts, and the settings from the config and the
/// environment.
fn initial_state(config: &config::Config, accounts: Vec<AccountState>) -> State {
    if let Some(warning) = config.warnings.first() {
        tracing::warn!("{warning}");
    }
    let mut state = State::with_accounts(accounts);
    state.watch = config.watch.iter().cloned().collect();
    state.settings.notify = config.notify;
    state.settings.message_notify = config.message_notify;
    state.settings.id_prefix = random_id_prefix();
    state.settings.account_display = config.account_display;
    state.settings.theme = config.theme.clone();
    state.settings.room_nick.clone_from(&config.rooms.nick);
    state.settings.presets = config.presets.clone();
    state.settings.config_path = Some(config.path.clone());
    state.settings.utc_offset = local_utc_offset();
    state.settings.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    state.auto_away = rosterm::store::auto_away::AutoAway::new(
        config.auto_away.clone(),
        std::time::SystemTime::now(),
    );
    state
}

/// `[auto_away] tmux_detach`: the multiplexer rosterm runs in, watched (on the current
/// runtime), when there is one.
fn watch_multiplexer(state: &State) -> Option<tokio::sync::mpsc::Receiver<bool>> {
    let rules = &state.auto_away.rules;
    if !(rules.enabled && rules.tmux_detach) {
        return None;
    }
    let mux = app::attached::Multiplexer::from_env(|k| std::env::var(k).ok())?;
    Some(app::attached::watch(mux))
}

/// `[auto_away] desktop`: the desktop session's idle time, watched (on the current runtime),
/// when rosterm runs on a desktop; auto-away then waits for a reading that may lag a poll.
fn watch_desktop(state: &mut State) -> Option<tokio::sync::mpsc::Receiver<std::time::SystemTime>> {
    let rules = &state.auto_away.rules;
    if !(rules.enabled && rules.desktop) {
        return None;
    }
    let watch = app::desktop::watch(app::desktop::from_env(|k| std::env::var(k).ok()))?;
    state.auto_away.grace = app::desktop::GRACE;
    Some(watch)
}

/// 12 random bytes as hex: the start of every message id of this run (XEP-0359 origin-ids
/// must be unique).
fn random_id_prefix() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 12];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return format!("rt{nanos:x}{:x}", std::process::id());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// [`run_ui`], with the folded groups loaded before and saved after (beside the database;
/// not at all when storage is off).
fn run_ui_folded(
    state: &mut State,
    config: &config::Config,
    sessions: &mut Sessions,
    log: &logging::Health,
    extras: (Option<history::History>, Option<&mut tap::server::Claimed>),
) -> Result<std::io::Result<app::Outcome>, (u8, String)> {
    let folds = config.storage.as_deref().map(rosterm::folds::path_for);
    if let Some(path) = &folds {
        rosterm::folds::load(path, state);
    }
    let startup = startup_joins(state, config);
    let outcome = run_ui(state, &config.keymap, sessions, log, (extras, startup));
    if let Some(Err(e)) = folds.map(|path| rosterm::folds::save(&path, state)) {
        tracing::warn!("cannot save the folded groups: {e}");
    }
    outcome
}

/// The interactive UI on the real terminal, restored when this returns.
fn run_ui(
    state: &mut State,
    keymap: &rosterm::keymap::Keymap,
    sessions: &mut Sessions,
    log: &logging::Health,
    ((reader, claimed), startup): (
        (Option<history::History>, Option<&mut tap::server::Claimed>),
        Vec<rosterm::update::Effect>,
    ),
) -> Result<std::io::Result<app::Outcome>, (u8, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (EXIT_FAILURE, format!("cannot start the runtime: {e}")))?;
    let mut guard =
        terminal::init().map_err(|e| (EXIT_FAILURE, format!("cannot set up the terminal: {e}")))?;
    Ok(runtime.block_on(async {
        let mut inputs = app::Inputs::terminal()?;
        inputs.history = reader;
        inputs.tap = claimed.and_then(|c| tap::server::serve(c).ok());
        inputs.startup = startup;
        inputs.attached = watch_multiplexer(state);
        inputs.desktop = watch_desktop(state);
        app::run(&mut guard.terminal, inputs, state, keymap, sessions, log).await
    }))
}

/// Saves each account's last presence (only what the server confirmed is worth showing next
/// time) and the user's own, and lets the database writers finish.
fn save_presence(state: &State, writers: Vec<(AccountId, Option<history::Writer>)>) {
    for (id, writer) in writers {
        let Some(writer) = writer else { continue };
        if let Some(account) = state.account(id) {
            if account.cached_since.is_none() && account.roster_loaded {
                writer.send(history::Write::Presence(account.last_presence()));
            }
            // As the user set it: auto-away never touches `own`.
            writer.send(history::Write::Own(account.own.clone()));
        }
        writer.finish(std::time::Duration::from_secs(3));
    }
}
