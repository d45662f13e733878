"""ML0103 no-data-versioning: the code uses data or model files but nothing versions them."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from mllint.catalogue.remedy import Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core import relpath
from mllint.core.findings import Finding
from mllint.repo.mlcode import calls_any, imports_any

CODE = (".py", ".ipynb", ".pyc", ".pyi", ".pyx")


def data_signals(repo) -> list[tuple[str, str]]:
    """(file, evidence) for code that reads or writes data/model files, in path order (modules first).

    None in a published library: its `save_model(path)` / `read_csv(path)` serve its users' data."""
    if repo.manifests.published_library:
        return []
    knowledge = repo.knowledge
    io = knowledge.get("data_io", {})
    extensions = {"." + ext for ext in knowledge.get("data_files", {}).get("extensions", ())}
    out = []
    peripheral = {role.path for role in repo.ml.roles if role.peripheral}  # examples/, docs/, benchmarks/
    for facts in sorted(repo.source_facts(), key=lambda f: (f.notebook, f.path)):
        if facts.path in peripheral:
            continue
        calls = calls_any(facts.calls, [*io.get("calls", []), *io.get("methods", [])])
        if calls:
            out.append((facts.path, calls[0]))
            continue
        strings = [s for s in facts.strings if posixpath.splitext(s.split("?")[0])[1].lower() in extensions]
        if strings:
            out.append((facts.path, repr(strings[0])))
    return out


def data_folders(repo) -> list[tuple[str, str]]:
    """Top-level data/model folders (``data/``, ``models/``...), unless they hold only Python code, each with
    what it holds (for the message).

    A folder whose content is git-ignored, or that holds only placeholders (``.gitkeep``) or a README,
    is where data lives outside version control; ``models/resnet.py`` is code and does not count.
    """
    names = repo.knowledge.get("data_files", {}).get("folders", ())
    found = []
    for name in names:
        inside = [rel for rel in repo.files if rel.startswith(name + "/")]
        if inside:
            others = [rel for rel in inside if not rel.endswith(CODE)]
            if others:
                data = not all(_placeholder(rel) for rel in others)
                found.append((name + "/", "holds data files" if data else "holds only placeholders (its data lives outside git)"))
        elif repo.listdir(repo.root / name):
            found.append((name + "/", "holds files git ignores (its data lives outside git)"))
    return found


def _placeholder(rel: str) -> bool:
    """A file that keeps a folder in git or describes it: ``.gitkeep``, ``.keep``, ``.gitignore``, a README."""
    name = relpath.name(rel).lower()
    return name in (".gitkeep", ".keep", ".gitignore") or name.startswith("readme")


def versioning_evidence(repo) -> Iterator[str]:
    """What shows that data is versioned: DVC, git-lfs, lakeFS, Delta, ... (nothing when nothing), the
    cheapest evidence first: a check that needs only the first stops reading there (the repository-rule
    cache then records only what it read)."""
    table = repo.knowledge.get("data_versioning", {})
    vcs = repo.vcs
    if vcs.uses_dvc:
        yield "DVC"
    if vcs.uses_lfs:
        yield "git-lfs"
    markers = table.get("markers", ())
    for folder in vcs.ancestors_to_git_root():
        yield from (marker for marker in markers if repo.path_exists(folder / marker))
    suffixes = tuple(table.get("suffixes", ()))
    yield from [rel for rel in repo.files if rel.endswith(suffixes) and not rel.startswith(".dvc/")][:1]
    yield from [rel for rel in repo.files if relpath.name(rel) in markers or any(p in markers for p in relpath.folders(rel))][:1]
    for facts in repo.code_facts():
        yield from imports_any(facts.imports, table.get("imports", ()))[:1]
        yield from calls_any(facts.calls, table.get("calls", ()))[:1]


