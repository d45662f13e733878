"""Patterns found by the accuracy audit on real repositories (docs/accuracy.md): machinery that rules share."""

from __future__ import annotations

import json

from mllint.core.source import automagic_cells, join_cells, script_cell_starts


def test_nbconvert_prompts_start_cells():
    text = "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nx = 1\n\n\n# In[ ]:\n\n\ny = 2\n"
    assert script_cell_starts(text) == [1, 4, 10]


def test_percent_format_starts_cells():
    assert script_cell_starts("# %%\nx = 1\n# %% [markdown]\n# text\n") == [1, 3]


def test_promptless_export_splits_at_three_blank_lines():
    text = "# coding: utf-8\n\n\nimport os\n\n\n\n\nos.getcwd()\n\n\ndef f():\n    pass\n"
    assert script_cell_starts(text) == [1, 9]


def test_plain_script_has_no_cells():
    assert script_cell_starts("import os\n\n\n\n\nos.getcwd()\n") == []
    assert script_cell_starts("# coding: utf-8\nimport os\n\n\ndef f():\n    pass\n") == []


# -- IPython automagic: a one-line cell naming a line magic without `%` -------------------------------------
MAGICS = frozenset({"ls", "pip", "cd", "pwd", "time"})


def test_a_one_line_magic_without_percent_is_read_as_ipython_reads_it():
    cells = [(0, "import os"), (2, "ls -l data"), (3, "\n  pip install pandas\n"), (4, "cd ../data")]
    assert automagic_cells(cells, MAGICS) == {2, 3, 4}
    unit = join_cells(cells, magics=MAGICS)
    assert unit.cell_sources[3] == "\npass\n"  # same line count: findings keep their cell lines
    assert unit.line_map is not None and unit.line_map.locate(unit.line_map.to_joined(4, 1)) == (4, 1)
    assert join_cells(cells).text != unit.text  # without the magic names nothing changes


def test_automagic_never_hides_python_or_a_real_syntax_error():
    assert automagic_cells([(0, "ls = ['a.csv']"), (1, "ls -l data")], MAGICS) == set()  # shadowed by the notebook
    assert automagic_cells([(0, "from shutil import *\nimport time"), (1, "time x")], MAGICS) == set()
    assert automagic_cells([(0, "def f():\n    ls = 1"), (1, "ls -l data")], MAGICS) == {1}  # a local does not shadow
    assert automagic_cells([(0, "# list\nls -l data")], MAGICS) == set()  # more than one line: plain Python to IPython
    assert automagic_cells([(0, "ls, x = 1, 2 +")], MAGICS) == set()  # an assignment is Python
    assert automagic_cells([(0, "ls -l")], MAGICS) == set()  # valid Python stays Python
    assert automagic_cells([(0, "print x")], MAGICS | {"print"}) == set()  # builtins shadow magics
    assert automagic_cells([(0, "grep -r x")], MAGICS) == set()  # not a magic


# -- repository rules on a small git history -------------------------------------------------------------
from pathlib import Path  # noqa: E402

from mllint.config.settings import Settings  # noqa: E402
from mllint.engine.session import Session  # noqa: E402
from mllint.testing import git, write_repo  # noqa: E402

BIG = "0123456789" * 300


def _check(root: Path, select: list[str], **options) -> list:
    return Session(root, Settings(select=select, options=options)).check(use_cache=False, jobs=1).findings


def test_a_file_with_many_large_versions_is_reported_once(tmp_path):
    root = write_repo(tmp_path / "hist", {"notebooks/eda.ipynb": '{"cells": [], "x": "' + BIG + '"}', "train.py": "x = 1\n"})
    for version in range(3):
        (root / "notebooks/eda.ipynb").write_text('{"cells": [], "x": "' + BIG * (2 + version) + '"}')
        git(root, "commit", "-qam", f"rerun {version}")
    findings = [f for f in _check(root, ["ML0104"], ML0104={"size-threshold": 2000}) if f.code == "ML0104"]
    assert [f.path for f in findings] == ["notebooks/eda.ipynb"]
    assert "4 versions, the largest 12.0 KB" in findings[0].message
    assert "nbstripout" in findings[0].message and "DVC" not in findings[0].message


