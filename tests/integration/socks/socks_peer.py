#!/usr/bin/env python3
"""socks_peer.py — a scripted SOCKS proxy for the socks layer's tests.

  socks_peer.py --scenario NAME --port-file FILE --record FILE

binds 127.0.0.1 on a port of the kernel's choice, writes it to FILE and
plays NAME on every connection, one at a time. It reads the client's
messages by their exact lengths (RFC 1928 / 1929 / SOCKS4a), so every reply
goes out only after the request it answers. The requests it read are
appended to --record, one line per message in hex, so a test sees what the
client put on the wire. After a successful handshake it plays the origin: it
reads one HTTP request head and answers "HTTP/1.1 200 OK" with body "hello".

Scenarios:
  ok              SOCKS5 success (BND 10.0.0.7:4660), then the origin
  split           the same, every reply byte in its own write
  bnd255          success with a 255-byte domain BND, then the origin
  eager           success with the origin's response right behind the
                  reply, before any request
  refuse:N        REP N
  bad-version     method selection with version 0x04
  bad-atyp        reply with ATYP 0x09
  bnd0            reply with a domain BND of length 0
  truncated       method selection, then 3 bytes of the reply, then close
  silent          reads the greeting, never answers
  auth:USER:PASS  requires RFC 1929 USER/PASS, then as ok
  socks4a         SOCKS4a success (CD 90), then the origin
  socks4a-reject  SOCKS4a CD 91
"""
import argparse
import socket
import sys
import time

ORIGIN_REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
OK_IPV4 = b"\x05\x00\x00\x01\x0a\x00\x00\x07\x12\x34"


class Closed(Exception):
    pass


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise Closed()
        data += chunk
    return data


def read_until_nul(conn):
    data = b""
    while not data.endswith(b"\0"):
        data += read_exact(conn, 1)
    return data


def record(path, label, data):
    with open(path, "a") as f:
        f.write("%s %s\n" % (label, data.hex()))


def read_greeting(conn, rec):
    head = read_exact(conn, 2)
    methods = read_exact(conn, head[1])
    record(rec, "greeting", head + methods)
    return methods


def read_connect5(conn, rec):
    head = read_exact(conn, 4)
    atyp = head[3]
    if atyp == 1:
        rest = read_exact(conn, 4 + 2)
    elif atyp == 4:
        rest = read_exact(conn, 16 + 2)
    else:
        n = read_exact(conn, 1)
        rest = n + read_exact(conn, n[0] + 2)
    record(rec, "connect", head + rest)


def read_auth(conn, rec):
    head = read_exact(conn, 2)
    user = read_exact(conn, head[1])
    plen = read_exact(conn, 1)
    password = read_exact(conn, plen[0])
    record(rec, "auth", head + user + plen + password)
    return user.decode(), password.decode()


def play_origin(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    conn.sendall(ORIGIN_REPLY)


def drain(conn):
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def play(conn, scenario, rec):
    if scenario.startswith("socks4a"):
        head = read_exact(conn, 8)
        user = read_until_nul(conn)
        host = read_until_nul(conn) if head[4:7] == b"\0\0\0" and head[7] != 0 else b""
        record(rec, "connect4", head + user + host)
        if scenario == "socks4a-reject":
            conn.sendall(b"\x00\x5b\x00\x00\x00\x00\x00\x00")
            return
        conn.sendall(b"\x00\x5a\x00\x00\x00\x00\x00\x00")
        play_origin(conn)
        return
    methods = read_greeting(conn, rec)
    if scenario == "silent":
        drain(conn)
        return
    if scenario == "bad-version":
        conn.sendall(b"\x04\x00")
        return
    if scenario.startswith("auth:"):
        _, want_user, want_pass = scenario.split(":", 2)
        if 2 not in methods:
            conn.sendall(b"\x05\xff")
            return
        conn.sendall(b"\x05\x02")
        user, password = read_auth(conn, rec)
        if (user, password) != (want_user, want_pass):
            conn.sendall(b"\x01\x01")
            return
        conn.sendall(b"\x01\x00")
    else:
        conn.sendall(b"\x05\x00")
    read_connect5(conn, rec)
    if scenario.startswith("refuse:"):
        conn.sendall(b"\x05" + bytes([int(scenario.split(":")[1])]) + b"\x00\x01" + b"\0" * 6)
        return
    if scenario == "bad-atyp":
        conn.sendall(b"\x05\x00\x00\x09" + b"\0" * 6)
        return
    if scenario == "bnd0":
        conn.sendall(b"\x05\x00\x00\x03\x00\x00\x50")
        return
    if scenario == "truncated":
        conn.sendall(OK_IPV4[:3])
        time.sleep(0.1)
        return
    if scenario == "split":
        for b in OK_IPV4:
            conn.sendall(bytes([b]))
            time.sleep(0.005)
        play_origin(conn)
        return
    if scenario == "bnd255":
        conn.sendall(b"\x05\x00\x00\x03\xff" + b"n" * 255 + b"\x00\x50")
        play_origin(conn)
        return
    if scenario == "eager":
        conn.sendall(OK_IPV4 + ORIGIN_REPLY)
        drain(conn)
        return
    conn.sendall(OK_IPV4)
    play_origin(conn)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--record", required=True)
    args = parser.parse_args()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.getsockname()[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    while True:
        conn, _ = server.accept()
        try:
            play(conn, args.scenario, args.record)
        except (Closed, OSError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    sys.exit(main())
