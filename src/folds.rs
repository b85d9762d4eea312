//! Folded roster groups, remembered across runs in a small text file of their own beside
//! the database (`folds.txt`; nothing is written when storage is off). One group per line:
//! `account <TAB> group`, the group as `=Name`, `*ungrouped` or `*not-in-roster`; the
//! account is empty when one roster shows every account (the default), else its name.

use std::path::{Path, PathBuf};

use crate::store::roster::GroupKey;
use crate::store::view::GroupRef;
use crate::store::State;

/// The folds file beside the database file `storage`.
pub fn path_for(storage: &Path) -> PathBuf {
    storage.with_file_name("folds.txt")
}

fn encode(state: &State, group: &GroupRef) -> Option<String> {
    let account = match group.section {
        Some(id) => state.account(id)?.name.clone(),
        None => String::new(),
    };
    let key = match &group.key {
        GroupKey::Named(name) => format!("={name}"),
        GroupKey::Ungrouped => "*ungrouped".into(),
        GroupKey::NotInRoster => "*not-in-roster".into(),
    };
    (!account.contains('\t') && !key.contains('\n')).then(|| format!("{account}\t{key}"))
}

fn decode(state: &State, line: &str) -> Option<GroupRef> {
    let (account, key) = line.split_once('\t')?;
    let section = match account {
        "" => None,
        name => Some(state.account_named(name)?),
    };
    let key = match key {
        "*ungrouped" => GroupKey::Ungrouped,
        "*not-in-roster" => GroupKey::NotInRoster,
        other => GroupKey::Named(other.strip_prefix('=')?.to_owned()),
    };
    Some(GroupRef { section, key })
}

/// Folds the groups listed in `path`; a missing or unreadable file folds nothing.
pub fn load(path: &Path, state: &mut State) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let folded: Vec<GroupRef> = text.lines().filter_map(|l| decode(state, l)).collect();
    state.ui.filter.folded.extend(folded);
}

/// Writes the folded groups to `path` (removes it when none is folded).
pub fn save(path: &Path, state: &State) -> std::io::Result<()> {
    let lines: Vec<String> = state
        .ui
        .filter
        .folded
        .iter()
        .filter_map(|g| encode(state, g))
        .collect();
    if lines.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    std::fs::write(path, lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::mixed_state;

    #[test]
    fn folds_survive_a_restart() {
        let dir = std::env::temp_dir().join(format!("rosterm-folds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = path_for(&dir.join("rosterm.sqlite3"));
        let mut s = mixed_state();
        for key in [GroupKey::Named("Work".into()), GroupKey::Ungrouped] {
            s.ui.filter.folded.insert(GroupRef { section: None, key });
        }
        save(&path, &s).unwrap();
        let mut next = mixed_state();
        load(&path, &mut next);
        assert_eq!(next.ui.filter.folded, s.ui.filter.folded);
        let screen = crate::test_support::text(&crate::test_support::render(&mut next, 100, 16));
        assert!(
            screen.contains("▸ Work") && !screen.contains("Frank"),
            "{screen}"
        );
        next.ui.filter.folded.clear();
        save(&path, &next).unwrap();
        assert!(!path.exists(), "nothing folded, no file");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
