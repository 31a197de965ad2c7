"""A PEP 517 build backend for the strata package, standard library only.

`pip install --no-index --no-build-isolation ./api/python` must work
offline in a fresh `python3 -m venv`: such a venv has pip and setuptools
(Debian's python3-*-whl) but not `wheel`, which setuptools' backend needs
to build a wheel. The package is pure Python, so this backend writes the
wheel itself: the strata/ directory, METADATA, WHEEL and RECORD."""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "strata"


def _project():
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def field(name):
        m = re.search(r'^%s\s*=\s*"([^"]*)"' % name, project, re.M)
        return m.group(1) if m else ""

    return field("name"), field("version"), field("description"), field("requires-python")


def _files():
    root = os.path.join(HERE, PACKAGE)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".typed")):
                path = os.path.join(dirpath, name)
                yield path, os.path.relpath(path, HERE).replace(os.sep, "/")


def _metadata():
    name, version, summary, python = _project()
    readme = ""
    if os.path.exists(os.path.join(HERE, "README.md")):
        with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
    text = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nRequires-Python: %s\n"
            "Classifier: Typing :: Typed\nDescription-Content-Type: text/markdown\n\n%s" % (
                name, version, summary, python, readme))
    return name, version, text


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, metadata = _metadata()
    dist_info = "%s-%s.dist-info" % (name, version)
    filename = "%s-%s-py3-none-any.whl" % (name, version)
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as whl:
        def add(arcname, data):
            whl.writestr(zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0)), data)
            records.append(_record_line(arcname, data))

        for path, arcname in _files():
            if arcname == PACKAGE + "/_libdir.py":
                continue
            with open(path, "rb") as f:
                add(arcname, f.read())
        # `pip install --config-settings libdir=PREFIX/lib` (tools/install.sh) records
        # where libstrata.so was installed, for strata._ffi to look first.
        libdir = (config_settings or {}).get("libdir")
        if libdir:
            add(PACKAGE + "/_libdir.py", ("# Written by the build: where tools/install.sh put libstrata.so.\n"
                                          "LIBDIR = %r\n" % os.path.abspath(libdir)).encode("utf-8"))
        add(dist_info + "/METADATA", metadata.encode("utf-8"))
        add(dist_info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: strata_build\nRoot-Is-Purelib: true\n"
                                  b"Tag: py3-none-any\n")
        add(dist_info + "/top_level.txt", (PACKAGE + "\n").encode())
        records.append(dist_info + "/RECORD,,")
        whl.writestr(zipfile.ZipInfo(dist_info + "/RECORD", date_time=(2020, 1, 1, 0, 0, 0)),
                     "\n".join(records) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    name, version, metadata = _metadata()
    base = "%s-%s" % (name, version)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for path, arcname in list(_files()) + [(os.path.join(HERE, n), n) for n in
                                               ("pyproject.toml", "README.md", "_build/strata_build.py")]:
            if os.path.exists(path):
                tar.add(path, arcname="%s/%s" % (base, arcname))
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = metadata.encode("utf-8")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
