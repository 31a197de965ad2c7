"""A small nginx launcher for Python tests, with the rules of the C++
fixture (tests/support/nginx_fixture.h): 127.0.0.1 and a free port only,
every file under $TEST_TMPDIR, foreground single process, stopped always."""

import os
import signal
import socket
import subprocess
import tempfile
import time

NGINX = "/usr/sbin/nginx"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Nginx:
    """Context manager: `with Nginx() as n: n.write("a.txt", b"..")`."""

    def __init__(self):
        base = os.environ.get("TEST_TMPDIR", tempfile.gettempdir())
        self.dir = tempfile.mkdtemp(prefix="py-nginx-", dir=base)
        self.docroot = os.path.join(self.dir, "www")
        os.makedirs(self.docroot)
        # nginx creates the *_temp_path directories but not their parent.
        os.makedirs(os.path.join(self.dir, "temp"))
        self.port = 0
        self.proc = None

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def write(self, relative, data):
        path = os.path.join(self.docroot, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def access_log(self):
        path = os.path.join(self.dir, "access.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [line.rstrip("\n").split("|") for line in f if line.strip()]

    def _config(self):
        d = self.dir
        temp = "".join('  %s_temp_path "%s/temp/%s";\n' % (k, d, k)
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # As root nginx would switch to "nobody", which the sandbox lacks.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        return (
            "daemon off;\nmaster_process off;\nworker_processes 1;\n" + user +
            'error_log "%s/error.log" info;\npid "%s/nginx.pid";\n' % (d, d) +
            "events { worker_connections 64; }\nhttp {\n" + temp +
            "  log_format strata '$connection|$connection_requests|$request|$status';\n"
            '  access_log "%s/access.log" strata;\n' % d +
            "  server {\n    listen 127.0.0.1:%d;\n" % self.port +
            '    root "%s";\n    location / { }\n  }\n}\n' % self.docroot)

    def __enter__(self):
        for _ in range(5):  # another process may take the free port first
            self.port = free_port()
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(self._config())
            err = os.path.join(self.dir, "error.log")
            self.proc = subprocess.Popen(
                [NGINX, "-p", self.dir + "/", "-c", conf, "-e", err],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "stderr"), "wb"),
                start_new_session=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _accepts(self.port):
                    return self
                time.sleep(0.01)
            log = open(err).read() if os.path.exists(err) else ""
            self._stop()
            if "Address already in use" not in log:
                raise RuntimeError("nginx did not start: " + log[-2000:])
        raise RuntimeError("nginx: no free port after 5 attempts")

    def _stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None

    def __exit__(self, *exc):
        self._stop()
        return False
