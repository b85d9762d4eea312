//! A ratatui backend that stays correct when the terminal and unicode-width disagree on how
//! wide a grapheme is (flags, skin tones, emoji newer than the terminal's tables).
//!
//! ratatui measures graphemes with unicode-width and writes only the cells that changed,
//! trusting the terminal's cursor to advance by that width. When the terminal draws a
//! grapheme wider, the rest of the row shifts right (and, with auto-wrap, spills onto the next
//! row) or overwrites neighbours that are not redrawn; when narrower, cells ratatui thinks
//! are covered keep glyphs from an earlier frame. Both leave stray glyphs after a redraw.
//!
//! The rule here: a *risky* grapheme is one that is not a single character of the Basic
//! Multilingual Plane with a non-zero width (so: several code points, anything from the
//! emoji planes, zero-width characters). A row that holds one and has any change is drawn
//! whole, left to right; each risky grapheme first blanks the cells it should cover, and the
//! cell after it is placed with an explicit cursor move. Auto-wrap is off while rosterm runs
//! (`super::init`), so nothing can spill onto another row. Rows without risky graphemes are
//! drawn exactly as ratatui diffed them.

use std::collections::BTreeSet;
use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use unicode_width::UnicodeWidthStr;

/// A [`CrosstermBackend`] that keeps a copy of the screen to redraw rows whole; see the
/// module docs.
pub struct ResyncBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// What rosterm has drawn, as ratatui sees it.
    shadow: Buffer,
}

impl<W: Write> ResyncBackend<W> {
    pub fn new(writer: W) -> Self {
        ResyncBackend {
            inner: CrosstermBackend::new(writer),
            shadow: Buffer::empty(Rect::default()),
        }
    }

    fn reset_shadow(&mut self) -> io::Result<()> {
        let size = self.inner.size()?;
        self.shadow = Buffer::empty(Rect::new(0, 0, size.width, size.height));
        Ok(())
    }

    /// Puts `cell` in the shadow at (x, y). The cells a wide grapheme covers are blanked, as
    /// ratatui's own buffer does: ratatui sends no update for them, and an old glyph kept
    /// there would come back when the row is next drawn whole (a stray letter beside an
    /// emoji after a pane moved).
    fn shade(&mut self, x: u16, y: u16, cell: &Cell) {
        let width = cell.symbol().width() as u16;
        if let Some(shadow) = self.shadow.cell_mut(Position::new(x, y)) {
            *shadow = cell.clone();
        }
        for i in 1..width {
            if let Some(covered) = self.shadow.cell_mut(Position::new(x.saturating_add(i), y)) {
                covered.reset();
            }
        }
    }

    /// Draws row `y` of the shadow whole; see the module docs.
    fn draw_row(&mut self, y: u16) -> io::Result<()> {
        let mut runs: Vec<Vec<(u16, u16, Cell)>> = vec![Vec::new()];
        let mut x = 0;
        while x < self.shadow.area.width {
            let Some(cell) = self.shadow.cell(Position::new(x, y)) else {
                break;
            };
            let width = cell.symbol().width().max(1) as u16;
            if is_risky(cell.symbol()) {
                let mut blank = Cell::EMPTY;
                blank.set_bg(cell.bg);
                let last = runs.len() - 1;
                for i in 0..width.min(self.shadow.area.width - x) {
                    runs[last].push((x + i, y, blank.clone()));
                }
                runs.push(vec![(x, y, cell.clone())]);
                runs.push(Vec::new());
            } else {
                let last = runs.len() - 1;
                runs[last].push((x, y, cell.clone()));
            }
            x = x.saturating_add(width);
        }
        for run in runs.iter().filter(|r| !r.is_empty()) {
            // Each call starts with a cursor move.
            self.inner.draw(run.iter().map(|(x, y, c)| (*x, *y, c)))?;
        }
        Ok(())
    }
}

/// Not one BMP character of non-zero width: see the module docs.
pub fn is_risky(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c > '\u{ffff}' || symbol.width() == 0,
        (None, _) => false,
        (Some(_), Some(_)) => true,
    }
}

fn row_is_risky(buf: &Buffer, y: u16) -> bool {
    (0..buf.area.width).any(|x| {
        buf.cell(Position::new(x, y))
            .is_some_and(|c| is_risky(c.symbol()))
    })
}

impl<W: Write> Backend for ResyncBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.inner.size()?;
        if self.shadow.area.as_size() != size {
            self.reset_shadow()?;
        }
        let updates: Vec<(u16, u16, &Cell)> = content.collect();
        let mut rows = BTreeSet::new();
        for (x, y, cell) in &updates {
            self.shade(*x, *y, cell);
            rows.insert(*y);
        }
        let whole: BTreeSet<u16> = rows
            .into_iter()
            .filter(|y| row_is_risky(&self.shadow, *y))
            .collect();
        self.inner
            .draw(updates.into_iter().filter(|(_, y, _)| !whole.contains(y)))?;
        for y in whole {
            self.draw_row(y)?;
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.reset_shadow()?;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        if clear_type == ClearType::All {
            self.reset_shadow()?;
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risky_graphemes() {
        for safe in ["a", " ", "é", "日", "●", "⇄", "✦", "│"] {
            assert!(!is_risky(safe), "{safe}");
        }
        for risky in ["🇫🇷", "🇫", "👍🏽", "👩\u{200d}💻", "🩷", "😀", "e\u{301}"]
        {
            assert!(is_risky(risky), "{risky}");
        }
    }

    /// A glyph under a wide grapheme never comes back: ratatui sends nothing for the cells a
    /// wide grapheme covers, so the shadow must forget what was there.
    #[test]
    fn cells_under_a_wide_grapheme_are_forgotten() {
        let mut bytes = Vec::new();
        let mut backend = ResyncBackend::new(&mut bytes);
        backend.shadow = Buffer::with_lines(["ab i  "]);
        let wide = Cell::new("🍜");
        backend.shade(2, 0, &wide);
        assert_eq!(
            backend.shadow[(3, 0)].symbol(),
            " ",
            "the i under the emoji"
        );
    }

    /// A row with a risky grapheme is redrawn whole, with the cells the grapheme covers
    /// blanked first and a cursor move after it; other rows only where they changed.
    #[test]
    fn rows_with_risky_graphemes_are_drawn_whole_and_resynced() {
        let mut bytes = Vec::new();
        let mut backend = ResyncBackend::new(&mut bytes);
        backend.shadow = Buffer::with_lines(["ab🩷cd", "plain"]);
        backend.draw_row(0).unwrap();
        assert!(!row_is_risky(&backend.shadow, 1));
        drop(backend);
        let out = String::from_utf8_lossy(&bytes).into_owned();
        // MoveTo(0,0) "ab" + 2 blanks, MoveTo(2,0) the emoji, MoveTo(4,0) "cd".
        let moves: Vec<&str> = out.matches("\u{1b}[1;").collect();
        assert_eq!(moves.len(), 3, "{out:?}");
        assert!(out.contains("ab  "), "{out:?}");
        assert!(out.contains("\u{1b}[1;3H🩷"), "{out:?}");
        assert!(out.contains("\u{1b}[1;5Hcd"), "{out:?}");
    }
}
