//! Where the loop draws, and the signals it listens to: the real terminal and Unix signals
//! in the program, a `TestBackend` and scripted signals in tests.

use std::io;

use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use tokio::signal::unix::SignalKind;
use tokio::sync::mpsc;

use crate::keymap::Keymap;
use crate::store::State;
use crate::terminal::Tui;

/// The screen the loop draws on, and job control around it.
pub trait Screen {
    fn area(&mut self) -> io::Result<Rect>;
    fn draw(&mut self, state: &State, keymap: &Keymap) -> io::Result<()>;
    /// Hands the terminal back and stops the process; returns after `fg`, terminal back.
    fn suspend(&mut self) -> io::Result<()>;
    /// Takes the terminal back (after a stop from elsewhere) and redraws everything.
    fn resume(&mut self) -> io::Result<()>;
}

impl Screen for Tui {
    fn area(&mut self) -> io::Result<Rect> {
        Ok(self.get_frame().area())
    }

    fn draw(&mut self, state: &State, keymap: &Keymap) -> io::Result<()> {
        Terminal::draw(self, |frame| crate::ui::draw(frame, state, keymap)).map(|_| ())
    }

    fn suspend(&mut self) -> io::Result<()> {
        tracing::info!("suspended (job control)");
        crate::terminal::suspend()?;
        tracing::info!("continued");
        crate::terminal::resume(self)
    }

    fn resume(&mut self) -> io::Result<()> {
        crate::terminal::resume(self)
    }
}

/// A screen with no terminal behind it (tests): draws into its backend's buffer; job
/// control does nothing.
pub struct Headless<B: Backend>(pub Terminal<B>);

impl<B: Backend> Screen for Headless<B> {
    fn area(&mut self) -> io::Result<Rect> {
        Ok(self.0.get_frame().area())
    }

    fn draw(&mut self, state: &State, keymap: &Keymap) -> io::Result<()> {
        self.0
            .draw(|frame| crate::ui::draw(frame, state, keymap))
            .map(|_| ())
            .map_err(|e| io::Error::other(e.to_string()))
    }

    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The signals the loop acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: quit cleanly.
    Terminate,
    /// SIGHUP: the terminal went away; quit cleanly.
    Hangup,
    /// SIGWINCH: redraw at the new size.
    Resize,
    /// SIGTSTP: stop (job control).
    Stop,
    /// SIGCONT: take the terminal back.
    Continue,
}

/// Unix signals, forwarded as [`Signal`]s by a task on the current runtime.
pub fn unix_signals() -> io::Result<mpsc::Receiver<Signal>> {
    let (tx, rx) = mpsc::channel(16);
    let kinds = [
        (SignalKind::terminate(), Signal::Terminate),
        (SignalKind::hangup(), Signal::Hangup),
        (SignalKind::window_change(), Signal::Resize),
        (
            SignalKind::from_raw(signal_hook::consts::SIGTSTP),
            Signal::Stop,
        ),
        (
            SignalKind::from_raw(signal_hook::consts::SIGCONT),
            Signal::Continue,
        ),
    ];
    for (kind, signal) in kinds {
        let mut stream = tokio::signal::unix::signal(kind)?;
        let tx = tx.clone();
        tokio::spawn(async move {
            while stream.recv().await.is_some() {
                if tx.send(signal).await.is_err() {
                    break;
                }
            }
        });
    }
    Ok(rx)
}
