#!/usr/bin/env python3
"""A TCP relay that closes idle client connections at random.

Usage: idle_closer.py --listen NAME:UPSTREAM_PORT ... --ports-file FILE
                      --stats FILE [--min-ms 50] [--max-ms 250]
                      [--close-probability 0.5] [--rst-fraction 0.2]
                      [--cross-ms 50] [--seed S]

For each --listen it binds a free port on 127.0.0.1 and relays every
accepted connection, byte for byte, to 127.0.0.1:UPSTREAM_PORT. It never
looks into the bytes (TLS, HTTP/1.1, HTTP/2, CONNECT tunnels all pass
through alike). Its one behaviour of its own is the one of a NAT or a load
balancer with an idle timeout, made random:

  Each time a connection goes idle (no byte in either direction), the relay
  draws whether this idle period ends in a close (--close-probability) and,
  if so, after how long: uniform in [--min-ms, --max-ms]. When the period
  runs out with still no byte moved, the peer gives up: the relay closes
  the upstream connection at once and the client's after a random
  crossing delay in [0, --cross-ms] (default 50 ms), as a close travels
  over a real network. Client bytes that arrive in that window are
  dropped unseen (a request crossing the close, which the server never
  got) and then the client connection is reset (RST, as a kernel answers
  data for a closed socket); otherwise it is closed with a FIN, or for
  --rst-fraction of them with a RST (SO_LINGER 0). Any byte in either
  direction ends the idle period; the next one draws again.

Everything else is a plain relay: a FIN from the upstream reaches the
client after the bytes before it, and what the client still sends then is
read and dropped (as nginx's lingering close does), so the relay never
turns a peer's orderly close into a RST.

A connection is eligible only after the upstream has sent its first byte
(TLS ServerHello, HTTP/2 SETTINGS, a CONNECT reply, an HTTP/1.1 response),
so a connection the client has only just opened is never the victim: an
idle close is about connections the client pooled. The minimum idle time
(50 ms) is far above what the loopback peers take to answer a request, so a
request the relay has passed on is never cut off; a close races only with a
request the client sends on a connection at the moment the relay gives up
on it, which is the race a client has to survive.

The listening ports go to --ports-file as "NAME PORT" lines (written
atomically once all are bound); on SIGTERM or SIGINT the relay writes
--stats ("NAME KEY VALUE" lines: accepted, idle_fin, idle_rst, crossed
(idle closes a client request crossed), upstream_closed, client_closed,
upstream_failed, bytes_up, bytes_down) and exits.
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import struct
import sys


class Listener:
    def __init__(self, name, upstream_port):
        self.name = name
        self.upstream_port = upstream_port
        self.port = 0
        self.serial = 0
        self.stats = dict(accepted=0, idle_fin=0, idle_rst=0, crossed=0, upstream_closed=0, client_closed=0,
                          upstream_failed=0, bytes_up=0, bytes_down=0)


class Relay:
    """One client connection and its upstream connection."""

    def __init__(self, owner, listener):
        self.owner = owner
        self.listener = listener
        self.client = None  # transports
        self.upstream = None
        self.pending = []  # client bytes before the upstream is connected
        self.eligible = False  # the upstream has spoken
        self.closed = False
        self.closing = False  # the peer has given up; the client does not know yet
        self.swallowed = 0  # client bytes that arrived meanwhile
        self.draining = False  # the upstream ended; the client is told, and heard out
        self.linger = None
        self.bytes_up = self.bytes_down = 0
        listener.serial += 1
        self.serial = listener.serial
        self.last = 0.0
        self.deadline = None  # end of this idle period, or None (no close)
        self.period_drawn = False
        self.timer = None

    # Activity ------------------------------------------------------------

    def activity(self):
        self.last = self.owner.loop.time()
        self.period_drawn = False

    def arm(self):
        """Starts, or moves on, the idle check."""
        if self.closed or self.draining or not self.eligible:
            return
        if not self.period_drawn:
            self.period_drawn = True
            if self.owner.rng.random() < self.owner.args.close_probability:
                idle = self.owner.rng.uniform(self.owner.args.min_ms, self.owner.args.max_ms) / 1000.0
                self.deadline = self.last + idle
            else:
                self.deadline = None
        # A timer already set fires at an earlier deadline and comes back
        # here; no deadline (no close this period) needs no timer: the next
        # byte starts a new period.
        if self.timer is None and self.deadline is not None:
            self.timer = self.owner.loop.call_at(self.deadline, self.check)

    def check(self):
        self.timer = None
        if self.closed:
            return
        now = self.owner.loop.time()
        if self.period_drawn and self.deadline is not None and now >= self.deadline:
            self.idle_close()
            return
        self.arm()

    def idle_close(self):
        """The peer gives up on the connection: the upstream is closed now,
        the client hears of it after a random crossing delay."""
        cross = self.owner.rng.uniform(0, self.owner.args.cross_ms) / 1000.0
        if cross <= 0:
            self.final_close()
            return
        self.closing = True
        if self.upstream is not None and not self.upstream.is_closing():
            self.upstream.close()
        self.timer = self.owner.loop.call_later(cross, self.final_close)

    def final_close(self):
        self.timer = None
        if self.closed:
            return
        # A request that crossed the close was never seen by the server; the
        # client's kernel answers a closed socket's data with a RST.
        crossed = self.swallowed > 0
        rst = crossed or self.owner.rng.random() < self.owner.args.rst_fraction
        self.listener.stats["idle_rst" if rst else "idle_fin"] += 1
        if crossed:
            self.listener.stats["crossed"] += 1
        if rst:
            sock = self.client.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.client.abort()
        else:
            self.client.close()
        self.close_all("idle")

    def close_all(self, reason):
        if self.closed:
            return
        self.closed = True
        if self.linger is not None:
            self.linger.cancel()
            self.linger = None
        if self.owner.args.log_closes:
            print("idle_closer: %.3f %s #%d closed: %s (up %d, down %d bytes)" % (
                self.owner.loop.time() - self.owner.t0, self.listener.name, self.serial, reason, self.bytes_up,
                self.bytes_down), file=sys.stderr, flush=True)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for t in (self.client, self.upstream):
            if t is not None and not t.is_closing():
                t.close()
        self.owner.relays.discard(self)

    # Data ------------------------------------------------------------------

    def from_client(self, data):
        if self.closing:
            self.swallowed += len(data)
            return
        if self.draining:
            return
        self.activity()
        self.listener.stats["bytes_up"] += len(data)
        self.bytes_up += len(data)
        if self.upstream is None:
            self.pending.append(data)
        else:
            self.upstream.write(data)
        self.arm()

    def from_upstream(self, data):
        if self.closing or self.draining:
            return
        self.activity()
        self.listener.stats["bytes_down"] += len(data)
        self.bytes_down += len(data)
        self.eligible = True
        self.client.write(data)
        self.arm()


class ClientSide(asyncio.Protocol):
    def __init__(self, owner, listener):
        self.relay = Relay(owner, listener)
        self.owner = owner

    def connection_made(self, transport):
        r = self.relay
        r.client = transport
        r.listener.stats["accepted"] += 1
        r.activity()
        self.owner.relays.add(r)
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.owner.loop.create_task(self.connect_upstream())

    async def connect_upstream(self):
        r = self.relay
        try:
            _, proto = await self.owner.loop.create_connection(lambda: UpstreamSide(r), "127.0.0.1",
                                                               r.listener.upstream_port)
        except OSError:
            r.listener.stats["upstream_failed"] += 1
            r.close_all("upstream connect failed")
            return
        if r.closed:
            r.upstream.close()
            return
        for data in r.pending:
            r.upstream.write(data)
        r.pending = []

    def data_received(self, data):
        self.relay.from_client(data)

    def eof_received(self):
        r = self.relay
        if r.closing:
            r.final_close()
            return False
        if not r.closed and not r.draining:
            r.listener.stats["client_closed"] += 1
        r.close_all("client eof")
        return False

    def connection_lost(self, exc):
        if self.relay.closing:
            self.relay.final_close()
        self.relay.close_all("client lost")

    def pause_writing(self):
        if self.relay.upstream is not None:
            self.relay.upstream.pause_reading()

    def resume_writing(self):
        if self.relay.upstream is not None and not self.relay.closed:
            self.relay.upstream.resume_reading()


class UpstreamSide(asyncio.Protocol):
    def __init__(self, relay):
        self.relay = relay

    def connection_made(self, transport):
        self.relay.upstream = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data):
        self.relay.from_upstream(data)

    def eof_received(self):
        r = self.relay
        if r.closing or r.closed:
            return False
        r.listener.stats["upstream_closed"] += 1
        # The peer closed. Pass the FIN on the way a server's lingering
        # close does (nginx's): what is buffered for the client goes first,
        # then a FIN, and whatever the client still sends is read and
        # dropped until it closes too (or 5 s pass). Closing at once would
        # make the kernel answer the client's unread bytes with a RST, which
        # can destroy responses still on their way to it.
        r.draining = True
        if r.timer is not None:
            r.timer.cancel()
            r.timer = None
        r.upstream.close()
        if r.client.can_write_eof():
            r.client.write_eof()
        r.linger = r.owner.loop.call_later(5.0, r.close_all, "linger timeout")
        return False

    def connection_lost(self, exc):
        # After idle_close or an upstream EOF the relay closed it itself.
        if not self.relay.closing and not self.relay.draining:
            self.relay.close_all("upstream lost")

    def pause_writing(self):
        self.relay.client.pause_reading()

    def resume_writing(self):
        if not self.relay.closed:
            self.relay.client.resume_reading()


class Owner:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.loop = None
        self.relays = set()
        self.t0 = 0.0
        self.listeners = []


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


async def run(args):
    owner = Owner(args)
    owner.loop = asyncio.get_running_loop()
    owner.t0 = owner.loop.time()
    servers = []
    for spec in args.listen:
        name, _, port = spec.partition(":")
        listener = Listener(name, int(port))
        server = await owner.loop.create_server(lambda l=listener: ClientSide(owner, l), "127.0.0.1", 0,
                                                backlog=512)
        listener.port = server.sockets[0].getsockname()[1]
        owner.listeners.append(listener)
        servers.append(server)
    write_atomically(args.ports_file, "".join("%s %d\n" % (l.name, l.port) for l in owner.listeners))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        owner.loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    write_atomically(args.stats, "".join("%s %s %d\n" % (l.name, k, v) for l in owner.listeners
                                         for k, v in l.stats.items()))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listen", action="append", required=True, help="NAME:UPSTREAM_PORT")
    p.add_argument("--ports-file", required=True)
    p.add_argument("--stats", required=True)
    p.add_argument("--min-ms", type=float, default=50)
    p.add_argument("--max-ms", type=float, default=250)
    p.add_argument("--close-probability", type=float, default=0.5)
    p.add_argument("--rst-fraction", type=float, default=0.2)
    p.add_argument("--cross-ms", type=float, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-closes", action="store_true", help="one stderr line per closed connection")
    args = p.parse_args()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
