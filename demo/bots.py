#!/usr/bin/python3
"""Simulated contacts for rosterm's demo.

An XMPP server component (XEP-0114, slixmpp's ComponentXMPP) that connects to a local
Prosody as `bots.localhost` and plays every contact listed in assets/demo/contacts.json as
`<user>@bots.localhost`, for the demo's accounts (`--to NAME=JID`, one per account: demo and
work). A contact's `"accounts"` list (default `["demo"]`) names the accounts that have it in
their roster; those accounts are its audience (the accounts its presence goes to), and so
is any of them that subscribes to it later (`/add` from the other account).

* each contact has 1-3 devices (resources such as laptop, phone, work; Marvin is a bot) with
  their own client, advertised as XEP-0115 caps (phone, pc, web, tablet, bot identities) and
  answered over disco#info, a clock (XEP-0202 time, each contact in its own time zone), a
  priority (one kind negative), show (online/chat/away/xa/dnd) and status text (some
  non-ASCII, one long); about a quarter of the contacts are offline at any time;
* it answers `probe` presences from a demo account (Prosody probes every roster contact when
  the account logs in) with the current presence of each online resource, or `unavailable`;
* it answers `subscribe` with `subscribed` (and `unsubscribe` with `unsubscribed`);
* every ~`--interval` seconds (2-4 s by default) a few random contacts change: show/status,
  priority, a device coming online or going offline, a whole contact going offline or
  coming back. Each change is sent as presence to each account (bare JID) of the contact's
  audience;
* after 4 s, `newcomer@bots.localhost` asks every account for a subscription;
* after 6 s, one online contact writes to the first account (an unread conversation), and
  every minute or two another one does;
* a message from a demo account to an online contact is answered like a person would:
  a receipt when asked for (XEP-0184), "typing…" (XEP-0085), then a reply.

It logs to a file (`--log`), never to the terminal: rosterm owns the terminal. Run it with
Debian's /usr/bin/python3 (python3-slixmpp). demo/run.sh starts and stops it.

Layout: `Simulation` is the contacts' state and its random changes (no XMPP in it),
`build_presence` turns one resource's state into a stanza, and `Bots` is the XMPP glue.
A later benchmark "flood" mode can reuse `build_presence` and `Simulation`.
"""

import argparse
import base64
import hashlib
import xml.etree.ElementTree as ET
import asyncio
import json
import logging
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from slixmpp import JID, InvalidJID
from slixmpp.componentxmpp import ComponentXMPP
from slixmpp.stanza import Presence
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

log = logging.getLogger("bots")

# Devices a contact may use: resource name -> default priority. "tablet" is negative on
# purpose (a client that never wants messages routed to it).
DEVICES: Dict[str, int] = {
    "desktop": 10,
    "laptop": 5,
    "work": 3,
    "phone": 1,
    "tablet": -1,
}

# Devices only a contact's own "devices" list in contacts.json gives it (never drawn at
# random): a bot's resource.
BOT_DEVICES: Dict[str, int] = {"daemon": 0}

# The client each device runs: its XEP-0030 identity (category client, type, name), which
# every presence advertises as XEP-0115 caps and disco#info answers; rosterm draws a glyph
# per type (phone, pc, web, tablet, bot) and names the client in its detail view.
CLIENTS: Dict[str, Tuple[str, str]] = {
    "desktop": ("pc", "Gajim 1.9"),
    "laptop": ("pc", "Dino 0.4"),
    "work": ("web", "Converse.js 11"),
    "phone": ("phone", "Conversations 2.17"),
    "tablet": ("tablet", "Monal 6.4"),
    "daemon": ("bot", "Sirius Cybernetics GPP 42"),
}
CAPS_NODE = "https://rosterm.invalid/demo-bots"
DISCO_INFO = "http://jabber.org/protocol/disco#info"
CAPS_NS = "http://jabber.org/protocol/caps"
TIME_NS = "urn:xmpp:time"
VERSION_NS = "jabber:iq:version"
FEATURES = sorted([CAPS_NS, DISCO_INFO, TIME_NS, VERSION_NS, "urn:xmpp:idle:1"])
# The operating system each device type says it runs (XEP-0092).
SYSTEMS = {"pc": "Debian 12", "web": "Firefox 128", "phone": "Android 14", "tablet": "iPadOS 17",
           "bot": "Sirius OS"}

