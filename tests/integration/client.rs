//! rosterm's own session (the library's network side) driven headless: events are applied to
//! a real `State`, which tests inspect and render.

#![allow(dead_code)]

use crate::A0;
use rosterm::config::{Account, Secret};
use rosterm::domain::{OwnPresence, Show};
use rosterm::event::{Command, SessionEvent};
use rosterm::session::connect::RostermConnector;
use rosterm::session::{spawn, SessionHandle, SessionSetup};
use rosterm::store::State;

use crate::harness::Server;
use crate::peer::{account, WAIT};

pub struct Client {
    pub handle: SessionHandle,
    pub state: State,
    pub log: Vec<SessionEvent>,
    /// Effects `update::on_session` returned (notifications, ...).
    pub effects: Vec<rosterm::update::Effect>,
}

impl Client {
    pub fn start(server: &Server, user: &str, password: &str, initial: OwnPresence) -> Client {
        Client::start_account(account(server, user, Some("rosterm")), password, initial)
    }

    /// Starts a session for a customised account (pinning, keepalive, ...).
    pub fn start_account(account: Account, password: &str, initial: OwnPresence) -> Client {
        Client::start_cached(account, password, initial, Default::default(), None)
    }

    /// Starts as the app does with a local database: the saved roster seeded into the state
    /// before the first event, its version given to the session, changes saved to `history`.
    pub fn start_cached(
        account: Account,
        password: &str,
        initial: OwnPresence,
        cached: rosterm::history::CachedRoster,
        history: Option<rosterm::history::Sink>,
    ) -> Client {
        Client::start_after(account, password, initial, cached, history, None)
    }

    /// Like [`Client::start_cached`], with the newest archive id the history knows (the
    /// first catch-up fetches what the server archived after it).
    pub fn start_after(
        account: Account,
        password: &str,
        initial: OwnPresence,
        cached: rosterm::history::CachedRoster,
        history: Option<rosterm::history::Sink>,
        archive_after: Option<String>,
    ) -> Client {
        Client::start_with(
            account,
            password,
            initial,
            cached,
            history,
            archive_after,
            Vec::new(),
        )
    }

    /// Like [`Client::start_after`], with the capabilities the database verified before.
    pub fn start_with(
        account: Account,
        password: &str,
        initial: OwnPresence,
        cached: rosterm::history::CachedRoster,
        history: Option<rosterm::history::Sink>,
        archive_after: Option<String>,
        caps: Vec<(String, rosterm::domain::device::Capabilities)>,
    ) -> Client {
        let (connector, probe) = RostermConnector::for_account(&account).expect("CA loads");
        let mut state = State::new(account.jid.clone(), initial.clone());
        let roster_ver = cached.ver.clone();
        state
            .account_mut(crate::A0)
            .expect("one account")
            .seed_from_cache(cached);
        let handle = spawn(SessionSetup {
            account,
            password: Secret::new(password.into()),
            connector,
            probe,
            initial,
            nick: None,
            roster_ver,
            history,
            archive_after,
            caps,
        })
        .expect("session thread");
        Client {
            handle,
            state,
            log: Vec::new(),
            effects: Vec::new(),
        }
    }

    /// Applies events until `pred(state)` holds.
    pub async fn until(&mut self, what: &str, pred: impl Fn(&State) -> bool) {
        if pred(&self.state) {
            return;
        }
        let result = tokio::time::timeout(WAIT, async {
            while let Some(ev) = self.handle.events.recv().await {
                self.log.push(ev.clone());
                // As the app does: update::on_session, keeping what it asks for.
                self.effects
                    .extend(rosterm::update::on_session(&mut self.state, A0, ev));
                if pred(&self.state) {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(
            matches!(result, Ok(true)),
            "rosterm never reached: {what}\nconnection: {:?}\nlast events: {:?}",
            self.state.primary().connection,
            &self.log[self.log.len().saturating_sub(8)..]
        );
    }

    /// Applies whatever arrives during `d` (for checking that something does NOT happen).
    pub async fn settle(&mut self, d: std::time::Duration) {
        let _ = tokio::time::timeout(d, async {
            while let Some(ev) = self.handle.events.recv().await {
                self.log.push(ev.clone());
                self.state.apply(A0, ev);
            }
        })
        .await;
    }

    pub fn sessions_started(&self) -> usize {
        self.log
            .iter()
            .filter(|e| matches!(e, SessionEvent::SessionStarted { .. }))
            .count()
    }

    /// A key as the user presses it: through the keymap and `update`, effects to the session.
    pub fn press(&mut self, code: crossterm::event::KeyCode) {
        let keymap = rosterm::keymap::Keymap::default();
        let effects = rosterm::update::on_key(
            &mut self.state,
            &keymap,
            crossterm::event::KeyEvent::from(code),
        );
        self.perform(effects);
    }

    /// A command line as typed after `/`.
    pub fn type_command(&mut self, line: &str) {
        let cmd = rosterm::command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let effects = rosterm::update::run_command(&mut self.state, cmd);
        self.perform(effects);
    }

    fn perform(&mut self, effects: Vec<rosterm::update::Effect>) {
        for effect in effects {
            if let rosterm::update::Effect::Send(_, cmd) = effect {
                self.command(cmd);
            }
        }
    }

    pub fn command(&self, cmd: Command) {
        self.handle.commands.send(cmd).expect("session alive");
    }

    pub fn set_presence(&self, show: Show, status: &str, priority: i8) {
        self.command(Command::SetPresence(OwnPresence {
            show,
            status: status.into(),
            priority,
        }));
    }

    /// The screen as text, rendered from the current state on a `TestBackend`.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        render(&mut self.state, width, height)
    }

    pub fn stop(self) {
        let _ = self.handle.commands.send(Command::Disconnect);
    }
}

/// The screen as text, rendered from `state` on a `TestBackend` as the app draws it.
pub fn render(state: &mut State, width: u16, height: u16) -> String {
    use ratatui::{backend::TestBackend, Terminal};
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    let area = ratatui::layout::Rect::new(0, 0, width, height);
    let rows = rosterm::ui::roster_height_for(area, state);
    rosterm::update::layout(state, rows);
    let keymap = rosterm::keymap::Keymap::default();
    terminal
        .draw(|f| rosterm::ui::draw(f, state, &keymap))
        .expect("draw");
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
