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
//!
//! The loop is generic over its [`Screen`] and takes its input bytes and signals as channels,
//! so tests run the whole app on a `TestBackend` with scripted keys and session events.
//! `effects`: what update's effects do; `screen`: the screen and the signals; `attached`:
//! whether tmux or screen is attached (an idle source for auto-away).
//!
//! Auto-away: every key or paste is activity (`update::auto_away::on_activity`, before the
//! key itself), the loop wakes when auto-away is due, a multiplexer's attach/detach
//! arrives on `Inputs::attached` and the desktop's last input on `Inputs::desktop`.

pub mod attached;
pub mod desktop;
mod effects;
mod screen;

pub use screen::{unix_signals, Headless, Screen, Signal};

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::event::Command;
use crate::input::decode::{Decoder, Input};
use crate::keymap::Keymap;
use crate::sessions::{Received, Sessions};
use crate::store::{Severity, State};
use crate::update;
use effects::{on_paste, perform};

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

/// What the loop reads: the terminal's bytes, the signals, and the local database (the
/// pages of a conversation's history, read on the loop's thread: an index range scan).
pub struct Inputs {
    pub reads: mpsc::Receiver<Vec<u8>>,
    pub signals: mpsc::Receiver<Signal>,
    pub history: Option<crate::history::History>,
    /// Requests from the control socket (`rosterm ctl`, `events`, `status`).
    pub tap: Option<mpsc::Receiver<crate::tap::server::Incoming>>,
    /// Carried out before the first frame (the rooms of `[rooms] join`).
    pub startup: Vec<crate::update::Effect>,
    /// The terminal multiplexer attached (true) or detached, on change (see `attached`).
    pub attached: Option<mpsc::Receiver<bool>>,
    /// The desktop's last input, when it moves forward (see `desktop`).
    pub desktop: Option<mpsc::Receiver<std::time::SystemTime>>,
}

impl Inputs {
    /// Standard input and the Unix signals (on the current runtime).
    pub fn terminal() -> std::io::Result<Inputs> {
        Ok(Inputs {
            reads: crate::input::spawn_reader()?,
            signals: unix_signals()?,
            history: None,
            tap: None,
            startup: Vec::new(),
            attached: None,
            desktop: None,
        })
    }
}

/// Ctrl-Z: stop the process (job control). Raw mode turns the terminal's own Ctrl-Z into
/// this key, so rosterm does what the terminal would have done.
pub fn is_suspend_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// What woke the loop up.
enum Wake {
    Read(Option<Vec<u8>>),
    /// Held input (an ESC, a paste's tail) is decided: nothing more came.
    Decide,
    Signal(Signal),
    LogStopped,
    Network(Received),
    Tap(crate::tap::server::Incoming),
    Frame,
    /// A timer of the state's is due (a "composing" that turns into "paused").
    Tick,
    /// Auto-away is due (away, or xa).
    AutoAway,
    /// The terminal multiplexer attached or detached.
    Attached(bool),
    /// The desktop's last input was then.
    Desktop(std::time::SystemTime),
}

/// Why auto-away is looked at.
enum Away {
    Due,
    Attached(bool),
    Desktop(std::time::SystemTime),
}

/// The loop's own state between wake-ups.
struct Loop<'a, S: Screen> {
    screen: &'a mut S,
    state: &'a mut State,
    keymap: &'a Keymap,
    sessions: &'a mut Sessions,
    log: &'a crate::logging::Health,
    history: Option<crate::history::History>,
    hub: crate::tap::hub::Hub,
    decoder: Decoder,
    decide_at: Option<Instant>,
    dirty: bool,
    last_frame: Instant,
}

pub async fn run<S: Screen>(
    screen: &mut S,
    mut inputs: Inputs,
    state: &mut State,
    keymap: &Keymap,
    sessions: &mut Sessions,
    log: &crate::logging::Health,
) -> std::io::Result<Outcome> {
    let mut app = Loop {
        screen,
        state,
        keymap,
        sessions,
        log,
        history: inputs.history.take(),
        hub: crate::tap::hub::Hub::default(),
        decoder: Decoder::default(),
        decide_at: None,
        dirty: true,
        last_frame: Instant::now() - FRAME,
    };
    let startup = std::mem::take(&mut inputs.startup);
    if let Some(outcome) = perform(startup, app.state, app.sessions, app.history.as_ref()) {
        return Ok(outcome);
    }
    let outcome = loop {
        app.draw_if_due()?;
        let wake = app.wait(&mut inputs).await;
        if let Some(outcome) = app.on_wake(wake, &mut inputs.reads)? {
            break outcome;
        }
    };
    app.sessions.send_all(Command::Disconnect);
    Ok(outcome)
}