# Where the contacts live: UTC offsets in minutes (XEP-0202), one per contact by its name,
# so that some of them are in their night whenever the demo runs.
TZ_OFFSETS = [0, 60, -300, 540, 330, -480, 120, 780, -180, 600]


def caps_ver(device: str) -> str:
    """The XEP-0115 verification string of a device's client (section 5.1, SHA-1)."""
    type_, name = CLIENTS[device]
    text = "client/%s//%s<" % (type_, name) + "".join(f + "<" for f in FEATURES)
    return base64.b64encode(hashlib.sha1(text.encode()).digest()).decode()


def tz_offset(user: str) -> int:
    return TZ_OFFSETS[sum(map(ord, user)) % len(TZ_OFFSETS)]


def tzo(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return "%s%02d:%02d" % (sign, abs(minutes) // 60, abs(minutes) % 60)


# XMPP <show/> values; "online" means no <show/> element.
SHOW_WEIGHTS: Dict[str, int] = {"online": 45, "chat": 10, "away": 20, "xa": 10, "dnd": 15}

LONG_STATUS = (
    "Moving house this week: boxes everywhere and the internet comes and goes, so if I "
    "don't answer it's not you, it's the router. Call me if it's urgent, otherwise I'll "
    "catch up with everything on Monday. Thanks for your patience!"
)

# Status texts per show value (an empty status is also common, see random_status).
STATUSES: Dict[str, List[str]] = {
    "online": [
        "Working from home",
        "Café ☕",
        "Listening to Radiohead",
        "Trying rosterm",
        "Back from lunch",
        "🎧 coding",
        "Déjà vu all over again",
    ],
    "chat": [
        "Bored, talk to me!",
        "Free for a chat",
        "Anyone up for a game? 🎮",
        "Ask me about my cat",
    ],
    "away": [
        "Lunch 🍜",
        "Back in 5",
        "In a meeting",
        "会議中",
        "Walking the dog",
        LONG_STATUS,
    ],
    "xa": [
        "On holiday 🌴",
        "Im Urlaub bis Montag",
        "В дороге",
        "Gone fishing",
        "Zzz 😴",
    ],
    "dnd": [
        "Deadline!",
        "Do not disturb: deploying",
        "Focus time until 17:00",
        "Recording a podcast 🎤",
    ],
}

OFFLINE_FRACTION = 0.25


@dataclass
class Resource:
    """One online device of a contact."""

    show: str  # online, chat, away, xa, dnd
    status: str  # may be empty
    priority: int
    idle_since: Optional[float] = None  # epoch seconds: sent as XEP-0319 <idle since=…/>


@dataclass
class Contact:
    user: str  # local part: <user>@<domain>
    name: str
    devices: List[str]  # the resources this contact ever uses (1-3)
    accounts: List[str]  # the demo accounts with this contact in their roster (names)
    online: Dict[str, Resource] = field(default_factory=dict)  # currently online ones


# A change to send: (contact, resource name, new state or None for "went offline").
Change = Tuple[Contact, str, Optional[Resource]]


def build_presence(xmpp: ComponentXMPP, frm: JID, to: JID, res: Optional[Resource]) -> Presence:
    """One presence stanza from `frm` to `to`: available with the resource's show, status
    and priority, or unavailable when `res` is None."""
    pres = xmpp.Presence()
    pres["from"] = frm
    pres["to"] = to
    if res is None:
        pres["type"] = "unavailable"
        return pres
    if res.show != "online":
        pres["show"] = res.show
    if res.status:
        pres["status"] = res.status
    pres["priority"] = res.priority
    if res.idle_since is not None:
        idle = ET.Element("{urn:xmpp:idle:1}idle")
        idle.set("since", time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(res.idle_since)))
        pres.append(idle)
    device = frm.resource
    if device in CLIENTS:
        c = ET.Element("{%s}c" % CAPS_NS)
        c.set("hash", "sha-1")
        c.set("node", CAPS_NODE)
        c.set("ver", caps_ver(device))
        pres.append(c)
    return pres


def contact_accounts(contact: dict) -> List[str]:
    """The accounts that have this contact in their roster (contacts.json's "accounts")."""
    return list(contact.get("accounts", ["demo"]))


def parse_to(text: str) -> Tuple[str, str]:
    """`--to NAME=JID`, or `--to JID` for the account named after the JID's local part."""
    name, sep, jid = text.partition("=")
    if not sep:
        name, jid = text.split("@", 1)[0], text
    try:
        bare = JID(jid).bare if "@" in jid else ""
    except InvalidJID:
        bare = ""
    if not name or not bare:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected NAME=JID (an account name from contacts.json and its bare JID, "
            "e.g. work=work@localhost) or a bare JID")
    return name, bare


class Simulation:
    """The contacts' presence state and its random evolution."""

    def __init__(self, contacts: List[dict], rng: random.Random):
        self.rng = rng
        self.contacts: Dict[str, Contact] = {}
        for c in contacts:
            n = rng.choices([1, 2, 3], weights=[3, 4, 3])[0]
            devices = c.get("devices") or rng.sample(list(DEVICES), n)
            self.contacts[c["user"]] = Contact(c["user"], c["name"], devices, contact_accounts(c))
        # Everyone online except a quarter, with a random subset (>= 1) of their devices.
        everyone = list(self.contacts.values())
        # A bot (Marvin) starts online: its device glyph is part of the show.
        people = [c for c in everyone if not set(c.devices) & set(BOT_DEVICES)]
        offline = set(id(c) for c in rng.sample(people, round(len(everyone) * OFFLINE_FRACTION)))
        for c in everyone:
            if id(c) not in offline:
                for d in rng.sample(c.devices, rng.randint(1, len(c.devices))):
                    c.online[d] = self.random_resource(d)
        # Make sure the interesting statuses are visible from the start.
        online = [(c, r) for c in everyone for r in c.online.values()]
        for (_, res), status in zip(rng.sample(online, min(2, len(online))), [LONG_STATUS, "Café ☕"]):
            res.show = "away" if status == LONG_STATUS else "online"
            res.status = status

    def random_show(self) -> str:
        return self.rng.choices(list(SHOW_WEIGHTS), weights=list(SHOW_WEIGHTS.values()))[0]

    def random_status(self, show: str) -> str:
        if self.rng.random() < 0.2:
            return ""
        return self.rng.choice(STATUSES[show])

    def random_resource(self, device: str) -> Resource:
        show = self.random_show()
        res = Resource(show, self.random_status(show), DEVICES.get(device, BOT_DEVICES.get(device, 0)))
        if show in ("away", "xa"):
            # Away or extended away since a while: rosterm shows "idle 25m" on the row.
            res.idle_since = time.time() - self.rng.randint(3, 180) * 60
        return res

    def online_count(self) -> int:
        return sum(1 for c in self.contacts.values() if c.online)

    def resource_count(self) -> int:
        return sum(len(c.online) for c in self.contacts.values())

    def step(self) -> List[Change]:
        """A few random changes (1-4), applied to the state and returned."""
        changes: List[Change] = []
        for _ in range(self.rng.randint(1, 4)):
            changes.extend(self.one_change())
        return changes

    def one_change(self) -> List[Change]:
        rng = self.rng
        everyone = list(self.contacts.values())
        online = [c for c in everyone if c.online]
        action = rng.choices(
            ["mood", "priority", "device_on", "device_off", "contact"], weights=[6, 1, 2, 2, 2]
        )[0]

        if action == "contact" or not online:
            # A random walk that keeps about OFFLINE_FRACTION of the contacts offline: the
            # more are offline, the likelier one comes back.
            offline = [c for c in everyone if not c.online]
            p_back = 0.5 + (len(offline) / len(everyone) - OFFLINE_FRACTION) * 5
            if offline and (rng.random() < p_back or not online):
                c = rng.choice(offline)
                out = []
                for d in rng.sample(c.devices, rng.randint(1, len(c.devices))):
                    c.online[d] = self.random_resource(d)
                    out.append((c, d, c.online[d]))
                return out
            # A bot never goes away (it is there to be seen).
            people = [c for c in online if not set(c.devices) & set(BOT_DEVICES)] or online
            c = rng.choice(people)
            out = [(c, d, None) for d in c.online]
            c.online.clear()
            return out

        if action == "device_on":
            candidates = [c for c in online if len(c.online) < len(c.devices)]
            if candidates:
                c = rng.choice(candidates)
                d = rng.choice([d for d in c.devices if d not in c.online])
                c.online[d] = self.random_resource(d)
                return [(c, d, c.online[d])]
        elif action == "device_off":
            candidates = [c for c in online if len(c.online) > 1]
            if candidates:
                c = rng.choice(candidates)
                d = rng.choice(list(c.online))
                del c.online[d]
                return [(c, d, None)]
        elif action == "priority":
            c = rng.choice(online)
            d = rng.choice(list(c.online))
            res = c.online[d]
            res.priority = rng.choice([p for p in (-5, -1, 0, 1, 3, 5, 10, 20) if p != res.priority])
            return [(c, d, res)]

        # "mood", also the fallback when the chosen action did not apply.
        c = rng.choice(online)
        d = rng.choice(list(c.online))
        res = c.online[d]
        if rng.random() < 0.6:
            res.show = self.random_show()
        res.status = self.random_status(res.show)
        return [(c, d, res)]


class Bots(ComponentXMPP):
    """XMPP glue: answers probes and subscriptions, sends the simulation's changes."""

    def __init__(self, args: argparse.Namespace, sim: Simulation):
        super().__init__(args.domain, args.secret, args.host, args.port)
        self.args = args
        self.sim = sim
        # Account name -> the account's bare JID, and each contact's audience: the bare JIDs
        # its presence goes to (its accounts, plus any known account that subscribes later).
        self.accounts: Dict[str, str] = dict(args.to)
        self.users: Set[str] = set(self.accounts.values())
        self.audience: Dict[str, Set[str]] = {
            c.user: {self.accounts[a] for a in c.accounts} for c in sim.contacts.values()
        }
        self.rng = sim.rng
        self.exit_code = 0
        self.started = False
        self.stopping = False
        self.sent = 0

        # slixmpp keeps an in-memory roster for components and answers probes and
        # subscription requests from it; that roster knows nothing about Prosody's, so its
        # answer to a probe would be `unsubscribed`, which cancels the demo account's
        # subscription. Drop those built-in handlers; the handlers below replace them.
        for event, handler in [
            ("presence_probe", self._handle_probe),
            ("presence_available", self._handle_available),
            ("presence_chat", self._handle_available),
            ("presence_away", self._handle_available),
            ("presence_xa", self._handle_available),
            ("presence_dnd", self._handle_available),
            ("presence_unavailable", self._handle_unavailable),
            ("presence_subscribe", self._handle_subscribe),
            ("presence_subscribed", self._handle_subscribed),
            ("presence_unsubscribe", self._handle_unsubscribe),
            ("presence_unsubscribed", self._handle_unsubscribed),
            ("roster_subscription_request", self._handle_new_subscription),
        ]:
            self.del_event_handler(event, handler)

        self.register_handler(
            Callback("queries", MatchXPath("{%s}iq" % self.default_ns), self.on_iq)
        )
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("presence_probe", self.on_probe)
        self.add_event_handler("presence_subscribe", self.on_subscribe)
        self.add_event_handler("presence_unsubscribe", self.on_unsubscribe)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("connection_failed", self.on_connection_failed)
        self.add_event_handler("stream_error", self.on_stream_error)
        self.add_event_handler("disconnected", self.on_disconnected)

    def jid_of(self, contact: Contact, resource: Optional[str] = None) -> JID:
        return JID(f"{contact.user}@{self.args.domain}" + (f"/{resource}" if resource else ""))

    def audience_of(self, contact: Contact) -> List[JID]:
        """The accounts that get this contact's presence changes, in a stable order."""
        return [JID(u) for u in sorted(self.audience[contact.user])]

    def send_state(self, contact: Optional[Contact], bare: JID, to: JID) -> None:
        """Send `to` the current presence of every online resource of the contact, or a
        single unavailable presence when it is offline (or unknown)."""
        if contact is None or not contact.online:
            build_presence(self, bare, to, None).send()
            self.sent += 1
            return
        for d, res in contact.online.items():
            build_presence(self, self.jid_of(contact, d), to, res).send()
            self.sent += 1

    # --- events ---------------------------------------------------------------------

    def on_session_start(self, _event) -> None:
        self.started = True
        log.info(
            "connected as %s; %d contacts, %d online with %d resources",
            self.args.domain, len(self.sim.contacts), self.sim.online_count(), self.sim.resource_count(),
        )
        for name, jid in self.accounts.items():
            log.info(
                "account %s (%s): %d contacts", name, jid,
                sum(1 for a in self.audience.values() if jid in a),
            )
        if self.args.ready_file:
            Path(self.args.ready_file).write_text("ready\n")
        asyncio.ensure_future(self.run_changes())

    def on_probe(self, pres: Presence) -> None:
        if pres["from"].bare not in self.users:
            log.info("ignoring probe from %s", pres["from"])
            return
        contact = self.sim.contacts.get(pres["to"].user)
        log.debug("probe %s -> %s", pres["from"], pres["to"])
        self.send_state(contact, JID(pres["to"].bare), pres["from"])

    def on_iq(self, iq) -> None:
        """disco#info (the caps behind a device's ver, XEP-0115), entity time (XEP-0202,
        each contact at its own offset) and software version (XEP-0092); any other get or
        set is refused."""
        if iq["type"] not in ("get", "set"):
            return
        to = iq["to"]
        # A room occupant (<user>-room) answers for its contact's devices too.
        contact = self.sim.contacts.get(to.user or "") or self.sim.contacts.get(
            (to.user or "").removesuffix("-room")
        )
        query = iq.xml.find("{%s}query" % DISCO_INFO)
        asked_time = iq.xml.find("{%s}time" % TIME_NS)
        asked_version = iq.xml.find("{%s}query" % VERSION_NS)
        reply = iq.reply(clear=True)
        if iq["type"] == "get" and contact and query is not None and to.resource in CLIENTS:
            type_, name = CLIENTS[to.resource]
            answer = ET.SubElement(reply.xml, "{%s}query" % DISCO_INFO)
            if query.get("node"):
                answer.set("node", query.get("node"))
            identity = ET.SubElement(answer, "{%s}identity" % DISCO_INFO)
            identity.set("category", "client")
            identity.set("type", type_)
            identity.set("name", name)
            for feature in FEATURES:
                ET.SubElement(answer, "{%s}feature" % DISCO_INFO).set("var", feature)
        elif iq["type"] == "get" and contact and asked_time is not None:
            answer = ET.SubElement(reply.xml, "{%s}time" % TIME_NS)
            ET.SubElement(answer, "{%s}tzo" % TIME_NS).text = tzo(tz_offset(contact.user))
            ET.SubElement(answer, "{%s}utc" % TIME_NS).text = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime()
            )
        elif iq["type"] == "get" and contact and asked_version is not None and to.resource in CLIENTS:
            type_, client = CLIENTS[to.resource]
            name, _, version = client.rpartition(" ")
            answer = ET.SubElement(reply.xml, "{%s}query" % VERSION_NS)
            ET.SubElement(answer, "{%s}name" % VERSION_NS).text = name
            ET.SubElement(answer, "{%s}version" % VERSION_NS).text = version
            ET.SubElement(answer, "{%s}os" % VERSION_NS).text = SYSTEMS.get(type_, "Linux")
        else:
            reply["type"] = "error"
            reply["error"]["type"] = "cancel"
            reply["error"]["condition"] = "service-unavailable"
        reply.send()

    def on_subscribe(self, pres: Presence) -> None:
        log.info("subscribe %s -> %s: subscribed", pres["from"], pres["to"])
        reply = self.Presence()
        reply["from"] = pres["to"].bare
        reply["to"] = pres["from"].bare
        reply["type"] = "subscribed"
        reply.send()
        contact = self.sim.contacts.get(pres["to"].user)
        if contact is not None and pres["from"].bare in self.users:
            # Added from another account at run time: that account gets the changes too.
            self.audience[contact.user].add(pres["from"].bare)
        self.send_state(contact, JID(pres["to"].bare), JID(pres["from"].bare))

    def on_unsubscribe(self, pres: Presence) -> None:
        log.info("unsubscribe %s -> %s: unsubscribed", pres["from"], pres["to"])
        reply = self.Presence()
        reply["from"] = pres["to"].bare
        reply["to"] = pres["from"].bare
        reply["type"] = "unsubscribed"
        reply.send()

    def on_message(self, msg) -> None:
        """A demo account wrote to a contact: a receipt, typing, then a reply (online only)."""
        if msg["from"].bare not in self.users or msg["type"] not in ("chat", "normal"):
            return
        body = msg["body"]
        if not body:
            return
        contact = self.sim.contacts.get(msg["to"].user)
        if contact is None or not contact.online:
            log.info("message to offline %s: no answer", msg["to"])
            return
        frm = self.jid_of(contact, next(iter(contact.online)))
        if msg.xml.find("{urn:xmpp:receipts}request") is not None and msg["id"]:
            receipt = self.make_message(mto=msg["from"], mfrom=frm)
            received = ET.Element("{urn:xmpp:receipts}received", {"id": msg["id"]})
            receipt.append(received)
            receipt.send()
        asyncio.ensure_future(self.reply_later(contact, frm, msg["from"], body))

    async def reply_later(self, contact: Contact, frm: JID, to: JID, body: str) -> None:
        await asyncio.sleep(0.5)
        self.chat_state(frm, to, "composing")
        await asyncio.sleep(self.rng.uniform(1.0, 2.5))
        first = contact.name.split()[0] if contact.name else contact.user
        replies = [
            f"You said \"{body[:80]}\". {first} agrees.",
            "Sounds good to me 👍",
            "Can't talk now, I'm in a meeting… later?",
            f"Ha! Tell me more, {first} is listening.",
        ]
        reply = self.make_message(mto=to, mbody=self.rng.choice(replies), mtype="chat", mfrom=frm)
        reply.append(ET.Element("{http://jabber.org/protocol/chatstates}active"))
        reply.send()
        log.info("%s answered %s", frm, to)

    def chat_state(self, frm: JID, to: JID, state: str) -> None:
        msg = self.make_message(mto=to, mfrom=frm, mtype="chat")
        msg.append(ET.Element(f"{{http://jabber.org/protocol/chatstates}}{state}"))
        msg.send()

    async def greet(self, to: JID) -> None:
        """One online contact writes first, so the demo opens with an unread conversation."""
        online = [c for c in self.sim.contacts.values() if c.online and to.bare in self.audience[c.user]]
        if not online:
            return
        contact = online[0]
        frm = self.jid_of(contact, next(iter(contact.online)))
        self.chat_state(frm, to, "composing")
        await asyncio.sleep(1.5)
        text = (
            "Hi! I'm one of the demo's contacts. Alt-2 (or Tab twice) opens this conversation, "
            "Enter on any contact starts one, Esc goes back to the roster.\n"
            "Write to me: you will see ✓ when the server has it, ✓✓ when I got it, and me typing."
        )
        msg = self.make_message(mto=to, mbody=text, mtype="chat", mfrom=frm)
        msg.append(ET.Element("{http://jabber.org/protocol/chatstates}active"))
        msg.send()
        log.info("%s greeted %s", frm, to)

    async def chat_now_and_then(self, to: JID) -> None:
        online = [c for c in self.sim.contacts.values() if c.online and to.bare in self.audience[c.user]]
        if not online:
            return
        contact = self.rng.choice(online)
        frm = self.jid_of(contact, next(iter(contact.online)))
        self.chat_state(frm, to, "composing")
        await asyncio.sleep(self.rng.uniform(1.0, 3.0))
        lines = ["Are you around?", "Lunch later? 🍜", "Did you see the news?", "ping", "Call me when you can."]
        msg = self.make_message(mto=to, mbody=self.rng.choice(lines), mtype="chat", mfrom=frm)
        msg.append(ET.Element("{http://jabber.org/protocol/chatstates}active"))
        msg.send()
        log.info("%s wrote to %s by itself", frm, to)

    def on_connection_failed(self, err) -> None:
        log.error("cannot connect to %s:%s: %s", self.args.host, self.args.port, err)
        self.stop(2)

    def on_stream_error(self, err) -> None:
        log.error("stream error from the server: %s %s", err["condition"], err["text"])
        self.exit_code = self.exit_code or 3

    def on_disconnected(self, _event) -> None:
        if not self.stopping:
            log.error("disconnected from the server")
            self.stop(self.exit_code or 1)

    def stop(self, code: int) -> None:
        if self.stopping:
            return
        self.stopping = True
        self.exit_code = code
        self.abort()
        asyncio.get_event_loop().stop()

    # --- the simulation -------------------------------------------------------------

    async def run_changes(self) -> None:
        try:
            if self.args.room:
                asyncio.ensure_future(self.room_crowd(JID(self.args.room)))
            await self.changes_loop()
        except Exception:  # a bug: say so in the log, and stop rather than go quiet
            log.exception("the simulation failed")
            self.stop(4)

    # --- the busy room ----------------------------------------------------------------

    def room_presence(self, room: JID, nick: str, who: JID, res: Optional[Resource]) -> None:
        pres = build_presence(self, who, JID(f"{room.bare}/{nick}"), res)
        if res is not None:
            pres.append(ET.Element("{http://jabber.org/protocol/muc}x"))
        pres.send()
        self.sent += 1

    def room_state(self) -> Resource:
        show = self.sim.random_show()
        return Resource(show, self.sim.random_status(show), 0)

    async def room_crowd(self, room: JID) -> None:
        """A few dozen occupants of `--room` (as <user>-room@bots): they enter, change show
        and status, talk, leave and come back."""
        crowd = sorted(self.sim.contacts.values(), key=lambda c: c.user)[: self.args.room_size]
        nicks = {c.user: c.name.split()[0] + ("" if i < 26 else str(i)) for i, c in enumerate(crowd)}
        present: Dict[str, Resource] = {}
        # Each on a device of its own (its caps come with its room presence).
        devices = sorted(CLIENTS)
        who = lambda c: JID(
            f"{c.user}-room@{self.args.domain}/{devices[sum(map(ord, c.user)) % len(devices)]}"
        )
        for c in crowd:
            res = self.room_state()
            present[c.user] = res
            self.room_presence(room, nicks[c.user], who(c), res)
            await asyncio.sleep(0.05)
        log.info("%d occupants in %s", len(present), room)
        lines = ["has anyone tried the new build?", "lunch in 10", "the CI is green again",
                 "who broke the coffee machine?", "meeting moved to 3pm", "ship it 🚀",
                 "rosterm shows who is here, live", "brb", "good morning, all", "+1"]
        while not self.stopping:
            await asyncio.sleep(self.rng.uniform(1.0, 3.0))
            c = self.rng.choice(crowd)
            nick, roll = nicks[c.user], self.rng.random()
            if roll < 0.45 and c.user in present:
                msg = self.make_message(mto=room.bare, mfrom=who(c), mtype="groupchat",
                                        mbody=self.rng.choice(lines))
                msg.send()
            elif roll < 0.85 and c.user in present:
                present[c.user] = self.room_state()
                self.room_presence(room, nick, who(c), present[c.user])
            elif c.user in present:
                del present[c.user]
                self.room_presence(room, nick, who(c), None)
            else:
                present[c.user] = self.room_state()
                self.room_presence(room, nick, who(c), present[c.user])

    def send_subscription_request(self, to: JID) -> None:
        """One stranger asks to see an account's presence, so the inbox has something."""
        pres = self.make_presence(pto=to, pfrom=JID(f"newcomer@{self.args.domain}"), ptype="subscribe")
        nick = ET.Element("{http://jabber.org/protocol/nick}nick")
        nick.text = "Newcomer (a demo request: y approves, n denies)"
        pres.append(nick)
        pres.send()
        log.info("sent a subscription request from newcomer@%s to %s", self.args.domain, to)

    async def changes_loop(self) -> None:
        lo, hi = self.args.interval * 2 / 3, self.args.interval * 4 / 3
        await asyncio.sleep(4)
        for user in self.accounts.values():
            self.send_subscription_request(JID(user))
        await asyncio.sleep(2)
        first = next(iter(self.accounts.values()), None)
        if first is not None:
            await self.greet(JID(first))
        next_chat = asyncio.get_event_loop().time() + self.rng.uniform(60, 120)
        while not self.stopping:
            await asyncio.sleep(self.rng.uniform(lo, hi))
            if first is not None and asyncio.get_event_loop().time() >= next_chat:
                # Now and then a contact writes by itself.
                next_chat += self.rng.uniform(60, 120)
                asyncio.ensure_future(self.chat_now_and_then(JID(first)))
            changes = self.sim.step()
            for contact, d, res in changes:
                for to in self.audience_of(contact):
                    build_presence(self, self.jid_of(contact, d), to, res).send()
                    self.sent += 1
                log.debug(
                    "%s/%s: %s", contact.user, d,
                    "offline" if res is None else f"{res.show} {res.priority} {res.status!r}",
                )
            log.info(
                "%d change(s); %d/%d contacts online, %d resources; %d stanzas sent so far",
                len(changes), self.sim.online_count(), len(self.sim.contacts),
                self.sim.resource_count(), self.sent,
            )


