"""Property tests (hypothesis): whatever the input, mllint reports findings and never crashes or hangs.

Targets: generated Python programs (hypothesmith), mutated real ML sources, garbled notebooks,
random ``[tool.mllint]`` configurations (with cache directories reaching outside), random repository
files (dvc.yaml, workflow YAML, requirements, params), suppression comments, and the hostile inputs of
the second hardening round: file names in every output format, baselines, TOML documents, notebook
JSON edited in place, and git configurations naming programs. The CI budget is small; ``make fuzz``
runs the same properties with a large one (MLLINT_FUZZ=long: 10,000 inputs per target). Figures are
in docs/hardening.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint.analysis.suppress import parse_suppressions
from mllint.catalogue.loader import load_catalogue
from mllint.catalogue.rule import Example, make_finding
from mllint.config.settings import ConfigError, Settings, load_settings
from mllint.core.findings import Finding
from mllint.engine.run import RunResult
from mllint.engine.session import Session
from mllint.output.escape import unicode_text
from mllint.testing import write_repo

LONG = os.environ.get("MLLINT_FUZZ") == "long"
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile("long" if LONG else "ci")

CATALOGUE = load_catalogue()
ALL_CODE = {rule.code for rule in CATALOGUE.code_rules()}
SESSION = Session(Path.cwd(), Settings(select=["ALL"]))
COUNTS: dict[str, int] = {}


def check_bytes(path: str, data: bytes) -> list:
    """The code pass on one file with every code rule: must return, never raise."""
    COUNTS[path.rsplit(".", 1)[-1]] = COUNTS.get(path.rsplit(".", 1)[-1], 0) + 1
    analysis = SESSION.analyze(path, data, frozenset(ALL_CODE))
    findings = analysis.findings
    json.dumps(analysis.facts.to_json())  # facts must stay JSON-serialisable (they are cached)
    json.dumps([f.to_cache() for f in findings])
    return findings


def _seed_sources() -> list[str]:
    """Real ML snippets: every code example of the catalogue (violating and compliant)."""
    out = []
    for rule in CATALOGUE.code_rules():
        for example in [*rule.violating, *rule.compliant]:
            if isinstance(example, Example) and example.cells is None and example.source:
                out.append(textwrap.dedent(example.source).lstrip("\n"))
            elif isinstance(example, Example) and example.cells:
                out.append("\n".join(example.cells))
    return out or ["import numpy as np\nx = np.zeros(3)\n"]


SEEDS = _seed_sources()
TOKENS = ["(", ")", "[", "]", "{", "}", ":", "\n", "    ", "\t", "#", "# mllint: ignore", "# noqa: ML0301", "\\",
          "'", '"', '"""', "lambda", "yield", "await", "async ", "def ", "class ", "=", "==", ",", ".", "*", "**",
          "@", "%", "!", "?", "\x00", "\r\n", "\ufeff", "\u2028", "é", "import ", "from ", " as ", "if ", "else"]


@st.composite
def mutated_source(draw) -> bytes:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 8))):
        if not text:
            break
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "truncate", "duplicate", "indent"]))
        if action == "insert":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif action == "truncate":
            text = text[:pos]
        elif action == "duplicate":
            text = text[:pos] + text[pos: pos + 200] * draw(st.integers(1, 5)) + text[pos:]
        else:
            text = "\n".join(("    " + line if draw(st.booleans()) else line) for line in text.split("\n"))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, "replace")


@given(mutated_source())
def test_mutated_ml_sources(data):
    check_bytes("train.py", data)


@given(st.binary(max_size=2000))
def test_random_bytes_as_python(data):
    check_bytes("x.py", data)


@given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
@settings(max_examples=10_000 if LONG else 25)
def test_generated_python_programs(source):
    check_bytes("generated.py", source.encode("utf-8", "surrogatepass"))


