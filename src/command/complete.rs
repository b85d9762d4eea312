//! Tab completion of the command line: command names, then each argument by its kind in the
//! command table ([`super::Arg`]): contacts, groups, accounts, show values, state words and
//! subcommands. What exists (contacts, groups, accounts) comes from the caller's
//! [`Context`]; this module knows nothing of the state.
//!
//! [`candidates`] lists every completion (whole lines); [`complete`] is one Tab without
//! cycling (a unique candidate, or the common prefix of several). The editor cycles through
//! the candidates on repeated Tab (`update::complete`).

use super::{names, quote, Arg, COMMANDS, NONE, STATES};

/// What can be completed right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    pub accounts: Vec<String>,
    pub contacts: Vec<Contact>,
    /// Group names as shown in the roster.
    pub groups: Vec<String>,
}

/// A contact as Tab offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// What is inserted when the name or nick matches: the name (quoted when it holds
    /// spaces), or the JID when another contact has the same name.
    pub word: String,
    /// The roster name and nick, lowercase.
    pub names: Vec<String>,
    /// The bare JID, inserted when only it matches.
    pub jid: String,
}

impl Context {
    /// Only account names (tests, and callers without a roster).
    pub fn accounts(accounts: &[String]) -> Context {
        Context {
            accounts: accounts.to_vec(),
            ..Context::default()
        }
    }
}

const SHOWS: &[&str] = &["online", "chat", "away", "xa", "dnd"];

/// One Tab without cycling: a unique match is completed (with a trailing space after a
/// word), several are completed to their common prefix. `None` when nothing changes.
pub fn complete(line: &str, ctx: &Context) -> Option<String> {
    let all = candidates(line, ctx);
    let done = match all.as_slice() {
        [] => return None,
        [one] => one.clone(),
        many => common_prefix(many),
    };
    (done != line && done.chars().count() >= line.chars().count()).then_some(done)
}

/// Every completion of `line` (each a whole line), sorted, without repeats.
pub fn candidates(line: &str, ctx: &Context) -> Vec<String> {
    let Some(body) = line.strip_prefix('/') else {
        return Vec::new();
    };
    let mut out = match body.find(char::is_whitespace) {
        None => names()
            .filter(|n| n.starts_with(body))
            .map(|n| format!("/{n} "))
            .collect(),
        Some(i) => {
            let name = &body[..i];
            COMMANDS
                .iter()
                .find(|c| c.name == name || c.aliases.contains(&name))
                .map(|spec| arguments(&format!("/{name}"), spec.args, &body[i..], ctx))
                .unwrap_or_default()
        }
    };
    out.sort();
    out.dedup();
    out
}

/// Completions of `rest`, the arguments after `head`, whose kinds are `kinds`.
fn arguments(head: &str, kinds: &[Arg], rest: &str, ctx: &Context) -> Vec<String> {
    let Some(kind) = kinds.first() else {
        return Vec::new();
    };
    let rest = rest.trim_start();
    match kind {
        Arg::Group => {
            let groups = ctx
                .groups
                .iter()
                .map(|g| (g.clone(), vec![g.to_lowercase()]));
            return matching(groups, rest)
                .map(|g| format!("{head} {g}"))
                .collect();
        }
        Arg::Command => {
            return candidates(&format!("/{rest}"), ctx)
                .into_iter()
                .map(|c| format!("{head} {}", c.trim_start_matches('/')))
                .collect()
        }
        _ => {}
    }
    if let Some((word, after)) = next_word(rest) {
        let next = match kind {
            Arg::Sub(subs) => subs
                .iter()
                .find(|(w, _)| *w == word)
                .map_or(NONE, |(_, a)| *a),
            _ => &kinds[1..],
        };
        return arguments(&format!("{head} {word}"), next, after, ctx);
    }
    options(kind, ctx, rest)
        .into_iter()
        .map(|o| format!("{head} {o} "))
        .collect()
}

/// The words of one kind that `partial` may become.
fn options(kind: &Arg, ctx: &Context, partial: &str) -> Vec<String> {
    let fixed = |words: &[&str]| -> Vec<String> {
        let words = words
            .iter()
            .map(|w| ((*w).to_owned(), vec![(*w).to_owned()]));
        matching(words, partial).collect()
    };
    match kind {
        Arg::Show => fixed(SHOWS),
        Arg::State => fixed(STATES),
        Arg::Sub(subs) => fixed(&subs.iter().map(|(w, _)| *w).collect::<Vec<_>>()),
        Arg::Account => {
            let accounts = ctx
                .accounts
                .iter()
                .map(|a| (quote(a), vec![a.to_lowercase()]));
            matching(accounts, partial).collect()
        }
        Arg::Contact => contacts(ctx, partial),
        Arg::Group | Arg::Command => Vec::new(),
    }
}

/// Contacts whose name or nick starts with `partial` (inserted as the name), or else whose
/// JID does (inserted as the JID).
fn contacts(ctx: &Context, partial: &str) -> Vec<String> {
    let p = partial.trim_start_matches('"').to_lowercase();
    ctx.contacts
        .iter()
        .filter_map(|c| {
            if c.names.iter().any(|n| n.starts_with(&p)) {
                Some(c.word.clone())
            } else {
                c.jid.to_lowercase().starts_with(&p).then(|| c.jid.clone())
            }
        })
        .collect()
}

/// The words (with their lowercase keys) some key of which starts with `partial`,
/// case-insensitively.
fn matching<'a>(
    words: impl Iterator<Item = (String, Vec<String>)> + 'a,
    partial: &str,
) -> impl Iterator<Item = String> + 'a {
    let p = partial.trim_start_matches('"').to_lowercase();
    words.filter_map(move |(word, keys)| keys.iter().any(|k| k.starts_with(&p)).then_some(word))
}

/// A finished word at the start of `rest` (followed by a space; quoted words end at their
/// quote) and what follows; `None` while the word is still being typed.
fn next_word(rest: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')? + 2;
        return rest[end..]
            .starts_with(char::is_whitespace)
            .then(|| (&rest[..end], &rest[end..]));
    }
    let i = rest.find(char::is_whitespace)?;
    Some((&rest[..i], &rest[i..]))
}

/// The longest common prefix, by characters.
pub fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut len = first.chars().count();
    for w in words {
        len = len.min(
            first
                .chars()
                .zip(w.chars())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first.chars().take(len).collect()
}

#[cfg(test)]
#[path = "complete_tests.rs"]
mod tests;
