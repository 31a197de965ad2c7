#!/usr/bin/env python3
"""A scripted HTTP/2 CONNECT proxy (RFC 9113 §8.5) that misbehaves on cue.

Usage: hostile_h2_proxy.py SCENARIO --cert PEM --key PEM --port-file FILE
                           [--log FILE]

TLS with ALPN h2 on 127.0.0.1 (a kernel-chosen port, written to
--port-file atomically). Polite behaviour comes from the h2 library
(python3-h2): a CONNECT is answered 200 and relayed to its authority over
TCP, with flow control both ways. --log gets one line per event the test
checks ("conn N", "connect N host:port", "reset host:port", ...).

Scenarios:
  relay          every tunnel relayed
  one-stream     as relay, with SETTINGS_MAX_CONCURRENT_STREAMS = 1
  refuse-407     every CONNECT answered 407 (Proxy Authentication Required)
  refuse-503     every CONNECT answered 503
  reset-port=P   tunnels to port P are reset (RST_STREAM INTERNAL_ERROR) as
                 soon as the client sends on them; the others are relayed
  goaway         the first connection relays its first tunnel and answers
                 any later CONNECT with GOAWAY(last_stream_id = the first),
                 leaving those unprocessed; later connections relay
  overrun        a tunnel is answered 200, then sent two 1-byte DATA frames
                 (the test has the client grant a 1-byte window)
  close-mid      a tunnel is answered 200 and the connection closed as soon
                 as the client sends on it
  ok-length      (HOSTILE 69) the 200 carries content-length: 0; the tunnel
                 is relayed anyway (a 2xx CONNECT's length means nothing)
  refuse-body    (HOSTILE 70) every CONNECT answered 403 with an HTML body
                 that must never be shown as the origin's response
  silent         (HOSTILE 72) CONNECTs are never answered
  nul-header     (HOSTILE 72) the 200 carries a field value with a NUL
Every CONNECT is logged with whether it carried proxy-authorization
("auth N yes|no", HOSTILE 71).
"""

import argparse
import os
import selectors
import socket
import ssl
import struct
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from h2.errors import ErrorCodes

LOCK = threading.Lock()
CONN_COUNT = [0]


def log(path, line):
    if not path:
        return
    with LOCK:
        with open(path, "a") as f:
            f.write(line + "\n")


