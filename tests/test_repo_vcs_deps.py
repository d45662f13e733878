"""Repository rules of version control, data and dependencies (ML0101-ML0105, ML0201-ML0204, ML0304,
ML0305, ML0402): fixture repositories, monorepos, repos without git, history scans and manifest parsing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.engine.session import Session
from mllint.knowledge.loader import load_knowledge
from mllint.repo.manifests import (
    candidate_distributions,
    normalize,
    parse_conda,
    parse_pipfile,
    parse_pyproject,
    parse_requirements,
    parse_setup_cfg,
    parse_setup_py,
)
from mllint.testing import git, notebook_json, write_repo

FIXTURES = Path(__file__).parent / "fixtures" / "repos"
MY_RULES = ["ML0101", "ML0102", "ML0103", "ML0104", "ML0105", "ML0201", "ML0202", "ML0203", "ML0204",
            "ML0304", "ML0305", "ML0402"]
BIG = "0123456789" * 110_000


def check(root: Path, **options) -> list:
    settings = Settings(select=MY_RULES, options=options)
    return Session(root, settings).check(use_cache=False, jobs=1).findings


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def fixture_files(name: str) -> dict[str, bytes]:
    base = FIXTURES / name
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


# -- fixture repositories ------------------------------------------------------------------------
def test_dvc_project_reports_exactly(tmp_path):
    root = write_repo(tmp_path / "dvc", fixture_files("dvc_project"))
    findings = check(root)
    assert codes(findings) == {"ML0202", "ML0203", "ML0204", "ML0305"}
    by_code = {f.code: f for f in findings}
    assert by_code["ML0202"].path == "requirements.txt" and "scikit-learn" in by_code["ML0202"].message
    assert by_code["ML0203"].path == "src/train.py" and "xgboost" in by_code["ML0203"].message
    assert by_code["ML0204"].path == "src/train.py"


def test_dvc_project_with_broken_dvc_setup(tmp_path):
    files = fixture_files("dvc_project")
    files.pop("models/.gitignore")
    files.pop("dvc.lock")
    files[".dvc/config"] = b"[core]\n    autostage = true\n"
    root = write_repo(tmp_path / "dvc", files)
    messages = [f.message for f in check(root) if f.code == "ML0105"]
    assert any("no remote" in m for m in messages)
    assert any("dvc.lock does not exist" in m for m in messages)
    assert any(m.startswith("models/model.pkl is a DVC output") and "not git-ignored" in m for m in messages)
    assert not any("data/prepared" in m for m in messages)  # ignored by data/.gitignore


def test_kedro_project_reports_exactly(tmp_path):
    root = write_repo(tmp_path / "kedro", fixture_files("kedro_project"))
    findings = check(root)
    assert codes(findings) == {"ML0102", "ML0103", "ML0202"}
    assert [f.path for f in findings if f.code == "ML0102"] == ["data/01_raw/companies.csv"]


def test_messy_example_reports_version_and_dependency_rules():
    root = Path(__file__).parent.parent / "examples" / "messy-ml-repo"
    found = codes(check(root))
    assert {"ML0102", "ML0103", "ML0202", "ML0203", "ML0204", "ML0304", "ML0402"} <= found
    assert "ML0101" not in found  # it lives inside this repository's git work tree


# -- monorepos and repositories without git ------------------------------------------------------------
def test_monorepo_subfolder_is_the_project_root(tmp_path):
    root = write_repo(tmp_path / "mono", {
        "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
        "other/big.bin": BIG,
        "sub/project/train.py": "import pandas as pd\ndf = pd.read_csv('data/x.csv')\n",
        "sub/project/data/x.csv": "a\n1\n",
        "sub/project/requirements.txt": "pandas==2.2.2\n",
    })
    findings = check(root / "sub" / "project")
    found = codes(findings)
    assert "ML0101" not in found and "ML0305" not in found  # git and the linter config live above
    assert [f.path for f in findings if f.code == "ML0102"] == ["data/x.csv"]
    assert "ML0104" not in found  # the big blob is outside the checked folder
    assert "ML0201" not in found and "ML0203" not in found


def test_without_git_only_git_rules_are_silent(tmp_path):
    root = write_repo(tmp_path / "plain", {
        "train.py": "import pandas as pd\nimport sklearn\ndf = pd.read_csv('data/x.csv')\n",
        "data/x.csv": "a\n1\n",
        "requirements.txt": "pandas\n",
        "big.bin": BIG,
    }, use_git=False)
    found = codes(check(root))
    assert {"ML0101", "ML0103", "ML0202", "ML0203", "ML0204", "ML0305"} <= found
    assert not found & {"ML0102", "ML0104"}


# -- history --------------------------------------------------------------------------------------------
def test_deleted_blob_is_found_in_history(tmp_path):
    root = write_repo(tmp_path / "hist", {"model.bin": BIG, "train.py": "x = 1\n"})
    git(root, "rm", "-q", "model.bin")
    git(root, "commit", "-q", "-m", "drop the model")
    findings = [f for f in check(root) if f.code == "ML0104"]
    assert [f.path for f in findings] == ["model.bin"]
    assert "no longer in the work tree" in findings[0].message
    assert "ML0102" not in codes(check(root))


def test_history_scan_is_bounded_and_says_so(tmp_path):
    root = write_repo(tmp_path / "hist", {"old.bin": BIG})
    git(root, "rm", "-q", "old.bin")
    git(root, "commit", "-q", "-m", "drop")
    (root / "new.bin").write_text(BIG + "x")
    git(root, "add", "new.bin")
    git(root, "commit", "-q", "-m", "add another")
    findings = [f for f in check(root, ML0104={"max-commits": 1}) if f.code == "ML0104"]
    assert [f.path for f in findings] == ["new.bin"]
    assert "only the 1 most recent of 3 commits were scanned" in findings[0].message


def test_size_threshold_and_cap_are_options(tmp_path):
    files = {f"data/part{i}.csv": "a\n1\n" for i in range(5)}
    files["notes.txt"] = "x" * 3000
    root = write_repo(tmp_path / "opts", files)
    findings = [f for f in check(root, **{"data-in-git": {"size-threshold": 2000, "max-findings": 3}}) if f.code == "ML0102"]
    assert [f.path for f in findings] == [None, "data/part0.csv", "data/part1.csv", "data/part2.csv"]
    assert findings[0].message.startswith("3 more data/model files")
    big = [f for f in check(root, **{"data-in-git": {"size-threshold": 2000}}) if f.path == "notes.txt"]
    assert len(big) == 1 and "above the 2.0 KB threshold" in big[0].message


# -- manifests --------------------------------------------------------------------------------------------
def test_requirements_parsing():
    text = ("# comment\npandas==2.2.2  # pinned\nnumpy>=1.26\n-r base.txt\n-c constraints.txt\n-e .\n"
            "torch==2.3.0 ; python_version >= '3.10'\nrequests[security]==2.32\n--index-url https://x\n"
            "mypkg @ git+https://github.com/a/b@abc123\nscipy==1.*\nflask===3.0.0\n")
    manifest = parse_requirements("reqs/requirements.txt", text)
    pinned = {r.name: r.pinned for r in manifest.requirements}
    assert pinned == {"pandas": True, "numpy": False, "torch": True, "requests": True, "mypkg": True,
                      "scipy": False, "flask": True}
    assert manifest.includes == ["reqs/base.txt"] and manifest.constraints == ["reqs/constraints.txt"]
    assert {r.name: r.line for r in manifest.requirements}["numpy"] == 3
    options = parse_requirements("requirements.txt", "torch==1.9.0+cu111 -f https://download.pytorch.org/whl/torch_stable.html\n"
                                                     "numpy==1.26.4 --no-binary numpy\nscikit-learn>=1 -i https://x\n")
    assert {r.name: r.pinned for r in options.requirements} == {"torch": True, "numpy": True, "scikit-learn": False}


def test_pyproject_flavours():
    pep621 = parse_pyproject("pyproject.toml", "[project]\nname = 'My_Pkg'\ndependencies = ['numpy==1.26.4', 'pandas>=2']\n"
                             "[project.optional-dependencies]\nml = ['torch']\n[dependency-groups]\ndev = ['pytest==8.0']\n"
                             "[tool.uv]\ndev-dependencies = ['ruff']\n[tool.pdm.dev-dependencies]\nlint = ['black==24.1']\n")
    assert {(r.name, r.pinned, r.group) for r in pep621.requirements} == {
        ("numpy", True, "main"), ("pandas", False, "main"), ("torch", False, "ml"), ("pytest", True, "dev"),
        ("ruff", False, "dev"), ("black", True, "lint")}
    assert normalize(pep621.project_name) == "my-pkg"
    poetry = parse_pyproject("pyproject.toml", "[tool.poetry]\nname = 'x'\n[tool.poetry.dependencies]\npython = '^3.10'\n"
                             "numpy = '1.26.4'\npandas = '^2.0'\nlocal = {path = '../local'}\n"
                             "[tool.poetry.group.dev.dependencies]\npytest = {version = '==8.0.0'}\n")
    assert {r.name: r.pinned for r in poetry.requirements} == {"numpy": True, "pandas": False, "local": True, "pytest": True}
    dynamic = parse_pyproject("pyproject.toml", "[project]\nname = 'x'\ndynamic = ['dependencies']\n")
    assert dynamic.dynamic
    from_file = parse_pyproject("pyproject.toml", "[project]\nname = 'x'\ndynamic = ['dependencies']\n"
                                "[tool.setuptools.dynamic]\ndependencies = {file = ['requirements.txt']}\n")
    assert not from_file.dynamic and from_file.includes == ["requirements.txt"]


def test_setup_py_is_read_statically_never_executed(tmp_path):
    marker = tmp_path / "executed"
    text = (f"import os\nos.system('touch {marker}')\nfrom setuptools import setup\nREQS = ['numpy==1.26.4', 'pandas>=2']\n"
            "setup(name='pkg', install_requires=REQS, extras_require={'ml': ['torch']})\n")
    manifest = parse_setup_py("setup.py", text)
    assert not marker.exists()
    assert {(r.name, r.pinned, r.group) for r in manifest.requirements} == {
        ("numpy", True, "main"), ("pandas", False, "main"), ("torch", False, "ml")}
    assert manifest.project_name == "pkg" and not manifest.dynamic
    unknown = parse_setup_py("setup.py", "from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n")
    assert unknown.dynamic


def test_setup_cfg_pipfile_and_conda():
    cfg = parse_setup_cfg("setup.cfg", "[metadata]\nname = x\n[options]\ninstall_requires =\n    numpy==1.26.4\n    pandas\n"
                          "[options.extras_require]\ndev =\n    pytest\n")
    assert {r.name: r.pinned for r in cfg.requirements} == {"numpy": True, "pandas": False, "pytest": False}
    pipfile = parse_pipfile("Pipfile", "[packages]\nnumpy = '==1.26.4'\npandas = '*'\n[dev-packages]\npytest = {version = '==8.0'}\n")
    assert {r.name: r.pinned for r in pipfile.requirements} == {"numpy": True, "pandas": False, "pytest": True}
    conda = parse_conda("environment.yml", "name: x\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n"
                        "  - conda-forge::numpy=1.26.4\n  - pandas\n  - scikit-learn>=1.4\n  - pip:\n    - mlflow==2.14.0\n    - -r requirements.txt\n")
    assert {r.name: r.pinned for r in conda.requirements} == {"numpy": True, "pandas": False, "scikit-learn": False, "mlflow": True}
    assert conda.includes == ["requirements.txt"]
    assert parse_conda("environment.yml", "{ not yaml").requirements == []


@pytest.mark.parametrize("module, dist", [("sklearn.model_selection", "scikit-learn"), ("cv2", "opencv-python-headless"),
                                          ("yaml", "pyyaml"), ("PIL.Image", "pillow"), ("google.cloud.storage", "google-cloud-storage"),
                                          ("dotenv", "python-dotenv"), ("kedro_datasets", "kedro-datasets")])
def test_import_names_map_to_distributions(module, dist):
    assert dist in candidate_distributions(module, load_knowledge())


def test_environment_provided_modules_are_never_reported(tmp_path):
    root = write_repo(tmp_path / "colab", {
        "requirements.txt": "numpy==1.26.4\n",
        "train.py": "import numpy\nfrom google.colab import drive\nimport __main__\nimport distutils.core\nimport urllib2\n",
    })
    assert "ML0203" not in codes(check(root))


def test_notebook_pip_install_declares(tmp_path):
    root = write_repo(tmp_path / "nb", {
        "requirements.txt": "numpy==1.26.4\n",
        "eda.ipynb": notebook_json(["!pip install seaborn==0.13\n", "import seaborn as sns\nimport numpy"]),
    })
    assert "ML0203" not in codes(check(root))


def test_unreadable_manifest_is_not_a_crash(tmp_path):
    root = write_repo(tmp_path / "bad", {"pyproject.toml": "[project\nname=", "train.py": "import numpy\n",
                                         "environment.yml": "dependencies: [\n"})
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=1)
    assert not [f for f in result.findings if f.code == "ML0004"]


def test_template_like_project_is_clean(tmp_path):
    template = Path(__file__).parent.parent / "template"
    if not (template / "cookiecutter.json").is_file():
        pytest.fail("template/cookiecutter.json is missing")
    from cookiecutter.main import cookiecutter

    out = cookiecutter(str(template), no_input=True, output_dir=str(tmp_path), accept_hooks=True)
    root = Path(out)
    if not (root / ".git").exists():
        write_repo(root, {}, use_git=True)
    findings = check(root)
    assert not findings, [f"{f.code} {f.path}: {f.message}" for f in findings]
    shutil.rmtree(root, ignore_errors=True)


def test_facts_mark_optional_imports_and_lines():
    source = (b"import numpy as np\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\n"
              b"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas\nimport pandas.io\n")
    facts = Session(Path.cwd(), Settings()).analyze("m.py", source, frozenset()).facts
    assert facts.optional_imports == ["json", "ujson"]  # pandas is also imported unconditionally
    assert facts.import_lines["numpy"] == 1 and facts.import_lines["pandas"] == 8


def test_submodules_and_vendored_folders_are_local(tmp_path):
    root = write_repo(tmp_path / "sub", {
        "requirements.txt": "numpy==1.26.4\n",
        ".gitmodules": '[submodule "third_party/apex-lib"]\n\tpath = third_party/apex_lib\n\turl = https://x\n',
        "train.py": "import numpy\nimport apex_lib\nfrom vendor.thing import x\n",
        "vendor/thing/README.md": "vendored\n",
    })
    assert "ML0203" not in codes(check(root))


def test_hostile_dvc_yaml_is_not_a_crash(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)) + "stages: *u\n"
    root = write_repo(tmp_path / "bomb", {".dvc/config": "[core]\n", "dvc.yaml": bomb, "data.dvc": "outs: [\n"})
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=1)
    assert not [f for f in result.findings if f.code == "ML0004"]
    assert any(f.code == "ML0105" and "no remote" in f.message for f in result.findings)


def test_test_data_folders_are_fixtures(tmp_path):
    root = write_repo(tmp_path / "fx", {"test_data/a.csv": "a\n1\n", "tests/fixtures/m.pkl": "x", "data/a.csv": "a\n"})
    assert [f.path for f in check(root) if f.code == "ML0102"] == ["data/a.csv"]


@pytest.mark.parametrize(("files", "said"), [
    ({"data/raw.csv": "a\n1\n"}, "data/ holds data files, but nothing versions data"),
    ({"data/.gitkeep": "", "data/README.md": "download it\n"}, "data/ holds only placeholders (its data lives outside git)"),
])
def test_a_data_folder_is_described_as_what_it_holds(tmp_path, files, said):
    """A folder kept in git by a ``.gitkeep`` is where data lives outside git: ML0103 says so, not that it holds data."""
    root = write_repo(tmp_path / "folder", {**files, "src/x.py": "x = 1\n"})
    [finding] = [f for f in check(root) if f.code == "ML0103"]
    assert finding.message.startswith(said), finding.message


def test_utf16_requirements_from_powershell_are_read(tmp_path):
    root = write_repo(tmp_path / "ps", {"requirements.txt": "numpy==1.26.4\r\npandas==2.2.2\r\n".encode("utf-16"),
                                        "train.py": "import numpy\nimport pandas\n"})
    assert not codes(check(root)) & {"ML0202", "ML0203"}


# -- the repository phase's shortcuts give the answers of the long way ----------------------------------------
def test_install_commands_are_found_as_the_boundary_regex_finds_them():
    """ML0203 scans for install commands without the regex's leading word boundary and tests it after a
    match: the same matches as ``PIP_INSTALL.finditer``, including a rejected match that hides a later one."""
    import importlib

    rule = importlib.import_module("rules.ML0203_undeclared_dependency")
    texts = ["xpip install a conda install b", "!pip install seaborn==0.13\n%conda install -c x y", "_pip install z",
             "pipx install q; uv pip install r & poetry add s", "mamba\ninstall t", "épip install u", ""]
    for text in texts:
        expected = [(m.span(), m.group(1)) for m in rule.PIP_INSTALL.finditer(text)]
        assert [(m.span(), m.group(1)) for m in rule._pip_installs(text)] == expected, text
    assert [m.group(1) for m in rule._pip_installs(texts[0])] == [" b"]


def test_sizes_the_code_pass_measured_are_the_models_and_others_are_stated(tmp_path):
    from mllint.knowledge.loader import load_knowledge
    from mllint.repo.inventory import Inventory
    from mllint.repo.model import RepoModel

    root = write_repo(tmp_path / "r", {"a.py": "x = 1\n", "data.csv": "a,b\n1,2\n"})
    model = RepoModel(root=root, inventory=Inventory(root=root, files=["a.py", "data.csv"]), facts={},
                      knowledge=load_knowledge(), sizes={"a.py": 6})
    assert model.size("a.py") == 6 and model.size("data.csv") == 8 and model.size("missing.csv") is None


def test_the_code_pass_hands_the_sizes_it_read_to_the_model(tmp_path, monkeypatch):
    """Files older than the racy window are stat'ed once, by the code pass that reads them: the repository
    model gets those sizes (what ML0102 asks of every file) and they are the files' sizes on disk."""
    import os

    import mllint.engine.run as engine_run

    files = {"train.py": "import pandas as pd\n" * 200, "nb.ipynb": notebook_json(["import numpy"]), "data/table.csv": "a\n1\n" * 10}
    root = write_repo(tmp_path / "old", files)
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (1_600_000_000, 1_600_000_000))
    given: list[dict[str, int]] = []
    original = engine_run.RepoModel

    def model(*args, **kwargs):
        given.append(kwargs["sizes"])
        return original(*args, **kwargs)

    monkeypatch.setattr(engine_run, "RepoModel", model)
    findings = check(root)
    assert given == [{rel: (root / rel).stat().st_size for rel in ("train.py", "nb.ipynb")}]
    assert [f.path for f in findings if f.code == "ML0102"] == ["data/table.csv"]


