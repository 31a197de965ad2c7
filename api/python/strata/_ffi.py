"""ctypes declarations of strata/strata.h and strata/status.h, and finding
libstrata.so. Internal: the public surface is in strata/__init__.py."""

import ctypes
import ctypes.util
import os
import threading

# --- strata/status.h -------------------------------------------------------

STATUS_NAMES = {
    0: "STRATA_OK",
    1: "STRATA_AGAIN",
    -1: "STRATA_E_INVALID_ARGUMENT",
    -2: "STRATA_E_NO_MEMORY",
    -3: "STRATA_E_UNSUPPORTED",
    -4: "STRATA_E_BUFFER_TOO_SMALL",
    -5: "STRATA_E_STATE",
    -20: "STRATA_E_CONFIG",
    -21: "STRATA_E_PLUGIN_LOAD",
    -22: "STRATA_E_PLUGIN_ABI",
    -23: "STRATA_E_PLUGIN_INIT",
    -24: "STRATA_E_UNKNOWN_LAYER",
    -25: "STRATA_E_URL",
    -40: "STRATA_E_RESOLVE",
    -41: "STRATA_E_CONNECT",
    -42: "STRATA_E_TIMEOUT",
    -43: "STRATA_E_IO",
    -44: "STRATA_E_CLOSED",
    -45: "STRATA_E_TLS",
    -46: "STRATA_E_TLS_VERIFY",
    -47: "STRATA_E_PROXY",
    -48: "STRATA_E_TLS_CA",
    -49: "STRATA_E_TLS_PINNED_KEY",
    -50: "STRATA_E_LOCAL_BIND",
    -51: "STRATA_E_POLICY_DENIED",
    -60: "STRATA_E_PROTOCOL",
    -61: "STRATA_E_TRUNCATED",
    -62: "STRATA_E_LIMIT",
    -63: "STRATA_E_HTTP_STATUS",
    -64: "STRATA_E_REDIRECT",
    -65: "STRATA_E_BODY",
    -66: "STRATA_E_CANCELLED",
    -67: "STRATA_E_STREAM_RESET",
    -68: "STRATA_E_NOT_PROCESSED",
    -69: "STRATA_E_RANGE",
    -70: "STRATA_E_CONTENT_ENCODING",
    -99: "STRATA_E_INTERNAL",
}
for _code, _name in STATUS_NAMES.items():
    globals()[_name] = _code
del _code, _name

# --- strata/strata.h enums ---------------------------------------------------

EVENT_TRACE, EVENT_HOP, EVENT_CONNECT, EVENT_DATA_IN, EVENT_DATA_OUT, EVENT_RETRY = 1, 2, 3, 4, 5, 6

# Request options (STRATA_OPT_*) are not copied here: options(lib) reads
# them from the library's own table (strata_option_count/strata_option_at).

RETRY_ON_TIMEOUT = 1
RETRY_ON_CONNECT = 2
RETRY_ON_RESET = 4
RETRY_ON_HTTP = 8
RETRY_ON_ALL_ERRORS = 16
RETRY_NON_IDEMPOTENT = 32
RETRY_NO_JITTER = 64

HTTP_VERSION_DEFAULT = 0
HTTP_VERSION_1_1 = 11
HTTP_VERSION_2 = 20
HTTP_VERSION_2_PRIOR_KNOWLEDGE = 21
HTTP_VERSION_3 = 30  # ABI 1.2: raced against TCP
HTTP_VERSION_3_ONLY = 31  # ABI 1.2

INFO_STATUS = 1
INFO_HTTP_VERSION = 2
INFO_NUM_REDIRECTS = 3
INFO_NUM_CONNECTS = 4
INFO_SIZE_DOWNLOAD = 5
INFO_TIME_TOTAL_US = 6
INFO_TIME_CONNECT_US = 7
INFO_TIME_FIRST_BYTE_US = 8
INFO_SIZE_UPLOAD = 9
INFO_HTTP_CONNECT = 10
INFO_CONDITION_UNMET = 11

