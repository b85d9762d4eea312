//! `/password` and `/unregister` (XEP-0077 for a logged-in account): the question typed at
//! the bottom line (`store::ask`), and what the server's answer means for the user.
//!
//! The new password is typed twice, drawn as `*`, held as a `Secret` (redacted `Debug`) and
//! handed only to the session. Deleting the account needs its JID typed out: no single key
//! can do it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::Secret;
use crate::domain::{AccountId, ConnState};
use crate::event::Command;
use crate::store::ask::{Ask, Step};
use crate::store::{Mode, Severity, State};
use crate::update::presence::Scope;
use crate::update::Effect;

/// Longest answer, in characters.
const MAX_CHARS: usize = 1000;

/// The account a `/password` or `/unregister` is for: the one named (`/account NAME`), or
/// the only one. Err: the sentence for the status line.
fn target(state: &State, scope: Scope, what: &str) -> Result<(AccountId, jid::BareJid), String> {
    let id = match scope {
        Scope::One(id) => id,
        Scope::All if state.accounts.len() == 1 => state.primary().id,
        Scope::All => {
            return Err(format!(
                "Which account? Use /account NAME {what} (it acts on one account only)."
            ))
        }
    };
    online(state, id, what)
}

/// Account `id`, if it is connected (Err: "… is not connected; `what` needs the server.").
pub fn online(
    state: &State,
    id: AccountId,
    what: &str,
) -> Result<(AccountId, jid::BareJid), String> {
    let account = state.account(id).ok_or("No such account.")?;
    if account.connection != ConnState::Online {
        return Err(format!(
            "{} is not connected; {what} needs the server.",
            account.jid
        ));
    }
    Ok((id, account.jid.clone()))
}

fn open(state: &mut State, scope: Scope, what: &str, step: Step) -> Vec<Effect> {
    match target(state, scope, what) {
        Ok((id, jid)) => state.ui.mode = Mode::Ask(Ask::new(id, jid, step)),
        Err(why) => state.ui.message = Some((why, Severity::Error)),
    }
    Vec::new()
}

/// `/password`: asks for the new password (twice).
pub fn password(state: &mut State, scope: Scope) -> Vec<Effect> {
    open(state, scope, "/password", Step::NewPassword)
}

/// `/unregister`: asks for the account's JID, typed out.
pub fn unregister(state: &mut State, scope: Scope) -> Vec<Effect> {
    open(state, scope, "/unregister", Step::ConfirmUnregister)
}

fn cancel(state: &mut State, ask: &Ask) {
    let text = match &ask.step {
        Step::ConfirmUnregister => format!("Cancelled; the account {} was not deleted.", ask.jid),
        Step::Gateway(g) => format!("Cancelled; nothing was sent to {}.", g.gateway),
        _ => "Cancelled; the password was not changed.".to_owned(),
    };
    state.ui.mode = Mode::Normal;
    state.ui.message = Some((text, Severity::Info));
}

/// A key while a question is asked.
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Mode::Ask(ask) = &mut state.ui.mode else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            let ask = ask.clone();
            cancel(state, &ask);
        }
        KeyCode::Char('c') if ctrl => {
            let ask = ask.clone();
            cancel(state, &ask);
        }
        KeyCode::Enter => {
            let ask = ask.clone();
            return submit(state, ask);
        }
        KeyCode::Backspace => {
            ask.typed.pop();
            ask.error = None;
        }
        KeyCode::Char('u') if ctrl => {
            ask.typed.clear();
            ask.error = None;
        }
        KeyCode::Char(c) if !ctrl && !c.is_control() && ask.typed.chars() < MAX_CHARS => {
            ask.typed.push(c);
            ask.error = None;
        }
        _ => {}
    }
    Vec::new()
}

/// A paste while a question is asked: its first line (a password manager's paste).
pub fn paste(state: &mut State, text: &str) {
    let Mode::Ask(ask) = &mut state.ui.mode else {
        return;
    };
    let line = text.split(['\n', '\r']).next().unwrap_or_default();
    for c in line.chars().filter(|c| !c.is_control()) {
        if ask.typed.chars() >= MAX_CHARS {
            break;
        }
        ask.typed.push(c);
    }
    ask.error = None;
}

fn refuse(state: &mut State, mut ask: Ask, step: Step, why: &str) -> Vec<Effect> {
    ask.step = step;
    ask.typed.clear();
    ask.error = Some(why.to_owned());
    state.ui.mode = Mode::Ask(ask);
    Vec::new()
}

fn submit(state: &mut State, ask: Ask) -> Vec<Effect> {
    match ask.step.clone() {
        Step::Gateway(filling) => crate::update::gateways::submit(state, ask, *filling),
        Step::NewPassword if ask.typed.is_empty() => refuse(
            state,
            ask,
            Step::NewPassword,
            "the password cannot be empty",
        ),
        Step::NewPassword => {
            let first = ask.typed.clone();
            let mut next = ask;
            next.step = Step::RepeatPassword(first);
            next.typed = Secret::new(String::new());
            next.error = None;
            state.ui.mode = Mode::Ask(next);
            Vec::new()
        }
        Step::RepeatPassword(first) if first != ask.typed => refuse(
            state,
            ask,
            Step::NewPassword,
            "the two did not match; type the new password again",
        ),
        Step::RepeatPassword(first) => {
            state.ui.mode = Mode::Normal;
            let text = format!("Changing the password of {} on the server…", ask.jid);
            state.ui.message = Some((text, Severity::Info));
            vec![Effect::Send(ask.account, Command::ChangePassword(first))]
        }
        Step::ConfirmUnregister if ask.typed.expose().trim() == ask.jid.as_str() => {
            state.ui.mode = Mode::Normal;
            let text = format!("Deleting the account {} on the server…", ask.jid);
            state.ui.message = Some((text, Severity::Info));
            vec![Effect::Send(ask.account, Command::Unregister)]
        }
        Step::ConfirmUnregister => {
            state.ui.mode = Mode::Normal;
            let text = format!(
                "Cancelled: that was not {}; the account was not deleted.",
                ask.jid
            );
            state.ui.message = Some((text, Severity::Info));
            Vec::new()
        }
    }
}

/// The server changed the password.
pub fn password_changed(state: &mut State, account: AccountId) {
    let Some(a) = state.account(account) else {
        return;
    };
    let text = format!(
        "Password of {} changed on the server. Update password / password_command in the config (and your password manager): the old one no longer works.",
        a.jid
    );
    state.ui.message = Some((text, Severity::Info));
}

/// The server deleted the account; its session has ended.
pub fn account_removed(state: &mut State, account: AccountId) {
    let Some(a) = state.account_mut(account) else {
        return;
    };
    let reason = format!(
        "The account {} was deleted on the server; this session has ended (remove it from the config).",
        a.jid
    );
    a.connection = ConnState::Failed {
        reason: reason.clone(),
    };
    a.removed = true;
    state.ui.message = Some((reason, Severity::Info));
}

#[cfg(test)]
#[path = "account_admin_tests.rs"]
mod tests;
