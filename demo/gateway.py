#!/usr/bin/python3
"""A XEP-0100 gateway for rosterm's demo (irc.localhost) and its gateway tests: an XEP-0114
component running slixmpp's own gateway plugin (xep_0100, identity gateway/TYPE named NAME)
with its in-band registration (xep_0077: legacy username and password fields, kept in
memory). It bridges to no real network.

Usage: gateway.py DOMAIN SECRET COMPONENT_PORT TYPE NAME [serve] < commands > reports
stdout, one line each: "ready" once the component is connected, then tab-separated
key=value:
  kind=registered: from, username, password (a registration the plugin accepted)
  kind=presence: from, to, type (a presence to the gateway or behind it)
  kind=disco: from (a disco#info query received)
stdin, one line each: raw XML to send. EOF: disconnect and exit 0. With "serve" (the
demo) stdin is not read: it runs until killed.
Uses Debian's python3-slixmpp.
"""
import asyncio
import logging
import sys

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

DISCO = "http://jabber.org/protocol/disco#info"


def escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def report(fields):
    line = "\t".join(
        "%s=%s" % (k, escape(str(v))) for k, v in fields.items() if v not in (None, "")
    )
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Gateway(slixmpp.ComponentXMPP):
    def __init__(self, domain, secret, port, type_, name, serve):
        super().__init__(domain, secret, "127.0.0.1", port)
        self.serve = serve
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0004")
        self.register_plugin("xep_0066")
        self.register_plugin("xep_0077")
        self.register_plugin("xep_0100", {"component_name": name, "type": type_})
        self.add_event_handler("session_start", self.start)
        self.add_event_handler("user_register", self.on_register)
        self.register_handler(
            Callback("presence", MatchXPath("{jabber:component:accept}presence"), self.on_presence)
        )
        self.register_handler(
            Callback("disco", MatchXPath("{jabber:component:accept}iq/{%s}query" % DISCO),
                     self.on_disco)
        )

    async def start(self, _event):
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        if self.serve:
            return
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = await reader.readline()
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line.strip():
                self.send_raw(line)
        await asyncio.sleep(0.3)
        self.disconnect()

    def on_register(self, iq):
        reg = iq["register"]
        report({
            "kind": "registered",
            "from": iq["from"],
            "username": reg["username"],
            "password": reg["password"],
        })

    def on_presence(self, presence):
        xml = presence.xml
        report({
            "kind": "presence",
            "from": xml.get("from"),
            "to": xml.get("to"),
            "type": xml.get("type") or "available",
        })

    def on_disco(self, iq):
        if iq["type"] == "get":
            report({"kind": "disco", "from": iq["from"]})


def main():
    domain, secret, port, type_, name = sys.argv[1:6]
    serve = sys.argv[6:7] == ["serve"]
    logging.basicConfig(level=logging.CRITICAL)
    gateway = Gateway(domain, secret, int(port), type_, name, serve)
    gateway.connect()
    gateway.process(forever=serve)


if __name__ == "__main__":
    main()
