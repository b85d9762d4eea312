//! Tab completion of the command line: command names, `/account` names, and the fixed
//! words some commands take.

use super::{names, quote};

/// Tab completion of the command name: a unique match is completed (with a trailing space),
/// several are completed to their common prefix. Returns `None` when nothing changes.
pub fn complete(line: &str, accounts: &[String]) -> Option<String> {
    let word = line.strip_prefix('/').unwrap_or(line);
    if let Some(rest) = word.strip_prefix("account ") {
        return complete_account(rest, accounts);
    }
    if word.contains(char::is_whitespace) {
        return complete_argument(line);
    }
    let matches: Vec<&str> = names().filter(|n| n.starts_with(word)).collect();
    let completed = match matches.as_slice() {
        [] => return None,
        [one] => format!("/{one} "),
        many => {
            let prefix = common_prefix(many);
            format!("/{prefix}")
        }
    };
    (completed != line && completed.len() >= line.len()).then_some(completed)
}

/// Completes the account name of `/account`, then the command after it.
fn complete_account(rest: &str, accounts: &[String]) -> Option<String> {
    let rest = rest.trim_start();
    let quoted: Vec<String> = accounts.iter().map(|n| quote(n)).collect();
    if let Some(name) = quoted
        .iter()
        .find(|n| rest.starts_with(n.as_str()) && rest[n.len()..].starts_with(' '))
    {
        let tail = rest[name.len()..].trim_start();
        let done = complete(&format!("/{tail}"), accounts)?;
        return Some(format!("/account {name} {}", done.trim_start_matches('/')));
    }
    let matches: Vec<&str> = quoted
        .iter()
        .map(String::as_str)
        .filter(|n| n.to_lowercase().starts_with(&rest.to_lowercase()))
        .collect();
    match matches.as_slice() {
        [] => None,
        [one] => Some(format!("/account {one} ")),
        many => {
            let p = common_prefix(many);
            (p.len() > rest.len()).then(|| format!("/account {p}"))
        }
    }
}

/// Completes `/status set <show>` and `/status <sub>`.
fn complete_argument(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let trailing_space = line.ends_with(' ');
    let (candidates, prefix_words): (&[&str], usize) = match (words.as_slice(), trailing_space) {
        (["/status"], true) => (&["set", "text", "clear", "get"], 1),
        (["/status", _], false) => (&["set", "text", "clear", "get"], 1),
        (["/group"], true) => (&["add", "remove"], 1),
        (["/group", _], false) => (&["add", "remove"], 1),
        (["/status", "set"], true) => (&["online", "chat", "away", "xa", "dnd"], 2),
        (["/status", "set", _], false) => (&["online", "chat", "away", "xa", "dnd"], 2),
        _ => return None,
    };
    let partial = if trailing_space {
        ""
    } else {
        words.last().copied().unwrap_or("")
    };
    let matches: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.starts_with(partial))
        .collect();
    let head = words[..prefix_words].join(" ");
    match matches.as_slice() {
        [one] => Some(format!("{head} {one} ")),
        [] => None,
        many => {
            let p = common_prefix(many);
            (p.len() > partial.len()).then(|| format!("{head} {p}"))
        }
    }
}

fn common_prefix(words: &[&str]) -> String {
    let first = words.first().copied().unwrap_or("");
    let mut len = first.len();
    for w in words {
        len = len.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first[..len].to_owned()
}