def test_a_warm_run_takes_the_code_files_sizes_from_its_cache_hits(tmp_path, monkeypatch):
    """A warm run stats each code file once, to trust its cached digest: the model and the repository-rule
    cache's probe take those sizes (ML0102 asks for every file's), and any other file is stat'ed."""
    import os

    import mllint.engine.run as engine_run
    from mllint.repo.inputs import Probe

    files = {"train.py": "import pandas as pd\n" * 200, "nb.ipynb": notebook_json(["import numpy"]), "data/table.csv": "a\n1\n" * 10}
    root = write_repo(tmp_path / "old", files)
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (1_600_000_000, 1_600_000_000))
    settings = Settings(select=MY_RULES)
    Session(root, settings).check(jobs=1)  # fills the caches
    models: list[dict[str, int]] = []
    probes: list[object] = []
    original_model, original_probe = engine_run.RepoModel, engine_run.Probe

    def model(*args, **kwargs):
        models.append(kwargs["sizes"])
        return original_model(*args, **kwargs)

    def probe(*args, **kwargs):
        probes.append(kwargs["sizes"])
        return original_probe(*args, **kwargs)

    monkeypatch.setattr(engine_run, "RepoModel", model)
    monkeypatch.setattr(engine_run, "Probe", probe)
    warm = Session(root, settings).check(jobs=1)
    sizes = {rel: (root / rel).stat().st_size for rel in ("train.py", "nb.ipynb")}
    assert warm.cache_hits == 2 and models == [sizes] and probes == [sizes]
    assert "ML0102" in warm.repo_cached
    known = Probe(root, warm.inventory, "", "", sizes={"train.py": 1})  # a size in hand is not stat'ed again
    assert known.value(("size", "train.py")) == 1 and known.value(("size", "data/table.csv")) == 40
    assert known.value(("size", "missing.csv")) is None