INFO_STR_EFFECTIVE_URL = 1
INFO_STR_REDIRECT_URL = 2
INFO_STR_CHAIN = 3


class Error(ctypes.Structure):
    """strata_error (2136 bytes on LP64)."""
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("code", ctypes.c_int32),
        ("hop", ctypes.c_int32),
        ("layer", ctypes.c_char * 64),
        ("message", ctypes.c_char * 1024),
        ("url", ctypes.c_char * 1024),
        ("http_connect", ctypes.c_int32),
    ]

    @classmethod
    def new(cls):
        e = cls()
        e.struct_size = ctypes.sizeof(cls)
        return e


class Event(ctypes.Structure):
    """strata_event."""
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("type", ctypes.c_int32),
        ("hop", ctypes.c_int32),
        ("layer", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
        ("url", ctypes.c_char_p),
        ("status", ctypes.c_int32),
        ("reused", ctypes.c_int32),
        ("chain", ctypes.c_char_p),
        ("elapsed_us", ctypes.c_uint64),
        ("attempt", ctypes.c_int32),
        ("retries_left", ctypes.c_int32),
        ("retry_delay_ms", ctypes.c_int64),
        ("transfer_user", ctypes.c_void_p),
        ("transfer_id", ctypes.c_uint64),
    ]


# The size of a strata_event that names its transfer (transfer_user,
# transfer_id appended): older libraries send smaller ones.
EVENT_SIZE_WITH_TRANSFER = ctypes.sizeof(Event)


class Cookie(ctypes.Structure):
    """strata_cookie."""
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("name", ctypes.c_char_p),
        ("value", ctypes.c_char_p),
        ("domain", ctypes.c_char_p),
        ("path", ctypes.c_char_p),
        ("host_only", ctypes.c_int32),
        ("secure", ctypes.c_int32),
        ("http_only", ctypes.c_int32),
        ("same_site", ctypes.c_int32),
        ("expires", ctypes.c_int64),
    ]


SAME_SITE_NAMES = {0: None, 1: "None", 2: "Lax", 3: "Strict"}

OPTION_TYPE_INT = 1
OPTION_TYPE_STRING = 2


class OptionInfo(ctypes.Structure):
    """strata_option_info."""
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("id", ctypes.c_int32),
        ("type", ctypes.c_int32),
        ("name", ctypes.c_char_p),
        ("repeatable", ctypes.c_int32),
    ]

status_t = ctypes.c_int32
vp = ctypes.c_void_p
u8p = ctypes.POINTER(ctypes.c_uint8)

EVENT_FN = ctypes.CFUNCTYPE(None, vp, ctypes.POINTER(Event))
READ_FN = ctypes.CFUNCTYPE(status_t, vp, u8p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t),
                           ctypes.POINTER(ctypes.c_int))
WRITE_FN = ctypes.CFUNCTYPE(status_t, vp, u8p, ctypes.c_size_t)
COOKIE_FN = ctypes.CFUNCTYPE(None, vp, ctypes.POINTER(Cookie))
PLUGIN_FN = ctypes.CFUNCTYPE(None, vp, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p)

