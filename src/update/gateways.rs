//! `/gateways` and `/register GATEWAY` (XEP-0100, see `domain::gateway`): the list on the
//! status line, and the gateway's registration form answered one field at a time at the
//! bottom line (`store::ask`, a password field masked), then sent in one piece.

use jid::BareJid;

use crate::config::Secret;
use crate::domain::gateway::Gateway;
use crate::domain::AccountId;
use crate::event::Command;
use crate::register::form::Form;
use crate::store::ask::{Ask, GatewayForm, Step};
use crate::store::{Mode, Severity, State};
use crate::update::presence::Scope;
use crate::update::Effect;

fn say(state: &mut State, text: String, severity: Severity) -> Vec<Effect> {
    state.ui.message = Some((text, severity));
    Vec::new()
}

/// `/gateways`: every account's gateways on the status line.
pub fn list(state: &mut State) -> Vec<Effect> {
    let multi = state.multi();
    let mut shown = Vec::new();
    let mut asking = Vec::new();
    for account in state.accounts.values() {
        match &account.gateways {
            None => asking.push(account.jid.domain().to_string()),
            Some(found) => shown.extend(found.iter().map(|g| match multi {
                true => format!("{}: {}", account.name, describe(g)),
                false => describe(g),
            })),
        }
    }
    let text = match (shown.is_empty(), asking.is_empty()) {
        (false, _) => format!(
            "Gateways: {} (/register GATEWAY to use one)",
            shown.join(", ")
        ),
        (true, true) => "No gateways: the server lists none (XEP-0100).".to_owned(),
        (true, false) => format!(
            "No gateways known yet: still asking {} (or not connected).",
            asking.join(", ")
        ),
    };
    say(state, text, Severity::Info)
}

fn describe(g: &Gateway) -> String {
    let mut text = g.describe();
    if !g.registration {
        text.push_str(" no registration");
    }
    text
}

/// The account `/register GATEWAY` is for: the one named, the one whose server lists the
/// gateway, or the only one; it must be online.
fn account_of(state: &State, scope: Scope, gateway: &BareJid) -> Result<AccountId, String> {
    let lists = |id: &AccountId| {
        state
            .account(*id)
            .and_then(|a| a.gateways.as_ref())
            .is_some_and(|g| g.iter().any(|g| g.jid == *gateway))
    };
    let id = match scope {
        Scope::One(id) => id,
        Scope::All if state.accounts.len() == 1 => state.primary().id,
        Scope::All => match state.accounts.keys().find(|id| lists(id)) {
            Some(id) => *id,
            None => {
                return Err(format!(
                "Which account? No server lists {gateway}; use /account NAME /register {gateway}."
            ))
            }
        },
    };
    crate::update::account_admin::online(state, id, "/register").map(|(id, _)| id)
}

/// `/register GATEWAY`: asks the gateway for its form.
pub fn register(state: &mut State, scope: Scope, gateway: BareJid) -> Vec<Effect> {
    match account_of(state, scope, &gateway) {
        Ok(id) => {
            let text = format!("Asking {gateway} for its registration form…");
            state.ui.message = Some((text, Severity::Info));
            vec![Effect::Send(id, Command::GatewayForm(gateway))]
        }
        Err(why) => say(state, why, Severity::Error),
    }
}

/// The gateway's form arrived: its first field is asked.
pub fn form_arrived(
    state: &mut State,
    account: AccountId,
    gateway: BareJid,
    form: Form,
) -> Vec<Effect> {
    let Some(jid) = state.account(account).map(|a| a.jid.clone()) else {
        return Vec::new();
    };
    let prompts = form.gateway_prompts();
    let filling = GatewayForm {
        gateway,
        form,
        prompts,
        index: 0,
        answers: Vec::new(),
    };
    if filling.prompt().is_none() {
        // Nothing to ask (every field hidden): send it as it is.
        return send(state, account, filling);
    }
    state.ui.mode = Mode::Ask(Ask::new(account, jid, Step::Gateway(Box::new(filling))));
    Vec::new()
}

/// Enter on one field: the next one is asked, or the form is sent after the last.
pub fn submit(state: &mut State, mut ask: Ask, mut filling: GatewayForm) -> Vec<Effect> {
    let Some(prompt) = filling.prompt().cloned() else {
        state.ui.mode = Mode::Normal;
        return Vec::new();
    };
    if prompt.required && ask.typed.expose().trim().is_empty() {
        ask.error = Some(format!(
            "{} gets an answer: it is required",
            filling.gateway
        ));
        ask.step = Step::Gateway(Box::new(filling));
        state.ui.mode = Mode::Ask(ask);
        return Vec::new();
    }
    filling.answers.push((prompt.var, ask.typed.clone()));
    filling.index += 1;
    if filling.prompt().is_some() {
        ask.typed = Secret::new(String::new());
        ask.error = None;
        ask.step = Step::Gateway(Box::new(filling));
        state.ui.mode = Mode::Ask(ask);
        return Vec::new();
    }
    // The whole form checked before it leaves (a y/n, an option, a required field).
    if let Err(why) = filling.form.submit_typed(&filling.answers) {
        ask.error = Some(why);
        filling.index -= 1;
        filling.answers.pop();
        ask.step = Step::Gateway(Box::new(filling));
        state.ui.mode = Mode::Ask(ask);
        return Vec::new();
    }
    state.ui.mode = Mode::Normal;
    send(state, ask.account, filling)
}

fn send(state: &mut State, account: AccountId, filling: GatewayForm) -> Vec<Effect> {
    let text = format!("Registering with {}…", filling.gateway);
    state.ui.message = Some((text, Severity::Info));
    vec![Effect::Send(
        account,
        Command::GatewayRegister {
            gateway: filling.gateway,
            form: filling.form,
            answers: filling.answers,
        },
    )]
}

/// The gateway accepted the registration.
pub fn registered(state: &mut State, gateway: &BareJid) {
    let text = format!(
        "Registered with {gateway}; it is added to your contacts (its request to see your presence is approved) and its contacts show its network."
    );
    state.ui.message = Some((text, Severity::Info));
}

#[cfg(test)]
#[path = "gateways_tests.rs"]
mod tests;