def test_editing_a_module_does_not_rerun_the_data_in_git_rule(tmp_path):
    """ML0102 reads the size of the files that may be data only (a module or a notebook never is, however
    large): a one-line edit of a module leaves its result to the repository-rule cache; a data file's does not."""
    files = {"train.py": "import pandas as pd\n", "data/table.csv": "a\n1\n" * 10}
    root = write_repo(tmp_path / "r", files)
    settings = Settings(select=MY_RULES)
    first = Session(root, settings).check(jobs=1)
    assert [f.path for f in first.findings if f.code == "ML0102"] == ["data/table.csv"]
    (root / "train.py").write_text("import pandas as pd\n# one more line\n", encoding="utf-8")
    assert "ML0102" in Session(root, settings).check(jobs=1).repo_cached
    (root / "data" / "table.csv").write_text("a\n1\n" * 20, encoding="utf-8")
    again = Session(root, settings).check(jobs=1)
    assert "ML0102" not in again.repo_cached and [f.path for f in again.findings if f.code == "ML0102"] == ["data/table.csv"]


def test_ci_files_are_claimed_by_one_matcher_unless_a_pattern_reincludes():
    from mllint.repo.ci import _any_system

    claimed = _any_system({"github": [".github/workflows/*.yml"], "jenkins": ["Jenkinsfile"]})
    assert claimed is not None and claimed(".github/workflows/ci.yml") and claimed("ci/Jenkinsfile")
    assert not claimed("src/train.py") and not claimed(".github/ci.yml")
    assert _any_system({"gitlab": ["ci/*.yml", "!ci/local.yml"], "travis": [".travis.yml"]}) is None


