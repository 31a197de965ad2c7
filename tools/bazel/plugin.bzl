"""strata_plugin: builds one plugin shared object that exports only its entry symbol."""

def strata_plugin(name, srcs, deps = [], copts = [], linkopts = [], **kwargs):
    """Builds `strata-<name>.so` from srcs.

    Everything is compiled with hidden visibility and linked with a version
    script so the object exports `strata_plugin_entry` and nothing else; the
    static libraries it links keep their symbols to themselves.
    """
    native.cc_binary(
        name = "strata-%s.so" % name,
        srcs = srcs,
        deps = deps + ["//tools/bazel:plugin_exports.lds"],
        copts = copts + ["-fvisibility=hidden"],
        linkopts = linkopts + [
            "-Wl,--version-script=$(location //tools/bazel:plugin_exports.lds)",
            "-Wl,--exclude-libs,ALL",
            "-Wl,-z,defs",
        ],
        linkshared = True,
        linkstatic = True,
        visibility = ["//visibility:public"],
        **kwargs
    )
