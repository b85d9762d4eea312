#!/usr/bin/python3
"""Presence flooder for rosterm's end-to-end benchmark (Python 3 stdlib only).

Protocol: an XEP-0114 external component on plain TCP (loopback).
  1. connect to 127.0.0.1:PORT and send
     <stream:stream xmlns='jabber:component:accept'
                    xmlns:stream='http://etherx.jabber.org/streams' to='DOMAIN'>
  2. read the server's stream header and take its id attribute;
  3. send <handshake>sha1(id + secret) as lowercase hex</handshake>;
  4. an empty <handshake/> means success, <stream:error> means refusal (exit 3).
After that, a reader thread answers every <presence type='probe'> from the user's
bare JID to cN@DOMAIN with an available presence from cN@DOMAIN/r0 (show, status
and priority derived from N). Once --start-file exists (or, without it, once
--contacts probes have been answered) the main thread sends --count presences from
random cN@DOMAIN/rK to the user at --rate per second: batches of ~rate/100 stanzas
every 10 ms against a monotonic schedule (a backlog is sent at once, never slept
on). Afterwards it keeps the stream open (still answering probes) until SIGTERM or
SIGINT, or until stdin closes with --exit-on-stdin-eof, then sends
</stream:stream> and exits 0.

Usage:
  /usr/bin/python3 bench/flooder.py --port 5347 --secret S --contacts 5000 \
      --rate 10000 --count 100000 --ready-file R --start-file GO --stats-file S.json

Exit codes: 0 ok, 1 connection/stream failure, 2 bad arguments, 3 handshake
refused. Nothing is printed to stdout unless --verbose; errors go to stderr.
"""
import argparse, hashlib, json, os, random, re, signal, socket, sys, threading, time

SHOWS = (None, "away", "chat", "dnd", "xa")
WORDS = ("coffee", "meeting", "back soon", "working", "on the train", "lunch",
         "do not disturb", "reading", "in a call", "travelling", "at home", "busy")
TAG = re.compile(rb"<[^>]*>")       # Prosody escapes '>' in attributes and text
ATTR = re.compile(rb"""([\w:-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")""")


def log(msg):
    print("flooder: " + msg, file=sys.stderr, flush=True)


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&apos;"))


def attrs(tag):
    return {k.decode(): (a or b).decode() for k, a, b in ATTR.findall(tag)}


def presence(frm, to, show, status, prio):
    body = "" if show is None else "<show>%s</show>" % show
    return ("<presence from='%s' to='%s'>%s<status>%s</status><priority>%d</priority>"
            "</presence>" % (esc(frm), esc(to), body, esc(status), prio))


def probe_reply(n, domain, to):
    status = "contact %d %s" % (n, WORDS[n % len(WORDS)])
    return presence("c%d@%s/r0" % (n, domain), to, SHOWS[n % 5], status, n % 11)


