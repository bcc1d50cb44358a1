#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Broadcast and multicast probes from the peer, answers counted.

  floodprobe.py arp IFACE TARGET_IP COUNT [INTERVAL_MS]
      COUNT broadcast ARP requests "who has TARGET_IP", all alike, as a
      resolver's retransmits are; counts the ARP replies from TARGET_IP.
  floodprobe.py mcast IFACE GROUP COUNT [INTERVAL_MS]
      COUNT ICMP echo requests to the multicast GROUP (224.0.0.1 is every
      host's), each its own sequence number; counts the echo replies.

Prints "sent=N answers=M" (M > N: a request reached a host twice) and
exits 0; 1 on a runtime error, 2 on a usage error. INTERVAL_MS defaults to
100; replies are awaited until 0.3 s after the last request.
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

SIOCGIFADDR = 0x8915
ETH_P_ARP = 0x0806


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def if_addr(sock, iface):
    req = struct.pack("256s", iface.encode()[:15])
    return fcntl.ioctl(sock.fileno(), SIOCGIFADDR, req)[20:24]


def arp(iface, target, count, interval):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((iface, 0))
    mac = s.getsockname()[4]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip = if_addr(u, iface)
    tip = socket.inet_aton(target)
    frame = (b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP) +
             struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + sip + b"\0" * 6 + tip)

    def answer(pkt):
        # An ARP reply (op 2) from the target to us.
        return (len(pkt) >= 42 and pkt[12:14] == b"\x08\x06" and
                pkt[20:22] == b"\x00\x02" and pkt[28:32] == tip and pkt[38:42] == sip)
    return run(s, lambda i: s.send(frame), answer, count, interval)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    n = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    n = (n >> 16) + (n & 0xffff)
    n += n >> 16
    return ~n & 0xffff


def mcast(iface, group, count, interval):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, if_addr(s, iface))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    ident = os.getpid() & 0xffff

    def send(i):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, i) + b"duonet-flood"
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        s.sendto(body, (group, 0))

    def answer(pkt):
        ihl = (pkt[0] & 0xf) * 4
        icmp = pkt[ihl:ihl + 8]
        return len(icmp) == 8 and icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == ident
    return run(s, send, answer, count, interval)


def run(s, send, answer, count, interval):
    answers = 0
    t = time.monotonic()
    deadline = t + count * interval + 0.3
    due = t
    sent = 0
    while True:
        now = time.monotonic()
        if sent < count and now >= due:
            send(sent)
            sent += 1
            due += interval
        if now >= deadline:
            break
        wake = min(due, deadline) if sent < count else deadline
        r, _, _ = select.select([s], [], [], max(0.0, wake - now))
        if r and answer(s.recv(2048)):
            answers += 1
    print("sent=%d answers=%d" % (sent, answers))


def main():
    a = sys.argv[1:]
    if len(a) not in (4, 5) or a[0] not in ("arp", "mcast"):
        usage()
    try:
        count = int(a[3])
        interval = (int(a[4]) if len(a) == 5 else 100) / 1000.0
    except ValueError:
        usage()
    if count < 1 or interval <= 0:
        usage()
    try:
        (arp if a[0] == "arp" else mcast)(a[1], a[2], count, interval)
    except OSError as e:
        sys.stderr.write("floodprobe: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
