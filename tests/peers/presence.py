#!/usr/bin/python3
"""A presence watcher for rosterm's auto-away tests: reports every presence and every IQ
answer it receives, sends what it is told.

Usage: presence.py JID PASSWORD PORT CA_FILE [status] < commands > reports
stdout, one line each: "ready" once the session is up (presence sent, with the status text
if given), then one per received stanza: tab-separated key=value pairs (values with
backslash, tab and newline escaped as \\, \t, \n; absent ones left out):
  kind=presence: from, type, show, status, priority, idle (XEP-0319 since, verbatim)
  kind=iq (results and errors only): from, id, type, seconds (XEP-0012), error (condition)
stdin, one line each: raw XML to send, verbatim. EOF: disconnect and exit 0.
Uses Debian's python3-slixmpp.
"""
import asyncio
import logging
import sys

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

CLIENT = "jabber:client"
IDLE = "urn:xmpp:idle:1"
LAST = "jabber:iq:last"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def report(fields):
    line = "\t".join(
        "%s=%s" % (k, escape(str(v))) for k, v in fields.items() if v not in (None, "")
    )
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def text(xml, name):
    el = xml.find("{%s}%s" % (CLIENT, name))
    return el.text if el is not None else None


class Watcher(slixmpp.ClientXMPP):
    def __init__(self, jid, password, status):
        super().__init__(jid, password)
        self.status = status
        self.add_event_handler("session_start", self.start)
        self.register_handler(
            Callback("every presence", MatchXPath("{%s}presence" % CLIENT), self.on_presence)
        )
        self.register_handler(Callback("every iq", MatchXPath("{%s}iq" % CLIENT), self.on_iq))
        self.add_event_handler("failed_auth", lambda _e: sys.exit(1))

    async def start(self, _event):
        await self.get_roster()
        self.send_presence(pstatus=self.status)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.strip():
                self.send_raw(line.decode().rstrip("\n"))
        await asyncio.sleep(0.3)
        self.disconnect()

    def on_presence(self, pres):
        xml = pres.xml
        idle = xml.find("{%s}idle" % IDLE)
        report({
            "kind": "presence",
            "from": xml.get("from"),
            "type": xml.get("type"),
            "show": text(xml, "show"),
            "status": text(xml, "status"),
            "priority": text(xml, "priority"),
            "idle": idle.get("since") if idle is not None else None,
        })

    def on_iq(self, iq):
        xml = iq.xml
        if xml.get("type") not in ("result", "error"):
            return
        query = xml.find("{%s}query" % LAST)
        error = None
        err = xml.find("{%s}error" % CLIENT)
        if err is not None and len(err):
            error = err[0].tag.split("}")[1]
        report({
            "kind": "iq",
            "from": xml.get("from"),
            "id": xml.get("id"),
            "type": xml.get("type"),
            "seconds": query.get("seconds") if query is not None else None,
            "error": error,
        })


def main():
    jid, password, port, ca_file = sys.argv[1:5]
    status = sys.argv[5] if len(sys.argv) > 5 else None
    logging.basicConfig(level=logging.CRITICAL)
    client = Watcher(jid, password, status)
    client.ssl_context.load_verify_locations(cafile=ca_file)
    client.connect(("127.0.0.1", int(port)))
    client.process(forever=False)


if __name__ == "__main__":
    main()
