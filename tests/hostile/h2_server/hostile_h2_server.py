#!/usr/bin/env python3
"""A scripted hostile HTTP/2 server for strata's real-socket tests.

Usage: hostile_h2_server.py SCENARIO --port-file FILE --stats FILE [--port N]

Speaks HTTP/2 over cleartext with prior knowledge on 127.0.0.1. With no
--port (or 0) the kernel picks a free port; it is written to --port-file
(atomically) and printed on stdout. One scenario per process (SCENARIOS at
the end lists them, with the docs/hostile-peers.md case each plays).

Polite behaviour comes from the real h2 library (python3-h2): every request
is answered 200 with the body "path=<path>\\n" followed by the request body,
and an "x-conn" header naming the connection (0-based, in accept order), so
a test can see where a resent request was served. What the library will not
produce (floods, CONTINUATION without end, a GOAWAY it does not track) is
written as raw frames.

The server also judges the client: anything the h2 library rejects (a
flow-control overrun, too many streams) and every scenario check is counted
as a violation and printed on stderr. --stats holds "key value" lines
(arrivals and answers per path, peaks, violations, the client's GOAWAY
code), rewritten atomically before any response byte leaves, so a test that
has its response can read the matching counts at once.
"""

import argparse
import os
import selectors
import socket
import struct
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from h2.errors import ErrorCodes
from h2.settings import SettingCodes

DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION = 0, 1, 3, 4, 6, 7, 9

# Floods and drains end by themselves after this long, so a client that never
# closes cannot keep the server busy forever (the test fails on its own
# timeout well before).
FLOOD_LIMIT_S = 30.0


def frame(ftype, flags, stream_id, payload=b""):
    """One raw frame (RFC 9113 §4.1)."""
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", ftype, flags, stream_id) + payload


class Stats:
    """Counters the test reads back, one "key value" line each."""

    def __init__(self, path):
        self.path = path
        self.values = {}
        self.dirty = True

    def get(self, key):
        return self.values.get(key, 0)

    def add(self, key, n=1):
        self.set(key, self.get(key) + n)

    def set(self, key, value):
        self.values[key] = value
        self.dirty = True

    def peak(self, key, value):
        if value > self.get(key):
            self.set(key, value)

    def violation(self, text):
        self.add("violations")
        print("VIOLATION: " + text, file=sys.stderr, flush=True)

    def flush(self):
        if not self.dirty:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            for key, value in sorted(self.values.items()):
                f.write("%s %s\n" % (key, value))
        os.replace(tmp, self.path)
        self.dirty = False


stats = None  # set in main()


class Request:
    def __init__(self, path, method):
        self.path = path
        self.method = method
        self.body = bytearray()
        self.ended = False
        self.refused = False