# -- notebooks ---------------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
cell_source = st.one_of(st.sampled_from(SEEDS), st.text(max_size=200), st.lists(st.text(max_size=50), max_size=6),
                        json_values, st.just(["%matplotlib inline\n", "!pip install x\n", "x = 1?\n"]),
                        st.just("%%bash\nls\n"), st.just("%%time\nimport os\n"))
cell = st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw", "heading", 3, None])},
    optional={"source": cell_source, "input": cell_source, "outputs": st.lists(json_values, max_size=3),
              "metadata": json_values, "execution_count": json_values},
)
notebook = st.one_of(
    st.fixed_dictionaries({"cells": st.lists(cell, max_size=8)},
                          optional={"metadata": json_values, "nbformat": st.sampled_from([3, 4, 5, "4", None]),
                                    "nbformat_minor": json_values}),
    st.fixed_dictionaries({"worksheets": st.lists(st.fixed_dictionaries({}, optional={"cells": st.lists(cell, max_size=6)}), max_size=2),
                           "nbformat": st.just(3)}, optional={"metadata": json_values}),
    json_values,
)


@given(notebook, st.sampled_from(["plain", "truncate", "garble"]), st.integers(0, 10_000))
def test_garbled_notebooks(nb, damage, cut):
    raw = json.dumps(nb).encode()
    if damage == "truncate":
        raw = raw[: cut % (len(raw) + 1)]
    elif damage == "garble" and raw:
        pos = cut % len(raw)
        raw = raw[:pos] + b"\xff\x00{" + raw[pos:]
    check_bytes("analysis.ipynb", raw)


def test_notebook_with_huge_outputs_and_nbformat3():
    big = {"output_type": "stream", "text": ["y" * 10_000 + "\n"] * 200}
    nb4 = {"cells": [{"cell_type": "code", "source": "import numpy as np\n", "outputs": [big]}], "metadata": {}, "nbformat": 4}
    nb3 = {"worksheets": [{"cells": [{"cell_type": "code", "input": ["x = (\n"], "outputs": [big]}]}], "nbformat": 3}
    assert not [f for f in check_bytes("a.ipynb", json.dumps(nb4).encode()) if f.code == "ML0001"]
    assert [f for f in check_bytes("b.ipynb", json.dumps(nb3).encode()) if f.code == "ML0001"]


# -- suppressions -------------------------------------------------------------------------------------------
suppression = st.builds(
    lambda kind, body: f"# {kind}{body}",
    st.sampled_from(["mllint: ignore", "mllint:ignore-file", "noqa:", "NOQA: ", "mllint : ignore", "mllint: ignore-file"]),
    st.one_of(st.just(""), st.text(max_size=30), st.builds(lambda xs: "[" + ",".join(xs) + "]",
              st.lists(st.sampled_from(["ML0301", "hardcoded-split", "ALL", "*", "", " ", "ML9999", "]", "["]), max_size=4))),
)


@given(st.sampled_from(SEEDS), st.lists(suppression, max_size=6), st.randoms(use_true_random=False))
def test_suppression_comments(source, comments, rnd):
    lines = source.split("\n")
    for comment in comments:
        at = rnd.randrange(len(lines))
        lines[at] = lines[at] + "  " + comment
    text = "\n".join(lines)
    parse_suppressions(text, CATALOGUE.names())
    check_bytes("train.py", text.encode())


# -- configuration ---------------------------------------------------------------------------------------------
toml_scalar = st.one_of(st.booleans(), st.integers(-10, 10**9), st.text(max_size=12), st.sampled_from(["ALL", "ML03", "ML0301", "hardcoded-split", "ML", "*"]))
toml_value = st.one_of(toml_scalar, st.lists(toml_scalar, max_size=4), st.dictionaries(st.text(max_size=8), toml_scalar, max_size=3))
KEYS = ["select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude", "waivers", "options",
        "knowledge", "cache-dir", "jobs", "max-file-size", "bogus", "Select"]
