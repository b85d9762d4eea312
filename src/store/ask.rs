//! A question answered by typing a line, for what must not happen by one stray key or be
//! seen on screen: the new password (`/password`, typed twice, masked) and the confirmation
//! of `/unregister` (the account's JID typed out). What is typed is a [`Secret`]: its
//! `Debug` is redacted, so neither the state's `Debug` nor a log can show it.

use jid::BareJid;

use crate::config::Secret;
use crate::domain::AccountId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub account: AccountId,
    /// The account's JID (named in the question).
    pub jid: BareJid,
    pub step: Step,
    /// What is typed so far.
    pub typed: Secret,
    /// Why the last Enter was refused, shown after the question until the next key.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The new password, the first time.
    NewPassword,
    /// The new password again; it must match.
    RepeatPassword(Secret),
    /// The account's JID, typed out, to delete the account on the server.
    ConfirmUnregister,
}

impl Ask {
    pub fn new(account: AccountId, jid: BareJid, step: Step) -> Ask {
        Ask {
            account,
            jid,
            step,
            typed: Secret::new(String::new()),
            error: None,
        }
    }

    /// Is what is typed drawn as `*`?
    pub fn masked(&self) -> bool {
        !matches!(self.step, Step::ConfirmUnregister)
    }

    /// The question, before what is typed.
    pub fn question(&self) -> String {
        let jid = &self.jid;
        match self.step {
            Step::NewPassword => format!("New password for {jid} (Esc cancels): "),
            Step::RepeatPassword(_) => format!("The new password for {jid} again: "),
            Step::ConfirmUnregister => format!(
                "Delete the account {jid} on the server, for good? Type {jid} to confirm (Esc cancels): "
            ),
        }
    }

    /// What is typed, as drawn: `*` per character when masked.
    pub fn shown(&self) -> String {
        match self.masked() {
            true => "*".repeat(self.typed.chars()),
            false => crate::sanitize::sanitize(self.typed.expose(), usize::MAX),
        }
    }
}
