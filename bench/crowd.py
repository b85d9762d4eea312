#!/usr/bin/python3
"""A crowded room for rosterm's room benchmark (Python 3 stdlib only): bench/flooder.py's
XEP-0114 component, playing one XEP-0045 room, crowd@DOMAIN, with --occupants occupants.

A client that joins (presence to crowd@DOMAIN/NICK) gets every occupant's presence
(crowd@DOMAIN/occupant-NNNNN, show and status derived from N, role participant), then
its own presence with status code 110 (the join is complete), then the subject. Once
--start-file exists, --count occupant presence changes (random occupant, show, status;
10 % of them leave, to come back later) go to every joined client at --rate per second,
as flooder.py floods contacts. disco#info to the room or the service, and pings (XEP-0410
self-pings included), are answered; other requests get service-unavailable. The time of
the first join is written to --joined-file (seconds since the epoch).

Usage:
  /usr/bin/python3 bench/crowd.py --port 5347 --secret S --occupants 5000 \
      --rate 5000 --count 20000 --ready-file R --start-file GO --stats-file S.json \
      --joined-file J
"""
import argparse
import os
import random
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flooder  # noqa: E402
from flooder import TAG, WORDS, attrs, esc  # noqa: E402

MUC = "http://jabber.org/protocol/muc"
MUC_USER = MUC + "#user"
SHOWS = (None, "away", "chat", "dnd", "xa")


def occupant(room, n, to, show, status, leave=False):
    frm = "%s/occupant-%05d" % (room, n)
    if leave:
        return ("<presence from='%s' to='%s' type='unavailable'><x xmlns='%s'>"
                "<item affiliation='none' role='none'/></x></presence>"
                % (esc(frm), esc(to), MUC_USER))
    body = "" if show is None else "<show>%s</show>" % show
    return ("<presence from='%s' to='%s'>%s<status>%s</status><x xmlns='%s'>"
            "<item affiliation='none' role='participant'/></x></presence>"
            % (esc(frm), esc(to), body, esc(status), MUC_USER))


class Crowd(flooder.Flooder):
    def __init__(self, args):
        super().__init__(args)
        self.room = "crowd@%s" % args.domain
        self.joined = {}   # full JID -> nick
        self.jlock = threading.Lock()

    def element(self, xml, replies):
        if xml.startswith(b"<stream:error"):
            self.stream_error = xml.decode(errors="replace")
            return
        head = TAG.match(xml)
        if not head:
            return
        at = attrs(head.group(0))
        frm, to = at.get("from", ""), at.get("to", "")
        if xml.startswith(b"<presence") and to.split("/")[0] == self.room:
            self.on_presence(frm, to, at.get("type"), replies)
        elif xml.startswith(b"<iq") and at.get("type") in ("get", "set"):
            replies.append(self.answer(xml, frm, to, at.get("id", "")))

    def on_presence(self, frm, to, type_, replies):
        nick = to.split("/", 1)[1] if "/" in to else ""
        me = "%s/%s" % (self.room, nick)
        if type_ == "unavailable":
            with self.jlock:
                self.joined.pop(frm, None)
            replies.append("<presence from='%s' to='%s' type='unavailable'><x xmlns='%s'>"
                           "<item affiliation='member' role='none'/><status code='110'/>"
                           "</x></presence>" % (esc(me), esc(frm), MUC_USER))
            return
        if type_ is not None or not nick:
            return
        with self.jlock:
            if frm in self.joined:
                return                                # a presence update, not a join
            self.joined[frm] = nick
        if self.a.joined_file and not os.path.exists(self.a.joined_file):
            with open(self.a.joined_file, "w") as f:
                f.write("%.6f\n" % time.time())
        for n in range(self.a.occupants):
            status = "occupant %d %s" % (n, WORDS[n % len(WORDS)])
            replies.append(occupant(self.room, n, frm, SHOWS[n % 5], status))
        replies.append("<presence from='%s' to='%s'><x xmlns='%s'>"
                       "<item affiliation='member' role='participant'/>"
                       "<status code='110'/></x></presence>" % (esc(me), esc(frm), MUC_USER))
        replies.append("<message type='groupchat' from='%s' to='%s'><subject>A crowd of %d"
                       "</subject></message>" % (esc(self.room), esc(frm), self.a.occupants))

    def answer(self, xml, frm, to, id_):
        head = "<iq type='result' from='%s' to='%s' id='%s'>" % (esc(to), esc(frm), esc(id_))
        if b"disco#info" in xml and to.split("/")[0] in (self.room, self.a.domain):
            return (head + "<query xmlns='http://jabber.org/protocol/disco#info'>"
                    "<identity category='conference' type='text' name='Crowd'/>"
                    "<feature var='%s'/><feature var='muc_public'/><feature var='muc_open'/>"
                    "<feature var='muc_semianonymous'/><feature var='muc_unmoderated'/>"
                    "</query></iq>" % MUC)
        if b"urn:xmpp:ping" in xml:
            return head + "</iq>"
        return ("<iq type='error' from='%s' to='%s' id='%s'><error type='cancel'>"
                "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                "</error></iq>" % (esc(to), esc(frm), esc(id_)))

    def make_batch(self, rng, n):
        with self.jlock:
            clients = list(self.joined)
        out = []
        for _ in range(n):
            i = rng.randrange(self.a.occupants)
            leave = rng.random() < 0.1
            status = " ".join(rng.choice(WORDS) for _ in range(6))
            status = status[:rng.randint(10, 50)].rstrip() + "."
            show = rng.choice(SHOWS)
            for to in clients:
                out.append(occupant(self.room, i, to, show, status, leave))
        return "".join(out).encode()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--domain", default="bots.localhost")
    p.add_argument("--occupants", type=int, default=5000)
    p.add_argument("--rate", type=float, default=5000, help="occupant changes/s")
    p.add_argument("--count", type=int, default=0, help="total occupant changes")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start-file", required=True, help="the storm starts once this exists")
    p.add_argument("--ready-file", help="created once the handshake succeeded")
    p.add_argument("--stats-file", help="JSON stats, written after the storm and at exit")
    p.add_argument("--joined-file", help="the time of the first join, written then")
    a = p.parse_args()
    if a.occupants < 1 or a.rate <= 0 or a.count < 0:
        p.error("--occupants must be >= 1, --rate > 0, --count >= 0")
    # What flooder.Flooder reads besides these.
    a.to, a.contacts, a.verbose = "", a.occupants, False
    crowd = Crowd(a)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: crowd.stop.set())
    sys.exit(crowd.run())


if __name__ == "__main__":
    main()