class NoDataVersioning(RepoRule):
    code = "ML0103"
    name = "no-data-versioning"
    factor = 1
    severity = "warning"
    summary = "The code reads or writes data/model files, but nothing versions them (no DVC, git-lfs, lakeFS, ...)."
    why = """
        Factor 1 (version control of code and data): a model is a function of code *and* data.
        When only the code is versioned, nobody can say which data trained the model in
        production, reproduce it, or notice that the data changed under it.
    """
    how_to_fix = """
        Version data and models next to the code: `dvc init`, `dvc add data/raw` (or declare them
        as outputs in `dvc.yaml`) and `dvc remote add -d storage s3://...`; or git-lfs for small
        projects; or a data lake with versioning (lakeFS, Delta Lake). The data and model I/O of a
        published library (package metadata with PyPI classifiers) is its users' business and is not
        reported; a data folder in it still is.
    """
    violating = [
        RepoExample({"train.py": "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"}),
        RepoExample({"train.py": "import joblib\njoblib.dump(object(), 'model.joblib')\n"}),
        RepoExample({"src/load.py": "PATH = 'data/raw/images.npz'\n"}, note="a data path in the code"),
        RepoExample({"data/raw.csv": "a\n1\n", "README.md": "# x\n"}, note="a data folder with data in it"),
        RepoExample({"data/raw/.gitkeep": "", "data/README.md": "download from s3\n", "src/x.py": "x = 1\n"},
                    note="a data folder whose content lives outside git"),
        RepoExample({"nb.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                                 '"source": ["import pandas as pd\\n", "df = pd.read_parquet(\'x.parquet\')"]}], '
                                 '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}, note="a notebook reading data"),
    ]
    compliant = [
        RepoExample({"pyproject.toml": "[project]\nname = 'servelib'\nclassifiers = ['Intended Audience :: Developers']\n"
                                    "dependencies = ['catboost>=1']\n",
                     "src/servelib/frameworks/catboost.py": "def save_model(model, path):\n    model.save_model(path)\n",
                     "src/servelib/io.py": "import pandas as pd\n\ndef load_table(path):\n    return pd.read_parquet(path)\n"},
                    note="a published library: its model and data I/O serve its users' files"),
        RepoExample({"train.py": "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n",
                     "data/train.csv.dvc": "outs:\n- md5: abc\n  path: train.csv\n", ".dvc/config": "[core]\n"}),
        RepoExample({"train.py": "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n",
                     ".gitattributes": "*.csv filter=lfs diff=lfs merge=lfs -text\n"}),
        RepoExample({"train.py": "import lakefs\nimport pandas as pd\ndf = pd.read_csv('lakefs://repo/main/train.csv')\n"}),
        RepoExample({"models/resnet.py": "class ResNet:\n    pass\n", "data/__init__.py": "", "data/loader.py": "x = 1\n"},
                    note="data/ and models/ folders holding code only"),
        RepoExample({"README.md": "# notes\n", "docs/data.md": "data dictionary\n"}, note="no data folder, no data code"),
        RepoExample({"train.py": "import wandb\nimport torch\nart = wandb.Artifact('ds', type='dataset')\ntorch.save({}, 'model.pt')\n"},
                    note="W&B artifacts version the data"),
        RepoExample({"pyproject.toml": "[project]\nname = 'enc'\ndependencies = ['pandas==2.2.2']\n", "src/enc/core.py": "def encode(x):\n    return x\n",
                     "examples/bench.py": "import pandas as pd\n\ndf = pd.read_csv('ames.csv')\n"},
                    note="a library whose data is read only by its examples/"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """DVC set up by files (config, ignores); the data in git (ML0102) moved by the notes."""
        notes = ["`pip install dvc` (add it to your dev dependencies), then `dvc remote add -d storage <url>` and commit .dvc/config"]
        committed = plan.findings.get("ML0102", [])
        for finding in committed:
            notes.append(f"`git rm --cached {finding.path} && dvc add {finding.path}`, then commit {finding.path}.dvc and "
                         "the .gitignore dvc writes")
        if not committed:
            notes.append(f"`dvc add` the data and model files (e.g. under {plan.project.data_dir}/) and commit the .dvc files")
        plan.add(Piece("DVC set-up (data versioning)", (cls.code,), {
            ".dvc/config": plan.snippet("dvc_config.j2"),
            ".dvc/.gitignore": plan.template_file(".dvc/.gitignore"),
            ".dvcignore": plan.template_file(".dvcignore"),
        }, notes=notes))

    def check(self, repo):
        if next(versioning_evidence(repo), None) is not None:
            return  # versioned: whatever the code reads is covered (asked first: it is the cheaper question)
        signals = data_signals(repo)
        folders = data_folders(repo)
        if not signals and not folders:
            return
        main = repo.ml.main_training_file()
        path = main if main and any(path == main for path, _e in signals) else (signals[0][0] if signals else None)
        what = f"{signals[0][0]} uses data/model files ({signals[0][1]})" if signals else " ".join(folders[0])
        if path and signals and path != signals[0][0]:
            what = f"{path} uses data/model files ({dict(signals)[path]})"
        yield RepoFinding(
            f"{what}, but nothing versions data: looked for DVC (.dvc/, dvc.yaml, *.dvc), git-lfs (filter=lfs in "
            ".gitattributes), lakeFS, Delta Lake or dataset artifacts; run `dvc init` and `dvc add` the data/model "
            "files (or `git lfs track` them)",
            path=path,
            evidence=[".dvc/", "dvc.yaml", "*.dvc", ".gitattributes"],
        )
