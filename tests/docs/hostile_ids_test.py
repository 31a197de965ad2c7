"""Every hostile-peer case the tree cites is in docs/hostile-peers.md.

Code and tests cite the cases of docs/hostile-peers.md by number, in these
forms (the catalogue's "Citing a case" section):

  - after an anchor: `HOSTILE`, `HOSTILE.md` or `hostile-peers.md`, then a
    list such as `27`, `case 80`, `cases 21-38`, `75, 76`, `55/57`,
    `6, 7 and 63`, `A.3`, `G.74`, `§C 33`, `section F`, `sections B-E`
    (the list may go on in the next comment line);
  - `Case 27` (capital C) in prose and docstrings;
  - test names: `Hostile27_…`, `Hostile08_…`, `HostileA4_…`, `Case27_…`,
    `Case54` (a parameterised suite).

The test reads the source tree (the files with the extensions in SCANNED,
outside .git, .bazel and bazel-*; not the catalogue, not this file), finds
every citation, and fails naming each one whose case number or section
letter is not in the catalogue, or whose letter names another section than
the one the case is in. It also fails when a file still points at
../shared/, which is outside the repository.

The tree is found by following this file's runfile symlink back to the
workspace (a directory holding WORKSPACE), so the test is tagged no-cache:
its inputs are the whole tree, which Bazel does not track.
"""

import os
import re
import sys
import unittest

CATALOGUE = os.path.join("docs", "hostile-peers.md")
SCANNED_EXTENSIONS = (".cc", ".h", ".c", ".py", ".lua", ".md", ".bzl", ".sh")
SCANNED_NAMES = ("BUILD", "BUILD.bazel", "WORKSPACE")
SKIPPED_DIRS = (".git", ".bazel")

SECTION_HEADING = re.compile(r"^## ([A-H])\. ")
CASE_ROW = re.compile(r"^\|\s*(\d+)\s*\|")

