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
    /// One field of a gateway's registration form (`/register GATEWAY`).
    Gateway(Box<GatewayForm>),
}

/// A gateway's form being filled, one prompt at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayForm {
    pub gateway: BareJid,
    pub form: crate::register::form::Form,
    pub prompts: Vec<crate::register::form::Prompt>,
    /// The prompt being answered.
    pub index: usize,
    /// What was typed for the prompts before it (var, text).
    pub answers: Vec<(String, Secret)>,
}

impl GatewayForm {
    pub fn prompt(&self) -> Option<&crate::register::form::Prompt> {
        self.prompts.get(self.index)
    }
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
        match &self.step {
            Step::ConfirmUnregister => false,
            Step::Gateway(g) => g.prompt().is_some_and(|p| p.hidden),
            Step::NewPassword | Step::RepeatPassword(_) => true,
        }
    }

    /// The question, before what is typed.
    pub fn question(&self) -> String {
        let jid = &self.jid;
        match &self.step {
            Step::Gateway(g) => gateway_question(g),
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

/// "irc.example.org (1/2, Esc cancels) Enter your credentials. Username: ": the form's
/// instructions with its first prompt only (the prompt texts are sanitized by the form).
fn gateway_question(g: &GatewayForm) -> String {
    let Some(prompt) = g.prompt() else {
        return String::new();
    };
    let count = format!("{}/{}", g.index + 1, g.prompts.len());
    let mut intro = String::new();
    if g.index == 0 && g.form.registered {
        intro.push_str("You are registered already: this changes it. ");
    }
    if g.index == 0 {
        for line in g.form.instructions.iter().chain(g.form.notes().iter()) {
            intro.push_str(line.trim());
            intro.push(' ');
        }
    }
    format!(
        "{} ({count}, Esc cancels) {intro}{}: ",
        g.gateway, prompt.text
    )
}