# name: (restype, argtypes). Every function of strata.h.
_SIGNATURES = {
    "strata_version": (ctypes.c_char_p, []),
    "strata_abi_version": (ctypes.c_uint32, []),
    "strata_status_name": (ctypes.c_char_p, [status_t]),
    "strata_runtime_new": (status_t, [ctypes.c_char_p, ctypes.POINTER(vp), ctypes.POINTER(Error)]),
    "strata_runtime_new_from_file": (status_t, [ctypes.c_char_p, ctypes.POINTER(vp), ctypes.POINTER(Error)]),
    "strata_runtime_free": (None, [vp]),
    "strata_runtime_set_event_callback": (None, [vp, EVENT_FN, vp, ctypes.c_uint32]),
    "strata_cookies_enable": (status_t, [vp, ctypes.c_int]),
    "strata_cookies_load": (status_t, [vp, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_size_t)]),
    "strata_cookies_save": (status_t, [vp, ctypes.c_char_p]),
    "strata_cookies_add": (status_t, [vp, ctypes.c_char_p, ctypes.c_char_p]),
    "strata_cookies_list": (status_t, [vp, COOKIE_FN, vp]),
    "strata_cookies_clear": (status_t, [vp, ctypes.c_int]),
    "strata_alt_svc_enable": (status_t, [vp, ctypes.c_int]),
    "strata_alt_svc_load": (status_t, [vp, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t)]),
    "strata_alt_svc_save": (status_t, [vp, ctypes.c_char_p]),
    "strata_runtime_list_plugins": (status_t, [vp, PLUGIN_FN, vp]),
    "strata_libraries": (ctypes.c_char_p, []),
    "strata_request_new": (status_t, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(vp)]),
    "strata_request_free": (None, [vp]),
    "strata_request_add_header": (status_t, [vp, ctypes.c_char_p, ctypes.c_char_p]),
    "strata_request_remove_header": (status_t, [vp, ctypes.c_char_p]),
    "strata_request_set_body": (status_t, [vp, ctypes.c_char_p, ctypes.c_size_t]),
    "strata_request_set_body_reader": (status_t, [vp, ctypes.c_int64, READ_FN, vp]),
    "strata_request_set_body_writer": (status_t, [vp, WRITE_FN, vp]),
    "strata_request_set_option_int": (status_t, [vp, ctypes.c_int32, ctypes.c_int64]),
    "strata_request_set_option_string": (status_t, [vp, ctypes.c_int32, ctypes.c_char_p]),
    "strata_response_status": (ctypes.c_int32, [vp]),
    "strata_response_http_version": (ctypes.c_int32, [vp]),
    "strata_response_header_count": (ctypes.c_size_t, [vp]),
    "strata_response_header": (status_t, [vp, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
                                          ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_char_p),
                                          ctypes.POINTER(ctypes.c_size_t)]),
    "strata_response_header_get": (ctypes.c_char_p, [vp, ctypes.c_char_p]),
    "strata_response_body": (None, [vp, ctypes.POINTER(u8p), ctypes.POINTER(ctypes.c_size_t)]),
    "strata_response_effective_url": (ctypes.c_char_p, [vp]),
    "strata_response_info": (status_t, [vp, ctypes.c_int32, ctypes.POINTER(ctypes.c_int64)]),
    "strata_response_info_string": (status_t, [vp, ctypes.c_int32, ctypes.POINTER(ctypes.c_char_p)]),
    "strata_response_free": (None, [vp]),
    "strata_response_reason": (ctypes.c_char_p, [vp]),
    "strata_option_count": (ctypes.c_size_t, []),
    "strata_option_at": (status_t, [ctypes.c_size_t, ctypes.POINTER(OptionInfo)]),
    "strata_transfer_peek_response": (status_t, [vp, ctypes.POINTER(vp)]),
    "strata_fetch": (status_t, [vp, vp, ctypes.POINTER(vp), ctypes.POINTER(Error)]),
    "strata_submit": (status_t, [vp, vp, vp, ctypes.POINTER(vp)]),
    "strata_runtime_run": (status_t, [vp, ctypes.c_int32, ctypes.POINTER(ctypes.c_size_t)]),
    "strata_runtime_fd": (ctypes.c_int, [vp]),
    "strata_runtime_timeout_ms": (ctypes.c_int64, [vp]),
    "strata_runtime_next_done": (vp, [vp]),
    "strata_transfer_done": (ctypes.c_int, [vp]),
    "strata_transfer_user": (vp, [vp]),
    "strata_transfer_id": (ctypes.c_uint64, [vp]),
    "strata_transfer_take_record": (vp, [vp]),
    "strata_transfer_result": (status_t, [vp, ctypes.POINTER(Error)]),
    "strata_transfer_take_response": (vp, [vp]),
    "strata_transfer_cancel": (None, [vp]),
    "strata_transfer_resume": (ctypes.c_int, [vp]),
    "strata_transfer_free": (None, [vp]),
    "strata_connection_open": (status_t, [vp, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint16, ctypes.c_int32,
                                          ctypes.POINTER(vp), ctypes.POINTER(Error)]),
    "strata_connection_send": (status_t, [vp, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int32,
                                          ctypes.POINTER(Error)]),
    "strata_connection_recv": (status_t, [vp, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t),
                                          ctypes.c_int32, ctypes.POINTER(Error)]),
    "strata_connection_request": (status_t, [vp, vp, ctypes.POINTER(vp), ctypes.POINTER(Error)]),
    "strata_connection_describe": (ctypes.c_char_p, [vp]),
    "strata_connection_close": (None, [vp]),
}

