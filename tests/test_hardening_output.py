"""No output format prints a line the repository chose (docs/hardening.md, break 7).

A repository names its files with newlines, CR, ESC sequences, Unicode line separators, bidirectional
overrides, backticks and HTML, GitHub/Azure workflow commands and bytes that are not UTF-8; puts the
same into a waiver reason, a baseline entry and a configuration key. Every format is then checked
with its own reader: line counts for text/concise, the annotation grammar for github, a Markdown
renderer for markdown, the SARIF schema with RFC 3986 checks for sarif, JSON/XML parsers for the rest.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import jsonschema
import pytest

from mllint.output.escape import code_span, visible
from mllint.testing import git

HANG = 120
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
HOSTILE_NAMES = [
    "evil\n::error file=README.md,line=1,title=forged::the repository wrote this\n.py",
    "esc\x1b[31mred\x1b[0m\r.py",
    "::warning title=x::at the start.py",
    "  ::notice::indented.py",
    "##[error]legacy.py",
    "##vso[task.setvariable variable=TOKEN]stolen.py",
    "back`tick <img src=x onerror=alert(1)>.py",
    "two``ticks`.py",
    "nl\n## mllint: 12 of 12 factors satisfied\n.py",
    "cr\r## heading.py",
    "ls\u2028sep\u2029para\x85nel.py",
    "bidi\u202eyp.exe.py",
    "a:b.py",
    "sp ace#?%[x].py",
    "tab\tbed.py",
]
UNDECODABLE = b"latin\xe9\xff.py"
#: No output line may hold these, whatever the format (JSON escapes them; XML and the rest must not carry them).
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:\r\n]*)(?:,[A-Za-z]+=[^,:\r\n]*)*)::([^\r\n]*)$")


def mllint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, timeout=HANG,
                          env={**os.environ, "NO_COLOR": "1"})
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    return out


@pytest.fixture(scope="module", params=[True, False], ids=["git", "walk"])
def hostile(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "repo"
    root.mkdir()
    for name in HOSTILE_NAMES:
        (root / name).write_bytes(b"x = (\n")  # one ML0001 finding each
    (root / os.fsdecode(UNDECODABLE)).write_bytes(b"x = (\n")
    (root / "README.md").write_text("# r\n")
    (root / "train.py").write_text("import numpy as np\n\nprint(np.zeros(3))\n")  # parses: repository rules run
    (root / "mllint.toml").write_text(
        '[waivers]\nML1203 = "no CI\\n::error title=forged::from a waiver\\n## mllint: 12/12 factors satisfied\\u001b[2J"\n')
    if request.param:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "hostile")
    return root


def paths_of(root: Path) -> list[str]:
    return [*HOSTILE_NAMES, os.fsdecode(UNDECODABLE)]


def test_text_and_concise_print_one_line_per_finding(hostile):
    count = len(json.loads(mllint(hostile.parent, "check", "--no-cache", "-o", "json", hostile.name).stdout))
    assert count >= len(HOSTILE_NAMES) + 1
    for fmt in ("concise", "text"):
        out = mllint(hostile.parent, "check", "--no-cache", "-o", fmt, hostile.name).stdout
        lines = out.splitlines()
        assert not RAW_CONTROL.search(out) and "\r" not in out
        for line in lines:
            assert not line.lstrip().startswith(("::", "##[")), line
            assert "##vso[" not in line, line
        findings = [line for line in lines if re.search(r"(^\.|:\d+:\d+): ML\d{4} ", line)]
        assert len(findings) == count, (fmt, lines)
        if fmt == "text":
            waiver = [line for line in lines if "waived: ML1203" in line]
            assert len(waiver) == 1 and "\\n::error" in waiver[0] and "\\x1b[2J" in waiver[0]


def test_github_annotations_are_one_command_each(hostile):
    out = mllint(hostile.parent, "check", "--no-cache", "-o", "github", hostile.name).stdout
    lines = out.splitlines()
    count = len(json.loads(mllint(hostile.parent, "check", "--no-cache", "-o", "json", hostile.name).stdout))
    assert len(lines) == count and not RAW_CONTROL.search(out)
    for line in lines:
        match = ANNOTATION.match(line)
        assert match, line
        assert "title=ML" in match.group(2)  # the title property is ours, not forged from a path


def test_markdown_renders_no_repository_heading_or_html(hostile):
    from markdown_it import MarkdownIt

    out = mllint(hostile.parent, "check", "--no-cache", "-o", "markdown", hostile.name).stdout
    assert not RAW_CONTROL.search(out) and "\r" not in out
    html = MarkdownIt("commonmark").render(out)
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", html)
    assert [level for level, _ in headings].count("2") == 1 and headings[0][1].startswith("mllint: ")
    assert all(text.startswith(("mllint: ", "Findings by factor", "Waived", "❌")) for _, text in headings), headings
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= {"h2", "h3", "h4", "p", "code", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a", "em",
                    "strong", "details", "summary"}, tags
    assert "<img" not in html
    for name in HOSTILE_NAMES[:3]:  # the path is in a code span, shown literally
        assert "<code>" + visible(name).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html


def test_sarif_uris_are_rfc3986_and_decode_to_the_real_paths(hostile):
    out = mllint(hostile.parent, "check", "--no-cache", "-o", "sarif", hostile.name).stdout
    log = json.loads(out)
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft7Validator, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    wanted = {os.fsencode(name) for name in paths_of(hostile)}
    decoded = {unquote_to_bytes(uri) for uri in uris}
    assert wanted <= decoded
    for uri in uris:
        assert urlsplit(uri).scheme == "" and re.fullmatch(r"[A-Za-z0-9\-._~%/]+", uri), uri  # a relative reference


def test_json_gitlab_and_junit_parse(hostile):
    for fmt in ("json", "gitlab"):
        out = mllint(hostile.parent, "check", "--no-cache", "-o", fmt, hostile.name).stdout
        data = json.loads(out)
        text = json.dumps(data, ensure_ascii=False)
        assert "\ufffd" in text  # the undecodable name, as Unicode's replacement character
    out = mllint(hostile.parent, "check", "--no-cache", "-o", "junit", hostile.name).stdout
    assert not RAW_CONTROL.search(out)
    ET.fromstring(out)


def test_stderr_lines_are_not_the_repositorys(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "mllint.toml").write_text('"x\\n::error title=forged::from a config key\\n" = 1\n')
    proc = mllint(tmp_path, "check", "repo")
    assert proc.returncode == 2
    assert not [line for line in proc.stderr.splitlines() if line.lstrip().startswith("::")], proc.stderr
    baseline = root / ".mllint-baseline.json"
    (root / "mllint.toml").unlink()
    (root / "a.py").write_text("x = 1\n")
    entry = {"code": "ML0001", "kind": "code", "path": "gone\n::error::forged.py", "fingerprint": "f", "loose": "f",
             "message": "old\n::error title=forged::from a baseline", "line": 1}
    baseline.write_text(json.dumps({"version": 1, "findings": [entry]}))
    out = mllint(tmp_path, "check", "--no-cache", "repo").stdout
    fixed = [line for line in out.splitlines() if "fixed: " in line]
    assert fixed and not [line for line in out.splitlines() if line.lstrip().startswith("::")], out


@pytest.mark.parametrize("text", ["plain", "a`b", "``", "`start", "end`", " padded ", "x\n## y"])
def test_code_span_round_trips_through_a_markdown_renderer(text):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(f"- {code_span(text)}")
    inner = re.search(r"<code>(.*?)</code>", html, re.DOTALL)
    assert inner, html
    shown = inner.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')
    assert shown == visible(text)
