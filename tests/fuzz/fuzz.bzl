"""strata_fuzz_target: one libFuzzer target plus a corpus-replay regression test.

Under --config=fuzz (--define=strata_fuzz=1, clang) the binary links
libFuzzer's main (-fsanitize=fuzzer). In every other build it links
tests/fuzz/replay_main.cc, which runs LLVMFuzzerTestOneInput on every file
of the directories/files named on its command line, so the same target
builds with gcc in the normal and --config=asan builds.

<name>_regression replays every file of tests/fuzz/corpus/<corpus>/
(seeds and crash reproducers alike) in the normal `bazel test //...`.
"""

def strata_fuzz_target(name, srcs, deps, corpus, dict = None, copts = []):
    """Defines cc_binary `name` and sh_test `name_regression`.

    Args:
      name: the fuzzer binary, e.g. "url_fuzzer".
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: libraries under test.
      corpus: the corpus directory name under tests/fuzz/corpus/.
      dict: an optional libFuzzer dictionary (label), used by tools/fuzz/run.sh.
      copts: extra compile options.
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = copts,
        deps = deps + select({
            "//tests/fuzz:fuzzing": [],
            "//conditions:default": ["//tests/fuzz:replay_main"],
        }),
        linkopts = select({
            # Bazel links with the clang (C) driver: ask for UBSan's C++
            # runtime (vptr and function checks) explicitly.
            "//tests/fuzz:fuzzing": ["-fsanitize=fuzzer", "-fsanitize-link-c++-runtime"],
            "//conditions:default": [],
        }),
        testonly = True,
    )
    native.filegroup(
        name = name + "_corpus",
        srcs = native.glob(["corpus/%s/**" % corpus]),
        testonly = True,
    )
    if dict:
        native.filegroup(
            name = name + "_dict",
            srcs = [dict],
            testonly = True,
        )
    native.sh_test(
        name = name + "_regression",
        size = "small",
        srcs = ["//tests/fuzz:replay_test.sh"],
        args = [
            "$(location :%s)" % name,
            "tests/fuzz/corpus/%s" % corpus,
        ],
        data = [":" + name, ":" + name + "_corpus"],
    )
