"""README.md works as written.

Every ```sh line of README.md is run (from the root of a stand-in checkout,
one shell per block, so `export` and `cd` last for the rest of their block),
the ```c example is compiled with `cc` and run, and every ```json block is
parsed and, when it is a strata configuration, validated with strata-inspect
and loaded by the CLI for a request. Each command's exit code is checked, and
a little of its output (EXPECT below).

The peers are the ones the README names, started here on 127.0.0.1 with free
ports: nginx for 127.0.0.1:8080 (HTTP/1.1), 127.0.0.1:8081 (cleartext
HTTP/2) and localhost:8443 (TLS + HTTP/2, certificate from a throw-away CA
written to ca.pem), and squid for 127.0.0.1:3128. The documented ports are
replaced by the real ones in the commands, the C example and the
configuration; /opt/strata and /tmp/tap.log by paths under $TEST_TMPDIR.
Nothing else of a command is changed.

The stand-in checkout holds what the commands use from a fresh clone: api/
headers, tools/install.sh, tools/examples/tap/, and .bazel/bin/tools, the
output of `bazel build //tools:dist` (here: //tools:dist from the runfiles).
Bazel cannot run inside a test, so `bazel` on PATH is a stand-in that
accepts exactly what tools/install.sh asks of it (build //tools:dist, info
bazel-bin) and points it at that output.

Not run (SKIP): the set-up commands tools/demo/demo.sh and tools/run-tests.sh
(they install packages with apt-get and run bazel), and tools/fuzz/run.sh
(bazel with clang in its own output base, then minutes of fuzzing). The
```python example is run by //api/python:test_readme; the ```lua and ```cpp
blocks are not run here (the C++ one is an excerpt of tools/examples/tap).
"""

import contextlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

TEST_TMPDIR = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", ""), "strata")
sys.path.insert(0, os.path.join(RUNFILES, "tests", "ffi"))

import nginx_launcher  # noqa: E402


def runfile(relative):
    return os.path.join(RUNFILES, relative)


def readme_path():
    """README.md from the runfiles (//:README.md is data of this test), else
    from the source tree next to this file (run outside Bazel)."""
    path = runfile("README.md")
    if os.path.exists(path):
        return path
    return os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "README.md")


# Lines not run, by a regular expression on the line as written, and why.
SKIP = {
    r"^tools/demo/demo\.sh\b": "set-up: installs packages (apt-get) and runs bazel",
    r"^tools/run-tests\.sh\b": "set-up: installs packages (apt-get) and runs bazel test //...",
    r"^tools/fuzz/run\.sh\b": "runs bazel (clang, its own output base), then fuzzes for minutes",
}