# -- fixes are offered only where the receiver's type is proven -----------------------------------------
from mllint.testing import check_source  # noqa: E402


def _fixes(source: str, code: str) -> list:
    return [f.fix for f in check_source(source, "train.py", select=[code]) if f.code == code]


def test_values_fix_only_on_a_proven_dataframe():
    proven = "import pandas as pd\ndf = pd.read_csv('x.csv')\ny = df['label'].values\n"
    weak = "import pandas as pd\ndef target(df):\n    return df['label'].values\n"
    assert [fix is not None for fix in _fixes(proven, "ML1303")] == [True]
    assert [fix is not None for fix in _fixes(weak, "ML1303")] == [False]  # reported, but no fix


def test_chained_assignment_fixes_only_on_a_proven_dataframe():
    proven = "import pandas as pd\ndf = pd.read_csv('x.csv')\ndf['a'][df['a'] < 0] = 0\ndf['b'].fillna(0, inplace=True)\n"
    weak = "import pandas as pd\ndef clean(df):\n    df['a'][df['a'] < 0] = 0\n    df['b'].fillna(0, inplace=True)\n"
    assert [fix is not None for fix in _fixes(proven, "ML1302")] == [True, True]
    assert [fix is not None for fix in _fixes(weak, "ML1302")] == [False, False]


def test_discarded_result_fix_only_on_a_proven_dataframe():
    proven = "import pandas as pd\ndf = pd.read_csv('x.csv')\ndf.dropna()\nprint(df)\n"
    weak = "import pandas as pd\ndef clean(df):\n    df.dropna()\n    return df\n"
    assert [fix is not None for fix in _fixes(proven, "ML1308")] == [True]
    assert [fix is not None for fix in _fixes(weak, "ML1308")] == [False]


def test_values_of_a_papermill_parameters_cell_are_configuration():
    import json

    def notebook(tagged: bool) -> bytes:
        cells = [
            {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["parameters"]} if tagged else {},
             "outputs": [], "source": ["MAX_LEAF = 64\n", "TEST_SIZE = 0.2\n"]},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": ["import lightgbm as lgb\n", "from sklearn.model_selection import train_test_split\n",
                        "X_tr, X_te = train_test_split(X, test_size=TEST_SIZE, random_state=0)\n",
                        "model = lgb.LGBMClassifier(num_leaves=MAX_LEAF, random_state=0)\n"]},
        ]
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()

    def codes(data: bytes) -> list[str]:
        return sorted(f.code for f in check_source(data, "lightgbm.ipynb", select=["ML0301", "ML0302"]))

    assert codes(notebook(tagged=False)) == ["ML0301", "ML0302"]
    assert codes(notebook(tagged=True)) == []  # papermill injects these values: configuration


# -- project-template sources -------------------------------------------------------------------------
from mllint.output import text as text_output  # noqa: E402
from mllint.output.scorecard import PARTLY, SATISFIED, build_scorecard  # noqa: E402


def _template_repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "tpl", {
        "cookiecutter.json": '{"repo_name": "demo", "module_name": "demo"}\n',
        "README.md": "# a cookiecutter template\n",
        "{{ cookiecutter.repo_name }}/{{ cookiecutter.module_name }}/train.py":
            "from {{ cookiecutter.module_name }} import config\nimport pandas as pd\ndf = pd.read_csv('data/train.csv')\n",
        "{{ cookiecutter.repo_name }}/requirements.txt": "pandas\n",
        "hooks/post_gen_project.py": "import shutil\nshutil.rmtree('docs', ignore_errors=True)\n",
    })


