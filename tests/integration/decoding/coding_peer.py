#!/usr/bin/env python3
"""coding_peer.py — an HTTP/1.1 server that answers with content codings.

Encoders are independent of strata's decoders: Python's zlib, and the
Debian packages python3-brotli and python3-zstandard.

  coding_peer.py --docroot DIR --port-file FILE

binds 127.0.0.1 on a port of the kernel's choice and writes it to FILE.
Paths:
  /enc/<codings>/<file>    <file> from DIR with each coding of the
                           comma-separated list applied in order, sent as
                           one Content-Encoding header
  /split/<codings>/<file>  the same, one Content-Encoding line per coding
  /cut/<codings>/<file>    the same, but only the first half of the encoded
                           bytes (with a Content-Length that says so: the
                           HTTP message is whole, the coding is not)
  /bomb/<mib>              gzip of <mib> MiB of zeros (Content-Encoding: gzip)
  /ae                      the request's Accept-Encoding as the body
"""
import argparse
import gzip
import http.server
import os
import socketserver
import sys
import struct
import zlib

import brotli
import zstandard


def encode(coding, data):
    if coding in ("gzip", "x-gzip"):
        return gzip.compress(data, compresslevel=6)
    if coding == "deflate":
        return zlib.compress(data, 6)
    if coding == "deflate-raw":  # raw deflate sent as "deflate", as some servers do
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    if coding == "br":
        return brotli.compress(data)
    if coding == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(data)
    if coding == "identity":
        return data
    raise ValueError(coding)


_bombs = {}


def bomb(mib):
    # Compressing 1 GiB takes 5-10 s on a loaded machine, longer than the
    # client waits for a response. A full flush makes every compressed
    # MiB of zeros the same bytes (no history), so one is repeated; the
    # gzip header and trailer (CRC-32 and size of the whole) are written
    # by hand around the raw deflate stream.
    if mib not in _bombs:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        zeros = bytes(1 << 20)
        block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
        end = c.flush()
        crc = 0
        for _ in range(mib):
            crc = zlib.crc32(zeros, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
        trailer = struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)
        _bombs[mib] = header + block * mib + end + trailer
    return _bombs[mib]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    docroot = "."

    def log_message(self, fmt, *args):
        pass

    def send(self, body, headers):
        self.send_response(200)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        parts = self.path.split("/")
        try:
            if parts[1] in ("enc", "split", "cut") and len(parts) == 4:
                codings = parts[2].split(",")
                with open(os.path.join(self.docroot, parts[3]), "rb") as f:
                    body = f.read()
                for c in codings:
                    body = encode(c, body)
                names = ["deflate" if c == "deflate-raw" else c for c in codings]
                if parts[1] == "cut":
                    body = body[: len(body) // 2]
                if parts[1] == "split":
                    headers = [("Content-Encoding", n) for n in names]
                else:
                    headers = [("Content-Encoding", ", ".join(names))]
                return self.send(body, headers)
            if parts[1] == "bomb" and len(parts) == 3:
                return self.send(bomb(int(parts[2])), [("Content-Encoding", "gzip")])
            if self.path == "/ae":
                return self.send(self.headers.get("Accept-Encoding", "(none)").encode(), [])
        except (OSError, ValueError) as e:
            self.send_error(404, str(e))
            return
        self.send_error(404)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docroot", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    Handler.docroot = args.docroot
    server = Server(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
