//! Contact references typed in commands, resolved against the state: a roster name, a nick
//! or a JID, or a unique case-insensitive prefix of one. An exact match wins over prefixes;
//! an ambiguous reference lists its candidates, an unknown one says so — each in one
//! sentence. A JID nobody knows still resolves (to approve a stranger, message anyone).

use jid::BareJid;

use crate::domain::ContactId;
use crate::store::State;
use crate::update::contacts;
use crate::update::presence::Scope;

/// A contact the reference may mean: its JID, label and the lowercase texts it goes by.
struct Known {
    jid: BareJid,
    label: String,
    names: Vec<String>,
}

impl Known {
    fn is(&self, text: &str) -> bool {
        self.jid.as_str().eq_ignore_ascii_case(text) || self.names.iter().any(|n| n == text)
    }

    fn starts(&self, text: &str) -> bool {
        self.jid.as_str().to_lowercase().starts_with(text)
            || self.names.iter().any(|n| n.starts_with(text))
    }
}

/// Every contact (and subscription request) of the accounts in `scope`.
fn known(state: &State, scope: Scope) -> Vec<Known> {
    let mut out: Vec<Known> = Vec::new();
    for id in scope.accounts(state) {
        let Some(account) = state.account(id) else {
            continue;
        };
        for c in account.roster.contacts() {
            let nick = c.best().and_then(|(_, p)| p.nick.clone());
            let names = c.name.iter().chain(nick.iter()).map(|n| n.to_lowercase());
            out.push(Known {
                jid: c.jid.clone(),
                label: c.label().to_owned(),
                names: names.collect(),
            });
        }
    }
    for (id, nick) in state.subscription_requests.iter() {
        if scope.accounts(state).contains(&id.account) {
            out.push(Known {
                jid: id.jid.clone(),
                label: nick.clone().unwrap_or_else(|| id.jid.to_string()),
                names: nick.iter().map(|n| n.to_lowercase()).collect(),
            });
        }
    }
    out
}

/// The contact `text` means, through its account (see `contacts::resolve`).
pub fn contact(state: &State, scope: Scope, text: &str) -> Result<ContactId, String> {
    let jid = jid_of(state, scope, text)?;
    contacts::resolve(state, scope, jid)
}

/// The JID `text` means, in any account of `scope`.
pub fn jid_of(state: &State, scope: Scope, text: &str) -> Result<BareJid, String> {
    let text = text.trim().trim_matches('"');
    let lower = text.to_lowercase();
    let all = known(state, scope);
    let exact: Vec<&Known> = all.iter().filter(|k| k.is(&lower)).collect();
    let found = if exact.is_empty() {
        all.iter().filter(|k| k.starts(&lower)).collect()
    } else {
        exact
    };
    let mut jids: Vec<&Known> = Vec::new();
    for k in found {
        if !jids.iter().any(|j| j.jid == k.jid) {
            jids.push(k);
        }
    }
    match jids.as_slice() {
        [one] => Ok(one.jid.clone()),
        [] => match BareJid::new(text) {
            Ok(jid) if jid.node().is_some() => Ok(jid),
            _ => Err(format!(
                "No contact matches {text:?}; use a roster name, nick or JID like \
                 bob@example.org (Tab completes)."
            )),
        },
        many => Err(ambiguous(text, many)),
    }
}

fn ambiguous(text: &str, many: &[&Known]) -> String {
    const SHOWN: usize = 6;
    let mut list: Vec<String> = many
        .iter()
        .take(SHOWN)
        .map(|k| {
            if k.label == k.jid.as_str() {
                k.label.clone()
            } else {
                format!("{} ({})", k.label, k.jid)
            }
        })
        .collect();
    if many.len() > SHOWN {
        list.push(format!("and {} more", many.len() - SHOWN));
    }
    format!(
        "{text:?} could be {}; type more of it, or Tab to choose.",
        list.join(", ")
    )
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
