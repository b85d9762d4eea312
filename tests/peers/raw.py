#!/usr/bin/python3
"""Sends raw XML stanzas as a logged-in client, for rosterm's hostile-input tests.

Usage: raw.py JID PASSWORD PORT CA_FILE [LINGER] < stanzas
Each input line is sent verbatim, in order, over one STARTTLS connection to 127.0.0.1:PORT
(certificate verified against CA_FILE); then, after LINGER seconds (default 0.3, so that
the last presence sent stays current meanwhile), the stream is closed. Exit 0 when everything
was sent, 1 on login failure. Uses Debian's python3-slixmpp.
"""
import asyncio
import logging
import sys

import slixmpp


class Raw(slixmpp.ClientXMPP):
    def __init__(self, jid, password, lines, linger):
        super().__init__(jid, password)
        self.lines = lines
        self.linger = linger
        self.ok = False
        self.add_event_handler("session_start", self.start)
        self.add_event_handler("failed_auth", self.failed)

    async def start(self, _event):
        for line in self.lines:
            self.send_raw(line)
        self.ok = True
        await asyncio.sleep(self.linger)
        self.disconnect()

    def failed(self, _event):
        self.disconnect()


def main():
    jid, password, port, ca_file = sys.argv[1:5]
    linger = float(sys.argv[5]) if len(sys.argv) > 5 else 0.3
    lines = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    logging.basicConfig(level=logging.CRITICAL)
    client = Raw(jid, password, lines, linger)
    client.ssl_context.load_verify_locations(cafile=ca_file)
    client.connect(("127.0.0.1", int(port)))
    client.process(forever=False)
    sys.exit(0 if client.ok else 1)


if __name__ == "__main__":
    main()