FUNCTION_NAMES = tuple(_SIGNATURES)

_lock = threading.Lock()
_loaded = {}


def _pkg_config_libdir():
    """libdir of strata.pc (PKG_CONFIG_PATH is honoured), or None."""
    import shutil
    import subprocess
    exe = shutil.which("pkg-config")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--variable=libdir", "strata"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _candidates(library):
    """Where libstrata.so is looked for, in order: |library|,
    $STRATA_LIBRARY, the libdir recorded by tools/install.sh, next to the
    package (a copy or a symlink put there),
    the prefix the package is installed in (PREFIX/lib/pythonX.Y/site-packages
    → PREFIX/lib), pkg-config's libdir of strata, sys.prefix/lib,
    /usr/local/lib, then the system loader."""
    if library:
        yield library
        return
    env = os.environ.get("STRATA_LIBRARY")
    if env:
        yield env
        return
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = [here, os.path.dirname(here)]
    try:  # the prefix tools/install.sh installed into (pip install --config-settings libdir=...)
        from . import _libdir
        dirs.insert(0, _libdir.LIBDIR)
    except ImportError:
        pass
    # PREFIX/lib/python3.X/site-packages/strata → PREFIX/lib.
    site = os.path.dirname(here)
    if os.path.basename(site) in ("site-packages", "dist-packages"):
        dirs.append(os.path.dirname(os.path.dirname(site)))
    for d in dirs:
        path = os.path.join(d, "libstrata.so")
        if os.path.exists(path):
            yield path
    pc = _pkg_config_libdir()
    for d in ([pc] if pc else []) + [os.path.join(sys.prefix, "lib"), "/usr/local/lib"]:
        for name in ("libstrata.so", "libstrata.so.0"):
            path = os.path.join(d, name)
            if os.path.exists(path):
                yield path
    found = ctypes.util.find_library("strata")
    if found:
        yield found
    yield "libstrata.so"


def load(library=None):
    """Returns the declared CDLL for |library| (a path), $STRATA_LIBRARY,
    a libstrata.so next to the package, or the system loader's."""
    errors = []
    for path in _candidates(library):
        with _lock:
            if path in _loaded:
                return _loaded[path]
            try:
                lib = ctypes.CDLL(path)
            except OSError as e:
                errors.append("%s: %s" % (path, e))
                continue
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype = restype
                fn.argtypes = argtypes
            lib._strata_options = _read_options(lib)
            _loaded[path] = lib
            return lib
    raise OSError("libstrata.so not found (pass library=, set STRATA_LIBRARY, install strata where "
                  "pkg-config finds strata.pc, or put it next to the strata package): " + "; ".join(errors))


def _read_options(lib):
    """{name: (id, type)} from the library's option table ("timeout_ms":
    (1, OPTION_TYPE_INT), ...)."""
    table = {}
    info = OptionInfo()
    for i in range(lib.strata_option_count()):
        info.struct_size = ctypes.sizeof(OptionInfo)
        if lib.strata_option_at(i, ctypes.byref(info)) == 0:
            table[info.name.decode()] = (info.id, info.type)
    return table


def options(lib):
    """The request options |lib| knows, read once per library."""
    return lib._strata_options


def status_name(code):
    return STATUS_NAMES.get(code, "STRATA_E_UNKNOWN")