# A citation list starts after one of these.
ANCHOR = re.compile(r"(?<![\w.-])(?:HOSTILE(?:\.md)?|hostile-peers\.md)(?![\w-])")
# A line break, with the next line's indentation and comment marker. A list
# goes on in the next line only while it is open (it ended with the anchor, a
# keyword or a separator such as "," or "and") or when the next line opens a
# parenthesis: "(HOSTILE 79)\n// 303 after POST" cites 79 only.
LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*(?:(?://+|#+|--|\*(?!\*)|;+)[ \t]*)?(?=\S)")
# Tokens of a citation list, tried in this order at the current position.
SPACE = re.compile(r"[ \t]+")
SEPARATOR = re.compile(r"(?:[,&(]|/(?!/)|\band\b|\bor\b)")
CLOSE = re.compile(r"\)")
KEYWORD_CASE = re.compile(r"(?:[Cc]ases?)\b")
KEYWORD_SECTION = re.compile(r"(?:[Ss]ections?|§)")
LETTERED = re.compile(r"([A-H])(?:\.|\s)?(\d+)(?!\w|\.\d)")
RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)(?!\w|\.\d)")
NUMBER = re.compile(r"(\d+)(?!\w|\.\d)")
SECTIONS = re.compile(r"([A-H])(?:\s*[-–]\s*([A-H]))?(?!\w|\.\d)")
# Forms that need no anchor.
PROSE_CASE = re.compile(r"(?<![\w/])Case (\d+)(?!\w|\.\d)")
TEST_NAME = re.compile(r"(?<![A-Za-z0-9])(?:Hostile|Case)([A-H])?(\d+)(?=_|\b)")

OUTSIDE_REFERENCE = re.compile(r"\.\./shared/")

# How far after an anchor a citation list may reach.
LIST_WINDOW = 240


class Citation:
    """One cited case (number, optional letter) or section (letter only)."""

    def __init__(self, path, line, text, number=None, letter=None):
        self.path = path
        self.line = line
        self.text = text
        self.number = number
        self.letter = letter

    def where(self):
        return "%s:%d (%s)" % (self.path, self.line, self.text)


def parse_list(text):
    """The cases and sections of a citation list at the start of |text|:
    a list of (number or None, letter or None)."""
    found = []
    pos = 0
    section_mode = False
    open_list = True  # right after the anchor
    while pos < len(text):
        m = SPACE.match(text, pos)
        if m:
            pos = m.end()
            continue
        m = LINE_BREAK.match(text, pos)
        if m:
            if not (open_list or text.startswith("(", m.end())):
                break
            pos = m.end()
            continue
        m = SEPARATOR.match(text, pos)
        if m:
            open_list = True
            pos = m.end()
            continue
        m = CLOSE.match(text, pos)
        if m:
            open_list = False
            pos = m.end()
            continue
        m = KEYWORD_CASE.match(text, pos)
        if m:
            section_mode = False
            open_list = True
            pos = m.end()
            continue
        m = KEYWORD_SECTION.match(text, pos)
        if m:
            section_mode = True
            open_list = True
            pos = m.end()
            continue
        open_list = False
        m = LETTERED.match(text, pos)
        if m:
            found.append((int(m.group(2)), m.group(1)))
            pos = m.end()
            continue
        m = RANGE.match(text, pos)
        if m:
            low, high = int(m.group(1)), int(m.group(2))
            if low > high or high - low > 100:
                break
            found.extend((n, None) for n in range(low, high + 1))
            pos = m.end()
            continue
        m = NUMBER.match(text, pos)
        if m:
            found.append((int(m.group(1)), None))
            pos = m.end()
            continue
        m = SECTIONS.match(text, pos) if section_mode else None
        if m:
            first = m.group(1)
            last = m.group(2) or first
            if first > last:
                break
            found.extend((None, chr(c)) for c in range(ord(first), ord(last) + 1))
            pos = m.end()
            continue
        break
    return found


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def citations_in(path, text):
    """Every citation in one file's |text|."""
    found = []
    for m in ANCHOR.finditer(text):
        window = text[m.end():m.end() + LIST_WINDOW]
        snippet = (m.group(0) + window.split("\n", 1)[0]).strip()[:80]
        for number, letter in parse_list(window):
            found.append(Citation(path, line_of(text, m.start()), snippet, number, letter))
    for m in PROSE_CASE.finditer(text):
        found.append(Citation(path, line_of(text, m.start()), m.group(0), int(m.group(1))))
    for m in TEST_NAME.finditer(text):
        name = re.match(r"\w*", text[m.start():]).group(0)
        found.append(Citation(path, line_of(text, m.start()), name, int(m.group(2)), m.group(1)))
    return found


def parse_catalogue(text):
    """{case number: section letter} and the set of section letters, from
    the catalogue's "## X. title" headings and "| N | …" table rows."""
    cases = {}
    duplicates = []
    sections = set()
    section = None
    for line in text.splitlines():
        heading = SECTION_HEADING.match(line)
        if heading:
            section = heading.group(1)
            sections.add(section)
            continue
        if line.startswith("## "):
            section = None
            continue
        row = CASE_ROW.match(line)
        if row and section:
            number = int(row.group(1))
            if number in cases:
                duplicates.append(number)
            cases[number] = section
    return cases, sections, duplicates


def problems(citations, cases, sections):
    """Lines naming each citation the catalogue cannot answer."""
    out = []
    for c in citations:
        if c.number is None:
            if c.letter not in sections:
                out.append("section %s is not in %s: %s" % (c.letter, CATALOGUE, c.where()))
        elif c.number not in cases:
            out.append("case %d is not in %s: %s" % (c.number, CATALOGUE, c.where()))
        elif c.letter and cases[c.number] != c.letter:
            out.append("case %d is in section %s, not %s: %s" % (c.number, cases[c.number], c.letter, c.where()))
    return out


def workspace_root():
    """The source tree this file comes from: its runfile is a symlink (through
    the execroot) to tests/docs/hostile_ids_test.py in the workspace."""
    override = os.environ.get("STRATA_SOURCE_ROOT")
    if override:
        return override
    directory = os.path.dirname(os.path.realpath(__file__))
    while directory != os.path.dirname(directory):
        if os.path.isfile(os.path.join(directory, "WORKSPACE")) and os.path.isdir(os.path.join(directory, "docs")):
            return directory
        directory = os.path.dirname(directory)
    raise RuntimeError("no workspace (WORKSPACE and docs/) above %s" % os.path.realpath(__file__))


def source_files(root):
    """Relative paths of the files scanned, sorted."""
    own = os.path.realpath(__file__)
    out = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("bazel-"))
        for name in files:
            if not (name.endswith(SCANNED_EXTENSIONS) or name in SCANNED_NAMES):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root)
            if relative == CATALOGUE or os.path.realpath(path) == own:
                continue
            out.append(relative)
    return sorted(out)


