//! The app loop: `select!` over terminal input, session events, signals and the frame timer;
//! `update` the state; draw when something changed, at most one frame per [`FRAME`].
//!
//! Terminal input is polled first (`biased`), so a key is never queued behind a presence flood.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::time::Instant;

use crate::config::Notify;
use crate::event::{Command, SessionEvent};
use crate::keymap::Keymap;
use crate::session::SessionHandle;
use crate::store::{Mode, Severity, State};
use crate::terminal::Tui;
use crate::update::{self, Effect};

/// Minimum time between two frames under load.
pub const FRAME: Duration = Duration::from_millis(16);
/// Most session events applied between two looks at the keyboard.
const EVENT_BATCH: usize = 1024;

/// How the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Quit,
    LoginFailed(String),
    Signal(&'static str),
}

/// Carries out effects; returns an outcome when the loop must end.
fn perform(
    effects: Vec<Effect>,
    commands: &tokio::sync::mpsc::UnboundedSender<Command>,
    mode: Notify,
) -> Option<Outcome> {
    for effect in effects {
        match effect {
            Effect::Send(cmd) => {
                let _ = commands.send(cmd);
            }
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

fn on_paste(state: &mut State, text: &str) {
    if let Mode::Input(input) = &mut state.ui.mode {
        let line = text.lines().next().unwrap_or("");
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

pub async fn run(
    terminal: &mut Tui,
    state: &mut State,
    keymap: &Keymap,
    session: &mut SessionHandle,
    log: &crate::logging::Health,
) -> std::io::Result<Outcome> {
    let mut input = EventStream::new();
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut dirty = true;
    let mut last_frame = Instant::now() - FRAME;
    let outcome = loop {
        if dirty && last_frame.elapsed() >= FRAME {
            state.clock = std::time::SystemTime::now();
            let viewport = crate::ui::roster_height_for(terminal.get_frame().area(), state);
            update::layout(state, viewport);
            terminal.draw(|frame| crate::ui::draw(frame, state, keymap))?;
            last_frame = Instant::now();
            dirty = false;
        }
        let next_frame = last_frame + FRAME;
        tokio::select! {
            biased;
            ev = input.next() => {
                match ev {
                    Some(Ok(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
                        if let Some(out) = perform(update::on_key(state, keymap, key), &session.commands, state.notify) {
                            break out;
                        }
                        // Input is drawn at once, even under a flood.
                        last_frame = Instant::now() - FRAME;
                    }
                    Some(Ok(TermEvent::Paste(text))) => on_paste(state, &text),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => break Outcome::Quit,
                }
                dirty = true;
            }
            _ = sigterm.recv() => break Outcome::Signal("SIGTERM"),
            _ = log.stopped() => {
                if let Some(text) = log.take_message() {
                    state.ui.message = Some((text, Severity::Error));
                    dirty = true;
                }
            }
            _ = sighup.recv() => break Outcome::Signal("SIGHUP"),
            ev = session.events.recv() => {
                let Some(ev) = ev else {
                    state.ui.message = Some(("The network task stopped; see the log.".into(), Severity::Error));
                    dirty = true;
                    continue;
                };
                let mut done = apply(state, ev, &session.commands);
                let mut n = 1;
                while done.is_none() && n < EVENT_BATCH {
                    match session.events.try_recv() {
                        Ok(ev) => done = apply(state, ev, &session.commands),
                        Err(_) => break,
                    }
                    n += 1;
                }
                if let Some(out) = done {
                    break out;
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
        }
    };
    let _ = session.commands.send(Command::Disconnect);
    Ok(outcome)
}

fn apply(
    state: &mut State,
    ev: SessionEvent,
    commands: &tokio::sync::mpsc::UnboundedSender<Command>,
) -> Option<Outcome> {
    let mode = state.notify;
    perform(update::on_session(state, ev), commands, mode)
}