def raw_frame(ftype, flags, stream_id, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", ftype, flags, stream_id) + payload


class Proxy:
    def __init__(self, sock, scenario, log_path, index):
        self.sock = sock
        self.scenario = scenario
        self.log_path = log_path
        self.index = index
        # Outbound validation off only where a scenario sends what the
        # library would refuse (a NUL in a field value).
        lax = scenario == "nul-header"
        cfg = h2.config.H2Configuration(client_side=False, header_encoding="utf-8", validate_inbound_headers=False,
                                        validate_outbound_headers=not lax, normalize_outbound_headers=not lax)
        self.h2 = h2.connection.H2Connection(config=cfg)
        self.sel = selectors.DefaultSelector()
        self.upstream = {}  # stream id -> socket
        self.pending = {}  # stream id -> bytes waiting for window
        self.first_stream = None
        self.going_away = False
        self.closed = False

    def flush(self):
        out = self.h2.data_to_send()
        if out:
            self.sock.setblocking(True)
            self.sock.sendall(out)
            self.sock.setblocking(False)

    def send_down(self, sid, data):
        buf = self.pending.get(sid, b"") + data
        while buf:
            try:
                room = min(self.h2.local_flow_control_window(sid), self.h2.max_outbound_frame_size)
            except (h2.exceptions.StreamClosedError, KeyError):
                return
            if room <= 0:
                break
            self.h2.send_data(sid, buf[:room])
            buf = buf[room:]
        self.pending[sid] = buf
        self.flush()

    def open_tunnel(self, sid, authority, extra_fields=()):
        host, _, port = authority.rpartition(":")
        host = host.strip("[]")
        try:
            up = socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            self.h2.send_headers(sid, [(":status", "502")], end_stream=True)
            self.flush()
            return
        up.setblocking(False)
        self.upstream[sid] = up
        self.sel.register(up, selectors.EVENT_READ, sid)
        self.h2.send_headers(sid, [(":status", "200")] + list(extra_fields))
        self.flush()

    def close_up(self, sid):
        up = self.upstream.pop(sid, None)
        if up:
            self.sel.unregister(up)
            up.close()

    def on_request(self, ev):
        sid = ev.stream_id
        headers = dict(ev.headers)
        authority = headers.get(":authority", "")
        log(self.log_path, "connect %d %s %s" % (self.index, sid, authority))
        if headers.get(":method") != "CONNECT" or ":path" in headers or ":scheme" in headers:
            log(self.log_path, "violation not a CONNECT head: %r" % (ev.headers,))
        log(self.log_path, "auth %d %s" % (sid, "yes" if "proxy-authorization" in headers else "no"))
        if self.scenario == "silent":
            return
        if self.scenario == "refuse-body":
            self.h2.send_headers(sid, [(":status", "403"), ("content-type", "text/html")])
            self.h2.send_data(sid, b"<html>PROXY-SECRET-PAGE</html>", end_stream=True)
            self.flush()
            return
        if self.scenario == "ok-length":
            self.open_tunnel(sid, authority, [("content-length", "0")])
            return
        if self.scenario == "nul-header":
            self.h2.send_headers(sid, [(":status", "200"), ("x-bad", "a\x00b")])
            self.flush()
            return
        if self.scenario.startswith("refuse-"):
            self.h2.send_headers(sid, [(":status", self.scenario[len("refuse-"):])], end_stream=True)
            self.flush()
            return
        if self.scenario == "goaway" and self.index == 0:
            if self.first_stream is None:
                self.first_stream = sid
            else:
                if not self.going_away:
                    self.going_away = True
                    log(self.log_path, "goaway %d last=%d" % (self.index, self.first_stream))
                    payload = struct.pack(">II", self.first_stream, 0)
                    self.flush()
                    self.sock.setblocking(True)
                    self.sock.sendall(raw_frame(7, 0, 0, payload))
                    self.sock.setblocking(False)
                return
        if self.scenario == "overrun":
            self.h2.send_headers(sid, [(":status", "200")])
            self.flush()
            window = self.h2.remote_settings.initial_window_size
            log(self.log_path, "overrun %d window=%d" % (sid, window))
            # One write: the client reads both frames at once, before the
            # chain above the tunnel could read (and credit) the first.
            data = b"".join(raw_frame(0, 0, sid, b"x") for _ in range(window + 1))
            self.sock.setblocking(True)
            try:
                self.sock.sendall(data)
            except OSError:
                pass
            self.sock.setblocking(False)
            return
        self.open_tunnel(sid, authority)

    def on_data(self, ev):
        sid = ev.stream_id
        self.h2.acknowledge_received_data(ev.flow_controlled_length, sid)
        if self.scenario == "close-mid":
            log(self.log_path, "close %d" % sid)
            self.closed = True
            return
        if self.scenario.startswith("reset-port="):
            port = self.scenario.split("=", 1)[1]
            up = self.upstream.get(sid)
            if up is not None and str(up.getpeername()[1]) == port:
                log(self.log_path, "reset %d" % sid)
                self.close_up(sid)
                self.h2.reset_stream(sid, ErrorCodes.INTERNAL_ERROR)
                self.flush()
                return
        up = self.upstream.get(sid)
        if up is not None:
            up.setblocking(True)
            try:
                up.sendall(ev.data)
            except OSError:
                pass
            up.setblocking(False)
        self.flush()

    def handle(self, events):
        for ev in events:
            if isinstance(ev, h2.events.RequestReceived):
                self.on_request(ev)
            elif isinstance(ev, h2.events.DataReceived):
                self.on_data(ev)
            elif isinstance(ev, h2.events.StreamEnded):
                up = self.upstream.get(ev.stream_id)
                if up is not None:
                    try:
                        up.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
            elif isinstance(ev, h2.events.StreamReset):
                log(self.log_path, "client-reset %d" % ev.stream_id)
                self.close_up(ev.stream_id)
            elif isinstance(ev, h2.events.WindowUpdated):
                for sid in list(self.pending):
                    if self.pending.get(sid):
                        self.send_down(sid, b"")
            elif isinstance(ev, h2.events.ConnectionTerminated):
                self.closed = True
            if self.closed:
                return

    def run(self):
        if self.scenario == "one-stream":
            self.h2.local_settings = h2.settings.Settings(
                client=False, initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1})
        self.h2.initiate_connection()
        self.flush()
        self.sock.setblocking(False)
        self.sel.register(self.sock, selectors.EVENT_READ, None)
        while not self.closed:
            for key, _ in self.sel.select(timeout=30):
                if key.data is None:
                    try:
                        data = self.sock.recv(65536)
                    except ssl.SSLWantReadError:
                        continue
                    except OSError:
                        self.closed = True
                        break
                    if not data:
                        self.closed = True
                        break
                    try:
                        events = self.h2.receive_data(data)
                    except h2.exceptions.ProtocolError as e:
                        log(self.log_path, "protocol-error %s" % e)
                        self.flush()
                        self.closed = True
                        break
                    self.handle(events)
                    if not self.closed:
                        self.flush()
                else:
                    sid = key.data
                    try:
                        data = key.fileobj.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if data:
                        self.send_down(sid, data)
                    else:
                        self.close_up(sid)
                        try:
                            self.h2.end_stream(sid)
                        except h2.exceptions.ProtocolError:
                            pass
                        self.flush()
        for sid in list(self.upstream):
            self.close_up(sid)
        try:
            self.sock.close()
        except OSError:
            pass


def serve(conn, ctx, scenario, log_path):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return
    with LOCK:
        index = CONN_COUNT[0]
        CONN_COUNT[0] += 1
    log(log_path, "conn %d alpn=%s" % (index, tls.selected_alpn_protocol()))
    try:
        Proxy(tls, scenario, log_path, index).run()
    except Exception as e:  # the test reads the log; never a traceback storm
        log(log_path, "error %d %r" % (index, e))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", default="")
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.set_alpn_protocols(["h2"])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, a.port_file)
    print(srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, ctx, a.scenario, a.log), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