# What a line (found by a regular expression on the line as written; each
# must match exactly one line that is run) must do besides exit 0: callables
# taking (test, result); a result has rc, out (bytes), err (text) and peers.
EXPECT = {
    r"strata -v http://127\.0\.0\.1:8080/ ": lambda t, r: (
        t.assertEqual(r.out, r.peers.index, r.describe()),
        t.assertIn("* hop 1: GET http://127.0.0.1:%d/ → 200 (tcp(127.0.0.1:%d) → h1, new connection"
                   % (r.peers.http, r.peers.http), r.err, r.describe())),
    r"strata -o big\.bin -# ": lambda t, r: t.assertEqual(
        r.file("big.bin"), r.peers.big, "big.bin differs from the served file\n" + r.describe()),
    r"strata -X POST -d 'a=1' -H 'X-Trace: 1' ": lambda t, r: t.assertEqual(
        r.out, b"POST 1 application/x-www-form-urlencoded\n", r.describe()),
    r"strata -I --resolve example\.test:8080:127\.0\.0\.1 ": lambda t, r: (
        t.assertTrue(r.out.startswith(b"HTTP/1.1 200 OK\r\n"), r.describe()),
        t.assertIn(b"Content-Length: %d\r\n" % len(r.peers.index), r.out, r.describe())),
    r"strata -f -s -w ": lambda t, r: t.assertRegex(
        r.text(), r"\Afile a\n200 1 \d+\.\d{6}\nfile b\n200 0 \d+\.\d{6}\n\Z", r.describe()),
    r"^echo .* > my\.json": lambda t, r: json.loads(r.file("my.json")),
    r"strata --config my\.json ": lambda t, r: t.assertEqual(r.out, r.peers.index, r.describe()),
    r"strata --cacert ca\.pem -v https://localhost:8443/": lambda t, r: (
        t.assertEqual(r.out, r.peers.index, r.describe()),
        t.assertIn("h2-alpn: recv SETTINGS frame", r.err, r.describe()),
        t.assertIn("< HTTP/2 200", r.err, r.describe()),
        t.assertRegex(r.err, r"hop 1: GET https://localhost:\d+/ → 200 \(tcp\(127\.0\.0\.1:\d+\) → tls\(.*alpn=h2.*\) → h2\(",
                      r.describe())),
    r"strata -x http://127\.0\.0\.1:3128 -U user:pw ": lambda t, r: t.assertEqual(
        r.out, r.peers.index, r.describe()),
    r"strata -L -w ": lambda t, r: t.assertTrue(
        r.text().endswith("1 tcp(127.0.0.1:%d) → h1\n" % r.peers.http), r.describe()),
    r"strata -Z --http2-prior-knowledge -o a -o b ": lambda t, r: (
        t.assertEqual(r.file("a"), b"file a\n", r.describe()),
        t.assertEqual(r.file("b"), b"file b\n", r.describe())),
    r"^cc -o fetch fetch\.c -I api -L \.bazel/bin/tools -lstrata": lambda t, r: (
        t.assertIn("libstrata.so.0", r.run(["readelf", "-d", "fetch"]), "NEEDED libstrata.so.0")),
    r"^LD_LIBRARY_PATH=\.bazel/bin/tools \./fetch": lambda t, r: t.assertRegex(
        r.text(), r"\A200, %d bytes\n\Z" % len(r.peers.index), r.describe()),
    r"^tools/install\.sh /opt/strata": lambda t, r: r.test.check_installation(),
    r"^cc -o fetch fetch\.c \$\(pkg-config ": lambda t, r: t.assertIn(
        "libstrata.so.0 => %s/lib/libstrata.so.0" % r.test.prefix,
        r.run(["ldd", "fetch"], env={"PATH": "/usr/bin:/bin"}), "ldd fetch"),
    r"^\./fetch\b": lambda t, r: t.assertRegex(
        r.text(), r"\A200, %d bytes\n\Z" % len(r.peers.index), r.describe()),
    r"^/opt/strata/bin/strata-inspect": lambda t, r: (
        t.assertIn("/lib/strata/plugins/strata-tcp.so", r.text(), r.describe()),
        t.assertNotIn("REFUSED", r.text(), r.describe())),
    r"^make -C tools/examples/tap STRATA_PREFIX=/opt/strata install": lambda t, r: t.assertTrue(
        os.path.isfile(r.test.prefix + "/lib/strata/plugins/strata-tap.so"), r.describe()),
    r"--config tools/examples/tap/tap\.json http://127\.0\.0\.1:8080/ && cat /tmp/tap\.log": lambda t, r: (
        t.assertTrue(r.out.startswith(r.peers.index), r.describe()),
        t.assertIn(b"# connected 127.0.0.1:%d hop 1\n" % r.peers.http, r.out, r.describe()),
        t.assertIn(b"GET / HTTP/1.1\r\n", r.out, r.describe())),
}


def readme_blocks(text):
    """(language, body, first line number) of every fenced block."""
    blocks = []
    for m in re.finditer(r"^```(\w*)\n(.*?)^```\s*$", text, re.S | re.M):
        blocks.append((m.group(1), m.group(2), text.count("\n", 0, m.start()) + 2))
    return blocks


class Peers:
    pass


