//! Keys to [`Action`]s: the pinned defaults, merged with the user's `[keys]` table.
//!
//! To add an action: add a variant, give it a name, a description and default keys in
//! [`Action::ALL`], and handle it in `update::apply_action`.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    SetOnline,
    SetChat,
    SetAway,
    SetXa,
    SetDnd,
    EditStatus,
    EditPriority,
    CommandLine,
    ApproveRequest,
    ApproveAndSubscribe,
    DenyRequest,
    AddContact,
    RemoveContact,
    RenameContact,
    GroupContact,
    ContactInfo,
    ToggleTimeline,
    FilterTimeline,
    ToggleOnlineOnly,
    Search,
    OpenChat,
    NextChat,
    PrevChat,
    UndoPresence,
    ToggleFold,
    FoldAll,
    UnfoldAll,
    TimelineList,
}

/// The pane (or popup) that has the keyboard: a key means an action only in the panes where
/// that action makes sense, so that typing in an input never triggers a presence key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The roster: every action.
    Roster,
    /// A popup over the roster (help, contact detail, who): scrolling and closing.
    Popup,
    /// A conversation: typed characters go to its input; only keys that cannot be text
    /// (Tab, page keys, F1, Ctrl-C) mean actions.
    Chat,
}

impl Action {
    /// Is this action available in `pane`?
    pub fn allowed_in(self, pane: Pane) -> bool {
        match pane {
            Pane::Roster => true,
            Pane::Chat => matches!(
                self,
                Action::Quit
                    | Action::Help
                    | Action::PageDown
                    | Action::PageUp
                    | Action::NextChat
                    | Action::PrevChat
            ),
            Pane::Popup => matches!(
                self,
                Action::Quit
                    | Action::Help
                    | Action::MoveDown
                    | Action::MoveUp
                    | Action::PageDown
                    | Action::PageUp
                    | Action::Top
                    | Action::Bottom
            ),
        }
    }
}

/// (action, config name, description, default keys)
type ActionSpec = (Action, &'static str, &'static str, &'static [&'static str]);

