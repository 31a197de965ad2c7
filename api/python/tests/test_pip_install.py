"""The package as a user installs it, offline, in fresh venvs under
$TEST_TMPDIR (no system site-packages):

1. tools/install.sh --from <dist> PREFIX with STRATA_PYTHON=<venv python>:
   the C install plus `pip install --no-index --no-build-isolation`; the
   module then loads PREFIX/lib/libstrata.so with no STRATA_LIBRARY, and
   the requests-style suite (test_requests_api.py) runs against the
   installed package;
2. a plain `pip install --no-index --no-build-isolation ./api/python` in a
   second venv: the module finds the library through pkg-config
   (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig), and STRATA_LIBRARY wins over it."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import support

PYTHON = "/usr/bin/python3"


def _copy_tree(src, dst):
    """A real copy (Bazel's runfiles are symlinks into the source tree)."""
    shutil.copytree(src, dst, symlinks=False, ignore=shutil.ignore_patterns("__pycache__", "tests"))


class PipInstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pip-install-", dir=os.environ.get("TEST_TMPDIR"))
        # A checkout-shaped tree: tools/install.sh finds api/ beside itself.
        cls.repo = os.path.join(cls.tmp, "repo")
        os.makedirs(os.path.join(cls.repo, "tools"))
        os.makedirs(os.path.join(cls.repo, "api"))
        shutil.copy(support.runfile("tools/install.sh"), os.path.join(cls.repo, "tools", "install.sh"))
        _copy_tree(support.runfile("api/strata"), os.path.join(cls.repo, "api", "strata"))
        _copy_tree(os.path.join(support.HERE, ".."), os.path.join(cls.repo, "api", "python"))
        cls.prefix = os.path.join(cls.tmp, "prefix")
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATA_", "PYTHON"))}
        cls.env["PIP_NO_INDEX"] = "1"

    def run_ok(self, args, env=None, cwd=None):
        p = subprocess.run(args, env=env or self.env, cwd=cwd or self.tmp, capture_output=True, text=True,
                           timeout=600)
        self.assertEqual(p.returncode, 0, "%s\nstdout:\n%s\nstderr:\n%s" % (args, p.stdout, p.stderr))
        return p.stdout

    def venv(self, name):
        path = os.path.join(self.tmp, name)
        self.run_ok([PYTHON, "-m", "venv", path])
        py = os.path.join(path, "bin", "python")
        self.assertNotIn("dist-packages", self.run_ok([py, "-c", "import sys; print(sys.path)"]))
        return py

    def test_install_sh_then_the_requests_suite(self):
        py = self.venv("venv-install-sh")
        env = dict(self.env, STRATA_PYTHON=py)
        out = self.run_ok(["bash", os.path.join(self.repo, "tools", "install.sh"), "--from",
                           support.runfile("tools"), self.prefix], env=env)
        self.assertIn("the strata Python package into", out)
        where = self.run_ok([py, "-c", "import strata, strata._ffi as f; print(strata.__file__); "
                                       "print(f.load()._name); print(strata.version())"]).split("\n")
        self.assertTrue(where[0].startswith(os.path.join(self.tmp, "venv-install-sh")), where)
        self.assertTrue(os.path.samefile(os.path.dirname(where[1]), os.path.join(self.prefix, "lib")), where)
        self.assertRegex(where[2], r"^\d+\.\d+\.\d+")
        self.assertTrue(os.path.exists(os.path.join(os.path.dirname(where[0]), "py.typed")))
        # The requests-style suite, against the installed package.
        env = dict(self.env, STRATA_TEST_INSTALLED="1")
        for name in ("TEST_SRCDIR", "TEST_TMPDIR", "RUNFILES_DIR"):
            if name in os.environ:
                env[name] = os.environ[name]
        out = subprocess.run([py, os.path.join(support.HERE, "test_requests_api.py"), "-v"], env=env,
                             cwd=self.tmp, capture_output=True, text=True, timeout=600)
        self.assertEqual(out.returncode, 0, out.stderr[-5000:])
        self.assertRegex(out.stderr, r"Ran \d+ tests")
        self.assertIn("OK", out.stderr)

    def test_plain_pip_install_finds_the_library_by_pkg_config(self):
        if not os.path.exists(os.path.join(self.prefix, "lib", "pkgconfig", "strata.pc")):
            self.run_ok(["bash", os.path.join(self.repo, "tools", "install.sh"), "--from", support.runfile("tools"),
                         self.prefix])
        if shutil.which("pkg-config") is None:
            self.skipTest("no pkg-config")
        py = self.venv("venv-plain")
        self.run_ok([py, "-m", "pip", "install", "--no-index", "--no-build-isolation",
                     os.path.join(self.repo, "api", "python")])
        script = "import strata, strata._ffi as f; print(f.load()._name)"
        env = dict(self.env, PKG_CONFIG_PATH=os.path.join(self.prefix, "lib", "pkgconfig"))
        lib = self.run_ok([py, "-c", script], env=env).strip()
        self.assertTrue(os.path.samefile(os.path.dirname(lib), os.path.join(self.prefix, "lib")), lib)
        # STRATA_LIBRARY wins.
        env2 = dict(env, STRATA_LIBRARY=support.runfile("tools/libstrata.so"))
        self.assertEqual(self.run_ok([py, "-c", script], env=env2).strip(), support.runfile("tools/libstrata.so"))


if __name__ == "__main__":
    unittest.main()