def test_template_sources_are_skipped_with_one_line_and_partly_checked(tmp_path):
    root = _template_repo(tmp_path)
    result = Session(root, Settings()).check(use_cache=False, jobs=1)
    assert not any(f.code == "ML0001" for f in result.findings)  # the Jinja files were not parsed
    assert not any("cookiecutter" in (f.path or "") for f in result.findings)
    assert result.templates.files == 2 and result.templates.roots == ["{{ cookiecutter.repo_name }}"]
    report = text_output.render(result)
    assert report.count("project-template sources") == 1
    statuses = {item.status for item in build_scorecard(result).factors}
    assert SATISFIED not in statuses and PARTLY in statuses


def test_template_sources_are_checked_on_request(tmp_path):
    root = _template_repo(tmp_path)
    result = Session(root, Settings(templates="check")).check(use_cache=False, jobs=1)
    assert any(f.code == "ML0001" and "cookiecutter" in (f.path or "") for f in result.findings)
    assert result.templates.files == 0


# -- monorepos: one judgement per sub-project ------------------------------------------------------------
MONO_TRAIN = "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\ndf = pd.read_csv('data.csv')\nLogisticRegression().fit(df, df)\n"


def test_monorepo_projects_are_judged_one_by_one(tmp_path):
    root = write_repo(tmp_path / "mono", {
        "README.md": "# many projects\n",
        "churn/requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.0\n",
        "churn/train.py": MONO_TRAIN,
        "churn/tests/test_train.py": "from train import df\n\ndef test_fit():\n    assert df is not None\n",
        "fraud/requirements.txt": "pandas==2.2.2\n",
        "fraud/train.py": MONO_TRAIN,
    })
    result = Session(root, Settings(select=["ML0501", "ML0203"])).check(use_cache=False, jobs=1)
    assert [p.path for p in result.projects] == ["churn", "fraud"]
    no_tests = [f for f in result.findings if f.code == "ML0501"]
    assert [f.data.get("project") for f in no_tests] == ["fraud"]  # churn's tests do not test fraud
    assert no_tests[0].message.startswith("project fraud/: ")
    undeclared = [f for f in result.findings if f.code == "ML0203"]
    assert [(f.path, f.data.get("project")) for f in undeclared] == [("fraud/train.py", "fraud")]
    assert "requirements.txt" in undeclared[0].message and "scikit-learn" in undeclared[0].message
    report = text_output.render(result)
    assert "scorecard per project (2 projects)" in report and "fraud/" in report


def test_one_folder_with_a_manifest_is_not_a_monorepo(tmp_path):
    root = write_repo(tmp_path / "single", {"src/requirements.txt": "pandas==2.2.2\n", "src/train.py": MONO_TRAIN})
    result = Session(root, Settings(select=["ML0501"])).check(use_cache=False, jobs=1)
    assert result.projects == []
    assert [f.data.get("project") for f in result.findings if f.code == "ML0501"] == [None]


def test_a_baselined_run_does_not_say_all_checks_passed_above_violated_factors(tmp_path):
    root = write_repo(tmp_path / "debt", {"train.py": MONO_TRAIN})
    result = Session(root, Settings()).check(use_cache=False, jobs=1)
    assert result.findings
    result.baselined, result.findings = list(result.findings), []  # what a baseline accepting everything leaves
    report = text_output.render(result)
    assert "All checks passed" not in report and "No new findings" in report
    assert "violated" in report


