"""The Python example of README.md runs: its URL is pointed at a local
nginx and the code executed as written."""

import contextlib
import io
import os
import re
import unittest

import support
from support import nginx_launcher


def readme_block(language, heading):
    text = open(support.readme_path(), encoding="utf-8").read()
    section = text.split("\n## " + heading + "\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```%s\n(.*?)```" % language, section, re.S).group(1)


class ReadmeTest(unittest.TestCase):
    def test_python_example(self):
        code = readme_block("python", "Python")
        with nginx_launcher.Nginx() as nginx:
            nginx.write("hello.txt", b"hello from nginx\n")
            code = code.replace("http://127.0.0.1:8080", nginx.url(""))
            refused = "http://127.0.0.1:%d/" % nginx_launcher.free_port()
            code = code.replace("http://127.0.0.1:1/", refused)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, "README.md", "exec"), {})
        lines = out.getvalue().splitlines()
        self.assertTrue(lines[0].startswith("200 1.1 text/plain hello from nginx"), lines)
        self.assertEqual(sorted(lines[2:12]), sorted("%d 200" % i for i in range(10)))
        self.assertEqual(lines[12], "200 OK hello from nginx []")
        self.assertEqual(lines[13], "[200, 200, 200]")
        self.assertEqual(lines[-1], "STRATA_E_CONNECT tcp 1 " + refused)


if __name__ == "__main__":
    unittest.main()
