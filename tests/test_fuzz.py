"""Property tests (hypothesis): whatever the input, mllint reports findings and never crashes or hangs.

Targets: generated Python programs (hypothesmith), mutated real ML sources, garbled notebooks,
random ``[tool.mllint]`` configurations, random repository files (dvc.yaml, workflow YAML,
requirements, params) and suppression comments. The CI budget is small; ``make fuzz`` runs the same
properties with a large one (MLLINT_FUZZ=long). Figures are in docs/hardening.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint.analysis.suppress import parse_suppressions
from mllint.catalogue.loader import load_catalogue
from mllint.catalogue.rule import Example
from mllint.config.settings import ConfigError, Settings, load_settings
from mllint.engine.session import Session
from mllint.testing import write_repo

LONG = os.environ.get("MLLINT_FUZZ") == "long"
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
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
@settings(max_examples=3000 if LONG else 25)
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


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, dict) else "{ " + ", ".join(
        f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"


@given(st.dictionaries(st.sampled_from(KEYS), toml_value, max_size=5), st.booleans())
def test_random_mllint_configs_are_valid_or_a_config_error(table, as_text_garbage):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        body = "\n".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in table.items())
        text = f"[tool.mllint]\n{body}\n" + ("[[[garbage\n" if as_text_garbage else "")
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
        (root / "a.py").write_text("x = 1\n")
        try:
            settings_, _ = load_settings(root)
        except ConfigError:
            return  # exit 2: the user's own invalid configuration
        settings_ = dataclasses.replace(settings_, cache_dir=None, jobs=1)
        Session(root, settings_).check(use_cache=False, jobs=1)


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
@settings(max_examples=400 if LONG else 15)
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


@pytest.fixture(autouse=True, scope="module")
def _report_fuzz_figures(request):
    """Prints how many inputs each target kind received (the figures of docs/hardening.md)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"fuzz inputs by file kind: {json.dumps(COUNTS)} (profile: {'long' if LONG else 'ci'})")
