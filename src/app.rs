//! The app loop: `select!` over terminal input, session events, signals and the frame timer;
//! `update` the state; draw when something changed, at most one frame per [`FRAME`].
//!
//! Terminal input is polled first (`biased`), so a key is never queued behind a presence flood,
//! and every read already waiting is decoded and applied before the next frame: a typed
//! burst costs one frame per batch of reads, never one per key.
//!
//! Job control: Ctrl-Z (never text, in any mode) and SIGTSTP hand the terminal back and stop
//! the process ([`crate::terminal::suspend`]); on the way back, and on any SIGCONT, the
//! terminal is taken back and fully redrawn.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::signal::unix::SignalKind;
use tokio::time::Instant;

use crate::domain::Notify;
use crate::event::Command;
use crate::input::decode::{Decoder, Input};
use crate::keymap::Keymap;
use crate::sessions::{Received, Sessions};
use crate::store::{Mode, Severity, State};
use crate::terminal::Tui;
use crate::update::{self, Effect};

/// Minimum time between two frames under load.
pub const FRAME: Duration = Duration::from_millis(16);
/// Most session events applied between two looks at the keyboard.
const EVENT_BATCH: usize = 1024;
/// Most terminal reads (each up to 16 KiB) decoded and applied before a frame.
const INPUT_BATCH: usize = 64;

/// How the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Quit,
    LoginFailed(String),
    Signal(&'static str),
}

/// Carries out effects; returns an outcome when the loop must end.
fn perform(effects: Vec<Effect>, sessions: &Sessions, mode: Notify) -> Option<Outcome> {
    for effect in effects {
        match effect {
            Effect::Send(account, cmd) => sessions.send(account, cmd),
            Effect::Quit => return Some(Outcome::Quit),
            Effect::LoginFailed(reason) => return Some(Outcome::LoginFailed(reason)),
            Effect::Notify(text) => notify(mode, &text),
        }
    }
    None
}

/// The terminal bell, or a desktop notification (notify-send) when asked for and installed.
fn notify(mode: Notify, text: &str) {
    use std::io::Write;
    if mode == Notify::Desktop {
        let sent = std::process::Command::new("notify-send")
            .args(["--app-name=rosterm", "rosterm", text])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = sent {
            // Reaped off the UI thread; the notification itself is fire-and-forget.
            std::thread::spawn(move || child.wait());
            return;
        }
    }
    if mode != Notify::None {
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07");
        let _ = out.flush();
    }
}

/// A paste goes into the open editor (its first line, control characters dropped); anywhere
/// else it is ignored: a paste never acts as keys.
fn on_paste(state: &mut State, text: &str) {
    if let Mode::Input(input) = &mut state.ui.mode {
        let line = text.split(['\n', '\r']).next().unwrap_or("");
        let clean: String = line
            .chars()
            .filter(|c| !c.is_control())
            .take(1000)
            .collect();
        let at = input
            .text
            .char_indices()
            .nth(input.cursor)
            .map(|(i, _)| i)
            .unwrap_or(input.text.len());
        input.text.insert_str(at, &clean);
        input.cursor += clean.chars().count();
    }
}

/// Ctrl-Z: stop the process (job control). Raw mode turns the terminal's own Ctrl-Z into
/// this key, so rosterm does what the terminal would have done.
pub fn is_suspend_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// Stops the process with the terminal restored; back here after `fg`, the terminal is
/// taken back and redrawn.
fn suspend(terminal: &mut Tui) -> std::io::Result<()> {
    tracing::info!("suspended (job control)");
    crate::terminal::suspend()?;
    tracing::info!("continued");
    crate::terminal::resume(terminal)
}

/// Applies decoded terminal input in order; returns an outcome when the loop must end.
fn on_input(
    terminal: &mut Tui,
    state: &mut State,
    keymap: &Keymap,
    sessions: &Sessions,
    inputs: Vec<Input>,
) -> std::io::Result<Option<Outcome>> {
    for input in inputs {
        match input {
            Input::Key(key) if is_suspend_key(&key) => suspend(terminal)?,
            Input::Key(key) => {
                let mode = state.settings.notify;
                if let Some(out) = perform(update::on_key(state, keymap, key), sessions, mode) {
                    return Ok(Some(out));
                }
            }
            Input::Paste(text) => on_paste(state, &text),
        }
    }
    Ok(None)
}

