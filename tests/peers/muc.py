#!/usr/bin/python3
"""A room occupant for rosterm's room tests (XEP-0045, slixmpp's xep_0045 plugin): joins,
kicks, destroys and configures rooms as it is told, and reports every presence and message
it receives.

Usage: muc.py JID PASSWORD PORT CA_FILE < commands > reports
stdout, one line each: "ready" once the session is up, then tab-separated key=value pairs
(backslash, tab and newline escaped as \\\\, \\t, \\n; empty ones left out):
  kind=presence from type show status codes (comma-separated) role affiliation nick idle
    (XEP-0319 since, verbatim)
  kind=message from type id body subject origin_id
  kind=done cmd (a command finished) / kind=failed cmd error
stdin, one command a line:
  join ROOM NICK [SHOW [STATUS...]]   join (no history), reported done once joined
  kick ROOM NICK REASON...            set the occupant's role to none
  role ROOM NICK ROLE                 set the occupant's role
  password ROOM SECRET                make the room password-protected
  destroy ROOM REASON...              destroy the room
  raw XML                             send the XML verbatim
EOF: disconnect and exit 0. Uses Debian's python3-slixmpp.
"""
import asyncio
import logging
import sys

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

MUC_USER = "http://jabber.org/protocol/muc#user"
IDLE = "urn:xmpp:idle:1"
SID = "urn:xmpp:sid:0"


def escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def report(fields):
    line = "\t".join(
        "%s=%s" % (k, escape(str(v))) for k, v in fields.items() if v not in (None, "")
    )
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def text_of(xml, name, ns="jabber:client"):
    el = xml.find("{%s}%s" % (ns, name))
    return el.text if el is not None else None


class Occupant(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0004")
        self.register_plugin("xep_0045")
        self.add_event_handler("session_start", self.start)
        self.register_handler(
            Callback("every presence", MatchXPath("{jabber:client}presence"), self.on_presence)
        )
        self.register_handler(
            Callback("every message", MatchXPath("{jabber:client}message"), self.on_message)
        )
        self.add_event_handler("failed_auth", lambda _e: sys.exit(1))

    async def start(self, _event):
        self.send_presence()
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
            if line.strip():
                try:
                    await self.command(line)
                except Exception as e:  # reported, the test decides
                    report({"kind": "failed", "cmd": line.split(" ")[0], "error": repr(e)})
        await asyncio.sleep(0.3)
        self.disconnect()

    async def command(self, line):
        cmd, _, rest = line.partition(" ")
        muc = self.plugin["xep_0045"]
        if cmd == "raw":
            self.send_raw(rest)
            return
        args = rest.split(" ")
        if cmd == "join":
            show = args[2] if len(args) > 2 else ""
            status = " ".join(args[3:])
            await muc.join_muc_wait(args[0], args[1], maxstanzas=0,
                                    presence_options={"pshow": show, "pstatus": status})
        elif cmd == "kick":
            await muc.set_role(args[0], args[1], "none", reason=" ".join(args[2:]))
        elif cmd == "role":
            await muc.set_role(args[0], args[1], args[2])
        elif cmd == "destroy":
            await muc.destroy(args[0], reason=" ".join(args[1:]))
        elif cmd == "password":
            form = self.plugin["xep_0004"].make_form(ftype="submit")
            form.add_field("FORM_TYPE", value="http://jabber.org/protocol/muc#roomconfig",
                           ftype="hidden")
            form.add_field("muc#roomconfig_passwordprotectedroom", value=True)
            form.add_field("muc#roomconfig_roomsecret", value=args[1])
            await muc.set_room_config(args[0], form)
        else:
            raise ValueError("unknown command " + cmd)
        report({"kind": "done", "cmd": cmd})

    def on_presence(self, pres):
        idle = pres.xml.find("{%s}idle" % IDLE)
        x = pres.xml.find("{%s}x" % MUC_USER)
        codes, role, affiliation, nick = [], None, None, None
        if x is not None:
            codes = [s.get("code") for s in x.findall("{%s}status" % MUC_USER)]
            item = x.find("{%s}item" % MUC_USER)
            if item is not None:
                role, affiliation, nick = item.get("role"), item.get("affiliation"), item.get("nick")
        report({
            "kind": "presence",
            "from": str(pres["from"]),
            "type": pres.xml.get("type"),
            "show": text_of(pres.xml, "show"),
            "status": text_of(pres.xml, "status"),
            "codes": ",".join(c for c in codes if c),
            "role": role,
            "affiliation": affiliation,
            "nick": nick,
            "idle": idle.get("since") if idle is not None else None,
        })

    def on_message(self, msg):
        origin = msg.xml.find("{%s}origin-id" % SID)
        report({
            "kind": "message",
            "from": str(msg["from"]),
            "type": msg.xml.get("type"),
            "id": msg.xml.get("id"),
            "body": text_of(msg.xml, "body"),
            "subject": text_of(msg.xml, "subject"),
            "origin_id": origin.get("id") if origin is not None else None,
        })


def main():
    jid, password, port, ca_file = sys.argv[1:5]
    logging.basicConfig(level=logging.CRITICAL)
    client = Occupant(jid, password)
    client.ssl_context.load_verify_locations(cafile=ca_file)
    client.connect(("127.0.0.1", int(port)))
    client.process(forever=False)


if __name__ == "__main__":
    main()