def read(root, relative):
    with open(os.path.join(root, relative), encoding="utf-8", errors="replace") as f:
        return f.read()


class ParserTest(unittest.TestCase):
    """The citation forms the tree uses, so a change in the scanner that
    would stop seeing them fails here and not silently."""

    def cited(self, text):
        return [(c.number, c.letter) for c in citations_in("x.cc", text)]

    def test_anchored_lists(self):
        self.assertEqual(self.cited("// HOSTILE.md case 80: strict"), [(80, None)])
        self.assertEqual(self.cited("// (HOSTILE.md 75, 76)."), [(75, None), (76, None)])
        self.assertEqual(self.cited("// HOSTILE 55/57): a peer"), [(55, None), (57, None)])
        self.assertEqual(self.cited("HOSTILE 6, 7 and 63 behaviour"), [(6, None), (7, None), (63, None)])
        self.assertEqual(self.cited("HOSTILE 39, 69–73 by number"), [(39, None)] + [(n, None) for n in range(69, 74)])
        self.assertEqual(self.cited("(docs/hostile-peers.md §C 33)"), [(33, "C")])
        self.assertEqual(self.cited("// HOSTILE A.3/A.4: wildcard"), [(3, "A"), (4, "A")])
        self.assertEqual(self.cited("// HOSTILE G.74): the"), [(74, "G")])
        self.assertEqual(self.cited("// HOSTILE 80 / RFC 9110 §15.4.6: 305"), [(80, None)])
        self.assertEqual(self.cited("// HOSTILE A.5. `shutdown` sends 2"), [(5, "A")])
        self.assertEqual(self.cited("HOSTILE 69: its Content-Length 5"), [(69, None)])

    def test_lists_across_comment_lines(self):
        self.assertEqual(self.cited("// Method rewrites (HOSTILE\n// 79), credentials"), [(79, None)])
        self.assertEqual(self.cited("#   a 101 (HOSTILE 7,\n#   63) → fails"), [(7, None), (63, None)])
        self.assertEqual(
            self.cited("// docs/hostile-peers.md section F\n// (cases 53–68) and case 39, end"),
            [(None, "F")] + [(n, None) for n in range(53, 69)] + [(39, None)])

    def test_a_closed_list_does_not_run_into_the_next_line(self):
        self.assertEqual(self.cited("// Method rewrites (RFC 9110, HOSTILE 79)\n// 303 after POST"), [(79, None)])
        self.assertEqual(self.cited("// (HOSTILE 79)\n\n// 303 after POST"), [(79, None)])
        self.assertEqual(self.cited("// HOSTILE 75,\n//\n// 3 hops"), [(75, None)])

    def test_sections(self):
        self.assertEqual(self.cited("# HOSTILE.md sections B-E (cases 8-10), one"),
                         [(None, "B"), (None, "C"), (None, "D"), (None, "E"), (8, None), (9, None), (10, None)])

    def test_no_citation(self):
        self.assertEqual(self.cited("// Choices where the RFC or HOSTILE.md allow one"), [])
        self.assertEqual(self.cited("timeouts, HOSTILE cases) are in"), [])
        self.assertEqual(self.cited("a hostile response: after 3 tries; HOSTILE_LIMIT 4"), [])
        self.assertEqual(self.cited("    case 301: return \"Moved\"; class H1HostileTest"), [])

    def test_prose_and_test_names(self):
        self.assertEqual(self.cited('"""Case 27. Connection 0 holds'), [(27, None)])
        self.assertEqual(self.cited("- **Case 8** oversized"), [(8, None)])
        self.assertEqual(self.cited("TEST(ClientSession, Hostile08_FrameLarger)"), [(8, None)])
        self.assertEqual(self.cited("TEST(PeerName, HostileA3_Every)"), [(3, "A")])
        self.assertEqual(self.cited("TEST_F(H2RealHostileTest, Case29_Refused)"), [(29, None)])
        self.assertEqual(self.cited("INSTANTIATE_TEST_SUITE_P(H1Hostile, Case54,"), [(54, None)])

    def test_a_missing_case_and_a_wrong_letter_are_reported(self):
        cases, sections, duplicates = parse_catalogue(
            "## A. TLS\n| # | x |\n|---|---|\n| 1 | a |\n| 3 | c |\n## G. Proxy\n| 74 | k |\n## Coverage\n| 2 | n |\n")
        self.assertEqual(cases, {1: "A", 3: "A", 74: "G"})
        self.assertEqual(sections, {"A", "G"})
        self.assertEqual(duplicates, [])
        found = problems(citations_in("p.cc", "// HOSTILE 2, A.3, A.74, section H\nTEST(X, Hostile1_Y)"),
                         cases, sections)
        self.assertEqual(len(found), 3, found)
        self.assertIn("case 2 is not in docs/hostile-peers.md: p.cc:1", found[0])
        self.assertIn("case 74 is in section G, not A: p.cc:1", found[1])
        self.assertIn("section H is not in docs/hostile-peers.md: p.cc:1", found[2])


class TreeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = workspace_root()
        cls.files = source_files(cls.root)
        cls.cases, cls.sections, cls.duplicates = parse_catalogue(read(cls.root, CATALOGUE))

    def test_catalogue_numbers_every_case_once(self):
        self.assertEqual(self.duplicates, [], "cases listed twice in %s" % CATALOGUE)
        self.assertEqual(self.sections, set("ABCDEFGH"), "sections of %s" % CATALOGUE)
        numbers = sorted(self.cases)
        self.assertTrue(numbers, "no case rows (| N | …) under ## A.–H. headings in %s" % CATALOGUE)
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
        self.assertEqual(missing, [], "%s skips these case numbers" % CATALOGUE)
        letters = [self.cases[n] for n in numbers]
        self.assertEqual(letters, sorted(letters), "%s: sections out of order" % CATALOGUE)

    def test_every_cited_case_is_in_the_catalogue(self):
        citations = []
        for relative in self.files:
            citations.extend(citations_in(relative, read(self.root, relative)))
        # The scan must have seen the tree: hundreds of citations in tens of
        # files. A root that is not the workspace would otherwise pass.
        cited_files = {c.path for c in citations}
        self.assertGreater(len(citations), 200, "only %d citations found under %s" % (len(citations), self.root))
        self.assertGreater(len(cited_files), 30, "citations in only %d files under %s" % (len(cited_files), self.root))
        found = problems(citations, self.cases, self.sections)
        self.assertEqual(found, [], "\n" + "\n".join(found))
        sys.stderr.write("%d citations of %d cases in %d files; all in %s\n" % (
            len(citations), len({c.number for c in citations if c.number}), len(cited_files), CATALOGUE))

    def test_nothing_points_outside_the_tree(self):
        found = []
        for relative in self.files:
            for i, line in enumerate(read(self.root, relative).splitlines(), 1):
                if OUTSIDE_REFERENCE.search(line):
                    found.append("%s:%d: %s" % (relative, i, line.strip()[:100]))
        self.assertEqual(found, [], "references to ../shared/, which is not part of the repository:\n" +
                         "\n".join(found))


if __name__ == "__main__":
    unittest.main()
