//! What the end-to-end benchmarks share: their command line, the CPU and memory of a
//! process read from /proc, and waiting for a file that a helper writes.
#![allow(dead_code)] // each benchmark uses part of it

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The benchmark's command line: `--bench` (a real run; otherwise `cargo test`'s smoke
/// run), `--name N` numbers and `--clients a,b` lists.
pub struct Args(Vec<String>);

impl Args {
    pub fn get() -> Args {
        Args(std::env::args().collect())
    }

    /// A real run (`cargo bench`), not `cargo test --all-targets`.
    pub fn bench(&self) -> bool {
        self.0.iter().any(|a| a == "--bench")
    }

    fn value(&self, name: &str) -> Option<&str> {
        let at = self.0.iter().position(|a| a == name)?;
        self.0.get(at + 1).map(String::as_str)
    }

    /// `name N`, or `default`.
    pub fn number(&self, name: &str, default: usize) -> usize {
        self.value(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// `name a,b,c`, if given.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        self.value(name)
            .map(|v| v.split(',').map(str::to_owned).collect())
    }
}

/// utime + stime of a /proc stat line, in microseconds.
pub fn stat_cpu_us(stat: &str) -> u64 {
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) * 10_000
}

/// CPU time (user + system) of `pid` ("self": this process), in microseconds.
pub fn cpu_us(pid: &str) -> u64 {
    stat_cpu_us(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default())
}

/// A `/proc/PID/status` field in KiB (`VmRSS:`, `VmHWM:`), 0 if unreadable.
pub fn status_kib(pid: &str, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Waits for `path` to exist; panics naming `what` after `within`.
pub fn wait_file(path: &Path, what: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `bin` on the PATH.
pub fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(bin))
        .find(|p| p.is_file())
}

/// Makes `path` readable by its owner only (it holds a password).
pub fn set_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}