class Flooder:
    def __init__(self, args):
        self.a = args
        self.sock = None
        self.buf = b""
        self.wlock = threading.Lock()     # reader (probe replies) and main both write
        self.stop = threading.Event()
        self.closed = threading.Event()   # server closed the stream / connection
        self.probes = 0
        self.failure = None
        self.stream_error = None
        self.stats = {"probes_answered": 0, "flood_sent": 0, "flood_seconds": 0.0,
                      "achieved_rate": 0.0, "first_send_unix": None,
                      "last_send_unix": None, "target_rate": args.rate,
                      "max_lag_ms": 0.0, "rate_achieved": None}
        self.probe_re = re.compile(r"c(\d+)@%s$" % re.escape(args.domain))

    def send(self, data):
        with self.wlock:
            self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def recv_until(self, pattern):
        while True:
            m = pattern.search(self.buf)
            if m:
                return m
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection during handshake")
            self.buf += chunk

    def connect(self):
        a = self.a
        self.sock = socket.create_connection(("127.0.0.1", a.port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send("<stream:stream xmlns='jabber:component:accept' xmlns:stream="
                  "'http://etherx.jabber.org/streams' to='%s'>" % esc(a.domain))
        m = self.recv_until(re.compile(rb"<stream:stream\b[^>]*>"))
        sid = attrs(m.group(0)).get("id")
        self.buf = self.buf[m.end():]
        if sid is None:
            raise ConnectionError("server stream header has no id: %r" % m.group(0))
        digest = hashlib.sha1((sid + a.secret).encode()).hexdigest()
        self.send("<handshake>%s</handshake>" % digest)
        m = self.recv_until(re.compile(
            rb"<handshake\s*/>|<handshake\s*>\s*</handshake>|<stream:error>.*?</stream:error>",
            re.S))
        if m.group(0).startswith(b"<stream:error"):
            cond = re.search(rb"<([\w-]+)\s[^>]*xmpp-streams", m.group(0))
            log("handshake refused: %s" % (cond.group(1).decode() if cond else m.group(0)))
            sys.exit(3)
        self.buf = self.buf[m.end():]
        self.sock.settimeout(None)

    # --- reader thread: split the stream into top-level elements, answer probes ---
    def reader(self):
        depth, start, pos = 0, 0, 0
        try:
            while True:
                replies = []
                for m in TAG.finditer(self.buf, pos):
                    tag, pos = m.group(0), m.end()
                    if tag.startswith(b"</"):
                        depth -= 1
                        if depth < 0:                   # </stream:stream>
                            raise ConnectionError("server closed the stream")
                        if depth == 0:
                            self.element(self.buf[start:pos], replies)
                    elif tag.startswith((b"<?", b"<!")):
                        pass
                    elif tag.endswith(b"/>"):
                        if depth == 0:
                            self.element(tag, replies)
                    else:
                        if depth == 0:
                            start = m.start()
                        depth += 1
                if replies:
                    self.send("".join(replies))          # one write per recv()
                    self.probes += len(replies)
                cut = start if depth else pos            # keep the open element only
                self.buf, start, pos = self.buf[cut:], start - cut, pos - cut
                chunk = self.sock.recv(262144)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                self.buf += chunk
        except (OSError, ConnectionError) as e:
            if not self.stop.is_set():
                self.failure = str(e) + (": " + self.stream_error if self.stream_error
                                         else "")
        finally:
            self.closed.set()
            self.stop.set()

    def element(self, xml, replies):
        if xml.startswith(b"<stream:error"):
            self.stream_error = xml.decode(errors="replace")
        if not xml.startswith(b"<presence"):
            return
        at = attrs(TAG.match(xml).group(0))
        if at.get("type") != "probe" or at.get("from", "").split("/")[0] != self.a.to:
            return
        m = self.probe_re.match(at.get("to", "").split("/")[0])
        if m:
            replies.append(probe_reply(int(m.group(1)), self.a.domain, self.a.to))

    # --- flood ---
    def make_batch(self, rng, n):
        a, out = self.a, []
        for _ in range(n):
            frm = "c%d@%s/r%d" % (rng.randrange(a.contacts), a.domain,
                                  rng.randrange(a.resources))
            if rng.random() < a.unavailable:
                out.append("<presence from='%s' to='%s' type='unavailable'/>"
                           % (frm, esc(a.to)))
                continue
            status = " ".join(rng.choice(WORDS) for _ in range(8))
            status = status[:rng.randint(10, 60)].rstrip() + "."
            out.append(presence(frm, a.to, rng.choice(SHOWS), status, rng.randint(-5, 10)))
        return "".join(out).encode()

    def flood(self):
        a, st = self.a, self.stats
        rng = random.Random(a.seed)
        per = max(1, round(a.rate / 100))
        n = min(per, a.count)
        batch = self.make_batch(rng, n)
        sent, first_n, t0 = 0, 0, time.monotonic()
        report = t0 + 1
        while sent < a.count and not self.stop.is_set():
            now, due = time.monotonic(), t0 + sent / a.rate
            if now < due:
                time.sleep(due - now)
            else:
                st["max_lag_ms"] = max(st["max_lag_ms"], (now - due) * 1000)
            self.send(batch)
            sent += n
            end = time.monotonic()
            if st["first_send_unix"] is None:
                st["first_send_unix"], first_n = time.time(), n
            st["last_send_unix"] = time.time()
            # backlog: everything already due, at once (capped to keep writes sane)
            behind = int((end - t0) * a.rate) - sent
            n = min(a.count - sent, max(per, min(behind, 20 * per)))
            batch = self.make_batch(rng, n) if n > 0 else b""
            if a.verbose and end >= report:
                report += 1
                print("flood: %d sent, %.1f s" % (sent, end - t0), flush=True)
        st["flood_sent"] = sent
        if sent:
            secs = st["last_send_unix"] - st["first_send_unix"]
            st["flood_seconds"] = round(secs, 4)
            # the first batch goes out at t=0, so rate = stanzas after it / elapsed
            st["achieved_rate"] = round((sent - first_n) / secs, 1) if secs > 0 else None
            ok = sent == a.count and (st["achieved_rate"] is None
                                      or st["achieved_rate"] >= 0.97 * a.rate)
            st["rate_achieved"] = ok
            if sent < a.count:
                log("flood interrupted after %d/%d presences" % (sent, a.count))
            elif not ok:
                log("target rate %g/s not achieved: %d/%d sent, %s/s, max lag %.0f ms"
                    % (a.rate, sent, a.count, st["achieved_rate"], st["max_lag_ms"]))
        st["max_lag_ms"] = round(st["max_lag_ms"], 1)

    def write_stats(self):
        if not self.a.stats_file:
            return
        self.stats["probes_answered"] = self.probes
        tmp = self.a.stats_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats, f, indent=1)
        os.replace(tmp, self.a.stats_file)           # readers never see half a file

    def run(self):
        a = self.a
        try:
            self.connect()
        except (OSError, ConnectionError) as e:
            log("cannot connect component to 127.0.0.1:%d: %s" % (a.port, e))
            return 1
        if a.ready_file:
            open(a.ready_file, "w").close()
        if a.verbose:
            print("handshake ok", flush=True)
        threading.Thread(target=self.reader, daemon=True).start()
        while not self.stop.is_set():                 # wait for the go signal
            if (os.path.exists(a.start_file) if a.start_file
                    else self.probes >= a.contacts):
                break
            time.sleep(0.01)
        if not self.stop.is_set():
            if a.verbose:
                print("flood start (probes answered: %d)" % self.probes, flush=True)
            try:
                self.flood()
            except OSError as e:                      # server went away mid-flood
                self.failure = self.failure or "send failed: %s" % e
                self.stop.set()
            self.write_stats()
            if a.verbose:
                print("flood done: %s" % json.dumps(self.stats), flush=True)
        while not self.stop.wait(0.2):               # signals and stdin EOF set it
            pass
        if self.failure:
            log(self.failure)
        if not self.closed.is_set():
            try:
                self.send("</stream:stream>")
                self.closed.wait(1.0)                 # let the server answer in kind
            except OSError:
                pass
        self.sock.close()
        self.write_stats()
        return 1 if self.failure else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--domain", default="bots.localhost")
    p.add_argument("--to", default="alice@localhost", help="the user's bare JID")
    p.add_argument("--contacts", type=int, required=True)
    p.add_argument("--rate", type=float, default=5000, help="flood presences/s")
    p.add_argument("--count", type=int, default=0, help="total flood presences")
    p.add_argument("--resources", type=int, default=2)
    p.add_argument("--unavailable", type=float, default=0.1,
                   help="fraction of flood presences that are type='unavailable'")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start-file", help="flood once this exists (default: once all "
                   "--contacts probes are answered)")
    p.add_argument("--ready-file", help="created once the handshake succeeded")
    p.add_argument("--stats-file", help="JSON stats, written after the flood and at exit")
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    p.add_argument("--verbose", action="store_true")
    a = p.parse_args()
    if a.contacts < 1 or a.resources < 1 or a.rate <= 0 or a.count < 0:
        p.error("--contacts and --resources must be >= 1, --rate > 0, --count >= 0")
    f = Flooder(a)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: f.stop.set())
    if a.exit_on_stdin_eof:
        def watch_stdin():
            while os.read(sys.stdin.fileno(), 4096):
                pass
            f.stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    sys.exit(f.run())


if __name__ == "__main__":
    main()
