#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run a shell script in the lab guest through its command agent.

usage: gexec.py [--timeout S] [--wait-ready S] SOCKET SCRIPT...

SOCKET is the UNIX socket behind the guest's ttyS1 (QEMU
-serial unix:SOCKET,server=on,wait=off). The words of SCRIPT are joined
with spaces and run by the guest's busybox sh (see guest/agent); its
output is printed and its exit status becomes ours. With --wait-ready,
keep retrying for up to S seconds until the agent answers (the guest is
still booting); a request not answered within 2 s is sent again under a
new id, so stale or lost replies cannot be mistaken for the answer.

Exit status: the script's, or 124 on timeout, 125 on a connection error.
"""
import argparse
import base64
import os
import select
import socket
import sys
import time


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run(sock, script, timeout, resend):
    """Send script; return (status, output) or None when resend expires."""
    rid = "%d.%d" % (os.getpid(), time.monotonic_ns())
    b64 = base64.b64encode(script.encode()).decode()
    sock.sendall(("RUN %s %s\n" % (rid, b64)).encode())
    begin, end = ("@@BEGIN %s\n" % rid).encode(), ("@@END %s " % rid).encode()
    buf = b""
    start = time.monotonic()
    limit = resend if resend else timeout
    while True:
        left = start + limit - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            continue
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("agent socket closed")
        buf += chunk
        i = buf.find(begin)
        if i >= 0:
            # Answered: no resending from now on, wait for the end.
            limit = timeout
            j = buf.find(end, i)
            if j >= 0:
                k = buf.find(b"\n", j)
                if k >= 0:
                    status = int(buf[j + len(end):k].split()[0])
                    return status, buf[i + len(begin):j]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds the script may run (default 120)")
    ap.add_argument("--wait-ready", type=float, default=0, metavar="S",
                    help="retry until the agent answers, up to S seconds")
    ap.add_argument("socket")
    ap.add_argument("script", nargs="+")
    a = ap.parse_args()
    script = " ".join(a.script)
    deadline = time.monotonic() + max(a.wait_ready, 10)
    try:
        sock = connect(a.socket, deadline)
    except OSError as e:
        print("gexec: %s: %s" % (a.socket, e), file=sys.stderr)
        return 125
    with sock:
        while True:
            try:
                res = run(sock, script, a.timeout, 2 if a.wait_ready else 0)
            except (OSError, ConnectionError) as e:
                print("gexec: %s" % e, file=sys.stderr)
                return 125
            if res is not None:
                break
            if not a.wait_ready or time.monotonic() > deadline:
                print("gexec: no answer from the guest agent", file=sys.stderr)
                return 124
    status, out = res
    sys.stdout.write(out.decode(errors="replace"))
    return status


if __name__ == "__main__":
    sys.exit(main())
