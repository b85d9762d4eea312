//! `password_command`: run with `sh -c`; the first line of its output is the password.
//!
//! The first line counts as soon as it is read. Both pipes are read on threads while the
//! command runs, so a long output cannot fill a pipe and stall it, and neither the end of the
//! output nor the exit of a background process that inherited the pipes is waited for. One
//! deadline bounds everything; when it passes, `sh` and every process below it are killed.
//!
//! The command stays in rosterm's process group (a group of its own would be a background
//! group of the terminal, where a pinentry-curses prompt would be stopped by SIGTTIN); its
//! descendants are found through `/proc` instead.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::Secret;

/// How long the command gets to print the password.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// After the first line, how long `sh` gets to exit, so that a command that prints something
/// and then fails is still reported as failing.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// A first line longer than this is not a password.
const MAX_LINE: usize = 64 * 1024;
const POLL: Duration = Duration::from_millis(10);

/// The first line of a pipe, as soon as it is complete (or the pipe ends).
type FirstLine = Result<Vec<u8>, String>;

/// Runs `command` and returns the first line of its output; the error is one sentence.
pub fn run(command: &str, timeout: Duration) -> Result<Secret, String> {
    let deadline = Instant::now() + timeout;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start sh: {e}"))?;
    let stdout = read_first_line(child.stdout.take());
    let stderr = read_first_line(child.stderr.take());
    let result = await_line(&mut child, &stdout, &stderr, deadline);
    if result.is_err() && matches!(child.try_wait(), Ok(None)) {
        kill_tree(&mut child);
    }
    let line = result.map_err(|e| e.sentence(timeout))?;
    let status = wait_until(&mut child, (Instant::now() + EXIT_GRACE).min(deadline));
    match status {
        Some(status) if !status.success() => return Err(exited(status, &stderr, deadline)),
        Some(_) => {}
        // Still running after printing the password: let it be, but reap it when it ends.
        None => {
            std::thread::spawn(move || child.wait());
        }
    }
    password(line)
}

enum Stop {
    Timeout,
    Failed(String),
}

impl Stop {
    fn sentence(self, timeout: Duration) -> String {
        match self {
            Stop::Timeout => format!(
                "it printed no password within {} seconds and was stopped",
                timeout.as_secs_f32()
            ),
            Stop::Failed(message) => message,
        }
    }
}

/// Waits for the first line of stdout; stops early if `sh` fails first.
fn await_line(
    child: &mut Child,
    stdout: &Receiver<FirstLine>,
    stderr: &Receiver<FirstLine>,
    deadline: Instant,
) -> Result<Vec<u8>, Stop> {
    loop {
        let wait = POLL.min(deadline.saturating_duration_since(Instant::now()));
        match stdout.recv_timeout(wait) {
            Ok(line) => return line.map_err(Stop::Failed),
            Err(RecvTimeoutError::Disconnected) => return Ok(Vec::new()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        match child.try_wait() {
            Ok(Some(status)) if !status.success() => {
                return Err(Stop::Failed(exited(status, stderr, deadline)))
            }
            Ok(_) => {}
            Err(e) => return Err(Stop::Failed(e.to_string())),
        }
        if Instant::now() >= deadline {
            return Err(Stop::Timeout);
        }
    }
}

/// The exit status once `sh` has exited, or `None` if it still runs at `until`.
fn wait_until(child: &mut Child, until: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until => std::thread::sleep(POLL),
            Ok(None) | Err(_) => return None,
        }
    }
}

fn exited(status: ExitStatus, stderr: &Receiver<FirstLine>, deadline: Instant) -> String {
    let wait = deadline.saturating_duration_since(Instant::now());
    let first = stderr.recv_timeout(wait).ok().and_then(Result::ok);
    let text = String::from_utf8_lossy(first.as_deref().unwrap_or_default()).into_owned();
    let text = crate::sanitize::sanitize(text.trim_end(), 200);
    format!("it exited with {status}: {text}")
}

fn password(mut line: Vec<u8>) -> Result<Secret, String> {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    } else if line.len() >= MAX_LINE {
        return Err(format!(
            "its first line is longer than {} KiB",
            MAX_LINE / 1024
        ));
    }
    let line = String::from_utf8(line).map_err(|_| "its output is not UTF-8".to_owned())?;
    if line.is_empty() {
        return Err("it printed nothing".into());
    }
    Ok(Secret(line))
}

/// Reads `pipe` on a thread: sends its first line as soon as it is complete, then reads and
/// discards the rest, so the writer never blocks on a full pipe.
fn read_first_line<R: Read + Send + 'static>(pipe: Option<R>) -> Receiver<FirstLine> {
    let (tx, rx) = mpsc::channel();
    let Some(pipe) = pipe else {
        let _ = tx.send(Err("its output could not be read".into()));
        return rx;
    };
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        let read = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line);
        let _ = tx.send(read.map(|_| line).map_err(|e| e.to_string()));
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    rx
}

/// SIGKILL to `sh` and every process below it, found in one pass over `/proc` before any of
/// them dies (once `sh` is gone its children are re-parented and cannot be told apart).
fn kill_tree(child: &mut Child) {
    let mut pids = descendants(child.id());
    pids.push(child.id());
    let list: Vec<String> = pids.iter().map(u32::to_string).collect();
    let _ = Command::new("kill")
        .arg("-KILL")
        .args(&list)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Every process whose chain of parents leads to `root` (Linux; empty elsewhere).
fn descendants(root: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = dir
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            let after = stat.rsplit_once(')')?.1;
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while let Some(&parent) = found.get(next) {
        let children = parents.iter().filter(|(_, pp)| *pp == parent);
        found.extend(children.map(|(pid, _)| *pid));
        next += 1;
    }
    found.split_off(1)
}
