//! `/console`: the XML console records every account's stanzas while it is on.

use crate::command::ConsoleArg;
use crate::event::Command;
use crate::store::{Mode, Severity, State};
use crate::update::keys::open_popup;
use crate::update::presence::Scope;
use crate::update::Effect;

pub fn console(state: &mut State, arg: ConsoleArg) -> Vec<Effect> {
    match arg {
        ConsoleArg::Open => {}
        ConsoleArg::Filter(filter) => state.ui.console_filter = filter,
        ConsoleArg::Off => return off(state),
        ConsoleArg::Pretty => state.ui.console_pretty = !state.ui.console_pretty,
    }
    let effects = if state.ui.console_on {
        Vec::new()
    } else {
        state.ui.console_on = true;
        to_every_session(state, true)
    };
    open_popup(state, Mode::Console);
    effects
}

/// `/raw`: one stanza as typed, on the account named (`/account NAME /raw …`) or the first.
pub fn raw(state: &mut State, scope: Scope, text: &str) -> Vec<Effect> {
    let id = match scope {
        Scope::One(id) => Some(id),
        Scope::All => state.accounts.keys().next().copied(),
    };
    let (Some(id), Some(name)) = (
        id,
        id.and_then(|id| state.account(id)).map(|a| a.name.clone()),
    ) else {
        return Vec::new();
    };
    let (message, effects) = match crate::raw::parse(text) {
        Ok(_) => (
            (format!("Sent on {name}."), Severity::Info),
            vec![Effect::Send(id, Command::SendRaw(text.to_owned()))],
        ),
        Err(why) => ((why, Severity::Error), Vec::new()),
    };
    state.ui.message = Some(message);
    effects
}

fn off(state: &mut State) -> Vec<Effect> {
    state.ui.console_on = false;
    for account in state.accounts.values_mut() {
        account.console.clear();
    }
    state.ui.message = Some((
        "The XML console stopped recording and forgot what it had.".into(),
        Severity::Info,
    ));
    to_every_session(state, false)
}

fn to_every_session(state: &State, on: bool) -> Vec<Effect> {
    state
        .accounts
        .keys()
        .map(|&id| Effect::Send(id, Command::Console(on)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OwnPresence;
    use crate::store::AccountState;
    use crate::test_support::{jid, A0, A1};

    fn two_accounts() -> State {
        State::with_accounts(vec![
            AccountState::new(A0, "home".into(), jid("me@home"), OwnPresence::default()),
            AccountState::new(A1, "work".into(), jid("me@work"), OwnPresence::default()),
        ])
    }

    #[test]
    fn open_records_on_every_account_once_and_off_forgets() {
        let mut state = two_accounts();
        let effects = console(&mut state, ConsoleArg::Open);
        assert_eq!(effects.len(), 2, "{effects:?}");
        assert_eq!(state.ui.mode, Mode::Console);
        assert!(console(&mut state, ConsoleArg::Filter(Some("iq".into()))).is_empty());
        assert_eq!(state.ui.console_filter.as_deref(), Some("iq"));
        let off = console(&mut state, ConsoleArg::Off);
        assert!(off
            .iter()
            .all(|e| matches!(e, Effect::Send(_, Command::Console(false)))));
        assert_eq!(off.len(), 2);
        assert!(!state.ui.console_on);
    }

    #[test]
    fn raw_goes_to_one_account_once_checked() {
        let mut state = two_accounts();
        let sent = raw(&mut state, Scope::One(A1), "<presence/>");
        assert!(matches!(&sent[..], [Effect::Send(id, Command::SendRaw(_))] if *id == A1));
        let first = raw(&mut state, Scope::All, "<presence/>");
        assert!(matches!(&first[..], [Effect::Send(id, _)] if *id == A0));
        assert!(raw(&mut state, Scope::All, "<bogus/>").is_empty());
        assert!(matches!(state.ui.message, Some((_, Severity::Error))));
    }
}
