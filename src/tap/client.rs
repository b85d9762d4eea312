//! The client side: `rosterm ctl …`, `rosterm events` and `rosterm status` talk to the
//! running instance's socket (blocking I/O: each is a short-lived command).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

use super::{socket_path, Reply, Request, StatusLine};

/// Why a client command failed, in one sentence.
fn connect(config: &Path) -> Result<UnixStream, String> {
    let path = socket_path(config);
    UnixStream::connect(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => format!(
            "no rosterm is running with {} (no control socket at {})",
            config.display(),
            path.display()
        ),
        _ => format!(
            "cannot reach the running rosterm at {}: {e}",
            path.display()
        ),
    })
}

fn send(stream: &mut UnixStream, request: &Request) -> Result<(), String> {
    let mut line = serde_json::to_string(request).map_err(|e| e.to_string())?;
    line.push('\n');
    stream
        .write_all(line.as_bytes())
        .map_err(|e| format!("the running rosterm hung up: {e}"))
}

/// One command, one reply.
pub fn request(config: &Path, request: &Request) -> Result<Reply, String> {
    let mut stream = connect(config)?;
    send(&mut stream, request)?;
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .map_err(|e| format!("no answer from the running rosterm: {e}"))?;
    serde_json::from_str(&line).map_err(|_| "the running rosterm answered nonsense".to_owned())
}

/// Copies the event stream to `out` until rosterm or `out` goes away.
pub fn events(
    config: &Path,
    types: Vec<String>,
    jid: Option<String>,
    out: &mut impl Write,
) -> Result<(), String> {
    let mut stream = connect(config)?;
    send(&mut stream, &Request::Events { types, jid })?;
    let reader = BufReader::new(stream);
    for line in reader.lines() {
        let line = line.map_err(|e| format!("the event stream broke: {e}"))?;
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return Ok(());
        }
    }
    Err("the running rosterm quit".into())
}

/// `--format`: `{show}`, `{status}`, `{unread}`, `{online}`, `{accounts}`, `{connected}`
/// replaced by their values; anything else is kept.
pub fn format_status(format: &str, s: &StatusLine) -> String {
    format
        .replace("{show}", &s.show)
        .replace("{status}", &s.status)
        .replace("{unread}", &s.unread.to_string())
        .replace("{online}", &s.online.to_string())
        .replace("{accounts}", &s.accounts.to_string())
        .replace("{connected}", &s.connected.to_string())
}

/// `rosterm ctl|events|status`: Ok, or the exit code (1: refused or no instance, 2: bad
/// arguments) and one sentence.
pub fn run_cli(config: &Path, command: crate::cli::CliCommand) -> Result<(), (u8, String)> {
    use crate::cli::{CliCommand, CtlAction};
    let fail = |text: String| (1u8, text);
    let req = match command {
        CliCommand::Events { filter, jid } => {
            if let Some(bad) = filter.iter().find(|t| !super::TYPES.contains(&t.as_str())) {
                let valid = super::TYPES.join(", ");
                return Err((2, format!("events --filter: {bad:?} is not one of {valid}")));
            }
            return events(config, filter, jid, &mut std::io::stdout()).map_err(fail);
        }
        CliCommand::Status { format } => {
            let reply = request(config, &Request::Status).map_err(fail)?;
            let status = reply.status.ok_or_else(|| fail(reply.text))?;
            println!("{}", format_status(&format, &status));
            return Ok(());
        }
        CliCommand::Ctl { action } => match action {
            CtlAction::Presence {
                show,
                status,
                account,
            } => Request::Presence {
                show,
                status: (!status.is_empty()).then(|| status.join(" ")),
                account,
            },
            CtlAction::Msg { jid, text, account } => {
                if text.is_empty() {
                    return Err((
                        2,
                        "ctl msg: nothing to send; usage: rosterm ctl msg JID TEXT".into(),
                    ));
                }
                Request::Msg {
                    to: jid,
                    text: text.join(" "),
                    account,
                }
            }
            CtlAction::Join { room } => Request::Join { room },
            CtlAction::Who { json } => Request::Who { json },
        },
        CliCommand::Who { .. } | CliCommand::Register { .. } => {
            return Err((2, "not a control command".into()))
        }
    };
    let reply = request(config, &req).map_err(fail)?;
    if !reply.ok {
        return Err(fail(reply.text));
    }
    let text = reply.text.trim_end();
    if !text.is_empty() {
        println!("{text}");
    }
    Ok(())
}
