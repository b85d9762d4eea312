#!/usr/bin/python3
"""A desktop's screensaver service for rosterm's desktop-idle test: it owns
org.freedesktop.ScreenSaver on the session bus (a real dbus-daemon, DBUS_SESSION_BUS_ADDRESS)
and answers GetSessionIdleTime with the milliseconds since the desktop's last input, which
the test sets.

Usage: screensaver.py < commands > reports
stdin, one line each: "busy" (the user is typing somewhere: idle 0 on every call) or
"idle SECONDS" (the last input was SECONDS ago, and idle grows from there). Starts busy.
stdout: "ready" once the name is owned, then "asked idle=MS" for each call. EOF: exit 0.
Uses Debian's python3-dbus and python3-gi.
"""
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = "org.freedesktop.ScreenSaver"


class ScreenSaver(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/org/freedesktop/ScreenSaver")
        self.last_input = None  # None: busy

    @dbus.service.method(NAME, in_signature="", out_signature="u")
    def GetSessionIdleTime(self):
        idle = 0 if self.last_input is None else int((time.time() - self.last_input) * 1000)
        print("asked idle=%d" % idle, flush=True)
        return dbus.UInt32(idle)


def main():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    keep = dbus.service.BusName(NAME, bus)  # noqa: F841 (owning the name while it lives)
    saver = ScreenSaver(bus)
    loop = GLib.MainLoop()

    def on_line(source, condition):
        line = source.readline()
        if not line:
            loop.quit()
            return False
        words = line.split()
        if words == ["busy"]:
            saver.last_input = None
        elif len(words) == 2 and words[0] == "idle":
            saver.last_input = time.time() - float(words[1])
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_line)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