def test_rule_links_only_under_a_configured_project_url(tmp_path):
    from mllint.output import markdown, sarif

    root = write_repo(tmp_path / "links", {"train.py": MONO_TRAIN})
    plain = Session(root, Settings()).check(use_cache=False, jobs=1)
    assert "](http" not in markdown.render(plain) and "helpUri" not in sarif.render(plain)
    linked = Session(root, Settings(project_url="https://docs.example.org/mllint/")).check(use_cache=False, jobs=1)
    assert "](https://docs.example.org/mllint/rules/ML0" in markdown.render(linked)
    assert '"helpUri": "https://docs.example.org/mllint/rules/ML0' in sarif.render(linked)
    from pygls.workspace.position_codec import PositionCodec

    from mllint.server.diagnostics import to_diagnostic

    finding = linked.findings[0]
    text = (root / finding.path).read_text() if finding.path else ""
    assert to_diagnostic(finding, text, PositionCodec()).code_description is None  # the editor: the same rule
    linked_page = to_diagnostic(finding, text, PositionCodec(), docs_url="https://docs.example.org/mllint/").code_description
    assert linked_page is not None and linked_page.href == f"https://docs.example.org/mllint/rules/{finding.code}.md"


# -- the command line: help, rule groups, statistics ----------------------------------------------------
def test_help_shows_metavars_not_python_types(cli):
    for command in ("check", "baseline", "fix", "rule", "rules", "new", "server"):
        text = cli(command, "--help").stdout
        assert "<list[" not in text and "<bool>" not in text and "<Path>" not in text, command
    assert "RULES" in cli("check", "--help").stdout


def test_rules_are_listed_under_groups_in_words(cli):
    listing = cli("rules").stdout
    assert "Factor 3: Descriptive training and preprocessing (ML03)" in listing
    assert "ML code smells (ML13)" in listing and "The tool itself (ML00)" in listing
    assert "factor  3" not in listing


def test_rule_is_plain_markdown_when_piped(cli):
    text = cli("rule", "ML0301").stdout
    assert text.startswith("# ML0301") and "## Why is this bad?" in text and "\x1b[" not in text


def test_statistics_count_findings_per_rule(cli, tmp_path):
    root = write_repo(tmp_path / "stats", {"train.py": "from sklearn.model_selection import train_test_split\n"
                                                       "a = train_test_split(X, test_size=0.2, random_state=0)\n"
                                                       "b = train_test_split(X, test_size=0.3, random_state=0)\n"})
    result = cli("check", "--statistics", "--no-cache", "--select", "ML0301", str(root))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].split() == ["2", "ML0301", "hardcoded-split", "warning"]
    rows = json.loads(cli("check", "--statistics", "-o", "json", "--no-cache", "--select", "ML0301", str(root)).stdout)
    assert rows == [{"code": "ML0301", "name": "hardcoded-split", "severity": "warning", "count": 2, "fixable": 0}]
    assert cli("check", "--statistics", "-o", "sarif", "--no-cache", str(root)).exit_code == 2


def test_notebook_locations_show_the_execution_count_or_id_and_the_first_line(tmp_path):
    from mllint.output import concise

    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Split\n"]},
        {"cell_type": "code", "execution_count": 12, "id": "a1b2", "metadata": {}, "outputs": [],
         "source": ["from sklearn.model_selection import train_test_split\n", "a, b = train_test_split(X, test_size=0.2, random_state=0)\n"]},
        {"cell_type": "code", "execution_count": None, "id": "9f2c1a77", "metadata": {}, "outputs": [],
         "source": ["\n", "c, d = train_test_split(X, test_size=0.3, random_state=0)\n"]},
    ]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    root = write_repo(tmp_path / "nb", {"eda.ipynb": notebook})
    result = Session(root, Settings(select=["ML0301"])).check(use_cache=False, jobs=1)
    assert sorted(f.cell for f in result.findings) == [1, 2]  # JSON keeps the 0-based index
    report = text_output.render(result)
    assert "eda.ipynb:cell 1 [In 12]:2:" in report
    assert "cell 1 [In 12] starts: from sklearn.model_selection import train_test_split" in report
    assert "eda.ipynb:cell 2 (id 9f2c1a77):2:" in report and "starts: c, d = train_test_split(" in report
    assert "eda.ipynb:cell 1 [In 12]:2:" in concise.render(result)