#: cache-dir values that try to leave the checked root (they must be refused or stay inside)
ESCAPES = ["../outside", "../outside/cache", "sub/../../outside", "/tmp", "outside/../..", "link/cache", "link",
           ".", "./", "results", "C:\\\\x", "~", "..", "a/./../../outside"]


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, dict) else "{ " + ", ".join(
        f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"


@given(st.dictionaries(st.sampled_from(KEYS), toml_value, max_size=5), st.booleans(), st.one_of(st.none(), st.sampled_from(ESCAPES)))
def test_random_mllint_configs_are_valid_or_a_config_error(table, as_text_garbage, cache_dir):
    with tempfile.TemporaryDirectory() as tmp:
        outside = Path(tmp) / "outside"
        outside.mkdir()
        (outside / ("results-" + "0" * 32 + ".json")).write_text("the user's\n")
        root = Path(tmp) / "repo"
        root.mkdir()
        os.symlink(outside, root / "link")
        if cache_dir is not None:
            table = {**table, "cache-dir": cache_dir}
        body = "\n".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in table.items())
        text = f"[tool.mllint]\n{body}\n" + ("[[[garbage\n" if as_text_garbage else "")
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
        (root / "a.py").write_text("x = 1\n")
        before = sorted((p.name, p.read_bytes()) for p in outside.iterdir())
        try:
            settings_, _ = load_settings(root)
        except ConfigError:
            return  # exit 2: the configuration is invalid
        COUNTS["config"] = COUNTS.get("config", 0) + 1
        Session(root, settings_).check(use_cache=True, jobs=1)
        assert sorted((p.name, p.read_bytes()) for p in outside.iterdir()) == before, "written outside the root"
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["outside", "repo"], "written next to the root"


# -- repository files ----------------------------------------------------------------------------------------------
yaml_text = st.one_of(
    st.text(max_size=300),
    st.builds(lambda v: json.dumps(v), json_values),
    st.sampled_from([
        "stages:\n  train:\n    cmd: python train.py\n    deps: [data]\n    outs: [model.pkl]\n",
        "stages: [1, 2]\n", "stages:\n  x: null\n", "a: &a [*a]\n", "!!python/object/apply:os.system ['touch MARKER']\n",
        "on: {schedule: [{cron: '0 0 * * *'}]}\njobs: {t: {steps: [{run: pytest}]}}\n", "jobs: 5\n", "- - - -\n",
        "key: !!binary aGVsbG8=\n", "%YAML 1.1\n---\n...\n", "a: b: c\n", "\t- x\n",
    ]),
)
requirements_text = st.lists(st.one_of(
    st.sampled_from(["numpy", "numpy==1.2", "torch>=2;python_version<'3.12'", "-e .", "-r other.txt", "--hash=sha256:00",
                     "git+https://example.invalid/x.git#egg=x", "pkg[extra1,extra2]~=1.0", "# comment", "\\", "==", "pkg @ file:///x",
                     "-c constraints.txt", "./local/path", "ünïcode==1"]),
    st.text(max_size=30)), max_size=12).map("\n".join)
REPO_FILES = ["dvc.yaml", "params.yaml", ".github/workflows/ci.yml", "environment.yml", ".pre-commit-config.yaml",
              ".gitlab-ci.yml", "MLproject", "dvc.lock", ".dvc/config", "Dockerfile", "setup.cfg", "pyproject.toml"]


@given(st.dictionaries(st.sampled_from(REPO_FILES), yaml_text, max_size=4), requirements_text, st.booleans())
@settings(max_examples=10_000 if LONG else 15)
def test_random_repository_files(files, requirements, with_code):
    tmp = Path(tempfile.mkdtemp())
    try:
        if "pyproject.toml" in files:
            files["pyproject.toml"] = files["pyproject.toml"].replace("[tool", "[xtool")  # config fuzzing is above
        contents = {**files, "requirements.txt": requirements}
        if with_code:
            contents["train.py"] = "import yaml\nparams = yaml.safe_load(open('params.yaml'))\n"
        write_repo(tmp / "repo", contents, use_git=False)
        COUNTS["repo"] = COUNTS.get("repo", 0) + 1
        result = Session(tmp / "repo", Settings(select=["ALL"])).check(use_cache=False, jobs=1)
        crashed = [f.message for f in result.findings if f.code == "ML0004"]
        assert not crashed, crashed
        assert not (tmp / "repo" / "MARKER").exists()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- hostile file names in every output format ----------------------------------------------------------------
