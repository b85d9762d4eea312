//! Which key a serde error is about. toml reports a byte span and a message ("invalid type:
//! string \"x\", expected i64"); the document, parsed again with spans, says which key holds
//! that span, named the way every config error names it: `account[2].port`.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::ConfigError;

/// The error for text that toml could not turn into the raw config.
pub(super) fn error(path: &Path, text: &str, mut e: toml::de::Error) -> ConfigError {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(syntax) => return syntax_error(path, text, syntax),
    };
    let key = e
        .span()
        .and_then(|span| Some((key_at(root.get_ref(), span.start)?, span)));
    match key {
        Some((key, span)) => {
            let (line, column) = line_column(text, span.start);
            // serde names the Rust type of every integer field.
            let message = e.message().replace("expected i64", "expected an integer");
            ConfigError::Invalid {
                path: path.to_owned(),
                key,
                message: format!("{message} (line {line}, column {column})"),
            }
        }
        None => {
            e.set_input(Some(text));
            parse_error(path, &e)
        }
    }
}

/// Not TOML at all; toml's own message, except for the one mistake toml words as "duplicate
/// key": an `[account]` table beside `[[account]]` tables.
fn syntax_error(path: &Path, text: &str, mut e: toml::de::Error) -> ConfigError {
    let at = e.span().and_then(|span| text.get(span));
    if at == Some("account") && e.message().starts_with("duplicate key") && mixes_accounts(text) {
        let line = e.span().map_or(0, |span| line_column(text, span.start).0);
        return ConfigError::Invalid {
            path: path.to_owned(),
            key: "account".into(),
            message: format!("an [account] table and [[account]] tables cannot be mixed (line {line}); write every account as [[account]]"),
        };
    }
    e.set_input(Some(text));
    parse_error(path, &e)
}

fn parse_error(path: &Path, e: &toml::de::Error) -> ConfigError {
    ConfigError::Parse {
        path: path.to_owned(),
        message: toml_message(e),
    }
}

/// Whether the text has both an `[account]` and an `[[account]]` header line.
fn mixes_accounts(text: &str) -> bool {
    let headers: Vec<String> = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .map(|line| line.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    headers.iter().any(|h| h == "[account]") && headers.iter().any(|h| h == "[[account]]")
}

/// toml's multi-line report as one line: "TOML parse error at line 3, column 5: <what>".
fn toml_message(e: &toml::de::Error) -> String {
    let text = e.to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("TOML parse error");
    match lines.next_back() {
        Some(last) => format!("{first}: {}", last.trim_start_matches('|').trim()),
        None => first.to_owned(),
    }
}

/// 1-based line and column (in characters) of byte `pos`.
fn line_column(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// The key whose name or value holds byte `pos` (the innermost one): `presence.show`,
/// `account.jid`, `account[2].presence.show`, `watch.contacts[1]`.
fn key_at(root: &DeTable<'_>, pos: usize) -> Option<String> {
    let mut spans = Vec::new();
    walk_table(root, "", &mut spans);
    spans
        .into_iter()
        .filter(|(_, span)| span.start <= pos && pos < span.end.max(span.start + 1))
        .min_by_key(|(_, span)| span.len())
        .map(|(key, _)| key)
}

fn walk_table(table: &DeTable<'_>, prefix: &str, out: &mut Vec<(String, Range<usize>)>) {
    for (key, value) in table {
        let name = format!("{prefix}{}", key.get_ref());
        let (k, v) = (key.span(), value.span());
        out.push((name.clone(), k.clone()));
        out.push((name.clone(), v.clone()));
        if k.start < v.end {
            out.push((name.clone(), k.start..v.end));
        }
        walk_value(value.get_ref(), &name, out);
    }
}

fn walk_value(value: &DeValue<'_>, name: &str, out: &mut Vec<(String, Range<usize>)>) {
    match value {
        DeValue::Table(table) => walk_table(table, &format!("{name}."), out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = format!("{name}[{}]", i + 1);
                out.push((name.clone(), item.span()));
                walk_value(item.get_ref(), &name, out);
            }
        }
        _ => {}
    }
}
