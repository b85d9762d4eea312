#!/usr/bin/python3
"""A chat client for rosterm's conversation tests: answers receipt requests as a real client
does (slixmpp's XEP-0184 plugin, auto_ack), reports every message it receives, sends what it
is told.

Usage: chat.py JID PASSWORD PORT CA_FILE [carbons] < commands > reports
stdout, one line each: "ready" once the session is up (presence sent), then one per
received message: tab-separated key=value pairs (values with backslash, tab and newline
escaped as \\, \t, \n; absent ones left out): from, to, id, type, body, origin_id,
request ("1": a receipt was asked for), received (the id a receipt confirms), state
(XEP-0085), replace (XEP-0308).
stdin, one line each: raw XML to send, verbatim. EOF: disconnect and exit 0.
With "carbons", carbons (XEP-0280) are enabled. Uses Debian's python3-slixmpp.
"""
import asyncio
import logging
import sys

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

RECEIPTS = "urn:xmpp:receipts"
SID = "urn:xmpp:sid:0"
STATES = "http://jabber.org/protocol/chatstates"
CORRECT = "urn:xmpp:message-correct:0"


def child(msg, name, ns):
    return msg.xml.find("{%s}%s" % (ns, name))


def escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def report(fields):
    line = "\t".join(
        "%s=%s" % (k, escape(str(v))) for k, v in fields.items() if v not in (None, False, "")
    )
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Chat(slixmpp.ClientXMPP):
    def __init__(self, jid, password, carbons):
        super().__init__(jid, password)
        self.carbons = carbons
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0184")  # auto_ack: answers receipt requests
        if carbons:
            self.register_plugin("xep_0280")
        self.add_event_handler("session_start", self.start)
        # slixmpp's "message" event only fires for messages with a body: see them all.
        self.register_handler(
            Callback("every message", MatchXPath("{jabber:client}message"), self.on_message)
        )
        self.add_event_handler("failed_auth", lambda _e: sys.exit(1))

    async def start(self, _event):
        self.send_presence()
        if self.carbons:
            await self.plugin["xep_0280"].enable()
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

    def on_message(self, msg):
        state = None
        for el in msg.xml:
            if el.tag.startswith("{%s}" % STATES):
                state = el.tag.split("}")[1]
        origin = child(msg, "origin-id", SID)
        received = child(msg, "received", RECEIPTS)
        replace = child(msg, "replace", CORRECT)
        body = child(msg, "body", "jabber:client")
        report({
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "id": msg["id"],
            "type": msg["type"],
            "body": body.text if body is not None else None,
            "origin_id": origin.get("id") if origin is not None else None,
            "request": "1" if child(msg, "request", RECEIPTS) is not None else None,
            "received": received.get("id") if received is not None else None,
            "state": state,
            "replace": replace.get("id") if replace is not None else None,
        })


def main():
    jid, password, port, ca_file = sys.argv[1:5]
    carbons = "carbons" in sys.argv[5:]
    logging.basicConfig(level=logging.CRITICAL)
    client = Chat(jid, password, carbons)
    client.ssl_context.load_verify_locations(cafile=ca_file)
    client.connect(("127.0.0.1", int(port)))
    client.process(forever=False)


if __name__ == "__main__":
    main()