NAME_PIECES = ["\n", "\r", "\r\n", "\x1b[31m", "\x1b]8;;http://x\x07", "\x00", "\x07", "\t", "\u2028", "\u2029", "\x85",
               "\u202e", "\u2066", "\ufeff", "\udcff", "::error file=README.md,line=1::x", "::warning::", "##[error]", "##vso[task.x]",
               "`", "``", "<img src=x onerror=alert(1)>", "</details>", "## mllint: 12/12 factors satisfied", "# h", "- [x](y)",
               "|", "*", "_", "%", "%0A", ":", ",", "?", "#", "[", "]", " ", "é", "名", "../", "a/b"]
hostile_text = st.lists(st.one_of(st.sampled_from(NAME_PIECES), st.text(max_size=6)), min_size=1, max_size=6).map("".join)
ANNOTATION_LINE = re.compile(r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:\r\n]*)(?:,[A-Za-z]+=[^,:\r\n]*)*)::([^\r\n]*)$")
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SARIF_URI = re.compile(r"[A-Za-z0-9\-._~%/]+")


def _result_with(findings: list[Finding], waived: list[Finding]) -> RunResult:
    result = RunResult(root=Path("/nonexistent/hostile"), settings=Settings(), enabled=frozenset(ALL_CODE),
                       findings=findings, waived=waived, repo_rules_run=True, code_rules_run=True)
    return result


@given(st.lists(st.tuples(hostile_text, hostile_text, st.sampled_from(["ML0001", "ML0301", "ML0101"]),
                          st.one_of(st.none(), st.integers(0, 3))), min_size=1, max_size=5), hostile_text)
def test_hostile_names_and_messages_in_every_format(items, reason):
    from markdown_it import MarkdownIt

    from mllint.output import FORMATS, render

    by_code = CATALOGUE.by_code()
    findings = []
    for name, message, code, cell in items:
        path = name.strip("/") or "x"
        if code == "ML0101":
            findings.append(make_finding(by_code[code], message, None))
        else:
            findings.append(make_finding(by_code[code], message, path + (".ipynb" if cell is not None else ".py"),
                                         line=1, column=1, cell=cell))
    waived = [make_finding(by_code["ML1203"], "no CI", None)]
    waived[0].waived = reason
    result = _result_with(findings, waived)
    COUNTS["names"] = COUNTS.get("names", 0) + 1
    for fmt in FORMATS:
        out = unicode_text(render(fmt, result))
        out.encode("utf-8")
        if fmt in ("text", "concise", "junit", "github", "markdown"):
            assert not RAW_CONTROL.search(out), (fmt, out)
        if fmt in ("text", "concise"):
            lines = out.splitlines()
            assert not [line for line in lines if line.lstrip().startswith(("::", "##[")) or "##vso[" in line], (fmt, out)
            assert len([line for line in lines if re.search(r"(^\.|:\d+:\d+|:cell \d+:\d+:\d+): ML\d{4} ", line)]) == len(findings), out
        elif fmt == "github":
            lines = out.splitlines()
            assert len(lines) == len(findings) and all(ANNOTATION_LINE.match(line) for line in lines), out
        elif fmt == "markdown":
            html = MarkdownIt("commonmark").render(out)
            headings = re.findall(r"<h(\d)>(.*?)</h\1>", html)
            assert [level for level, _ in headings].count("2") == 1, headings
            assert all(text.startswith(("mllint: ", "Findings by factor", "Waived", "❌")) for _, text in headings), headings
            assert set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html)) <= {
                "h2", "h3", "h4", "p", "code", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a", "em", "strong",
                "details", "summary", "blockquote"}, html
        elif fmt == "sarif":
            log = json.loads(out)
            for res, finding in zip(log["runs"][0]["results"], [*findings, *waived]):
                uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                assert SARIF_URI.fullmatch(uri) and urlsplit(uri).scheme == "", uri
                if finding.path is not None:
                    assert unquote_to_bytes(uri) == finding.path.encode("utf-8", "surrogateescape")
        elif fmt in ("json", "gitlab", "badge"):
            json.loads(out)
        elif fmt == "junit":
            ET.fromstring(out)


