"""Shared set-up for the Python bindings' tests: libstrata.so and the peer
launchers from the runfiles (or the repository when run by hand with
STRATA_LIBRARY set)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def runfile(relative):
    root = os.environ.get("TEST_SRCDIR")
    if root:
        return os.path.join(root, "strata", relative)
    return os.path.join(HERE, "..", "..", "..", relative)


# STRATA_TEST_INSTALLED=1 (test_pip_install): test the strata package
# installed in the running interpreter's environment, with the library it
# finds by itself, not the source tree's.
INSTALLED = os.environ.get("STRATA_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, os.path.join(HERE, ".."))       # the strata package
sys.path.insert(0, runfile("tests/ffi"))               # nginx_launcher
if not INSTALLED and ("TEST_SRCDIR" in os.environ or "STRATA_LIBRARY" not in os.environ):
    os.environ["STRATA_LIBRARY"] = runfile("tools/libstrata.so")

import nginx_launcher  # noqa: E402,F401
import strata  # noqa: E402,F401

DIST = os.path.dirname(os.environ["STRATA_LIBRARY"]) if not INSTALLED else runfile("tools")


def has_plugin(name):
    return os.path.exists(os.path.join(DIST, "strata-%s.so" % name))


def readme_path():
    """README.md from the runfiles (//:README.md is data of test_readme),
    else next to this file in the source tree (run outside Bazel)."""
    path = runfile("README.md")
    if os.path.exists(path):
        return path
    return os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "..", "README.md")
