#!/usr/bin/env python3
"""Builds the seed corpora under tests/fuzz/corpus/ (run once; re-running
adds nothing that is already there, files are named by content hash).

Sources:
  hpack_decoder_fuzzer   hpack-test-case wire data (every encoder's stories,
                         with the header_table_size changes they carry)
  hpack_roundtrip_fuzzer hpack-test-case raw-data header lists
  h2_session_fuzzer      the server bytes of every test of
                         plugins/h2/engine/session/{hostile,client_session}_test
                         (the harness dumps them when STRATA_H2_SEED_DIR is set)
  h1_response_fuzzer,    HTTP/1.x byte strings in the h1 parser, h1 session,
  connect_reply_fuzzer   h1 hostile and connect-tunnel tests, plus
                         tests/fuzz/captures/*.raw (real peers)
  url_fuzzer             URL and Location strings of runtime/url/url_test.cc
  config_fuzzer          JSON code blocks of docs/*.md and README.md
  h2_upgrade_fuzzer      answers to an h2c upgrade (accepted, declined, bad 101s)

Usage: tools/fuzz/extract_seeds.py [--no-h2-run]
"""
import glob
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, prefix, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "%s_%s" % (prefix, hashlib.sha1(data).hexdigest()[:12])
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        return 1
    return 0


# C/C++ string literals, adjacent ones concatenated ("a" "b" → "ab").
LIT = re.compile(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+')
ONE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("latin-1", "replace")
            i += 1
            continue
        n = body[i + 1]
        i += 2
        if n == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i:])
            out.append(int(m.group(0), 16))
            i += len(m.group(0))
        elif n in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i - 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += len(m.group(0)) - 1
        else:
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", '"': b'"',
                    "\\": b"\\", "'": b"'", "?": b"?", "a": b"\a"}.get(n, n.encode())
    return bytes(out)