# -- baselines -----------------------------------------------------------------------------------------------------
entry = st.fixed_dictionaries({}, optional={
    "code": st.one_of(st.sampled_from(["ML0001", "ML0301"]), json_values), "fingerprint": st.one_of(st.text(max_size=8), json_values),
    "kind": st.one_of(st.sampled_from(["code", "repo", "other"]), json_values), "path": st.one_of(st.text(max_size=10), json_values),
    "loose": json_values, "message": json_values, "line": st.one_of(st.integers(-5, 50), json_values), "cell": json_values})
baseline_doc = st.one_of(
    json_values,
    st.fixed_dictionaries({"version": st.one_of(st.just(1), json_values), "findings": st.lists(st.one_of(entry, json_values), max_size=6)}),
)


@given(baseline_doc, st.sampled_from(["plain", "deep", "garble"]))
def test_random_baselines_are_read_or_refused(doc, damage):
    from mllint.adopt.baseline import Baseline, BaselineError, compare

    raw = json.dumps(doc).encode()
    if damage == "deep":
        raw = b'{"version": 1, "findings": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}"
    elif damage == "garble":
        raw = raw[: len(raw) // 2] + b"\xff"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ".mllint-baseline.json"
        path.write_bytes(raw)
        COUNTS["baseline"] = COUNTS.get("baseline", 0) + 1
        try:
            baseline = Baseline.read(path)
        except BaselineError:
            return
        finding = make_finding(CATALOGUE.by_code()["ML0001"], "m", "a.py", line=1, column=1)
        compare([finding], baseline, Path(tmp))


# -- TOML ------------------------------------------------------------------------------------------------------------
toml_doc = st.one_of(
    st.text(max_size=300),
    st.builds(lambda depth, open_, close_: f"x = {open_ * depth}{close_ * depth}\n", st.integers(0, 6000),
              st.sampled_from(["[", "{a = "]), st.sampled_from(["]", "}"])).map(lambda t: t.replace("{a = }", "{a = 1}")),
    st.builds(lambda table: "\n".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in table.items()),
              st.dictionaries(st.text(max_size=8), toml_value, max_size=5)),
)


@given(toml_doc)
def test_random_toml_is_parsed_or_refused(text):
    from mllint.core.tomlsafe import TomlError, loads

    COUNTS["toml"] = COUNTS.get("toml", 0) + 1
    try:
        data = loads(text)
    except TomlError:
        return
    assert isinstance(data, dict)
    json.dumps(data, default=str)  # bounded depth: anything walking it cannot recurse too deep


# -- notebook JSON edited in place ---------------------------------------------------------------------------------------
source_lines = st.lists(st.text(max_size=20).map(lambda t: t.replace("\r", "")), max_size=6)


@given(st.lists(source_lines, min_size=1, max_size=4), st.integers(0, 3), source_lines, st.sampled_from([None, 1, 2, 4, "\t"]),
       st.booleans(), st.booleans(), st.booleans(), st.sampled_from(["list", "string"]))
