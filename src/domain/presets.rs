//! Status presets (`[presence.messages]`): the status texts the user keeps ready per show. A
//! show key (or `/away` without a text) sets that show's first preset; a show without presets
//! keeps the current text. The status editor cycles through them with Up / Down.

use crate::domain::Show;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presets {
    /// Indexed like [`Show::ALL`].
    by_show: [Vec<String>; 5],
}

fn index(show: Show) -> usize {
    Show::ALL.iter().position(|s| *s == show).unwrap_or(0)
}

impl Presets {
    pub fn new(entries: impl IntoIterator<Item = (Show, Vec<String>)>) -> Presets {
        let mut presets = Presets::default();
        for (show, texts) in entries {
            presets.by_show[index(show)] = texts;
        }
        presets
    }

    pub fn of(&self, show: Show) -> &[String] {
        &self.by_show[index(show)]
    }

    /// The text a show key sets: the show's first preset (`""` clears the text), or None to
    /// keep the current one.
    pub fn first(&self, show: Show) -> Option<&str> {
        self.of(show).first().map(String::as_str)
    }

    /// The preset after (or before) `current` among `show`'s, wrapping around; the first (or
    /// last) one when `current` is not a preset. None when the show has none.
    pub fn cycle(&self, show: Show, current: &str, forward: bool) -> Option<&str> {
        let texts = self.of(show);
        let n = texts.len();
        if n == 0 {
            return None;
        }
        let next = match texts.iter().position(|t| t == current) {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None if forward => 0,
            None => n - 1,
        };
        Some(texts[next].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presets() -> Presets {
        Presets::new([
            (Show::Away, vec!["lunch".into(), "in a meeting".into()]),
            (Show::Online, vec![String::new()]),
        ])
    }

    #[test]
    fn the_first_preset_is_what_a_show_key_sets() {
        let p = presets();
        assert_eq!(p.first(Show::Away), Some("lunch"));
        assert_eq!(
            p.first(Show::Online),
            Some(""),
            "an empty preset clears the text"
        );
        assert_eq!(p.first(Show::Dnd), None, "no preset: keep the text");
    }

    #[test]
    fn cycling_wraps_both_ways_and_starts_at_an_end_from_free_text() {
        let p = presets();
        assert_eq!(p.cycle(Show::Away, "lunch", true), Some("in a meeting"));
        assert_eq!(p.cycle(Show::Away, "in a meeting", true), Some("lunch"));
        assert_eq!(p.cycle(Show::Away, "lunch", false), Some("in a meeting"));
        assert_eq!(p.cycle(Show::Away, "typed by hand", true), Some("lunch"));
        assert_eq!(
            p.cycle(Show::Away, "typed by hand", false),
            Some("in a meeting")
        );
        assert_eq!(p.cycle(Show::Xa, "", true), None);
    }
}
