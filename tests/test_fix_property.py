"""Property test over offered fixes (hypothesis): on realistic programs, every fix mllint offers keeps
the program parsing and meaning the same names, and fixing converges.

Programs are built from the catalogue's code examples: the documented fix and the violating examples
of every rule that offers a fix, surrounded by other rules' examples as unrelated code. They vary as
real code does: names renamed consistently, imports aliased (``import pandas as pandas_alias``),
arguments in parentheses (``fillna(('S'), inplace=True)``), the code wrapped in a function, a
method, a class body, an ``if``/``with``/``for``/``try`` block (all of it, all but the imports, or
all but the first statements, which then are globals the block reads), a params file loaded or not,
CRLF line ends, a lone CR and a BOM, or split across notebook cells with magics and markdown in
between. On each, the code pass runs with every rule enabled; each
offered fix (safe and unsafe) is applied alone, then all of them in the fixer's rounds, and
:mod:`mllint.fix.verify` judges the results: they parse, refer to the same names (but those the fix's
own edits bind), resolve every name in every scope as before, notebooks keep their cells; after the
rounds no fix is offered any more. The CI budget is small; ``MLLINT_FUZZ=long`` (``make fuzz``) runs
thousands of programs.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import json
import os
import shutil
import tempfile
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint.catalogue.loader import load_catalogue
from mllint.catalogue.rule import Example
from mllint.config.settings import Settings
from mllint.engine.session import Session
from mllint.fix.code import apply_edits
from mllint.fix.verify import judge_file

LONG = os.environ.get("MLLINT_FUZZ") == "long"
EXAMPLES = 3000 if LONG else 200

CATALOGUE = load_catalogue()
FIXABLE = sorted(rule.code for rule in CATALOGUE.code_rules() if rule.fixes)
SETTINGS = Settings(select=["ALL"])
ROOT = Path(tempfile.mkdtemp(prefix="mllint-fixprop-"))  # stays empty: every file is an in-memory overlay
atexit.register(shutil.rmtree, ROOT, True)


@dataclass(frozen=True)
class Seed:
    """A catalogue snippet: its source, the file name it is checked as, the other files it needs."""

    code: str
    source: str
    path: str = "train.py"
    files: tuple[tuple[str, str], ...] = ()


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def _seeds() -> tuple[list[Seed], list[Seed]]:
    """The fixable rules' documented fixes and violating examples; every rule's examples as other code."""
    fixable: list[Seed] = []
    others: list[Seed] = []
    for rule in CATALOGUE.code_rules():
        for fix in rule.fixes:
            files = tuple((rel, textwrap.dedent(text).lstrip("\n")) for rel, text in fix.files.items())
            fixable.append(Seed(rule.code, textwrap.dedent(fix.before).lstrip("\n"), fix.path, files))
        for example in [*rule.violating, *rule.compliant]:
            if not isinstance(example, Example):
                continue
            source = "\n".join(example.cells) + "\n" if example.cells else textwrap.dedent(example.source).lstrip("\n")
            if "\x00" in source or not _parses(source):
                continue
            seed = Seed(rule.code, source, example.path if example.cells is None else "train.py")
            others.append(seed)
            if rule.fixes and example in rule.violating:
                fixable.append(seed)
    return fixable, others


FIX_SEEDS, OTHER_SEEDS = _seeds()
SEEDS_BY_RULE = {code: [seed for seed in FIX_SEEDS if seed.code == code] for code in FIXABLE}
PARAMS_LOADER = 'import yaml\nparams = yaml.safe_load(open("params.yaml"))\n'
NEW_NAMES = ["frame", "data", "table", "features", "target", "net", "clf", "batch", "rows", "scores", "result", "item"]
WRAPPERS = {
    "def": ("def run_experiment():\n", 4, ""),
    "method": ("class Experiment:\n    def run(self):\n", 8, ""),
    "class": ("class Config:\n", 4, ""),
    "if": ('if __name__ == "__main__":\n', 4, ""),
    "with": ('with open("run.log", "w") as run_log:\n', 4, ""),
    "for": ("for epoch in range(3):\n", 4, ""),
    "try": ("try:\n", 4, "except KeyboardInterrupt:\n    pass\n"),
}
MAGICS = ["%matplotlib inline\n", "!pip install -q scikit-learn\n", "%load_ext autoreload\n%autoreload 2\n"]


# -- building programs ------------------------------------------------------------------------------
def _renameable(tree: ast.Module) -> list[str]:
    """Names that can be renamed consistently by rewriting Name, arg and import-alias positions."""
    names: set[str] = set()
    fixed = set(dir(builtins)) | {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias) and node.name != "*":
            if "." in node.name and not node.asname:
                fixed.add(node.name.split(".", 1)[0])  # `import os.path` binds `os`: cannot alias it alone
            else:
                names.add(node.asname or node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            fixed.add(node.arg)  # `f(x=x)` to a function of the program: renaming would break the call
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            fixed.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            fixed.update(node.names)
        elif isinstance(node, ast.JoinedStr):  # positions inside f-strings are unreliable before 3.12
            fixed.update(inner.id for inner in ast.walk(node) if isinstance(inner, ast.Name))
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            fixed.add(node.name)
    return sorted(name for name in names - fixed if not name.startswith("__"))


def _rename(source: str, mapping: dict[str, str]) -> str:
    """``source`` with each name of ``mapping`` renamed wherever it is bound or used."""
    tree = ast.parse(source)
    spans: list[tuple[int, int, int, str]] = []  # (line, start byte, end byte, text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in mapping:
            spans.append((node.lineno, node.col_offset, node.col_offset + len(node.id.encode()), mapping[node.id]))
        elif isinstance(node, ast.arg) and node.arg in mapping:
            spans.append((node.lineno, node.col_offset, node.col_offset + len(node.arg.encode()), mapping[node.arg]))
        elif isinstance(node, ast.alias) and (node.asname or node.name) in mapping:
            new = mapping[node.asname or node.name]
            spans.append((node.lineno, node.col_offset, node.end_col_offset or 0, f"{node.name} as {new}"))
    lines = [line.encode() for line in source.split("\n")]
    for line, start, end, text in sorted(spans, reverse=True):
        raw = lines[line - 1]
        lines[line - 1] = raw[:start] + text.encode() + raw[end:]
    return b"\n".join(lines).decode()


def _parenthesise(source: str, choose: list[bool]) -> str:
    """Call arguments written in parentheses (``f((x), y=(1))``), one flag per argument in ``choose``."""
    tree = ast.parse(source)
    arguments = [arg for node in ast.walk(tree) if isinstance(node, ast.Call)
                 for arg in [*node.args, *(k.value for k in node.keywords if k.arg)] if not isinstance(arg, ast.Starred)]
    arguments.sort(key=lambda n: (n.lineno, n.col_offset))
    inserts: list[tuple[int, int, str]] = []
    for arg, chosen in zip(arguments, choose):
        if chosen and arg.end_lineno is not None and arg.end_col_offset is not None:
            inserts += [(arg.lineno, arg.col_offset, "("), (arg.end_lineno, arg.end_col_offset, ")")]
    lines = [line.encode() for line in source.split("\n")]
    for line, column, text in sorted(inserts, key=lambda item: (item[0], item[1], item[2] == "("), reverse=True):
        lines[line - 1] = lines[line - 1][:column] + text.encode() + lines[line - 1][column:]
    return b"\n".join(lines).decode()


def _segments(source: str) -> list[tuple[bool, str]]:
    """Top-level statements as (is an import, text with the comments before it)."""
    tree = ast.parse(source)
    lines = source.split("\n")
    out: list[tuple[bool, str]] = []
    start = 0
    for stmt in tree.body:
        end = stmt.end_lineno or stmt.lineno
        text = "\n".join(lines[start:end]) + "\n"
        out.append((isinstance(stmt, (ast.Import, ast.ImportFrom)), text))
        start = end
    tail = "\n".join(lines[start:]).strip("\n")
    if tail and out:
        out[-1] = (out[-1][0], out[-1][1] + tail + "\n")
    return out


@dataclass
class Program:
    """A generated file, the other files it comes with, and what it was built from (for the report)."""

    path: str
    data: bytes
    files: dict[str, bytes] = field(default_factory=dict)
    recipe: list[str] = field(default_factory=list)


@st.composite
def programs(draw: st.DrawFn) -> Program:
    # the rule first, then one of its seeds: every fixable rule is drawn as often, however many examples it has
    main = draw(st.sampled_from(SEEDS_BY_RULE[draw(st.sampled_from(FIXABLE))]))
    before = draw(st.lists(st.sampled_from(OTHER_SEEDS + FIX_SEEDS), max_size=2))
    after = draw(st.lists(st.sampled_from(OTHER_SEEDS + FIX_SEEDS), max_size=2))
    chunks = [*before, main, *after]
    files = {rel: text for chunk in reversed(chunks) for rel, text in chunk.files}
    recipe = [f"{chunk.code}{'*' if chunk is main else ''}" for chunk in chunks]
    sources = [chunk.source for chunk in chunks]
    if not files and draw(st.booleans()):  # a params file with a seed, loaded at the top
        files["params.yaml"] = "seed: 42\n"
        sources.insert(0, PARAMS_LOADER)
        recipe.append("params")
    source = "\n".join(sources)
    if not _parses(source):
        source = main.source
    # names renamed consistently, imports aliased
    tree = ast.parse(source)
    taken = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | set(_renameable(tree))
    mapping: dict[str, str] = {}
    for name in _renameable(tree):
        if draw(st.integers(0, 3)) != 0:
            continue
        imported = any(isinstance(n, ast.alias) and (n.asname or n.name) == name for n in ast.walk(tree))
        base = f"{name.split('.')[-1]}_alias" if imported else draw(st.sampled_from(NEW_NAMES))
        new, index = base, 1
        while new in taken or new in mapping.values():
            new, index = f"{base}_{index}", index + 1
        mapping[name] = new
    if mapping:
        source = _rename(source, mapping)
        recipe.append("renamed " + ", ".join(f"{a}->{b}" for a, b in sorted(mapping.items())))
    # some call arguments in parentheses: f(('S'), inplace=True)
    if draw(st.integers(0, 2)) == 0:
        source = _parenthesise(source, draw(st.lists(st.booleans(), max_size=30)))
        recipe.append("parenthesised")
    # wrapped in a block: all of it, all but the imports, or the statements after the first few (which
    # then are module globals the block reads)
    segments = _segments(source)
    wrapper = draw(st.sampled_from([None, *WRAPPERS]))
    hoist = draw(st.sampled_from(["nothing", "imports", "a prefix"]))
    keep = draw(st.integers(1, max(1, len(segments) - 1))) if hoist == "a prefix" else 0
    on_top = [text for index, (is_import, text) in enumerate(segments)
              if index < keep or (hoist == "imports" and is_import)]
    head = "".join(on_top)
    body_parts = [text for index, (is_import, text) in enumerate(segments)
                  if not (index < keep or (hoist == "imports" and is_import))]
    if wrapper is not None and body_parts:
        opening, width, closing = WRAPPERS[wrapper]
        wrapped = opening + textwrap.indent("".join(body_parts), " " * width) + closing
        if _parses(head + wrapped):
            body_parts = [wrapped]
            recipe.append(f"wrapped in {wrapper}" + ("" if hoist == "nothing" else f", {hoist} on top"))
    head_parts = on_top if wrapper is not None else []
    if wrapper is None:
        body_parts = [text for _is_import, text in segments]
    if draw(st.booleans()):
        return Program("explore.ipynb", _notebook(draw, head_parts, body_parts), _encoded(files), recipe + ["notebook"])
    text = "".join(head_parts + body_parts)
    ending = draw(st.sampled_from(["LF", "LF", "CRLF", "CR"]))
    if ending == "CRLF":
        text = text.replace("\n", "\r\n")
    elif ending == "CR":  # one old-Mac line end: Python counts it as a line break
        text = text.replace("\n", "\r", 1)
    if ending != "LF":
        recipe.append(ending)
    data = text.encode()
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
        recipe.append("BOM")
    path = main.path if main.path.endswith(".py") else "train.py"
    return Program(path, data, _encoded(files), recipe)


def _encoded(files: dict[str, str]) -> dict[str, bytes]:
    return {rel: text.encode() for rel, text in files.items()}


def _notebook(draw: st.DrawFn, head: list[str], body: list[str]) -> bytes:
    """The parts split into code cells at statement boundaries, with magics and markdown in between."""
    sources: list[str] = []
    for part in head + body:
        if not sources or draw(st.booleans()):
            sources.append(part)
        else:
            sources[-1] += part
    cells: list[dict[str, object]] = []
    for index, source in enumerate(sources):
        if draw(st.integers(0, 4)) == 0:
            cells.append({"cell_type": "markdown", "id": f"m{index}", "metadata": {}, "source": [f"## Step {index}\n"]})
        if draw(st.integers(0, 4)) == 0:
            source = draw(st.sampled_from(MAGICS)) + source
        text = source.rstrip("\n")
        as_list = draw(st.booleans())
        cells.append({"cell_type": "code", "execution_count": draw(st.none() | st.integers(1, 40)),
                      "id": f"c{index}", "metadata": {}, "outputs": [],
                      "source": text.splitlines(keepends=True) if as_list else text})
    notebook = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                            "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    data = json.dumps(notebook, indent=draw(st.sampled_from([1, 2])), ensure_ascii=draw(st.booleans())).encode()
    return (b"\xef\xbb\xbf" if draw(st.integers(0, 5)) == 0 else b"") + data


# -- the property -------------------------------------------------------------------------------------
def _show(program: Program) -> str:
    text = program.data.decode("utf-8-sig", "replace")
    return f"recipe: {'; '.join(program.recipe)}\n--- {program.path}\n{text}"


def test_every_offered_fix_keeps_the_program_and_fixing_converges() -> None:
    offered: Counter[str] = Counter()
    applied: Counter[str] = Counter()
    variants: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG, database=None,
              suppress_health_check=list(HealthCheck))
    @given(programs())
    def check(program: Program) -> None:
        session = Session(ROOT, SETTINGS, overlay={program.path: program.data, **program.files})
        trial = judge_file(session, program.path)
        for alone in trial.trials:
            assert alone.verdict.ok, (f"{alone.finding.code} fix ({alone.finding.fix.message if alone.finding.fix else ''}) "
                                      f"applied alone: {alone.verdict.problems}\n{_show(program)}")
            offered[alone.finding.code] += 1
        assert not trial.problems, f"the fixer dropped fixes: {trial.problems}\n{_show(program)}"
        assert trial.verdict.ok, f"all fixes in rounds: {trial.verdict.problems}\n{_show(program)}"
        assert trial.converged, f"fixes still offered after the rounds\n{_show(program)}"
        applied.update(finding.code for finding in trial.applied)
        if trial.trials:
            variants.update(step.split(" ")[0] for step in program.recipe if step[:2] != "ML")

    check()
    print(f"\nfix property: offered {dict(sorted(offered.items()))}, applied {dict(sorted(applied.items()))}, variants {dict(variants)}")
    # the property is not vacuous: fixes were offered and applied, of every fixable rule, on varied programs
    assert sum(applied.values()) >= EXAMPLES // 2, (offered, applied)
    missing = [code for code in FIXABLE if not applied[code]]
    assert not missing, f"no fix of {missing} applied; offered {dict(offered)}"
    assert {"renamed", "parenthesised", "wrapped", "notebook", "CRLF", "BOM", "params"} <= set(variants), variants


# -- the causes the property found, one each (the fix is offered only where the names it uses are the ones meant)
def _fixes(source: str, files: dict[str, str] | None = None, path: str = "train.py") -> list[tuple[str, str]]:
    """(rule, the fix's edit texts joined) of every finding with a fix; findings without one as (rule, "")."""
    overlay = {rel: text.encode() for rel, text in (files or {}).items()}
    data = textwrap.dedent(source).lstrip("\n").encode()
    session = Session(ROOT, SETTINGS, overlay={path: data, **overlay})
    return [(f.code, " | ".join(edit.text for edit in f.fix.edits) if f.fix else "")
            for f in session.analyze(path, data).findings]


def test_a_global_dataframe_cleaned_inside_a_function_gets_no_assignment_fix() -> None:
    """``df = df.dropna()`` in a function that reads a module-level ``df`` makes ``df`` local there:
    the call raises UnboundLocalError. Where the function binds ``df`` itself the fix stays."""
    found = _fixes("""
        import pandas as pd
        df = pd.read_csv("churn.csv")
        def clean():
            df.dropna()
            return df
        def clean_frame(df: pd.DataFrame):
            df.dropna()
            return df
    """)
    assert [fix for code, fix in found if code == "ML1308"] == ["", "df = "]


def test_nan_fix_uses_a_module_the_comparison_can_see() -> None:
    """``import pandas as pd`` inside another function (or a class body) is no ``pd`` where the
    comparison is: the fix uses the module-level numpy, or is not offered."""
    found = _fixes("""
        import numpy as np
        def load():
            import pandas as pd
            return pd.read_csv("x.csv")
        def clean(value):
            return 0.0 if value == np.nan else value
    """)
    assert ("ML1301", "np.isnan(value)") in found
    found = _fixes("""
        import math
        class Cleaner:
            import pandas as pd
            def clean(self, value):
                return 0.0 if value == math.nan else value
    """)
    assert [fix for code, fix in found if code == "ML1301"] == [""]


def test_params_and_seed_fixes_are_not_offered_where_a_local_shadows_the_module_binding() -> None:
    params_file = {"params.yaml": "seed: 7\nfolds: 5\n"}
    loader = 'import yaml\nfrom sklearn.model_selection import KFold, train_test_split\nparams = yaml.safe_load(open("params.yaml"))\n'
    shadowed = loader + textwrap.dedent("""
        def folds(params):
            return KFold(n_splits=params.folds, shuffle=True), train_test_split(X, y, test_size=0.25)
        cv = folds(cfg)
    """)
    found = _fixes(shadowed, params_file)
    assert {code for code, _fix in found} >= {"ML0401", "ML0301"}, found
    assert not [fix for code, fix in found if code in ("ML0401", "ML0301") and "params" in fix], found
    visible = loader + textwrap.dedent("""
        def folds(cfg):
            return KFold(n_splits=cfg.folds, shuffle=True), train_test_split(X, y, test_size=0.25)
        cv = folds(cfg)
    """)
    found = _fixes(visible, params_file)
    assert any(code == "ML0401" and ', random_state=params["seed"]' in fix for code, fix in found), found
    constant = """
        from sklearn.model_selection import train_test_split
        RANDOM_SEED = 1234
        def split(X, y, RANDOM_SEED=None):
            return train_test_split(X, y)
        parts = split(X, y)
    """
    assert [fix for code, fix in _fixes(constant) if code == "ML0401"] == [""]


def test_fixes_that_add_or_remove_an_argument_keep_its_parentheses() -> None:
    """``fillna(('S'), inplace=True)``: the ast span of ``'S'`` leaves its parentheses out; removing the
    keyword after it from there left ``fillna(('S')`` (found on a real repository)."""
    found = dict(_fixes("""
        import pandas as pd
        from sklearn.model_selection import train_test_split
        RANDOM_SEED = 7
        data = pd.read_csv("titanic.csv")
        data["Fare"].fillna((data["Fare"].mean()), inplace=True)
        parts = train_test_split(data, (data["Survived"]))
    """))
    assert found["ML1302"] == 'data["Fare"] =  | '
    assert found["ML0401"] == ", random_state=RANDOM_SEED"
    session = Session(ROOT, SETTINGS)
    source = b'import pandas as pd\ndata = pd.read_csv("t.csv")\ndata["Fare"].fillna((data["Fare"].mean()), inplace=True)\n'
    [finding] = [f for f in session.analyze("train.py", source).findings if f.code == "ML1302"]
    assert finding.fix is not None
    assert apply_edits(source.decode(), finding.fix.edits).endswith(
        'data["Fare"] = data["Fare"].fillna((data["Fare"].mean()))\n')
    source = b'import yaml\nconfig = yaml.load((open("c.yaml")), Loader=yaml.FullLoader)\n'
    [finding] = [f for f in session.analyze("train.py", source).findings if f.code == "ML1401"]
    assert finding.fix is not None
    assert apply_edits(source.decode(), finding.fix.edits).endswith('config = yaml.safe_load((open("c.yaml")))\n')


def test_no_fix_in_a_file_with_a_lone_carriage_return() -> None:
    """Python counts a lone CR as a line break, the edits do not: their positions would land on other
    lines (found on a real notebook export); CRLF files keep their fixes."""
    source = b'import pandas as pd\r\ndf = pd.read_csv("x.csv")\r# note\r\nX = df.values\n'
    session = Session(ROOT, SETTINGS)
    [finding] = [f for f in session.analyze("train.py", source).findings if f.code == "ML1303"]
    assert finding.line == 4 and finding.fix is None
    crlf = source.replace(b"\r#", b"\r\n#")
    [finding] = [f for f in session.analyze("train.py", crlf).findings if f.code == "ML1303"]
    assert finding.fix is not None


def test_the_judge_rejects_broken_fixes() -> None:
    """mllint.fix.verify fails what the property forbids (so the property above can fail)."""
    from mllint.core.findings import Edit, Position
    from mllint.fix.verify import compare

    before = b"import pandas as pd\ndf = pd.read_csv('x')\ndef clean():\n    df.dropna()\n    return df\n"
    assert compare("t.py", before, before, []).ok
    insert = Edit("t.py", Position(4, 5), Position(4, 5), "df = ")
    rebinding = compare("t.py", before, before.replace(b"    df.dropna", b"    df = df.dropna"), [insert])
    assert not rebinding.ok and "`df` in function clean was global, is now local" in rebinding.problems[0]
    unbound = compare("t.py", before, before.replace(b"    df.dropna()", b"    np.isnan(df)"), [])
    assert {"refers to names it did not before: np", "`np` in function clean is bound nowhere it can be seen"} \
        <= set(unbound.problems)
    assert compare("t.py", b"y = f(a)\n", b"y = f(1)\n", []).problems == ["no longer refers to: a"]
    assert compare("t.py", b"y = a == float('nan')\n", b"y = math.isnan(a)\n", []).problems == [
        "refers to names it did not before: math", "`math` in the module is bound nowhere it can be seen"]
    assert not compare("t.py", before, b"def (:\n", []).parses
    added = b"import numpy as np\n" + before
    assert compare("t.py", before, added, [Edit("t.py", Position(1, 1), Position(1, 1), "import numpy as np\n")]).ok
    assert not compare("t.py", before, added, []).ok  # a name the edits do not bind
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1\n", "metadata": {}, "outputs": []}],
                           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    more = notebook.replace(b'"cells": [', b'"cells": [{"cell_type": "markdown", "source": "", "metadata": {}}, ')
    assert compare("n.ipynb", notebook, notebook, []).ok
    assert not compare("n.ipynb", notebook, more, []).parses
    assert not compare("n.ipynb", notebook, notebook[:-3], []).parses
