#!/usr/bin/python3
"""Key-echo latency of a terminal program (Python 3 stdlib only).

Runs COMMAND in a pseudo-terminal of --cols x --rows and plays the terminal: it answers
cursor-position queries (ESC[6n) and keeps reading everything the program writes. Once
--ready TEXT has been written and the output has then been quiet for --quiet seconds, it
types --open (e.g. "s", the status editor), and takes samples: clear the line (--clear,
Ctrl-U by default), wait --gap seconds while reading, then write one character that
appears nowhere else (Greek letters, in turn) and time until the program writes that
character back. That is the time from a key press to the typed token being drawn, as the
terminal would receive it; the terminal's own drawing is not included.

--idle N samples first; then, with --start-file, that file is created (a presence storm
starts: see bench/flooder.py), --ramp seconds pass, and --storm N samples follow.
Prints one JSON line: {"idle": {...}, "storm": {...}} with n, median_ms, p99_ms, max_ms,
"cpu_s", the program's CPU time (user + system) over the whole run, and "peak_rss_mib", its
peak resident set (VmHWM), and "switches", its threads' context switches (wake-ups).

Usage:
  bench/echo.py --ready online --open s --idle 200 --storm 200 --start-file GO -- rosterm ...
Exit codes: 0 ok, 1 the program never got ready or stopped echoing (stderr says which).
"""
import argparse, fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

TOKENS = "αβγδεζηθικλμνξοπρστυφχψω"
CSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")


class Pty:
    def __init__(self, cmd, cols, rows, env):
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(cmd[0], cmd, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd, self.seen = pid, fd, b""
        self.rows, self.cols = rows, cols

    def pump(self, timeout):
        """Reads what is there (waiting up to timeout); returns the new bytes."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            raise SystemExit("echo.py: the program exited")
        if b"\x1b[6n" in data:
            os.write(self.fd, b"\x1b[1;1R")
        # Keep a tail for matching across reads.
        self.seen = (self.seen + data)[-65536:]
        return data

    def drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(max(0.0, end - time.monotonic()))

    def wait_text(self, text, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text.encode() in CSI.sub(b"", self.seen):
                return True
            self.pump(0.05)
        return False

    def wait_quiet(self, quiet, timeout):
        end = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < end:
            if self.pump(0.05):
                last = time.monotonic()
            elif time.monotonic() - last >= quiet:
                return True
        return False

    def peak_rss_mib(self):
        """The program's peak resident set (VmHWM) so far, in MiB."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return round(int(line.split()[1]) / 1024.0, 1)
        except (OSError, ValueError):
            pass
        return float("nan")

    def switches(self):
        """Context switches of all the program's threads so far (each is a wake-up)."""
        total = 0
        try:
            for task in os.listdir("/proc/%d/task" % self.pid):
                with open("/proc/%d/task/%s/status" % (self.pid, task)) as f:
                    for line in f:
                        if "ctxt_switches:" in line:
                            total += int(line.split()[1])
        except (OSError, ValueError):
            return -1
        return total

    def cpu_s(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")


def sample(p, token, gap, clear, timeout):
    os.write(p.fd, clear)
    p.drain(gap)
    want = token.encode()
    t0 = time.monotonic()
    os.write(p.fd, want)
    out = b""
    while time.monotonic() - t0 < timeout:
        out += p.pump(timeout)
        if want in out:
            return (time.monotonic() - t0) * 1000.0
    raise SystemExit("echo.py: %r was not echoed within %.0f s" % (token, timeout))


def stats(xs):
    xs = sorted(xs)
    if not xs:
        return {"n": 0}
    pick = lambda q: xs[min(len(xs) - 1, round((len(xs) - 1) * q))]
    return {"n": len(xs), "median_ms": round(pick(0.5), 2), "p99_ms": round(pick(0.99), 2),
            "max_ms": round(xs[-1], 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--open", default="")
    ap.add_argument("--clear", default="\x15")
    ap.add_argument("--idle", type=int, default=200)
    ap.add_argument("--storm", type=int, default=0)
    ap.add_argument("--start-file")
    ap.add_argument("--ramp", type=float, default=1.0)
    ap.add_argument("--gap", type=float, default=0.03)
    ap.add_argument("--quiet", type=float, default=1.0)
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    p = Pty(a.cmd, a.cols, a.rows, env)
    try:
        if not p.wait_text(a.ready, a.timeout):
            tail = CSI.sub(b"", p.seen)[-2000:].decode("utf-8", "replace")
            raise SystemExit("echo.py: never saw %r; the output ended with:\n%s" % (a.ready, tail))
        if not p.wait_quiet(a.quiet, a.timeout):
            raise SystemExit("echo.py: the output never went quiet")
        if a.open:
            os.write(p.fd, a.open.encode())
            p.drain(0.5)
        clear = a.clear.encode()
        idle = [sample(p, TOKENS[i % len(TOKENS)], a.gap, clear, 10) for i in range(a.idle)]
        storm = []
        if a.storm and a.start_file:
            open(a.start_file, "w").close()
            p.drain(a.ramp)
            storm = [sample(p, TOKENS[i % len(TOKENS)], a.gap, clear, 10)
                     for i in range(a.storm)]
        print(json.dumps({"idle": stats(idle), "storm": stats(storm), "cpu_s": p.cpu_s(),
                          "peak_rss_mib": p.peak_rss_mib(), "switches": p.switches()}))
    finally:
        try:
            os.kill(p.pid, signal.SIGTERM)
            p.drain(0.5)
            os.kill(p.pid, signal.SIGKILL)
        except (OSError, SystemExit):
            pass


if __name__ == "__main__":
    main()