class Result:
    def __init__(self, test, line, rc, out, err):
        self.test, self.line, self.rc, self.out = test, line, rc, out
        self.err = err.decode("utf-8", "replace")
        self.peers = test.peers

    def text(self):
        return self.out.decode("utf-8", "replace")

    def file(self, name):
        with open(os.path.join(self.test.checkout, name), "rb") as f:
            return f.read()

    def run(self, argv, env=None):
        r = subprocess.run(argv, cwd=self.test.checkout, env=env or self.test.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        return r.stdout.decode("utf-8", "replace")

    def describe(self):
        return "README line: %s\nexit %s\nstdout:\n%s\nstderr:\n%s" % (
            self.line, self.rc, self.text()[-3000:], self.err[-3000:])


class ReadmeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(readme_path(), encoding="utf-8") as f:
            cls.readme = f.read()
        cls.blocks = readme_blocks(cls.readme)

    # --- the set-up -------------------------------------------------------

    def substitute(self, text):
        ports = {"8080": self.peers.http, "8081": self.peers.h2c, "8443": self.peers.https,
                 "3128": self.peers.squid or 3128}
        text = re.sub(r"(?<=:)(8080|8081|8443|3128)\b", lambda m: str(ports[m.group(1)]), text)
        text = text.replace("/opt/strata", self.prefix)
        return text.replace("/tmp/tap.log", self.tap_log)

    def make_checkout(self):
        c = self.checkout
        os.makedirs(os.path.join(c, "api", "strata"))
        for h in ("strata.h", "plugin.h", "status.h", "sdk.hpp"):
            shutil.copy(runfile("api/strata/" + h), os.path.join(c, "api", "strata", h))
        os.makedirs(os.path.join(c, "tools", "examples", "tap"))
        shutil.copy(runfile("tools/install.sh"), os.path.join(c, "tools", "install.sh"))
        tap_src = runfile("tools/examples/tap")
        for name in os.listdir(tap_src):
            if name == "BUILD":
                continue
            with open(os.path.join(tap_src, name), encoding="utf-8") as f:
                text = f.read()
            if name.endswith(".json"):
                text = self.substitute(text)
            with open(os.path.join(c, "tools", "examples", "tap", name), "w", encoding="utf-8") as f:
                f.write(text)
        # .bazel/bin/tools: the output of `bazel build //tools:dist`.
        os.makedirs(os.path.join(c, ".bazel", "bin"))
        os.symlink(runfile("tools"), os.path.join(c, ".bazel", "bin", "tools"))
        shutil.copy(self.ca, os.path.join(c, "ca.pem"))

        # The stand-in for bazel, for tools/install.sh.
        fakebin = os.path.join(TEST_TMPDIR, "fakebin")
        os.makedirs(fakebin)
        fake = os.path.join(fakebin, "bazel")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\n"
                    "# bazel cannot run inside a test: tools/readme/readme_test.py\n"
                    'case "$*" in\n'
                    '  "build -c opt //tools:dist") exit 0 ;;\n'
                    '  "info -c opt bazel-bin") echo "%s/.bazel/bin" ;;\n'
                    '  *) echo "stand-in bazel: unexpected arguments: $*" >&2; exit 2 ;;\n'
                    "esac\n" % c)
        os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        # A plain user's environment: no LD_LIBRARY_PATH, PKG_CONFIG_PATH or
        # proxy variables.
        home = os.path.join(TEST_TMPDIR, "home")
        os.makedirs(home)
        self.env = {"PATH": fakebin + ":/usr/local/bin:/usr/bin:/bin", "HOME": home,
                    "TMPDIR": TEST_TMPDIR, "LANG": "C.UTF-8"}

    def start_peers(self, stack):
        p = self.peers = Peers()
        pki = nginx_launcher.Pki()
        self.ca = pki.make_ca()
        tls = pki.make_leaf("server")
        locations = (
            '    location = /form { return 200 "$request_method $http_x_trace $content_type\\n"; }\n'
            "    location = /moved { return 301 /; }\n")
        http = nginx_launcher.Nginx(locations=locations)
        h2c = nginx_launcher.Nginx(http2=True)
        https = nginx_launcher.Nginx(tls=tls, http2=True)
        h2c.docroot = https.docroot = http.docroot
        p.index = b"hello from nginx through strata\n"
        p.big = bytes(range(256)) * (4 << 12)  # 4 MiB
        http.write("index.html", p.index)
        http.write("big.bin", p.big)
        http.write("a", b"file a\n")
        http.write("b", b"file b\n")
        for server in (http, h2c, https):
            stack.enter_context(server)
        p.http, p.h2c, p.https = http.port, h2c.port, https.port
        p.squid = None
        if os.path.exists("/usr/sbin/squid"):
            p.squid = stack.enter_context(nginx_launcher.Squid()).port

    # --- running ----------------------------------------------------------

    def run_block(self, number, body):
        """Runs the runnable lines of one ```sh block in one bash, each with
        its own output files; returns [(line, Result)]."""
        d = os.path.join(TEST_TMPDIR, "block%d" % number)
        os.makedirs(d)
        script = ["cd %s || exit 99" % self.checkout]
        lines = []
        for raw in body.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            self.assertFalse(line.endswith("\\"), "continuation lines are not supported: " + line)
            skip = [reason for pattern, reason in SKIP.items() if re.search(pattern, line)]
            if skip:
                self.skipped.add(next(p for p in SKIP if re.search(p, line)))
                print("SKIP %s  (%s)" % (line, skip[0]))
                continue
            if line.startswith(".bazel/bin/tools/strata -x") and not self.peers.squid:
                print("SKIP %s  (no squid installed)" % line)
                self.squid_skipped = True
                continue
            self.assert_local(line)
            i = len(lines)
            lines.append(line)
            script.append("{ %s\n} >%s/%d.out 2>%s/%d.err </dev/null; echo $? >%s/%d.rc"
                          % (self.substitute(line), d, i, d, i, d, i))
        if not lines:
            return []
        subprocess.run(["/bin/bash", "-c", "\n".join(script) + "\n"], env=self.env, timeout=90, check=False)
        results = []
        for i, line in enumerate(lines):
            def read(ext):
                path = "%s/%d.%s" % (d, i, ext)
                if not os.path.exists(path):
                    return None
                with open(path, "rb") as f:
                    return f.read()
            rc = read("rc")
            self.assertIsNotNone(rc, "README line did not run (an earlier one ended the shell?): " + line)
            results.append((line, Result(self, line, int(rc), read("out") or b"", read("err") or b"")))
        return results

    def assert_local(self, line):
        """Every URL of a line that is run goes to a peer of this test."""
        resolved = set(re.findall(r"--resolve ([^:\s]+):", line))
        for host in re.findall(r"https?://(?:[^@/\s]*@)?([^/:\s'\"]+)", line):
            self.assertTrue(host in ("127.0.0.1", "localhost") or host in resolved,
                            "README line reaches beyond the local peers (%s): %s" % (host, line))

    def check_installation(self):
        lib = self.prefix + "/lib"
        self.assertEqual(os.readlink(lib + "/libstrata.so"), "libstrata.so.0")
        soname = subprocess.run(["readelf", "-d", lib + "/libstrata.so.0"], stdout=subprocess.PIPE,
                                text=True).stdout
        self.assertIn("Library soname: [libstrata.so.0]", soname)
        self.assertTrue(os.path.exists(lib + "/pkgconfig/strata.pc"))

    def check_config(self, number, body):
        """A ```json block: valid JSON; a strata configuration is validated by
        strata-inspect and loaded by the CLI for a request to the local nginx."""
        try:
            doc = json.loads(body)
        except ValueError as e:
            self.fail("README.md line %d: ```json block is not JSON: %s" % (number, e))
        if not (isinstance(doc, dict) and {"plugin_dirs", "plugins", "pipelines", "timeouts"} & set(doc)):
            return
        path = os.path.join(TEST_TMPDIR, "readme-%d.json" % number)
        with open(path, "w") as f:
            f.write(self.substitute(body))
        strata = os.path.join(self.checkout, ".bazel/bin/tools/strata")

        def run(argv):
            return subprocess.run(argv, cwd=self.checkout, env=self.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=60)

        v = run([self.prefix + "/bin/strata-inspect", "--validate", path])
        self.assertEqual(v.returncode, 0, "strata-inspect --validate (README line %d): %s%s"
                         % (number, v.stdout.decode(), v.stderr.decode()))
        self.assertTrue(v.stdout.startswith(b"OK\n"), v.stdout)
        if os.path.exists(self.tap_log):
            os.unlink(self.tap_log)
        r = run([strata, "-sS", "--config", path, "http://127.0.0.1:%d/" % self.peers.http])
        self.assertEqual((r.returncode, r.stdout), (0, self.peers.index),
                         "strata --config (README line %d): %s" % (number, r.stderr.decode()))
        if "/tmp/tap.log" in body:
            with open(self.tap_log, "rb") as f:
                self.assertIn(b"GET / HTTP/1.1\r\n", f.read())

        # The error the README quotes for this configuration without the tap.
        quoted = re.findall(r"`(configuration /pipelines/[^`]*)`", self.readme)
        if quoted and isinstance(doc.get("plugins"), list):
            bad = dict(doc, plugins=[p for p in doc["plugins"] if "tap" not in json.dumps(p)])
            with open(path, "w") as f:
                f.write(self.substitute(json.dumps(bad)))
            r = run([strata, "-sS", "--config", path, "http://127.0.0.1:%d/" % self.peers.http])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(quoted[0], r.stderr.decode(), "the README's quoted error message")

    def test_readme(self):
        stale = [l for l in self.readme.splitlines() if "bazel-bin/" in l]
        self.assertEqual(stale, [], "bazel-bin is not in a fresh clone: use .bazel/bin/ (.bazelrc --symlink_prefix)")
        self.checkout = os.path.join(TEST_TMPDIR, "checkout")
        self.prefix = os.path.join(TEST_TMPDIR, "opt", "strata")
        self.tap_log = os.path.join(TEST_TMPDIR, "tap.log")
        self.skipped = set()
        self.squid_skipped = False
        with contextlib.ExitStack() as stack:
            self.start_peers(stack)
            self.make_checkout()

            c_blocks = [b for b in self.blocks if b[0] == "c"]
            self.assertEqual(len(c_blocks), 1, "one ```c example, saved as fetch.c")
            with open(os.path.join(self.checkout, "fetch.c"), "w") as f:
                f.write(self.substitute(c_blocks[0][1]))

            results = []
            for lang, body, number in self.blocks:
                if lang == "sh":
                    results += self.run_block(number, body)
            for lang, body, number in self.blocks:
                if lang == "json":
                    self.check_config(number, body)

            # The README's configuration is the file the tap section uses.
            json_blocks = [json.loads(b[1]) for b in self.blocks if b[0] == "json"]
            with open(runfile("tools/examples/tap/tap.json")) as f:
                self.assertIn(json.load(f), json_blocks, "README's JSON pipeline is tools/examples/tap/tap.json")

            failures = []
            for line, r in results:
                print("RAN  %s  -> exit %d" % (line, r.rc))
                checks = [c for pattern, c in EXPECT.items() if re.search(pattern, line)]
                try:
                    self.assertEqual(r.rc, 0, r.describe())
                    for check in checks:
                        check(self, r)
                except AssertionError as e:
                    failures.append(str(e))
            self.assertEqual(failures, [], "\n\n".join(failures))

            # Every expectation and skip still matches a README line.
            ran = [line for line, _ in results]
            for pattern in EXPECT:
                n = sum(1 for line in ran if re.search(pattern, line))
                if n == 0 and self.squid_skipped and "3128" in pattern:
                    continue
                self.assertEqual(n, 1, "EXPECT pattern %r matches %d README lines run" % (pattern, n))
            self.assertEqual(self.skipped, set(SKIP), "SKIP patterns that match no README line")


if __name__ == "__main__":
    unittest.main()
