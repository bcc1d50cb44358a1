#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Minimal QMP (QEMU Machine Protocol) client, standard library only.

QEMU must be started with ``-qmp unix:PATH,server=on,wait=off``. QEMU serves
one QMP client at a time on such a socket; a second concurrent client hangs
until the first disconnects (and then times out here).

CLI usage (``qmp.py [--timeout S] [--connect-timeout S] SOCKET SUBCOMMAND``):

    status                         print the run state (running, paused, ...)
    wait-status STATUS             poll query-status until it equals STATUS
    wait-event NAME                wait for an event, print it as JSON
    device-add DRIVER KEY=VALUE..  device_add; prints "device_added id=ID"
    device-del ID [--no-wait]      device_del, then wait for DEVICE_DELETED;
                                   prints "device_deleted id=ID ms=N"
    set-link NAME up|down          set_link on a NIC or netdev
    migrate URI [--max-downtime-ms N] [--dst SOCKET]
                                   migrate, poll until done; prints
                                   "migrated status=completed total_ms=N
                                   downtime_ms=N paused_ms=N|- ..."; with
                                   --dst (the destination's QMP socket,
                                   QEMU started with -incoming) paused_ms is
                                   from the source's STOP event to the
                                   destination's RESUME (one host clock:
                                   both QEMUs on this host), "-" if it
                                   cannot be timed; QEMU's downtime_ms
                                   stops at the source's end and leaves out
                                   the destination's last load and start.
                                   --dst holds the destination's socket
                                   for the whole migration.
    quit                           quit QEMU
    raw JSON                       '{"execute": ..., "arguments": {...}}' or a
                                   bare command name; prints the return value

--timeout (default 30 s, 300 s for migrate) bounds the whole operation after
connecting; --connect-timeout (default 10 s) bounds waiting for the socket to
appear. Exit status: 0 success, 1 QMP or connection error, 2 usage error,
3 timeout. Module usage:

    from qmp import QMP
    with QMP("/tmp/vm.sock") as q:
        print(q.cmd("query-status")["status"])
        q.cmd("device_del", {"id": "vf0"})
        q.wait_event("DEVICE_DELETED",
                     lambda ev: ev.get("data", {}).get("device") == "vf0")