def test_fix_repo_and_check_agree_on_a_conda_manifest(tmp_path):
    from mllint.fix.repo import build_plan

    root = write_repo(tmp_path / "conda", {
        "conda.yaml": "name: churn\ndependencies:\n  - python=3.11\n  - scikit-learn=1.5.0\n  - flask=3.0.3\n  - joblib=1.4.2\n",
        "train.py": "import joblib\nfrom sklearn.linear_model import LogisticRegression\njoblib.dump(LogisticRegression().fit(X, y), 'model.joblib')\n",
        "serve.py": "import joblib\nfrom flask import Flask\napp = Flask(__name__)\nmodel = joblib.load('model.joblib')\n\n"
                    "@app.route('/predict', methods=['POST'])\ndef predict():\n    return str(model.predict([[0]]))\n",
    })
    result = Session(root, Settings()).check(only="repo", use_cache=False, jobs=1)
    assert "ML0201" not in {f.code for f in result.findings}  # check sees the manifest
    plan = build_plan(root, result.findings, result.model)
    assert "conda env update --file conda.yaml" in plan.project.install
    text = "\n".join([*plan.instructions, *(c for piece in plan.pieces for c in piece.files.values())])
    assert "ML0201" not in text and "no dependency manifest" not in text  # and so does fix --repo


# -- monorepos: deployability and CI coverage across sibling folders ----------------------------------------
import pytest  # noqa: E402

MONO_SAVE = ("import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n"
             "model = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(model, 'saved_model.pkl')\n")
FLASK_APP = "from flask import Flask\nimport util\n\napp = Flask(__name__)\n\n\n@app.route('/')\ndef classify():\n    return util.classify_image()\n"
LOADER = ("import joblib\n\n_model = None\n\n\ndef load_saved_artifacts():\n    global _model\n"
          "    _model = joblib.load('./artifacts/{name}')\n\n\ndef classify_image():\n    return _model.predict([[0]])\n")


def _serving_findings(tmp_path: Path, files: dict[str, str]) -> list[str | None]:
    root = write_repo(tmp_path / "mono", files)
    return [f.data.get("project") for f in _check(root, ["ML1202"])]


def test_a_model_served_by_a_sibling_folder_is_deployable(tmp_path):
    files = {"faces/model/requirements.txt": "scikit-learn==1.5.0\n", "faces/model/train.py": MONO_SAVE,
             "faces/server/server.py": FLASK_APP, "faces/server/util.py": LOADER.format(name="saved_model.pkl"),
             "homes/server/requirements.txt": "flask==3.0.0\n", "homes/server/app.py": FLASK_APP.replace("util", "helpers"),
             "homes/server/helpers.py": LOADER.format(name="homes.pkl")}
    assert _serving_findings(tmp_path / "served", files) == []  # the app next to faces/model/ loads its saved_model.pkl
    unlinked = {**files, "faces/server/util.py": LOADER.format(name="other.pkl")}
    assert _serving_findings(tmp_path / "unlinked", unlinked) == ["faces/model"]


def test_a_sibling_serving_its_own_model_of_the_same_name_does_not_serve_this_one(tmp_path):
    files = {"churn/requirements.txt": "scikit-learn==1.5.0\n", "churn/train.py": MONO_SAVE,
             "fraud/requirements.txt": "flask==3.0.0\n", "fraud/train.py": MONO_SAVE,
             "fraud/server.py": FLASK_APP, "fraud/util.py": LOADER.format(name="saved_model.pkl")}
    assert _serving_findings(tmp_path, files) == ["churn"]


