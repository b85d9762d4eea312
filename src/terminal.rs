//! Terminal setup and teardown. The terminal is restored on every exit path: normal return
//! (the guard's `Drop`), error, and panic (the hook restores before printing), and around a
//! job-control stop ([`suspend`]: Ctrl-Z or SIGTSTP; [`resume`] on the way back).

use std::io::{self, Stdout};

pub mod backend;

use crossterm::{
    cursor,
    event::{DisableBracketedPaste, EnableBracketedPaste},
    execute,
    terminal::{self, DisableLineWrap, EnableLineWrap, EnterAlternateScreen, LeaveAlternateScreen},
};
use ratatui::Terminal;

use backend::ResyncBackend;

pub type Tui = Terminal<ResyncBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    pub terminal: Tui,
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Undoes everything [`init`] did; safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        EnableLineWrap,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// Hands the terminal back to the shell and stops the process (job control: Ctrl-Z, or a
/// SIGTSTP from elsewhere, whose handler replaced the default stop). Returns once the process
/// has been continued (`fg`, SIGCONT); then call [`resume`].
///
/// SIGSTOP, not SIGTSTP: SIGTSTP has rosterm's handler installed for good (tokio cannot
/// uninstall one), SIGSTOP cannot be caught, so the process really stops, every thread of it.
/// The network thread stops too; XEP-0198 resumption or a reconnect covers the pause.
pub fn suspend() -> io::Result<()> {
    restore();
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)
}

/// Takes the terminal back after a stop: raw mode, alternate screen, bracketed paste, and a
/// full redraw (the shell has drawn over the screen ratatui remembers). Safe to call when
/// nothing was suspended (an external SIGSTOP + SIGCONT): it only costs one full frame.
///
/// `resize` rather than `Terminal::clear`: both clear the screen and make the next frame a
/// full one, but `clear` asks the terminal for the cursor position, whose answer arrives on
/// the input that rosterm's own reader (`crate::input`) consumes.
pub fn resume(terminal: &mut Tui) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        DisableLineWrap,
        cursor::Hide
    )?;
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Raw mode + alternate screen, and a panic hook that restores the terminal first.
pub fn init() -> io::Result<TerminalGuard> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    terminal::enable_raw_mode()?;
    // No auto-wrap: a grapheme the terminal draws wider than expected cannot spill onto the
    // next row (see `backend`).
    let setup = execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        DisableLineWrap
    );
    if let Err(e) = setup {
        restore();
        return Err(e);
    }
    match Terminal::new(ResyncBackend::new(io::stdout())) {
        Ok(terminal) => Ok(TerminalGuard { terminal }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}