def parse_args() -> argparse.Namespace:
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser(description="Simulated contacts for the rosterm demo (an XMPP component).")
    p.add_argument("--host", default="127.0.0.1", help="Prosody's address (default 127.0.0.1)")
    p.add_argument("--port", type=int, required=True, help="Prosody's component port")
    p.add_argument("--secret", required=True, help="the component secret")
    p.add_argument("--domain", default="bots.localhost", help="the component's domain")
    p.add_argument("--to", type=parse_to, action="append", metavar="NAME=JID",
                   help="a demo account: its name in contacts.json's \"accounts\" lists and its "
                        "bare JID; once per account (default: NAME@localhost for every NAME "
                        "the contacts use)")
    p.add_argument("--interval", type=float, default=3.0,
                   help="mean seconds between rounds of changes (each round waits 2/3..4/3 of it)")
    p.add_argument("--contacts", default=str(here.parent / "assets" / "demo" / "contacts.json"),
                   help="the contact list (JSON; default assets/demo/contacts.json)")
    p.add_argument("--log", default="bots.log", help="log file (default ./bots.log)")
    p.add_argument("--ready-file", help="file written once the component is connected")
    p.add_argument("--seed", type=int, help="random seed (default: random)")
    p.add_argument("--debug", action="store_true", help="log every change")
    p.add_argument("--room", help="a room (XEP-0045) the contacts crowd: enter, talk, change")
    p.add_argument("--room-size", type=int, default=30, help="occupants of --room (default 30)")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    logging.basicConfig(
        filename=args.log,
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("slixmpp").setLevel(logging.WARNING)

    contacts = json.loads(Path(args.contacts).read_text(encoding="utf-8"))["contacts"]
    used = sorted({a for c in contacts for a in contact_accounts(c)})
    if args.to is None:
        args.to = [(a, f"{a}@localhost") for a in used]
    missing = [a for a in used if a not in dict(args.to)]
    if missing:
        print(
            f"bots.py: {args.contacts} puts contacts in account(s) {', '.join(missing)}, "
            f"but no --to names them: add --to NAME=JID for each",
            file=sys.stderr,
        )
        return 2
    sim = Simulation(contacts, random.Random(args.seed))
    xmpp = Bots(args, sim)

    loop = asyncio.get_event_loop()
    loop.add_signal_handler(signal.SIGTERM, xmpp.stop, 0)
    # Started in the background by a script, SIGINT is ignored: keep it that way.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        loop.add_signal_handler(signal.SIGINT, xmpp.stop, 0)
    log.info("connecting to %s:%d as %s", args.host, args.port, args.domain)
    xmpp.connect()
    loop.run_forever()
    log.info("stopped (exit code %d)", xmpp.exit_code)
    return xmpp.exit_code


if __name__ == "__main__":
    sys.exit(main())