class Conn:
    """One accepted connection: the h2 state machine plus raw output."""

    def __init__(self, sel, sock, index, scenario):
        self.sel = sel
        self.sock = sock
        self.mask = 0          # what |sel| watches for
        self.index = index
        self.scenario = scenario
        config = h2.config.H2Configuration(client_side=False, validate_outbound_headers=False,
                                           header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config=config)
        self.out = bytearray()
        self.reading = True    # False: never read the socket again
        self.flood = None      # bytes appended whenever the output runs low
        self.flood_until = 0.0
        self.finishing = False  # shut down writing once |out| is sent, then drain
        self.draining_until = None
        self.closed = False
        self.requests = {}     # stream id -> Request
        self.open_streams = set()  # arrived, not yet answered or reset
        self.pending = {}      # stream id -> response body bytes waiting for window

        initial = {SettingCodes.MAX_CONCURRENT_STREAMS: 100}
        initial.update(scenario.settings)  # setting codes are ints: no dict(**…)
        self.h2.local_settings = h2.settings.Settings(client=False, initial_values=initial)
        self.h2.initiate_connection()
        if scenario.connection_window:
            self.h2.increment_flow_control_window(scenario.connection_window)
        scenario.on_connection(self)
        self.collect()

    # --- output

    def collect(self):
        """Moves what the h2 library queued, then flood bytes, into |out|."""
        if self.closed:
            return
        self.out += self.h2.data_to_send()
        if self.flood is not None:
            if time.monotonic() > self.flood_until:
                self.flood = None
                self.finish()
            else:
                while len(self.out) < (256 << 10):
                    self.out += self.flood

    def send_raw(self, data):
        self.out += self.h2.data_to_send()  # keep the order of what h2 queued first
        self.out += data

    def start_flood(self, prefix, unit):
        self.send_raw(prefix)
        self.flood = unit * max(1, (64 << 10) // len(unit))
        self.flood_until = time.monotonic() + FLOOD_LIMIT_S
        stats.set("flooding", 1)

    def finish(self):
        """Ends the connection gracefully: send what is queued, then FIN."""
        self.finishing = True

    def answer(self, sid, status=200):
        req = self.requests[sid]
        body = ("path=%s\n" % req.path).encode() + bytes(req.body)
        headers = [(":status", str(status)), ("content-length", str(len(body))),
                   ("x-conn", str(self.index))]
        stats.add("served " + req.path)
        stats.set("served_conn " + req.path, self.index)
        self.open_streams.discard(sid)
        self.h2.send_headers(sid, headers, end_stream=not body)
        if body:
            self.pending[sid] = body
            self.send_pending()

    def reset(self, sid, code):
        self.open_streams.discard(sid)
        self.h2.reset_stream(sid, code)

    def send_pending(self):
        """Sends response bodies as far as the client's windows allow."""
        for sid in list(self.pending):
            data = self.pending[sid]
            while data:
                n = min(len(data), self.h2.local_flow_control_window(sid), self.h2.max_outbound_frame_size)
                if n <= 0:
                    break
                self.h2.send_data(sid, data[:n], end_stream=n == len(data))
                data = data[n:]
            if data:
                self.pending[sid] = data
            else:
                del self.pending[sid]

    # --- socket events

    def watch(self):
        """Tells the selector what this connection waits for now."""
        mask = 0
        if self.reading or self.draining_until is not None:
            mask |= selectors.EVENT_READ
        if self.out or self.flood is not None:
            mask |= selectors.EVENT_WRITE
        if mask == self.mask:
            return
        if self.mask == 0:
            self.sel.register(self.sock, mask, self)
        elif mask == 0:
            self.sel.unregister(self.sock)
        else:
            self.sel.modify(self.sock, mask, self)
        self.mask = mask

    def on_writable(self):
        # What the h2 library queued since the loop's last collect() (say,
        # answers made while reading in this same turn) goes before any FIN.
        self.collect()
        stats.flush()  # the counts are on disk before the response leaves
        try:
            n = self.sock.send(self.out[:1 << 20])
            del self.out[:n]
        except BlockingIOError:
            pass
        except OSError:
            # The client's last frames (say its GOAWAY) may have arrived after
            # select() reported only writability and before its RST failed
            # this send: read them before closing, or they are lost.
            self.read_what_arrived()
            self.close()
            return
        if not self.out and self.finishing and self.draining_until is None and self.flood is None:
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.draining_until = time.monotonic() + 5

    def read_what_arrived(self):
        """Takes what the socket still holds, without closing."""
        while self.reading and not self.closed and self.draining_until is None:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                return
            if not data:
                return
            self.take(data)

    def on_readable(self):
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.take(data)

    def take(self, data):
        if self.draining_until is not None:
            return  # after our FIN: discard until the client closes
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            if self.flood is None:
                stats.violation("connection %d: the h2 library rejected the client's frames: %r" % (self.index, e))
            self.send_raw(b"")
            self.finish()
            return
        for ev in events:
            self.on_event(ev)

    def on_event(self, ev):
        sc = self.scenario
        if isinstance(ev, h2.events.RequestReceived):
            fields = dict(ev.headers)
            req = Request(fields.get(":path", ""), fields.get(":method", ""))
            self.requests[ev.stream_id] = req
            self.open_streams.add(ev.stream_id)
            stats.add("arrived " + req.path)
            stats.add("arrived_total")
            stats.peak("peak_open_streams", len(self.open_streams))
            sc.on_request_head(self, ev.stream_id, req)
        elif isinstance(ev, h2.events.DataReceived):
            req = self.requests[ev.stream_id]
            req.body += ev.data
            stats.add("body_bytes " + req.path, len(ev.data))
            sc.on_data(self, ev.stream_id, ev.flow_controlled_length, ev.stream_ended is not None)
        elif isinstance(ev, h2.events.StreamEnded):
            req = self.requests[ev.stream_id]
            req.ended = True
            if not req.refused:
                sc.on_request(self, ev.stream_id)
        elif isinstance(ev, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
            self.send_pending()
        elif isinstance(ev, h2.events.SettingsAcknowledged):
            sc.on_settings_ack(self)
        elif isinstance(ev, h2.events.StreamReset):
            self.pending.pop(ev.stream_id, None)
            self.open_streams.discard(ev.stream_id)
        elif isinstance(ev, h2.events.ConnectionTerminated):
            stats.set("client_goaway", ev.error_code)
            self.finish()

    def close(self):
        if self.closed:
            return
        if self.flood is not None:
            stats.set("flood_stopped_by_client", 1)
        self.closed = True
        self.flood = None
        if self.mask:
            self.sel.unregister(self.sock)
            self.mask = 0
        self.sock.close()


# --------------------------------------------------------------------------
# Scenarios. One instance per connection.


class Scenario:
    """Polite: answers every request when it ends, returns flow-control credit."""
    settings = {}           # our SETTINGS beyond h2's defaults
    connection_window = 0   # extra connection receive window granted at once
    small_rcvbuf = False    # a tiny receive buffer: a client's writes back up soon

    def on_connection(self, conn):
        pass

    def on_request_head(self, conn, sid, req):
        pass

    def on_data(self, conn, sid, length, ended):
        conn.h2.acknowledge_received_data(length, sid)

    def on_request(self, conn, sid):
        conn.answer(sid)

    def on_settings_ack(self, conn):
        pass

    def tick(self, conn, now):
        """Runs timed work; returns when to be called next, or None."""
        return None


class Goaway(Scenario):
    """Case 27. Connection 0 holds ten requests, then sends GOAWAY with
    last-stream-id = the fifth stream, answers the streams up to it and
    closes: the streams above were never processed. Later connections answer
    at once."""
    HOLD = 10

    def __init__(self):
        self.held = []
        self.deadline = None

    def on_request(self, conn, sid):
        if conn.index != 0:
            conn.answer(sid)
            return
        self.held.append(sid)
        if self.deadline is None:
            self.deadline = time.monotonic() + 3  # a short batch still gets its GOAWAY
        if len(self.held) == self.HOLD:
            self.go_away(conn)

    def tick(self, conn, now):
        if self.deadline is not None and now >= self.deadline:
            self.go_away(conn)
        return self.deadline

    def go_away(self, conn):
        self.deadline = None
        held = sorted(self.held)
        last = held[(len(held) - 1) // 2]
        stats.set("goaway_last_stream_id", last)
        conn.send_raw(frame(GOAWAY, 0, 0, struct.pack(">II", last, ErrorCodes.NO_ERROR)))
        for sid in held:
            if sid <= last:
                conn.answer(sid)
        conn.finish()


class Refuse(Scenario):
    """Case 29. Resets a request's first |times| arrivals (None: all) with
    |code|, answers later ones."""

    def __init__(self, times, code):
        self.times = times
        self.code = code

    def on_request_head(self, conn, sid, req):
        if self.times is None or stats.get("arrived " + req.path) <= self.times:
            req.refused = True
            stats.set("refused_conn " + req.path, conn.index)
            conn.reset(sid, self.code)


class MaxStreams(Scenario):
    """Case 25. Starts with MAX_CONCURRENT_STREAMS 8. At the first request it
    lowers the limit to 0, answers the open streams one per 20 ms (so streams
    would pile up if the client ignored the limit), holds 0 for 300 ms with
    nothing open, then raises the limit to 2. Every stream is checked against
    the limit in force: a lower value once the client ACKed it, a higher one
    as soon as it was sent."""
    settings = {SettingCodes.MAX_CONCURRENT_STREAMS: 8}

    def __init__(self):
        self.acked = 8
        self.unacked = [None]  # SETTINGS frames awaiting ACK (None: the initial one)
        self.phase = "initial"  # → lowering → zero → raising → raised
        self.queue = []
        self.next_answer = 0.0
        self.zero_until = None

    def limit(self):
        return max([self.acked] + [v for v in self.unacked if v is not None])

    def set_limit(self, conn, value):
        conn.h2.update_settings({SettingCodes.MAX_CONCURRENT_STREAMS: value})
        self.unacked.append(value)

    def on_request_head(self, conn, sid, req):
        n = len(conn.open_streams)
        if n > self.limit():
            stats.violation("stream %d made %d streams open; the limit in force is %d" % (sid, n, self.limit()))
        if self.phase == "zero":
            stats.add("arrived_while_zero")
        if self.phase in ("raising", "raised"):
            stats.peak("peak_open_after_raise", n)
        if self.phase == "initial":
            self.phase = "lowering"
            self.set_limit(conn, 0)

    def on_request(self, conn, sid):
        self.queue.append(sid)

    def on_settings_ack(self, conn):
        value = self.unacked.pop(0)
        if value is None:
            return
        self.acked = value
        if value == 0:
            self.phase = "zero"
            stats.set("open_when_zero_acked", len(conn.open_streams))
        else:
            self.phase = "raised"
            stats.set("raised", 1)

    def tick(self, conn, now):
        if self.queue and now >= self.next_answer:
            conn.answer(self.queue.pop(0))
            self.next_answer = now + 0.02
        if self.phase == "zero" and not conn.open_streams:
            if self.zero_until is None:
                self.zero_until = now + 0.3
            elif now >= self.zero_until:
                self.phase = "raising"
                self.set_limit(conn, 2)
        times = [t for t in (self.next_answer if self.queue else None, self.zero_until) if t is not None]
        return min(times) if times else None


class WindowLowered(Scenario):
    """Case 21. At the first DATA frame, lowers SETTINGS_INITIAL_WINDOW_SIZE
    from 65,535 to 2,048 while uploads are in flight (their windows go
    negative), and returns each stream's credit as bytes arrive. The h2
    library raises on any DATA beyond a window: a violation."""
    connection_window = 1 << 30
    NEW_WINDOW = 2048

    def __init__(self):
        self.unacked = 1  # the initial SETTINGS
        self.lowered = False
        self.in_effect = False

    def on_data(self, conn, sid, length, ended):
        stats.add("bytes_after_ack" if self.in_effect else "bytes_before_ack", length)
        if not self.lowered:
            self.lowered = True
            self.unacked += 1
            conn.h2.update_settings({SettingCodes.INITIAL_WINDOW_SIZE: self.NEW_WINDOW})
        if length and not ended:
            conn.h2.increment_flow_control_window(length, stream_id=sid)

    def on_settings_ack(self, conn):
        self.unacked -= 1
        if self.lowered and self.unacked == 0:
            self.in_effect = True
            stats.set("uploads_open_at_ack", sum(1 for r in conn.requests.values() if not r.ended))


class StalledWindow(Scenario):
    """Case 38. Reads everything but never returns flow-control credit: a
    request body larger than the 65,535-byte windows stalls."""

    def on_data(self, conn, sid, length, ended):
        pass


class StopReading(Scenario):
    """Case 38. Grants the largest windows, then stops reading the socket as
    soon as a request arrives, while the client uploads."""
    settings = {SettingCodes.INITIAL_WINDOW_SIZE: (1 << 31) - 1}
    connection_window = (1 << 31) - 1 - 65535
    small_rcvbuf = True

    def on_request_head(self, conn, sid, req):
        conn.reading = False
        stats.set("stopped_reading", 1)


class Flood(Scenario):
    """Answers a request with |prefix| and then |unit| frames without end,
    until the client closes. |keep_reading| False: never reads again, so the
    client's answers (ACKs) back up."""

    def __init__(self, prefix, unit, keep_reading, small_rcvbuf=False):
        self.prefix, self.unit, self.keep_reading = prefix, unit, keep_reading
        self.small_rcvbuf = small_rcvbuf

    def on_request_head(self, conn, sid, req):
        conn.reading = self.keep_reading
        conn.start_flood(self.prefix(sid), self.unit(sid))

    def on_request(self, conn, sid):
        pass


def literal_field(name, value):
    """HPACK literal without indexing, new name (RFC 7541 §6.2.2), short strings."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def continuation_flood():
    """Case 31: HEADERS without END_HEADERS, then CONTINUATION forever."""
    return Flood(lambda sid: frame(HEADERS, 0, sid, b"\x88"),  # :status 200 (static index 8)
                 lambda sid: frame(CONTINUATION, 0, sid, literal_field(b"x-flood", b"a" * 100)),
                 keep_reading=True)


def ping_flood():
    """Case 34: PINGs without end from a server that never reads the ACKs."""
    return Flood(lambda sid: b"", lambda sid: frame(PING, 0, 0, b"pingpong"),
                 keep_reading=False, small_rcvbuf=True)


def settings_flood():
    """Case 33: empty SETTINGS frames without end; the server never reads the ACKs."""
    return Flood(lambda sid: b"", lambda sid: frame(SETTINGS, 0, 0),
                 keep_reading=False, small_rcvbuf=True)


class HugeSettings(Scenario):
    """Case 33 (CVE-2020-11080): one SETTINGS frame with 40 entries."""

    def on_request_head(self, conn, sid, req):
        conn.send_raw(frame(SETTINGS, 0, 0, struct.pack(">HI", 0x99, 1) * 40))

    def on_request(self, conn, sid):
        pass


class RstFlood(Scenario):
    """Case 36. Resets the connection's first stream (CANCEL); on the next
    request, floods RST_STREAM frames for that closed stream without end and
    never answers."""

    def __init__(self):
        self.first = None

    def on_request_head(self, conn, sid, req):
        if self.first is None:
            self.first = sid
            req.refused = True
            conn.reset(sid, ErrorCodes.CANCEL)
            return
        rst = frame(RST_STREAM, 0, self.first, struct.pack(">I", ErrorCodes.CANCEL))
        conn.start_flood(b"", rst)

    def on_request(self, conn, sid):
        pass


SCENARIOS = {
    "polite": Scenario,
    "goaway": Goaway,                                                      # 27
    "refuse_first": lambda: Refuse(1, ErrorCodes.REFUSED_STREAM),          # 29
    "refuse_all": lambda: Refuse(None, ErrorCodes.REFUSED_STREAM),         # 29
    "reset_protocol_error": lambda: Refuse(None, ErrorCodes.PROTOCOL_ERROR),  # 29
    "max_streams_lowered": MaxStreams,                                     # 25
    "window_lowered": WindowLowered,                                       # 21
    "window_stalled": StalledWindow,                                       # 38
    "stop_reading": StopReading,                                           # 38
    "continuation_flood": continuation_flood,                              # 31
    "ping_flood": ping_flood,                                              # 34
    "settings_flood": settings_flood,                                      # 33
    "huge_settings": HugeSettings,                                         # 33
    "rst_flood": RstFlood,                                                 # 36
}


def main():
    global stats
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--stats", required=True)
    args = parser.parse_args()
    make = SCENARIOS[args.scenario]
    stats = Stats(args.stats)
    stats.set("connections", 0)
    stats.set("violations", 0)
    stats.flush()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if make().small_rcvbuf:  # a throwaway instance, to read the class's choice
        # Set before listen() so accepted sockets inherit it (and the window
        # scale matches): the client's send buffer fills after a few KB.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)

    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    conns = []
    while True:
        now = time.monotonic()
        wake = now + 0.5
        for c in conns:
            t = c.scenario.tick(c, now)
            if t is not None:
                wake = min(wake, t)
            if c.draining_until is not None and now > c.draining_until:
                c.close()
            c.collect()
        stats.flush()
        conns = [c for c in conns if not c.closed]
        for c in conns:
            c.watch()
        for key, mask in sel.select(max(0.0, wake - time.monotonic())):
            if key.fileobj is listener:
                try:
                    sock, _ = listener.accept()
                except BlockingIOError:
                    continue
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conns.append(Conn(sel, sock, stats.get("connections"), make()))
                stats.add("connections")
                continue
            c = key.data
            if c.closed:
                continue
            if mask & selectors.EVENT_READ:
                c.on_readable()
            if mask & selectors.EVENT_WRITE and not c.closed:
                c.on_writable()


if __name__ == "__main__":
    main()
