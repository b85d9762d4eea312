//! Asking the user for the registration fields: on a terminal, one prompt each on stderr and
//! the password typed without echo (twice); otherwise one line of stdin per field, in the
//! order asked, without confirmation (`printf 'pw\n' | rosterm register …`).

use std::io::{BufRead, IsTerminal, Write};

use super::form::Prompt;

/// Where answers come from.
pub trait Asker {
    /// The answer to one prompt; Err: one sentence (cancelled, input ended, unreadable).
    fn ask(&mut self, prompt: &Prompt) -> Result<String, String>;
}

/// stdin as it is: a terminal, or a pipe or file.
pub fn stdin() -> Box<dyn Asker> {
    if std::io::stdin().is_terminal() {
        Box::new(Terminal)
    } else {
        Box::new(Lines(std::io::stdin().lock()))
    }
}

/// One line per prompt from a reader (the prompts still go to stderr, for a log).
pub struct Lines<R>(pub R);

impl<R: BufRead> Asker for Lines<R> {
    fn ask(&mut self, prompt: &Prompt) -> Result<String, String> {
        let mut line = String::new();
        let n = self
            .0
            .read_line(&mut line)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if n == 0 && prompt.required {
            return Err(format!(
                "Standard input ended before {} was given (one line per field, in the order asked).",
                prompt.text
            ));
        }
        let line = line.trim_end_matches(['\n', '\r']).to_owned();
        if prompt.hidden {
            eprintln!("{}: (read from standard input)", prompt.text);
        } else {
            eprintln!("{}: {}", prompt.text, crate::sanitize::sanitize(&line, 200));
        }
        Ok(line)
    }
}

/// The controlling terminal: echo for plain fields, none for the password (asked twice).
pub struct Terminal;

impl Asker for Terminal {
    fn ask(&mut self, prompt: &Prompt) -> Result<String, String> {
        if !prompt.hidden {
            eprint!("{}: ", prompt.text);
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the terminal: {e}"))?;
            return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
        }
        loop {
            let first = read_hidden(&format!("{}: ", prompt.text))?;
            if first.is_empty() && prompt.required {
                eprintln!("{} cannot be empty.", prompt.text);
                continue;
            }
            let again = read_hidden(&format!("{} again: ", prompt.text))?;
            if first == again {
                return Ok(first);
            }
            eprintln!("The two did not match; once more.");
        }
    }
}

/// Restores cooked mode however the read ends.
struct RawMode;

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// A line typed without echo: raw mode, keys read one by one (Backspace edits, Ctrl-U
/// clears, Ctrl-C / Esc cancel).
fn read_hidden(prompt: &str) -> Result<String, String> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    crossterm::terminal::enable_raw_mode()
        .map_err(|e| format!("cannot switch off the terminal's echo: {e}"))?;
    let guard = RawMode;
    let mut typed = String::new();
    let result = loop {
        let ev = match event::read() {
            Ok(ev) => ev,
            Err(e) => break Err(format!("cannot read the terminal: {e}")),
        };
        let Event::Key(key) = ev else { continue };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => break Ok(typed),
            KeyCode::Char('c') | KeyCode::Char('d') if ctrl => {
                break Err("Cancelled; no account was created.".into())
            }
            KeyCode::Esc => break Err("Cancelled; no account was created.".into()),
            KeyCode::Char('u') if ctrl => typed.clear(),
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Char(c) if !ctrl => typed.push(c),
            _ => {}
        }
    };
    drop(guard);
    eprintln!();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(text: &str, hidden: bool, required: bool) -> Prompt {
        Prompt {
            var: text.to_lowercase(),
            text: text.into(),
            hidden,
            required,
        }
    }

    #[test]
    fn a_pipe_answers_one_line_per_prompt_and_its_end_is_a_missing_field() {
        let mut lines = Lines("s3cret\r\nbob@example.org\n".as_bytes());
        assert_eq!(
            lines.ask(&prompt("Password", true, true)).unwrap(),
            "s3cret"
        );
        assert_eq!(
            lines.ask(&prompt("Email", false, true)).unwrap(),
            "bob@example.org"
        );
        assert_eq!(
            lines.ask(&prompt("Nick", false, false)).unwrap(),
            "",
            "optional"
        );
        let err = lines.ask(&prompt("Phone", false, true)).unwrap_err();
        assert!(err.contains("ended before Phone"), "{err}");
    }
}
