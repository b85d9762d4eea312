//! rosterm's entry point: parse the CLI, load the config, start logging and the session, run
//! the TUI, and map every failure to one sentence on stderr and a non-zero exit code.
//! The code lives in the library (`src/lib.rs` has the map).

use std::process::ExitCode;

use clap::Parser;

use rosterm::{app, cli::Cli, config, history, logging, session, store::State, terminal};

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
    handle: &mut session::SessionHandle,
    state: &mut State,
    jids: &[String],
    json: bool,
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
    let result = runtime.block_on(rosterm::who::collect(handle, state));
    let _ = handle.commands.send(rosterm::event::Command::Disconnect);
    result.map_err(|reason| (EXIT_FAILURE, reason))?;
    let report = if json {
        rosterm::who::json_report(state, &jids)
    } else {
        rosterm::who::text_report(state, &jids)
    };
    print!("{report}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !handle.thread.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
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

/// Opens the local database and reads the saved roster; a database that cannot be used is
/// one sentence on the status line, and rosterm goes on without it.
fn open_history(
    path: &std::path::Path,
    account: &jid::BareJid,
) -> (
    Option<history::Writer>,
    history::CachedRoster,
    Option<String>,
) {
    let opened = history::History::open(path).and_then(|h| {
        let cached = h.load_roster(account)?;
        Ok((h, cached))
    });
    let (db, cached) = match opened {
        Ok(pair) => pair,
        Err(e) => {
            tracing::warn!("{e}");
            return (
                None,
                history::CachedRoster::default(),
                Some(format!("{e}; nothing is saved.")),
            );
        }
    };
    match history::Writer::spawn(db, account.clone()) {
        Ok(writer) => (Some(writer), cached, None),
        Err(e) => (
            None,
            cached,
            Some(format!("cannot start the database thread: {e}")),
        ),
    }
}

fn run(cli: Cli) -> Result<(), (u8, String)> {
    let level = logging::parse_level(&cli.log_level)
        .map_err(|m| (EXIT_CONFIG, format!("--log-level: {m}")))?;
    let path = match cli.config {
        Some(p) => p,
        None => config::default_path().map_err(|e| (EXIT_CONFIG, e.to_string()))?,
    };
    let config = config::load(&path).map_err(|e| (EXIT_CONFIG, e.to_string()))?;
    let account = &config.accounts[0]; // multi-account: the lead wires the others
    let (log_health, log_problem) = start_logging(cli.log_file, level);
    tracing::info!(config = %path.display(), jid = %account.jid, "starting");
    let password =
        config::resolve_password(&account.password).map_err(|e| (EXIT_CONFIG, e.to_string()))?;
    let (connector, probe) = session::connect::RostermConnector::for_account(account)
        .map_err(|e| (EXIT_CONFIG, format!("{}: {e}", path.display())))?;
    let interactive = cli.command.is_none();
    let (history, cached, history_problem) = match (&config.storage, interactive) {
        (Some(db), true) => open_history(db, &account.jid),
        _ => (None, history::CachedRoster::default(), None),
    };
    let mut handle = session::spawn(session::SessionSetup {
        account: account.clone(),
        password,
        connector,
        probe,
        initial: config.presence_for(account),
        nick: config.nick_for(account),
        roster_ver: cached.ver.clone(),
        history: history.as_ref().and_then(history::Writer::sink),
    })
    .map_err(|e| {
        (
            EXIT_FAILURE,
            format!("cannot start the network thread: {e}"),
        )
    })?;

    let mut state = State::new(account.jid.clone(), config.presence_for(account));
    state.own_nick = config.nick_for(account);
    state.watch = config.watch.iter().cloned().collect();
    state.notify = config.notify;
    state.utc_offset = local_utc_offset();
    state.seed_from_cache(cached);
    state.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if let Some(rosterm::cli::CliCommand::Who { jids, json }) = cli.command {
        if let Some(problem) = &log_problem {
            eprintln!("rosterm: {problem}");
        }
        return who(&mut handle, &mut state, &jids, json);
    }
    if let Some(warning) = config.warnings.first() {
        tracing::warn!("{warning}");
    }
    let startup: Vec<String> = config
        .warnings
        .iter()
        .take(1)
        .chain(&log_problem)
        .chain(&history_problem)
        .cloned()
        .collect();
    if !startup.is_empty() {
        state.ui.message = Some((startup.join(" · "), rosterm::store::Severity::Error));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (EXIT_FAILURE, format!("cannot start the runtime: {e}")))?;
    let outcome = {
        let mut guard = terminal::init()
            .map_err(|e| (EXIT_FAILURE, format!("cannot set up the terminal: {e}")))?;
        runtime.block_on(app::run(
            &mut guard.terminal,
            &mut state,
            &config.keymap,
            &mut handle,
            &log_health,
        ))
    };
    // The guard is dropped: the terminal is back to normal before anything is printed.
    // Give the session a moment to say goodbye to the server.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !handle.thread.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    if let Some(history) = history {
        // Only what the server confirmed is worth showing next time.
        if state.cached_since.is_none() && state.roster_loaded {
            history.send(history::Write::Presence(state.last_presence()));
        }
        history.finish(std::time::Duration::from_secs(3));
    }
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
