//! Writing back to the config file what the user asks to keep (`/save`: the watched
//! contacts), in place: its comments, order and layout stay (toml_edit).

use std::path::Path;

/// Sets `[watch] contacts` in the config file at `path` to `watches`; the rest of the file
/// is kept as it was. Errors are one sentence naming the file.
pub fn save_watches(path: &Path, watches: &[String]) -> Result<(), String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{shown} is not valid TOML any more, not saved: {e}"))?;
    let watch = doc
        .entry("watch")
        .or_insert_with(toml_edit::table)
        .as_table_like_mut()
        .ok_or_else(|| format!("{shown}: watch is not a table; not saved"))?;
    // An existing list is refilled in place: the comments around it stay.
    match watch
        .get_mut("contacts")
        .and_then(toml_edit::Item::as_array_mut)
    {
        Some(contacts) => {
            contacts.clear();
            contacts.extend(watches.iter().map(String::as_str));
        }
        None => {
            let contacts: toml_edit::Array = watches.iter().map(String::as_str).collect();
            watch.insert("contacts", toml_edit::value(contacts));
        }
    }
    std::fs::write(path, doc.to_string()).map_err(|e| format!("cannot write {shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_watches_keeps_comments_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let before = "# my config\n[account]\njid = \"me@x\"  # me\n\n[watch]\n# who\ncontacts = [\"old@x\"]\n";
        std::fs::write(&path, before).unwrap();
        save_watches(&path, &["bob@x".into(), "mum@x".into()]).unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            after,
            "# my config\n[account]\njid = \"me@x\"  # me\n\n[watch]\n# who\ncontacts = [\"bob@x\", \"mum@x\"]\n"
        );
        let without = dir.path().join("bare.toml");
        std::fs::write(&without, "[account]\njid = \"me@x\"\n").unwrap();
        save_watches(&without, &["bob@x".into()]).unwrap();
        let after = std::fs::read_to_string(&without).unwrap();
        assert!(
            after.ends_with("[watch]\ncontacts = [\"bob@x\"]\n"),
            "{after}"
        );
        assert!(save_watches(&dir.path().join("none.toml"), &[])
            .unwrap_err()
            .starts_with("cannot read"));
    }
}
