"""An httpbin-like echo server for the requests-style tests, run as a child
process (so the tests' own process keeps one thread):

    with EchoPeer() as peer: peer.url("/anything")

Endpoints (HTTP/1.1, keep-alive):
  /anything...          JSON of the request: method, path, args (query,
                        repeated keys as lists), headers, data (body text),
                        form (urlencoded or multipart fields), files
                        (multipart files: name → {filename, content_type,
                        content}), json (a JSON body, parsed)
  /status/N             answers N (reason phrase the standard one)
  /redirect/N           N redirects (302) ending at /anything
  /delay/S              answers after S seconds
  /cookies/set?k=v...   Set-Cookie k=v (Path=/), 302 to /cookies
  /cookies              JSON {"cookies": {...}} of the Cookie header
  /basic-auth/U/P       200 {"user": U} with those Basic credentials, else 401
  /stream/N             N JSON lines, chunked, 50 ms apart
  /encoding/latin1      text/plain without a charset, body in ISO-8859-1
"""

import base64
import email.parser
import email.policy
import json
import os
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _multipart(ctype, body):
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    form, files = {}, {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        content = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = {"filename": filename, "content_type": part.get_content_type(),
                           "content": content.decode("utf-8", "replace")}
        else:
            form.setdefault(name, []).append(content.decode("utf-8", "replace"))
    return {k: v[0] if len(v) == 1 else v for k, v in form.items()}, files


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=(), ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _handle(self):
        body = self._body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        args = {}
        for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            args.setdefault(k, []).append(v)
        args = {k: v[0] if len(v) == 1 else v for k, v in args.items()}
        parts = path.strip("/").split("/")
        if parts[0] == "status":
            return self._send(int(parts[1]), b"", ctype="text/plain")
        if parts[0] == "redirect":
            n = int(parts[1])
            return self._send(302, b"", [("Location", "/redirect/%d" % (n - 1) if n > 1 else "/anything")])
        if parts[0] == "delay":
            time.sleep(float(parts[1]))
            return self._send(200, {"delayed": float(parts[1])})
        if path == "/cookies/set":
            return self._send(302, b"", [("Set-Cookie", "%s=%s; Path=/" % (k, v)) for k, v in args.items()] +
                              [("Location", "/cookies")])
        if path == "/cookies":
            jar = {}
            for piece in self.headers.get("Cookie", "").split(";"):
                if "=" in piece:
                    k, _, v = piece.strip().partition("=")
                    jar[k] = v
            return self._send(200, {"cookies": jar})
        if parts[0] == "basic-auth":
            want = "Basic " + base64.b64encode(("%s:%s" % (parts[1], parts[2])).encode()).decode()
            if self.headers.get("Authorization") == want:
                return self._send(200, {"authenticated": True, "user": parts[1]})
            return self._send(401, b"", [("WWW-Authenticate", 'Basic realm="echo"')])
        if parts[0] == "stream":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            for i in range(int(parts[1])):
                line = (json.dumps({"id": i}) + "\n").encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(b"0\r\n\r\n")
            return
        if path == "/encoding/latin1":
            return self._send(200, "café\n".encode("latin-1"), ctype="text/plain")
        ctype = self.headers.get("Content-Type", "")
        form, files, parsed = {}, {}, None
        if ctype.startswith("application/x-www-form-urlencoded"):
            for k, v in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True):
                form.setdefault(k, []).append(v)
            form = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
        elif ctype.startswith("multipart/form-data"):
            form, files = _multipart(ctype, body)
        elif ctype.startswith("application/json"):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        headers = {}
        for k, v in self.headers.items():
            headers[k] = v if k not in headers else headers[k] + ", " + v
        self._send(200, {"method": self.command, "path": path, "url": self.path, "args": args, "headers": headers,
                         "data": body.decode("utf-8", "replace"), "form": form, "files": files, "json": parsed})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle


class EchoPeer:
    """Runs this file as a server in a child process on a free port."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())
        return self

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()
        return False


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 1024  # many clients connect at once
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