impl Action {
    pub const ALL: &'static [ActionSpec] = &[
        (
            Action::SetOnline,
            "set_presence_online",
            "set presence: online",
            &["o"],
        ),
        (
            Action::SetChat,
            "set_presence_chat",
            "set presence: free for chat",
            &["c"],
        ),
        (
            Action::SetAway,
            "set_presence_away",
            "set presence: away",
            &["a"],
        ),
        (
            Action::SetXa,
            "set_presence_xa",
            "set presence: extended away",
            &["x"],
        ),
        (
            Action::SetDnd,
            "set_presence_dnd",
            "set presence: do not disturb",
            &["d"],
        ),
        (
            Action::UndoPresence,
            "undo_presence",
            "undo the last presence change (show, status, priority; again: redo)",
            &["u"],
        ),
        (
            Action::EditStatus,
            "edit_status",
            "edit status text",
            &["s"],
        ),
        (
            Action::EditPriority,
            "edit_priority",
            "edit priority",
            &["p"],
        ),
        (
            Action::CommandLine,
            "command_line",
            "open the command line",
            &["/"],
        ),
        (
            Action::ApproveRequest,
            "approve_request",
            "approve the first subscription request",
            &["y"],
        ),
        (
            Action::ApproveAndSubscribe,
            "approve_and_subscribe",
            "approve it and ask to see theirs too",
            &["Y"],
        ),
        (
            Action::DenyRequest,
            "deny_request",
            "deny the first subscription request",
            &["n"],
        ),
        (
            Action::AddContact,
            "add_contact",
            "add a contact (/add)",
            &["+"],
        ),
        (
            Action::RemoveContact,
            "remove_contact",
            "remove the selected contact (asks first)",
            &["-"],
        ),
        (
            Action::RenameContact,
            "rename_contact",
            "rename the selected contact",
            &["r"],
        ),
        (
            Action::GroupContact,
            "group_contact",
            "put the selected contact in a group (/group add)",
            &["m"],
        ),
        (
            Action::ContactInfo,
            "contact_info",
            "every resource of the selected contact",
            &["i"],
        ),
        (
            Action::OpenChat,
            "open_chat",
            "open a conversation with the selected contact (Esc returns here)",
            &["enter"],
        ),
        (
            Action::NextChat,
            "next_chat",
            "next conversation (Alt-1..9: that one, Alt-0: the roster)",
            &["tab"],
        ),
        (
            Action::PrevChat,
            "prev_chat",
            "previous conversation",
            &["backtab"],
        ),
        (
            Action::ToggleFold,
            "toggle_fold",
            "fold / unfold the selected group (Enter on its header too)",
            &["space"],
        ),
        (Action::FoldAll, "fold_all", "fold every group", &["z"]),
        (
            Action::UnfoldAll,
            "unfold_all",
            "unfold every group",
            &["Z"],
        ),
        (
            Action::ToggleTimeline,
            "toggle_timeline",
            "show or hide the presence timeline",
            &["t"],
        ),
        (
            Action::TimelineList,
            "timeline_list",
            "the whole timeline in a list that scrolls",
            &["L"],
        ),
        (
            Action::FilterTimeline,
            "filter_timeline",
            "timeline: only the selected contact / everyone",
            &["T"],
        ),
        (
            Action::ToggleOnlineOnly,
            "toggle_online_only",
            "roster: hide / show offline contacts",
            &["O"],
        ),
        (
            Action::Search,
            "search",
            "roster: search by name or JID (live)",
            &["f"],
        ),
        (
            Action::MoveDown,
            "move_down",
            "select next row",
            &["j", "down"],
        ),
        (
            Action::MoveUp,
            "move_up",
            "select previous row",
            &["k", "up"],
        ),
        (
            Action::PageDown,
            "page_down",
            "page down",
            &["pagedown", "ctrl-f"],
        ),
        (Action::PageUp, "page_up", "page up", &["pageup", "ctrl-b"]),
        (Action::Top, "top", "jump to the first row", &["g", "home"]),
        (
            Action::Bottom,
            "bottom",
            "jump to the last row",
            &["G", "end"],
        ),
        (Action::Help, "help", "show or hide this help", &["?", "f1"]),
        (Action::Quit, "quit", "quit rosterm", &["q", "ctrl-c"]),
    ];

    pub fn name(self) -> &'static str {
        Self::spec(self).1
    }

    pub fn description(self) -> &'static str {
        Self::spec(self).2
    }

    fn spec(action: Action) -> &'static ActionSpec {
        // Every variant is listed in ALL (checked by a test).
        Self::ALL
            .iter()
            .find(|s| s.0 == action)
            .unwrap_or(&Self::ALL[0])
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Self::ALL.iter().find(|s| s.1 == name).map(|s| s.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeymapError {
    UnknownAction {
        action: String,
        valid: String,
    },
    BadKey {
        action: String,
        key: String,
        reason: String,
    },
}

/// A key with its modifiers, normalized so that `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyCombo {
    pub fn from_event(ev: &KeyEvent) -> KeyCombo {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::Char(c) => {
                // Shift is already in the character ('G'), except with ctrl/alt on some terminals.
                mods.remove(KeyModifiers::SHIFT);
                if mods.is_empty() {
                    KeyCode::Char(c)
                } else {
                    KeyCode::Char(c.to_ascii_lowercase())
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyCombo { code, mods }
    }

    /// Parses `a`, `G`, `?`, `ctrl-c`, `alt-x`, `enter`, `pagedown`, `f1`, `space`...
    pub fn parse(text: &str) -> Result<KeyCombo, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 {
                if let Some(r) = lower
                    .strip_prefix("ctrl-")
                    .or_else(|| lower.strip_prefix("c-"))
                {
                    mods |= KeyModifiers::CONTROL;
                    rest = &rest[rest.len() - r.len()..];
                    continue;
                }
                if let Some(r) = lower
                    .strip_prefix("alt-")
                    .or_else(|| lower.strip_prefix("m-"))
                {
                    mods |= KeyModifiers::ALT;
                    rest = &rest[rest.len() - r.len()..];
                    continue;
                }
            }
            break;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err("empty key name".into()),
            (Some(c), None) => {
                if mods.is_empty() {
                    KeyCode::Char(c)
                } else {
                    KeyCode::Char(c.to_ascii_lowercase())
                }
            }
            _ => named_key(&rest.to_ascii_lowercase())?,
        };
        Ok(KeyCombo { code, mods })
    }

    /// The way the help overlay writes this key.
    pub fn display(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("Space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::F(n) => s.push_str(&format!("F{n}")),
            KeyCode::PageUp => s.push_str("PageUp"),
            KeyCode::PageDown => s.push_str("PageDown"),
            KeyCode::BackTab => s.push_str("Shift-Tab"),
            other => s.push_str(&format!("{other:?}")),
        }
        s
    }
}

