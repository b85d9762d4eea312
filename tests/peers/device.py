#!/usr/bin/python3
"""A device for rosterm's caps and time tests: advertises XEP-0115 capabilities for one
client identity, answers disco#info and XEP-0202 time queries, reports each query.

Usage: device.py JID PASSWORD PORT CA_FILE TYPE NAME [ANSWER_TYPE] [TZO] < commands > reports
Presence carries <c hash='sha-1' node=NODE ver=V/> where V is the XEP-0115 hash of the
identity client/TYPE/NAME with the features below. disco#info to NODE#V (or to no node) is
answered with identity client/ANSWER_TYPE/NAME (default: TYPE; another type makes this peer
a poisoner: its answer does not match its ver). Time queries are answered with TZO
(default "Z", as slixmpp does on a UTC host).
stdout, one line each: "ready" once the presence is out, then tab-separated key=value:
  kind=disco: from, node (a disco#info query received)
  kind=time-query: from (a time query received)
  kind=version-query: from (a XEP-0092 query received: answered NAME 1.0 (TestOS))
  kind=time: from, tzo, utc (the answer to a time query this peer sent)
stdin, one line each: raw XML to send, "ask-time JID" (sends a time query), or "join
ROOM/NICK" (joins a room with the same caps in its presence). EOF:
disconnect and exit 0. Uses Debian's python3-slixmpp, without its caps plugins (what it
advertises and answers is exactly what is written here).
"""
import asyncio
import base64
import hashlib
import logging
import sys
from xml.sax.saxutils import quoteattr

import slixmpp
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

CLIENT = "jabber:client"
DISCO = "http://jabber.org/protocol/disco#info"
CAPS = "http://jabber.org/protocol/caps"
TIME = "urn:xmpp:time"
NODE = "https://rosterm.invalid/test-device"
FEATURES = [CAPS, DISCO, TIME]


def escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def report(fields):
    line = "\t".join(
        "%s=%s" % (k, escape(str(v))) for k, v in fields.items() if v not in (None, "")
    )
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def escape_text(value):
    return value.replace("&", "&amp;").replace("<", "&lt;")


def ver_of(type_, name):
    """XEP-0115 section 5.1: identities then features, each followed by '<'."""
    s = "client/%s//%s<" % (type_, name)
    s += "".join(f + "<" for f in sorted(FEATURES))
    return base64.b64encode(hashlib.sha1(s.encode()).digest()).decode()


class Device(slixmpp.ClientXMPP):
    def __init__(self, jid, password, type_, name, answer_type, tzo):
        super().__init__(jid, password)
        self.type_, self.name = type_, name
        self.answer_type, self.tzo = answer_type, tzo
        self.ver = ver_of(type_, name)
        self.add_event_handler("session_start", self.start)
        self.register_handler(Callback("iq", MatchXPath("{%s}iq" % CLIENT), self.on_iq))
        self.add_event_handler("failed_auth", lambda _e: sys.exit(1))

    async def start(self, _event):
        await self.get_roster()
        self.send_raw(
            "<presence><c xmlns='%s' hash='sha-1' node='%s' ver='%s'/></presence>"
            % (CAPS, NODE, self.ver)
        )
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = await reader.readline()
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line.startswith("ask-time "):
                self.send_raw(
                    "<iq type='get' id='peer-time' to=%s><time xmlns='%s'/></iq>"
                    % (quoteattr(line.split(" ", 1)[1]), TIME)
                )
            elif line.startswith("join "):
                self.send_raw(
                    "<presence to=%s><x xmlns='http://jabber.org/protocol/muc'/>"
                    "<c xmlns='%s' hash='sha-1' node='%s' ver='%s'/></presence>"
                    % (quoteattr(line.split(" ", 1)[1]), CAPS, NODE, self.ver)
                )
            elif line.strip():
                self.send_raw(line)
        await asyncio.sleep(0.3)
        self.disconnect()

    def on_iq(self, iq):
        xml = iq.xml
        kind, sender, id_ = xml.get("type"), xml.get("from"), xml.get("id")
        disco = xml.find("{%s}query" % DISCO)
        time = xml.find("{%s}time" % TIME)
        version = xml.find("{jabber:iq:version}query")
        if kind == "get" and disco is not None:
            node = disco.get("node")
            report({"kind": "disco", "from": sender, "node": node})
            node_attr = " node=%s" % quoteattr(node) if node else ""
            features = "".join("<feature var='%s'/>" % f for f in FEATURES)
            self.send_raw(
                "<iq type='result' to=%s id=%s><query xmlns='%s'%s>"
                "<identity category='client' type=%s name=%s/>%s</query></iq>"
                % (quoteattr(sender), quoteattr(id_), DISCO, node_attr,
                   quoteattr(self.answer_type), quoteattr(self.name), features)
            )
        elif kind == "get" and time is not None:
            report({"kind": "time-query", "from": sender})
            self.send_raw(
                "<iq type='result' to=%s id=%s><time xmlns='%s'><tzo>%s</tzo>"
                "<utc>2026-12-03T22:40:00Z</utc></time></iq>"
                % (quoteattr(sender), quoteattr(id_), TIME, self.tzo)
            )
        elif kind == "get" and version is not None:
            report({"kind": "version-query", "from": sender})
            self.send_raw(
                "<iq type='result' to=%s id=%s><query xmlns='jabber:iq:version'>"
                "<name>%s</name><version>1.0</version><os>TestOS</os></query></iq>"
                % (quoteattr(sender), quoteattr(id_), escape_text(self.name))
            )
        elif kind == "result" and time is not None:
            tzo = time.find("{%s}tzo" % TIME)
            utc = time.find("{%s}utc" % TIME)
            report({
                "kind": "time",
                "from": sender,
                "tzo": tzo.text if tzo is not None else None,
                "utc": utc.text if utc is not None else None,
            })
        elif kind in ("get", "set"):
            self.send_raw(
                "<iq type='error' to=%s id=%s><error type='cancel'>"
                "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                "</error></iq>" % (quoteattr(sender), quoteattr(id_))
            )


def main():
    jid, password, port, ca_file, type_, name = sys.argv[1:7]
    answer_type = sys.argv[7] if len(sys.argv) > 7 else type_
    tzo = sys.argv[8] if len(sys.argv) > 8 else "Z"
    logging.basicConfig(level=logging.CRITICAL)
    client = Device(jid, password, type_, name, answer_type, tzo)
    client.ssl_context.load_verify_locations(cafile=ca_file)
    client.connect(("127.0.0.1", int(port)))
    client.process(forever=False)


if __name__ == "__main__":
    main()