"""

import argparse
import collections
import json
import socket
import sys
import time

PROG = "qmp.py"


class QMPError(Exception):
    """QMP error reply, protocol or connection problem (exit status 1)."""


class QMPTimeout(QMPError):
    """Nothing useful arrived in time (exit status 3)."""


class QMPClosed(QMPError):
    """QEMU closed the connection."""


class QMP:
    """A QMP connection; received events are kept in ``self.events``."""

    def __init__(self, path, timeout=30.0, connect_timeout=10.0):
        self.path = path
        self.timeout = timeout
        self.events = collections.deque()
        self._buf = b""
        self._ids = 0
        self.sock = self._connect(connect_timeout)
        try:
            self.greeting = self._recv(self._deadline(timeout), "the QMP "
                                       "greeting (another client connected?)")
            self.cmd("qmp_capabilities", timeout=timeout)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def _deadline(self, timeout):
        return time.monotonic() + (self.timeout if timeout is None
                                   else timeout)

    def _connect(self, connect_timeout):
        deadline = time.monotonic() + connect_timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(max(connect_timeout, 0.1))
            try:
                sock.connect(self.path)
                return sock
            except (FileNotFoundError, ConnectionRefusedError) as err:
                sock.close()
                if time.monotonic() >= deadline:
                    raise QMPTimeout(f"cannot connect to {self.path} within "
                                     f"{connect_timeout:g} s: "
                                     f"{err.strerror}") from None
                time.sleep(0.1)
            except OSError as err:
                sock.close()
                raise QMPError(f"cannot connect to {self.path}: "
                               f"{err}") from None

    def _recv(self, deadline, what):
        """Return the next message, waiting at most until deadline."""
        while True:
            if b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                if line.strip():
                    break
                continue
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                self.sock.settimeout(remaining)
                data = self.sock.recv(65536)
            except TimeoutError:
                raise QMPTimeout(f"timed out waiting for {what}") from None
            except OSError as err:
                raise QMPClosed(f"connection error waiting for {what}: "
                                f"{err}") from None
            if not data:
                raise QMPClosed(f"QEMU closed the connection while waiting "
                                f"for {what}")
            self._buf += data
        try:
            return json.loads(line)
        except ValueError:
            raise QMPError(f"malformed message from QEMU: {line!r}") from None

    def cmd(self, name, args=None, timeout=None):
        """Execute a command; return its "return" value or raise QMPError."""
        deadline = self._deadline(timeout)
        self._ids += 1
        cid = f"qmp.py-{self._ids}"
        msg = {"execute": name, "id": cid}
        if args:
            msg["arguments"] = args
        try:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except TimeoutError:
            raise QMPTimeout(f"timed out sending {name}") from None
        except OSError as err:
            raise QMPClosed(f"cannot send {name}: {err}") from None
        while True:
            reply = self._recv(deadline, f"the reply to {name}")
            if "event" in reply:
                self.events.append(reply)
            elif "return" in reply or "error" in reply:
                if reply.get("id", cid) != cid:
                    continue        # stale reply to an abandoned command
                if "error" in reply:
                    err = reply["error"]
                    raise QMPError(f"{name}: {err.get('desc')} "
                                   f"({err.get('class')})")
                return reply["return"]

    def wait_event(self, name, match=None, timeout=None, what=None):
        """Return (and dequeue) the first event NAME for which match(ev)."""
        def wanted(ev):
            return ev.get("event") == name and (match is None or match(ev))

        for ev in self.events:
            if wanted(ev):
                self.events.remove(ev)
                return ev
        deadline = self._deadline(timeout)
        while True:
            msg = self._recv(deadline, what or f"event {name}")
            if wanted(msg):
                return msg
            if "event" in msg:
                self.events.append(msg)


# ---------------------------------------------------------------- CLI --

def left(args):
    return max(args.deadline - time.monotonic(), 0.0)


def do_status(q, args):
    print(q.cmd("query-status", timeout=left(args))["status"])


def do_wait_status(q, args):
    while True:
        last = q.cmd("query-status", timeout=left(args))["status"]
        if last == args.status:
            print(last)
            return
        if time.monotonic() + 0.1 > args.deadline:
            raise QMPTimeout(f"timed out waiting for status {args.status} "
                             f"(still {last})")
        time.sleep(0.1)


def do_wait_event(q, args):
    print(json.dumps(q.wait_event(args.name, timeout=left(args))))


def do_device_add(q, args):
    props = {"driver": args.driver}
    for kv in args.props:
        key, _, value = kv.partition("=")
        props[key] = value
    q.cmd("device_add", props, timeout=left(args))
    print(f"device_added id={props.get('id', '-')}")


def do_device_del(q, args):
    start = time.monotonic()
    q.cmd("device_del", {"id": args.id}, timeout=left(args))
    if args.no_wait:
        print(f"device_del_sent id={args.id}")
        return
    q.wait_event("DEVICE_DELETED",
                 lambda ev: ev.get("data", {}).get("device") == args.id,
                 timeout=left(args),
                 what=f"DEVICE_DELETED of {args.id} (did the guest "
                      f"acknowledge the unplug?)")
    ms = round((time.monotonic() - start) * 1000)
    print(f"device_deleted id={args.id} ms={ms}")


def do_set_link(q, args):
    q.cmd("set_link", {"name": args.name, "up": args.state == "up"},
          timeout=left(args))
    print(f"link name={args.name} state={args.state}")


def do_flap(q, args):
    """Link down, up, down ... every PERIOD ms for SECONDS over one
    connection (a command per process could not keep a 50 ms pace); the
    link is left up. Prints the changes made and the pace achieved."""
    period = args.period_ms / 1000.0
    start = time.monotonic()
    end = start + args.seconds
    n = 0
    up = True
    while True:
        now = time.monotonic()
        if now >= end and up:
            break
        up = not up
        q.cmd("set_link", {"name": args.name, "up": up}, timeout=left(args))
        n += 1
        nxt = start + n * period
        if nxt > time.monotonic():
            time.sleep(nxt - time.monotonic())
    ms = (time.monotonic() - start) * 1000
    print(f"flapped name={args.name} changes={n} ms={round(ms)} "
          f"period_ms={ms / n:.1f}")


def event_time(ev):
    """An event's timestamp (QEMU's wall clock) in seconds."""
    ts = ev.get("timestamp")
    if not isinstance(ts, dict) or "seconds" not in ts:
        raise QMPError(f"event {ev.get('event')} without a timestamp")
    return ts["seconds"] + ts.get("microseconds", 0) / 1e6


def pause_ms(q, dst):
    """The source's last STOP to the destination's RESUME, in ms.

    QEMU sends STOP before the query-migrate reply that says "completed",
    on the same connection, so it is queued by now; a guest stopped and
    continued during the migration has more than one, and the last is the
    migration's. RESUME gets its own 30 s, as wait-status would have (a
    destination started with -S sends none).
    """
    stops = [ev for ev in q.events if ev.get("event") == "STOP"]
    if not stops:
        raise QMPError("no STOP event from the source")
    resume = dst.wait_event("RESUME", timeout=30,
                            what="the destination's RESUME event")
    return round((event_time(resume) - event_time(stops[-1])) * 1000)


def do_migrate(q, args):
    dst = None
    if args.dst is not None:
        # Connected before the migration starts, so that the destination's
        # RESUME event reaches this connection.
        dst = QMP(args.dst, timeout=left(args),
                  connect_timeout=args.connect_timeout)
    try:
        migrate_and_report(q, dst, args)
    finally:
        if dst is not None:
            dst.close()


def migrate_and_report(q, dst, args):
    paused = None
    running = False
    if dst is not None:
        status = dst.cmd("query-status", timeout=left(args))["status"]
        if status != "inmigrate":
            raise QMPError(f"--dst {args.dst}: the destination is {status}, "
                           "not waiting for a migration (-incoming)")
        status = q.cmd("query-status", timeout=left(args))["status"]
        running = status == "running"
    if args.max_downtime_ms is not None:
        q.cmd("migrate-set-parameters",
              {"downtime-limit": args.max_downtime_ms}, timeout=left(args))
    q.cmd("migrate", {"uri": args.uri}, timeout=left(args))
    while True:
        info = q.cmd("query-migrate", timeout=left(args))
        status = info.get("status")
        if status == "completed":
            break
        if status in ("failed", "cancelled"):
            raise QMPError(f"migration {status}: "
                           f"{info.get('error-desc', 'no error-desc')}")
        if time.monotonic() + 0.05 > args.deadline:
            raise QMPTimeout(f"timed out waiting for migration to complete "
                             f"(status {status})")
        time.sleep(0.05)
    # A guest paused before the migration stays paused on the destination:
    # no STOP here, no RESUME there, nothing to time. The migration is
    # done: a pause that cannot be timed is reported as "-", not as a
    # failure (a migration script would stop short of the VF plug).
    if dst is not None and running:
        try:
            paused = pause_ms(q, dst)
        except QMPError as err:
            print(f"{PROG}: migrated, but no paused_ms: {err}",
                  file=sys.stderr)

    ram = info.get("ram", {})
    fields = [("total_ms", info.get("total-time")),
              ("downtime_ms", info.get("downtime")),
              ("paused_ms", paused),
              ("setup_ms", info.get("setup-time")),
              ("transferred_bytes", ram.get("transferred"))]
    print(f"migrated status={status} " + " ".join(
        f"{k}={'-' if v is None else v}" for k, v in fields))


def do_quit(q, args):
    try:
        q.cmd("quit", timeout=left(args))
    except QMPClosed:
        pass                    # QEMU may exit before replying
    print("quit")


def do_raw(q, args):
    print(json.dumps(q.cmd(args.name, args.arguments, timeout=left(args))))


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--timeout", type=float, metavar="S",
                   help="operation timeout (default 30, migrate 300)")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                   help="wait this long for the socket to appear (default 10)")
    p.add_argument("socket", metavar="SOCKET", help="QMP UNIX socket path")
    sub = p.add_subparsers(dest="subcommand", required=True,
                           metavar="SUBCOMMAND")

    def add(name, func, help_text, *positionals):
        sp = sub.add_parser(name, help=help_text, description=help_text)
        # SUPPRESS: do not clobber a --timeout given before SOCKET.
        sp.add_argument("--timeout", type=float, default=argparse.SUPPRESS,
                        metavar="S", help="operation timeout")
        for pos in positionals:
            sp.add_argument(pos, metavar=pos.upper())
        sp.set_defaults(func=func)
        return sp

    add("status", do_status, "print the run state")
    add("wait-status", do_wait_status, "poll until the run state is STATUS",
        "status")
    add("wait-event", do_wait_event, "wait for event NAME, print it as JSON",
        "name")
    add("device-add", do_device_add, "hot-plug a device", "driver") \
        .add_argument("props", nargs="*", metavar="KEY=VALUE")
    add("device-del", do_device_del, "unplug a device, wait for "
        "DEVICE_DELETED", "id").add_argument(
        "--no-wait", action="store_true", help="do not wait for the event")
    add("set-link", do_set_link, "set a NIC/netdev link up or down",
        "name").add_argument("state", choices=("up", "down"))
    fl = add("flap", do_flap, "toggle a NIC/netdev link every PERIOD_MS "
             "for SECONDS, left up", "name")
    fl.add_argument("--period-ms", type=float, default=50.0, metavar="MS",
                    help="time between two changes (default 50)")
    fl.add_argument("--seconds", type=float, required=True, metavar="S",
                    help="how long to flap")
    mg = add("migrate", do_migrate, "migrate and wait for completion", "uri")
    mg.add_argument("--max-downtime-ms", type=int, metavar="N",
                    help="set downtime-limit (ms) first")
    mg.add_argument("--dst", metavar="SOCKET",
                    help="the destination's QMP socket: report paused_ms")
    add("quit", do_quit, "quit QEMU")
    add("raw", do_raw, "execute a command object or bare command name",
        "json")

    args = p.parse_args(argv)
    if args.timeout is None:
        args.timeout = 300.0 if args.subcommand == "migrate" else 30.0
    if args.subcommand == "flap":
        if not 1 <= args.period_ms <= 60000 or not 0 < args.seconds <= 3600:
            p.error("flap: --period-ms 1-60000, --seconds above 0 up to 3600")
        args.timeout = max(args.timeout, args.seconds + 30)
    if args.subcommand == "device-add":
        bad = [kv for kv in args.props if "=" not in kv or kv.startswith("=")]
        if bad:
            p.error(f"device-add: expected KEY=VALUE, got {bad[0]!r}")
    if args.subcommand == "raw":
        try:
            obj = json.loads(args.json) if args.json.lstrip()[:1] == "{" \
                else {"execute": args.json}
        except ValueError as err:
            p.error(f"raw: invalid JSON: {err}")
        if not isinstance(obj.get("execute"), str) or \
                not isinstance(obj.get("arguments", {}), dict):
            p.error('raw: expected {"execute": NAME, "arguments": {...}}')
        args.name, args.arguments = obj["execute"], obj.get("arguments")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        with QMP(args.socket, timeout=args.timeout,
                 connect_timeout=args.connect_timeout) as q:
            args.deadline = time.monotonic() + args.timeout
            args.func(q, args)
    except QMPTimeout as err:
        after = f" after {args.timeout:g} s" if "deadline" in args else ""
        print(f"{PROG}: timeout{after}: {err}", file=sys.stderr)
        return 3
    except QMPError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