/// A key written by name: `enter`, `pagedown`, `f5`...
fn named_key(name: &str) -> Result<KeyCode, String> {
    Ok(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" => KeyCode::Insert,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            Some(n) if (1..=24).contains(&n) => KeyCode::F(n),
            _ => return Err(
                "expected one character, a name (enter, esc, tab, space, up, down, left, right, home, end, pageup, pagedown, backspace, delete, f1..f24) or ctrl-/alt- plus one of those"
                    .into(),
            ),
        },
    })
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: HashMap<KeyCombo, Action>,
    /// Keys per action, in the order they were given, for the help overlay.
    keys: BTreeMap<Action, Vec<KeyCombo>>,
}

impl Default for Keymap {
    fn default() -> Self {
        // The defaults are valid key names (checked by a test), so no override can fail here.
        Self::with_overrides(&BTreeMap::new()).unwrap_or_else(|_| Keymap {
            bindings: HashMap::new(),
            keys: BTreeMap::new(),
        })
    }
}

impl Keymap {
    /// The defaults, with each action named in `overrides` bound to exactly the given keys.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, KeymapError> {
        let mut keys: BTreeMap<Action, Vec<KeyCombo>> = BTreeMap::new();
        for (action, _, _, defaults) in Action::ALL {
            let parsed = defaults
                .iter()
                .map(|k| KeyCombo::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|reason| KeymapError::BadKey {
                    action: action.name().into(),
                    key: defaults.join(","),
                    reason,
                })?;
            keys.insert(*action, parsed);
        }
        let mut user: Vec<(Action, Vec<KeyCombo>)> = Vec::new();
        for (name, list) in overrides {
            let action = Action::from_name(name).ok_or_else(|| KeymapError::UnknownAction {
                action: name.clone(),
                valid: Action::ALL
                    .iter()
                    .map(|s| s.1)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            let combos = list
                .iter()
                .map(|k| {
                    KeyCombo::parse(k).map_err(|reason| KeymapError::BadKey {
                        action: name.clone(),
                        key: k.clone(),
                        reason,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            user.push((action, combos));
        }
        // User bindings replace the action's defaults and steal their keys from other actions.
        for (action, combos) in &user {
            for list in keys.values_mut() {
                list.retain(|k| !combos.contains(k));
            }
            keys.insert(*action, combos.clone());
        }
        let mut bindings = HashMap::new();
        for (action, list) in &keys {
            for combo in list {
                bindings.insert(*combo, *action);
            }
        }
        Ok(Keymap { bindings, keys })
    }

    /// The action a key means in `pane`, if any.
    pub fn action_in(&self, pane: Pane, ev: &KeyEvent) -> Option<Action> {
        self.bindings
            .get(&KeyCombo::from_event(ev))
            .copied()
            .filter(|a| a.allowed_in(pane))
    }

    /// The keys bound to one action, as the help shows them; None if unbound.
    pub fn keys_for(&self, action: Action) -> Option<String> {
        let list = self.keys.get(&action).filter(|l| !l.is_empty())?;
        Some(
            list.iter()
                .map(KeyCombo::display)
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// (keys, description) for every action, in the order of [`Action::ALL`].
    pub fn help_lines(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .iter()
            .map(|(action, _, description, _)| {
                let keys = self
                    .keys
                    .get(action)
                    .map(|list| {
                        list.iter()
                            .map(KeyCombo::display)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                let keys = if keys.is_empty() {
                    "(unbound)".to_owned()
                } else {
                    keys
                };
                (keys, *description)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn pinned_defaults() {
        let map = Keymap::default();
        let ch = |c| map.action_in(Pane::Roster, &key(KeyCode::Char(c), KeyModifiers::NONE));
        assert_eq!(ch('o'), Some(Action::SetOnline));
        assert_eq!(ch('c'), Some(Action::SetChat));
        assert_eq!(ch('a'), Some(Action::SetAway));
        assert_eq!(ch('x'), Some(Action::SetXa));
        assert_eq!(ch('d'), Some(Action::SetDnd));
        assert_eq!(ch('s'), Some(Action::EditStatus));
        assert_eq!(ch('p'), Some(Action::EditPriority));
        assert_eq!(ch('/'), Some(Action::CommandLine));
        assert_eq!(ch('j'), Some(Action::MoveDown));
        assert_eq!(ch('k'), Some(Action::MoveUp));
        assert_eq!(ch('g'), Some(Action::Top));
        assert_eq!(ch('?'), Some(Action::Help));
        assert_eq!(ch('q'), Some(Action::Quit));
        assert_eq!(
            map.action_in(Pane::Roster, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.action_in(
                Pane::Roster,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action_in(Pane::Roster, &key(KeyCode::PageDown, KeyModifiers::NONE)),
            Some(Action::PageDown)
        );
        assert_eq!(
            map.action_in(Pane::Roster, &key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::MoveDown)
        );
        assert_eq!(ch('z'), Some(Action::FoldAll));
        assert_eq!(ch('w'), None);
    }

    #[test]
    fn every_action_has_a_unique_name_and_default_key() {
        let map = Keymap::default();
        let mut names: Vec<_> = Action::ALL.iter().map(|s| s.1).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
        for (keys, _) in map.help_lines() {
            assert_ne!(keys, "(unbound)");
        }
    }

    #[test]
    fn overrides_replace_defaults_and_steal_keys() {
        let mut o = BTreeMap::new();
        o.insert("set_presence_away".to_owned(), vec!["w".to_owned()]);
        o.insert("quit".to_owned(), vec!["ctrl-q".to_owned(), "d".to_owned()]);
        let map = Keymap::with_overrides(&o).expect("valid overrides");
        let ch = |c| map.action_in(Pane::Roster, &key(KeyCode::Char(c), KeyModifiers::NONE));
        assert_eq!(ch('w'), Some(Action::SetAway));
        assert_eq!(ch('a'), None, "the default key is released");
        assert_eq!(ch('d'), Some(Action::Quit), "the user's binding wins");
        assert_eq!(
            map.action_in(
                Pane::Roster,
                &key(KeyCode::Char('q'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        let help = map.help_lines();
        assert!(help
            .iter()
            .any(|(k, d)| k == "(unbound)" && *d == "set presence: do not disturb"));
    }

    #[test]
    fn unknown_action_and_bad_key_are_errors() {
        let mut o = BTreeMap::new();
        o.insert("fly".to_owned(), vec!["f".to_owned()]);
        assert!(matches!(
            Keymap::with_overrides(&o),
            Err(KeymapError::UnknownAction { .. })
        ));
        let mut o = BTreeMap::new();
        o.insert("quit".to_owned(), vec!["hyper-q".to_owned()]);
        assert!(matches!(
            Keymap::with_overrides(&o),
            Err(KeymapError::BadKey { .. })
        ));
        assert!(KeyCombo::parse("").is_err());
        assert!(KeyCombo::parse("f99").is_err());
    }

    #[test]
    fn key_names_parse() {
        assert_eq!(
            KeyCombo::parse("F5"),
            Ok(KeyCombo {
                code: KeyCode::F(5),
                mods: KeyModifiers::NONE
            })
        );
        assert_eq!(
            KeyCombo::parse("Ctrl-X"),
            Ok(KeyCombo {
                code: KeyCode::Char('x'),
                mods: KeyModifiers::CONTROL
            })
        );
        assert_eq!(
            KeyCombo::parse("space").map(|k| k.code),
            Ok(KeyCode::Char(' '))
        );
        assert_eq!(KeyCombo::parse("-").map(|k| k.code), Ok(KeyCode::Char('-')));
    }
}