def test_undeclared_import_names_the_manifest_to_add_it_to(tmp_path):
    """The message advises the nearest manifest of a folder above the importing file; a manifest of a
    sibling folder only (a course's other lesson) is listed as looked at, not as where the import goes."""
    root = write_repo(tmp_path / "course", {
        "lesson2/requirements.txt": "pandas==2.2.0\n",
        "lesson1/train.py": "import pandas\nimport xgboost\nfrom sklearn.linear_model import LinearRegression\n",
        "lesson2/api/requirements.txt": "fastapi==0.110.0\n",
        "lesson2/api/serve.py": "import fastapi\nimport joblib\n",
    })
    messages = {f.path: f.message for f in check(root) if f.code == "ML0203"}
    assert "lesson2/requirements.txt" in messages["lesson1/train.py"]
    assert messages["lesson1/train.py"].endswith(
        "none of them is in a folder of lesson1/train.py: declare it, pinned, in a manifest of lesson1/")
    assert messages["lesson2/api/serve.py"].endswith("; add it to lesson2/api/requirements.txt, pinned")
    root = write_repo(tmp_path / "one", {"requirements.txt": "pandas==2.2.0\n", "src/train.py": "import xgboost\n"})
    (found,) = [f for f in check(root) if f.code == "ML0203"]
    assert found.message.endswith("in requirements.txt; add it there, pinned")