def test_notebook_text_edits_change_only_that_source(cells, which, new_lines, indent, ascii_only, crlf, sort_keys, shape):
    from mllint.core.notebook_text import replace_source, source_span

    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {"w": 1.5},
                           "outputs": [], "source": lines if shape == "list" else "".join(lines)} for lines in cells],
                "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, indent=indent, ensure_ascii=ascii_only, sort_keys=sort_keys).replace("1.5", "1.50")
    if crlf:
        text = text.replace("\n", "\r\n")
    index = which % len(cells)
    new_source = "".join(line + "\n" for line in new_lines)
    COUNTS["notebook-edit"] = COUNTS.get("notebook-edit", 0) + 1
    span = source_span(text, index)
    after = replace_source(text, index, new_source)
    expected = json.loads(text)
    expected["cells"][index]["source"] = (new_source.splitlines(keepends=True) if shape == "list" else new_source)
    assert json.loads(after) == expected
    assert after[:span.start] == text[:span.start]  # every byte before and after the source kept
    tail = len(text) - span.end
    assert after[len(after) - tail:] == text[span.end:]


# -- git configurations that name programs -----------------------------------------------------------------------------
GIT_KEYS = ["filter.{d}.clean", "filter.{d}.smudge", "filter.{d}.process", "diff.{d}.textconv", "diff.{d}.command",
            "core.fsmonitor", "core.pager", "diff.external", "core.sshCommand", "credential.helper", "core.hooksPath"]
driver_name = st.one_of(st.sampled_from(["evil", "lfs", "a.b", "x-y", "UPPER", "with space", "d0t.", "ünï"]),
                        st.text(alphabet="abc.-_ XY", min_size=1, max_size=8))


@pytest.fixture(scope="module")
def git_playground():
    tmp = Path(tempfile.mkdtemp())
    root = write_repo(tmp / "repo", {"a.py": "x = 1\n", "b.py": "y = 2\n", "data.csv": "a\n"})
    (root / "a.py").write_text("x = 10\n")
    yield tmp, root
    shutil.rmtree(tmp, ignore_errors=True)


@given(st.lists(st.tuples(st.sampled_from(GIT_KEYS), driver_name), min_size=1, max_size=5),
       st.lists(st.tuples(st.sampled_from(["*", "*.py", "a.py", "data.csv"]), st.sampled_from(["filter", "diff"]), driver_name),
                max_size=4))
@settings(max_examples=10_000 if LONG else 15)
def test_git_configurations_never_run_a_program(git_playground, keys, attributes):
    from mllint.adopt.changed import ChangedError, changed_files
    from mllint.repo.inventory import discover

    tmp, root = git_playground
    marker = tmp / "MARKER"
    marker.unlink(missing_ok=True)
    command = f"touch {marker} && cat"
    config = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
    for key, driver in keys:
        section, _, rest = key.format(d="\0").partition(".")
        if "\0" in rest:
            sub, _, name = rest.partition(".")
            config += f'[{section} "{driver.replace(chr(34), "")}"]\n\t{name} = "{command}"\n'
        else:
            name = rest
            config += f'[{section}]\n\t{name} = "{command}"\n'
    (root / ".git" / "config").write_text(config)
    (root / ".gitattributes").write_text("".join(f"{pattern} {kind}={driver.replace(' ', '')}\n" for pattern, kind, driver in attributes))
    later = time.time() + 10
    for name in ("a.py", "b.py", "data.csv", ".gitattributes"):
        os.utime(root / name, (later, later))
    COUNTS["git"] = COUNTS.get("git", 0) + 1
    inventory = discover(root, [])
    try:
        changed_files(root, "HEAD")
    except ChangedError:
        pass  # a config git itself refuses (e.g. an invalid driver name) is an error, not a program run
    assert not marker.exists(), (config, attributes)
    assert inventory.files or inventory.blind


@pytest.fixture(autouse=True, scope="module")
def _report_fuzz_figures(request):
    """Prints how many inputs each target kind received (the figures of docs/hardening.md)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"fuzz inputs by file kind: {json.dumps(COUNTS)} (profile: {'long' if LONG else 'ci'})")