def literals(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    for m in LIT.finditer(text):
        yield b"".join(unescape(x) for x in ONE.findall(m.group(0)))


def hpack():
    n = 0
    base = os.path.join(ROOT, "plugins/h2/engine/testdata/hpack-test-case")
    for story in sorted(glob.glob(os.path.join(base, "*", "story_*.json"))):
        enc = os.path.basename(os.path.dirname(story))
        # Every story of the table-size folder, a few of the others (the
        # corpus stays small; the conformance test covers them all).
        num = int(os.path.basename(story)[6:8])
        if enc != "nghttp2-change-table-size" and num % 8 != 0:
            continue
        doc = json.load(open(story))
        if enc == "raw-data":
            # Round trip: [cap:2] then lists of up to 15 fields.
            out = bytearray(struct.pack(">H", 4096))
            for case in doc["cases"][:12]:
                fields = [list(h.items())[0] for h in case["headers"]][:15]
                out.append(len(fields) << 4)
                for name, value in fields:
                    nb = name.encode()[:63]
                    vb = value.encode()[:127]
                    out.append(len(nb))
                    out += nb
                    out.append(len(vb))
                    out += vb
            n += put("hpack_roundtrip_fuzzer", "raw-data_" + os.path.basename(story)[:-5], bytes(out))
            continue
        out = bytearray()
        for case in doc["cases"]:
            if case.get("header_table_size") is not None:
                out += b"\xff" + struct.pack(">H", min(case["header_table_size"], 65535))
            wire = bytes.fromhex(case["wire"])
            out += b"\x00" + struct.pack(">H", len(wire)) + wire
        n += put("hpack_decoder_fuzzer", enc + "_" + os.path.basename(story)[:-5], bytes(out))
    return n


def h2(run):
    if not run:
        return 0
    ob = "--output_base=/root/.cache/bazel-ob-fuzzgcc"
    tests = ["//plugins/h2/engine/session:hostile_test",
             "//plugins/h2/engine/session:client_session_test"]
    subprocess.check_call(["bazel", ob, "build"] + tests, cwd=ROOT)
    bindir = subprocess.check_output(["bazel", ob, "info", "bazel-bin"], cwd=ROOT, text=True).strip()
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, STRATA_H2_SEED_DIR=tmp)
        for t in tests:
            exe = os.path.join(bindir, t[2:].replace(":", "/"))
            subprocess.call([exe], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        for f in sorted(os.listdir(tmp)):
            data = open(os.path.join(tmp, f), "rb").read()
            if len(data) > 64 * 1024:
                continue
            # flags 0x30: three requests at the start, more when capacity
            # allows (the tests open streams 1, 3, 5...); whole input at once,
            # and again in 7-byte pieces with the clock moving.
            tag = "hostile" if ".Hostile" in f else "session"
            n += put("h2_session_fuzzer", tag + "_" + f[:-4][:60], b"\x30\x00" + data)
            n += put("h2_session_fuzzer", tag + "_split_" + f[:-4][:60], b"\x70\x06" + data)
    return n


def h1():
    n = 0
    files = ["tests/hostile/h1_hostile_test.cc", "plugins/h1/response_parser_test.cc",
             "plugins/h1/h1_session_test.cc", "plugins/connect_tunnel/connect_tunnel_layer_test.cc",
             "plugins/connect_tunnel/tunnel_e2e_test.cc"]
    for rel in files:
        path = os.path.join(ROOT, rel)
        if not os.path.exists(path):
            continue
        tag = os.path.basename(rel)[:-3]
        for lit in literals(path):
            if not lit.startswith(b"HTTP/"):
                continue
            # h1: end of stream after the bytes; one cut in the middle.
            cut = struct.pack(">H", len(lit) // 2)
            n += put("h1_response_fuzzer", tag, b"\x10\x01" + cut + lit)
            n += put("h1_response_fuzzer", tag + "_head", b"\x11\x00" + lit)
            n += put("h1_response_fuzzer", tag + "_connect", b"\x12\x00" + lit)
            # CONNECT: proxy closes after its bytes, default budget, reads of 7.
            n += put("connect_reply_fuzzer", tag, b"\x04\x00\x10\x01\x07" + lit)
            n += put("connect_reply_fuzzer", tag + "_auth", b"\x05\x00\x10\x00" + lit)
    for cap in sorted(glob.glob(os.path.join(ROOT, "tests/fuzz/captures/*.raw"))):
        data = open(cap, "rb").read()
        tag = "capture_" + os.path.basename(cap)[:-4]
        n += put("h1_response_fuzzer", tag, b"\x10\x02" + struct.pack(">HH", 17, len(data) // 2) + data)
        n += put("connect_reply_fuzzer", tag, b"\x04\x00\x20\x00" + data)
    return n


def urls():
    n = 0
    for lit in literals(os.path.join(ROOT, "runtime/url/url_test.cc")):
        if not lit or len(lit) > 300:
            continue
        for base in (0, 2):
            n += put("url_fuzzer", "url_test", bytes([base]) + lit)
    return n


def configs():
    n = 0
    for md in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) + [os.path.join(ROOT, "README.md")]:
        text = open(md, encoding="utf-8").read()
        for block in re.findall(r"```json\n(.*?)```", text, re.S):
            n += put("config_fuzzer", "doc_" + os.path.basename(md)[:-3], block.encode())
    for lit in literals(os.path.join(ROOT, "runtime/config/config_test.cc")):
        if lit.lstrip().startswith(b"{"):
            n += put("config_fuzzer", "config_test", lit)
    return n


def h2_upgrade():
    """Answers to an h2c upgrade request: accepted, declined, bad 101s."""
    k101 = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
    settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    ack = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"
    h200 = b"\x00\x00\x01\x01\x05\x00\x00\x00\x01\x88"          # :status 200, END_STREAM
    h200b = b"\x00\x00\x01\x01\x04\x00\x00\x00\x01\x88"         # :status 200
    data = b"\x00\x00\x02\x00\x01\x00\x00\x00\x01ok"
    seeds = {
        "accepted": k101 + settings + ack + h200,
        "accepted_body": k101 + settings + h200b + data,
        "continue_then_101": b"HTTP/1.1 100 Continue\r\n\r\n" + k101 + settings + h200,
        "declined_200": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "declined_chunked": b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n",
        "101_without_upgrade": b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n" + settings,
        "101_websocket": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "http2_101": b"HTTP/2 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n" + settings,
        "101_then_ping": k101 + b"\x00\x00\x08\x06\x00\x00\x00\x00\x00" + b"\0" * 8,
        "101_then_http": k101 + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    }
    n = 0
    for name, data in seeds.items():
        n += put("h2_upgrade_fuzzer", name, b"\x02" + data)
        n += put("h2_upgrade_fuzzer", name + "_head", b"\x01" + data)
    return n


def main():
    run_h2 = "--no-h2-run" not in sys.argv
    counts = {"hpack": hpack(), "h2": h2(run_h2), "h1+connect": h1(), "url": urls(),
              "config": configs(),
              "h2_upgrade": h2_upgrade()}
    print("new seed files:", counts)


if __name__ == "__main__":
    main()