impl<S: Screen> Loop<'_, S> {
    fn draw_if_due(&mut self) -> std::io::Result<()> {
        if self.dirty && self.last_frame.elapsed() >= FRAME {
            self.state.settings.clock = std::time::SystemTime::now();
            let viewport = crate::ui::roster_height_for(self.screen.area()?, self.state);
            update::layout(self.state, viewport);
            self.screen.draw(self.state, self.keymap)?;
            self.last_frame = Instant::now();
            self.dirty = false;
        }
        Ok(())
    }

    async fn wait(&mut self, inputs: &mut Inputs) -> Wake {
        let next_frame = self.last_frame + FRAME;
        let tick = update::chat::pause_due(self.state).map(instant_of);
        let away = update::auto_away::due(self.state).map(instant_of);
        tokio::select! {
            biased;
            read = inputs.reads.recv() => Wake::Read(read),
            _ = sleep_until_some(self.decide_at) => Wake::Decide,
            Some(signal) = inputs.signals.recv() => Wake::Signal(signal),
            _ = self.log.stopped() => Wake::LogStopped,
            received = self.sessions.recv() => Wake::Network(received),
            Some(request) = recv_some(&mut inputs.tap) => Wake::Tap(request),
            _ = tokio::time::sleep_until(next_frame), if self.dirty => Wake::Frame,
            _ = sleep_until_some(tick) => Wake::Tick,
            _ = sleep_until_some(away) => Wake::AutoAway,
            Some(attached) = recv_some(&mut inputs.attached) => Wake::Attached(attached),
            Some(at) = recv_some(&mut inputs.desktop) => Wake::Desktop(at),
        }
    }

    fn on_wake(
        &mut self,
        wake: Wake,
        reads: &mut mpsc::Receiver<Vec<u8>>,
    ) -> std::io::Result<Option<Outcome>> {
        let inputs = match wake {
            Wake::Read(None) => return Ok(Some(Outcome::Quit)),
            Wake::Read(Some(read)) => {
                let inputs = read_waiting(read, reads, &mut self.decoder);
                self.decide_at = self.decoder.wait().map(|wait| Instant::now() + wait);
                inputs
            }
            Wake::Decide => {
                self.decide_at = None;
                let mut inputs = Vec::new();
                self.decoder.flush(&mut inputs);
                inputs
            }
            Wake::Signal(signal) => return self.on_signal(signal),
            Wake::LogStopped => {
                if let Some(text) = self.log.take_message() {
                    self.state.ui.message = Some((text, Severity::Error));
                    self.dirty = true;
                }
                return Ok(None);
            }
            Wake::Network(received) => {
                self.dirty = true;
                let history = self.history.as_ref();
                let mut net = Net {
                    sessions: self.sessions,
                    history,
                    hub: &mut self.hub,
                };
                return Ok(on_network(self.state, &mut net, received));
            }
            Wake::Tap(request) => {
                self.dirty = true;
                // A presence set through the socket is stamped with now (auto-away).
                self.state.settings.clock = std::time::SystemTime::now();
                let effects = self.hub.incoming(self.state, request);
                let history = self.history.as_ref();
                return Ok(perform(effects, self.state, self.sessions, history));
            }
            Wake::Frame => return Ok(None),
            Wake::Tick => {
                let effects = update::chat::on_tick(self.state, std::time::SystemTime::now());
                let history = self.history.as_ref();
                return Ok(perform(effects, self.state, self.sessions, history));
            }
            Wake::AutoAway => return Ok(self.on_auto_away(Away::Due)),
            Wake::Attached(attached) => {
                tracing::info!(attached, "auto-away: the terminal multiplexer's client");
                return Ok(self.on_auto_away(Away::Attached(attached)));
            }
            Wake::Desktop(at) => return Ok(self.on_auto_away(Away::Desktop(at))),
        };
        if inputs.is_empty() {
            return Ok(None);
        }
        let outcome = self.on_input(inputs)?;
        // Input is drawn at once (one frame for everything that was waiting), even under a flood.
        self.last_frame = Instant::now() - FRAME;
        self.dirty = true;
        Ok(outcome)
    }

    /// Auto-away is due, the multiplexer attached or detached, or the desktop had input.
    fn on_auto_away(&mut self, why: Away) -> Option<Outcome> {
        self.dirty = true;
        let now = std::time::SystemTime::now();
        let effects = match why {
            Away::Attached(attached) => update::auto_away::on_attached(self.state, attached, now),
            Away::Desktop(at) => update::auto_away::on_desktop(self.state, at, now),
            Away::Due => update::auto_away::on_tick(self.state, now),
        };
        perform(effects, self.state, self.sessions, self.history.as_ref())
    }

    fn on_signal(&mut self, signal: Signal) -> std::io::Result<Option<Outcome>> {
        match signal {
            Signal::Terminate => return Ok(Some(Outcome::Signal("SIGTERM"))),
            Signal::Hangup => return Ok(Some(Outcome::Signal("SIGHUP"))),
            Signal::Stop => self.screen.suspend()?,
            // Also after a SIGSTOP from elsewhere: the shell may have reset the terminal.
            Signal::Continue => self.screen.resume()?,
            Signal::Resize => {}
        }
        self.dirty = true;
        Ok(None)
    }

    /// Applies decoded terminal input in order; returns an outcome when the loop must end.
    fn on_input(&mut self, inputs: Vec<Input>) -> std::io::Result<Option<Outcome>> {
        // What the user does now is stamped with now (a message's time), not the last frame's.
        self.state.settings.clock = std::time::SystemTime::now();
        // The user is here: back from auto-away first, then whatever the key does.
        let back = update::auto_away::on_activity(self.state, self.state.settings.clock);
        if let Some(out) = perform(back, self.state, self.sessions, self.history.as_ref()) {
            return Ok(Some(out));
        }
        for input in inputs {
            match input {
                Input::Key(key) if is_suspend_key(&key) => self.screen.suspend()?,
                Input::Key(key) => {
                    let effects = update::on_key(self.state, self.keymap, key);
                    let history = self.history.as_ref();
                    if let Some(out) = perform(effects, self.state, self.sessions, history) {
                        return Ok(Some(out));
                    }
                }
                Input::Paste(text) => on_paste(self.state, &text),
            }
        }
        Ok(None)
    }
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