/// Decodes one read and every read already waiting behind it.
fn read_waiting(
    first: Vec<u8>,
    reads: &mut tokio::sync::mpsc::Receiver<Vec<u8>>,
    decoder: &mut Decoder,
) -> Vec<Input> {
    let mut inputs = Vec::new();
    decoder.feed(&first, &mut inputs);
    for _ in 1..INPUT_BATCH {
        match reads.try_recv() {
            Ok(bytes) => decoder.feed(&bytes, &mut inputs),
            Err(_) => break,
        }
    }
    inputs
}

pub async fn run(
    terminal: &mut Tui,
    state: &mut State,
    keymap: &Keymap,
    sessions: &mut Sessions,
    log: &crate::logging::Health,
) -> std::io::Result<Outcome> {
    let mut reads = crate::input::spawn_reader()?;
    let mut decoder = Decoder::default();
    // When held input (an ESC, a paste's tail) is decided, if nothing more comes.
    let mut decide_at: Option<Instant> = None;
    let signal = |kind| tokio::signal::unix::signal(kind);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigwinch = signal(SignalKind::window_change())?;
    let mut sigtstp = signal(SignalKind::from_raw(signal_hook::consts::SIGTSTP))?;
    let mut sigcont = signal(SignalKind::from_raw(signal_hook::consts::SIGCONT))?;
    let mut dirty = true;
    let mut last_frame = Instant::now() - FRAME;
    let outcome = loop {
        if dirty && last_frame.elapsed() >= FRAME {
            state.settings.clock = std::time::SystemTime::now();
            let viewport = crate::ui::roster_height_for(terminal.get_frame().area(), state);
            update::layout(state, viewport);
            terminal.draw(|frame| crate::ui::draw(frame, state, keymap))?;
            last_frame = Instant::now();
            dirty = false;
        }
        let next_frame = last_frame + FRAME;
        let inputs = tokio::select! {
            biased;
            read = reads.recv() => {
                let Some(read) = read else { break Outcome::Quit };
                let inputs = read_waiting(read, &mut reads, &mut decoder);
                decide_at = decoder.wait().map(|wait| Instant::now() + wait);
                inputs
            }
            _ = sleep_until_some(decide_at) => {
                decide_at = None;
                let mut inputs = Vec::new();
                decoder.flush(&mut inputs);
                inputs
            }
            _ = sigterm.recv() => break Outcome::Signal("SIGTERM"),
            _ = log.stopped() => {
                if let Some(text) = log.take_message() {
                    state.ui.message = Some((text, Severity::Error));
                    dirty = true;
                }
                continue;
            }
            _ = sighup.recv() => break Outcome::Signal("SIGHUP"),
            _ = sigtstp.recv() => {
                suspend(terminal)?;
                dirty = true;
                continue;
            }
            // Also after a SIGSTOP from elsewhere: the shell may have reset the terminal.
            _ = sigcont.recv() => {
                crate::terminal::resume(terminal)?;
                dirty = true;
                continue;
            }
            _ = sigwinch.recv() => {
                dirty = true;
                continue;
            }
            received = sessions.recv() => {
                if let Some(out) = on_network(state, sessions, received) {
                    break out;
                }
                dirty = true;
                continue;
            }
            _ = tokio::time::sleep_until(next_frame), if dirty => continue,
        };
        if inputs.is_empty() {
            continue;
        }
        if let Some(out) = on_input(terminal, state, keymap, sessions, inputs)? {
            break out;
        }
        // Input is drawn at once (one frame for everything that was waiting), even under a flood.
        last_frame = Instant::now() - FRAME;
        dirty = true;
    };
    sessions.send_all(Command::Disconnect);
    Ok(outcome)
}

/// Sleeps until `at`, or forever when there is nothing to wait for.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Applies what the network sent, and every event already waiting behind it (up to a
/// batch), before the next look at the keyboard.
fn on_network(state: &mut State, sessions: &mut Sessions, first: Received) -> Option<Outcome> {
    let mut received = first;
    for _ in 0..EVENT_BATCH {
        let done = match received {
            Received::Event(account, ev) => {
                let mode = state.settings.notify;
                perform(update::on_session(state, account, ev), sessions, mode)
            }
            Received::Stopped(account) => {
                let name = state
                    .account(account)
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                let text = format!("The network task of {name} stopped; see the log.");
                state.ui.message = Some((text, Severity::Error));
                None
            }
        };
        if done.is_some() {
            return done;
        }
        received = sessions.try_recv()?;
    }
    None
}