def test_serving_code_importing_the_project_package_serves_it(tmp_path):
    files = {"model/requirements.txt": "scikit-learn==1.5.0\n", "model/train.py": MONO_SAVE.replace("'saved_model.pkl'", "path"),
             "model/predict.py": "def predict(x):\n    return x\n",
             "api/requirements.txt": "fastapi==0.110.0\n",
             "api/main.py": "from fastapi import FastAPI\nfrom model.predict import predict\n\napp = FastAPI()\n\n\n"
                            "@app.get('/')\ndef root():\n    return predict(1)\n"}
    assert _serving_findings(tmp_path / "imports", files) == []
    unrelated = {**files, "api/main.py": files["api/main.py"].replace("from model.predict import predict", "from scoring import predict"),
                 "api/scoring.py": "def predict(x):\n    return x\n"}
    assert _serving_findings(tmp_path / "unrelated", unrelated) == ["model"]


def test_serving_in_another_parent_folder_does_not_count(tmp_path):
    files = {"vision/model/requirements.txt": "scikit-learn==1.5.0\n", "vision/model/train.py": MONO_SAVE,
             "text/server/requirements.txt": "flask==3.0.0\n", "text/server/server.py": FLASK_APP,
             "text/server/util.py": LOADER.format(name="saved_model.pkl")}
    assert _serving_findings(tmp_path, files) == ["vision/model"]


RUNTIME = {"pyproject.toml": "[project]\nname = 'rt'\n", "runtime.py": "x = 1\n"}


def _runtimes(*names: str) -> dict[str, str]:
    return {f"runtimes/{name}/{rel}": text for name in names for rel, text in RUNTIME.items()}


def _ci_findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str | None]]:
    root = write_repo(tmp_path, files)
    return sorted((f.code, f.data.get("project")) for f in _check(root, ["ML1203", "ML1204"]))


MATRIX_JOB = ("on: push\njobs:\n  test:\n    strategy:\n      matrix:\n{matrix}"
              "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: {command}\n")


@pytest.mark.parametrize("matrix, command, found", [
    ("        python: ['3.11', '3.12']\n        runtime: [sklearn, xgboost]\n", "tox -c ./runtimes/${{ matrix.runtime }}", []),
    ("        runtime: [sklearn]\n        include:\n          - runtime: xgboost\n            python: '3.12'\n",
     "cd runtimes/${{matrix.runtime}} && pytest", []),
    ("        config:\n          - {dir: sklearn}\n          - {dir: xgboost}\n", "pytest runtimes/${{ matrix.config.dir }}", []),
    ("        runtime: [sklearn]\n", "tox -c ./runtimes/${{ matrix.runtime }}", [("ML1203", "runtimes/xgboost")]),
    ("        runtime: ${{ fromJSON(needs.plan.outputs.runtimes) }}\n", "tox -c ./runtimes/${{ matrix.runtime }}",
     [("ML1203", "runtimes/sklearn"), ("ML1203", "runtimes/xgboost")]),
    ("        runtime: [sklearn, xgboost]\n", "ruff check runtimes/${{ matrix.runtime }}",
     [("ML1204", "runtimes/sklearn"), ("ML1204", "runtimes/xgboost")]),
])
def test_a_ci_matrix_variable_names_the_projects_it_covers(tmp_path, matrix, command, found):
    files = {**_runtimes("sklearn", "xgboost"), ".github/workflows/tests.yml": MATRIX_JOB.format(matrix=matrix, command=command)}
    assert _ci_findings(tmp_path, files) == found


def test_a_tox_environment_run_by_ci_covers_the_folders_it_tests(tmp_path):
    tox = "[tox]\nenvlist = all\n\n[testenv:all]\ncommands = pytest runtimes/sklearn\n\n[testenv:docs]\ncommands = sphinx-build runtimes/xgboost\n"
    files = {**_runtimes("sklearn", "xgboost"), "tox.ini": tox,
             ".github/workflows/tests.yml": MATRIX_JOB.format(matrix="        python: ['3.12']\n", command="tox -e all")}
    assert _ci_findings(tmp_path, files) == [("ML1203", "runtimes/xgboost")]  # the docs env names it, but CI does not run it