/// The monotonic instant of a wall-clock time (now, if it has passed).
fn instant_of(at: std::time::SystemTime) -> Instant {
    let wait = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    Instant::now() + wait
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
/// Applies what the network sent, and every event already waiting behind it (up to a
/// batch), before the next look at the keyboard.
/// What network events reach besides the state.
struct Net<'a> {
    sessions: &'a mut Sessions,
    history: Option<&'a crate::history::History>,
    hub: &'a mut crate::tap::hub::Hub,
}

/// The next request from the control socket, or never when there is none.
async fn recv_some<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn on_network(state: &mut State, net: &mut Net<'_>, first: Received) -> Option<Outcome> {
    let mut received = first;
    for _ in 0..EVENT_BATCH {
        let done = match received {
            Received::Event(account, ev) => {
                let effects = if net.hub.active() {
                    let before = crate::tap::event::before(state, account, &ev);
                    let copy = ev.clone();
                    let effects = update::on_session(state, account, ev);
                    net.hub.publish(state, account, &copy, before);
                    effects
                } else {
                    update::on_session(state, account, ev)
                };
                perform(effects, state, net.sessions, net.history)
            }
            Received::Stopped(account) => {
                stopped(state, account);
                None
            }
        };
        if done.is_some() {
            return done;
        }
        received = net.sessions.try_recv()?;
    }
    None
}

/// An account's network task ended: on purpose after `/unregister` (its status says so
/// already), else unexpectedly.
fn stopped(state: &mut State, account: crate::domain::AccountId) {
    let Some(a) = state.account(account).filter(|a| !a.removed) else {
        return;
    };
    let text = format!("The network task of {} stopped; see the log.", a.name);
    state.ui.message = Some((text, Severity::Error));
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "app_away_tests.rs"]
mod away_tests;
