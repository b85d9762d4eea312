//! Tab in the command line (and a conversation's `/` line): what can be completed comes
//! from the state; repeated Tab cycles through the candidates, and the bottom line lists
//! them.

use crate::command::{self, complete::common_prefix, Context};
use crate::store::{Severity, State, TabCycle};

/// What Tab can complete now: accounts, groups and contacts (and subscription requests).
pub fn context(state: &State) -> Context {
    let mut groups: Vec<String> = state
        .accounts
        .values()
        .flat_map(|a| a.roster.groups().keys())
        .filter_map(|k| match k {
            crate::store::roster::GroupKey::Named(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    groups.sort();
    groups.dedup();
    let mut contacts: Vec<command::complete::Contact> = Vec::new();
    let mut add = |label: &str, names: Vec<String>, jid: &jid::BareJid| {
        if contacts.iter().any(|c| c.jid == jid.as_str()) {
            return;
        }
        contacts.push(command::complete::Contact {
            word: command::quote(label),
            names,
            jid: jid.to_string(),
        });
    };
    for c in state.accounts.values().flat_map(|a| a.roster.contacts()) {
        let nick = c.best().and_then(|(_, p)| p.nick.clone());
        let names = c.name.iter().chain(nick.iter()).map(|n| n.to_lowercase());
        add(c.label(), names.collect(), &c.jid);
    }
    for (id, nick) in state.subscription_requests.iter() {
        let label = nick.clone().unwrap_or_else(|| id.jid.to_string());
        add(
            &label,
            nick.iter().map(|n| n.to_lowercase()).collect(),
            &id.jid,
        );
    }
    // Two contacts with one name: each is inserted by its JID.
    let words: Vec<String> = contacts.iter().map(|c| c.word.to_lowercase()).collect();
    for c in &mut contacts {
        if words
            .iter()
            .filter(|w| **w == c.word.to_lowercase())
            .count()
            > 1
        {
            c.word.clone_from(&c.jid);
        }
    }
    Context {
        accounts: state.accounts.values().map(|a| a.name.clone()).collect(),
        contacts,
        groups,
    }
}

/// One Tab on `text`: the new text, or `None` (and a sentence) when nothing completes.
/// Several candidates: the first Tab adds what they share (or takes the first), each
/// further Tab takes the next one, round and round.
pub fn tab(state: &mut State, text: &str) -> Option<String> {
    if let Some(cycle) = state.ui.tab.as_mut().filter(|c| c.shown == text) {
        let line = cycle.lines.get(cycle.next)?.clone();
        cycle.next = (cycle.next + 1) % cycle.lines.len();
        cycle.shown.clone_from(&line);
        return Some(line);
    }
    state.ui.tab = None;
    let lines = command::candidates(text, &context(state));
    let shown = match lines.as_slice() {
        [] => {
            let sentence = "Nothing to complete here (Tab completes commands, contacts, groups, \
                            accounts and presence words).";
            state.ui.message = Some((sentence.into(), Severity::Info));
            return None;
        }
        [one] => return Some(one.clone()),
        many => many,
    };
    let prefix = common_prefix(shown);
    let (line, next) = if prefix.chars().count() > text.chars().count() {
        (prefix.clone(), 0)
    } else {
        (shown[0].clone(), 1 % shown.len())
    };
    let head_len = prefix.rfind(' ').map_or(1, |i| i + 1);
    let words: Vec<&str> = shown
        .iter()
        .map(|l| l.get(head_len..).unwrap_or(l).trim_end())
        .collect();
    state.ui.message = Some((
        format!("Tab again for each of: {}", words.join(", ")),
        Severity::Info,
    ));
    state.ui.tab = Some(TabCycle {
        shown: line.clone(),
        lines: lines.clone(),
        next,
    });
    Some(line)
}
