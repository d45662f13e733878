"""The issue-3 code rules read ML-library knowledge as data: user extensions change what they see."""

from __future__ import annotations

from mllint.config.settings import Settings
from mllint.testing import check_source


def _codes(source, code, knowledge=None, path="train.py"):
    settings = Settings(select=[code], knowledge=knowledge or {})
    return [(f.line, f.message) for f in check_source(source, path, settings=settings) if f.code == code]


def test_inhouse_hyperparameter_family_is_reported_once_per_call_with_all_kwargs():
    source = "from acme.models import ChurnForest\nm = ChurnForest(trees=300, depth=8, seed=1, name='x')\n"
    assert _codes(source, "ML0302") == []
    found = _codes(source, "ML0302", {"hyperparameter_families": {"acme": {"callables": ["acme.models.ChurnForest"]}}})
    assert len(found) == 1 and found[0][0] == 2
    assert "trees=300" in found[0][1] and "depth=8" in found[0][1] and "seed" not in found[0][1]


def test_inhouse_seeder_silences_unseeded_randomness():
    source = "import numpy as np\nfrom acme.repro import deterministic\ndeterministic(7)\nx = np.random.rand(3)\n"
    # the name says nothing about seeds, so without knowledge the RNG counts as unseeded
    assert [line for line, _ in _codes(source, "ML0401")] == [4]
    assert _codes(source, "ML0401", {"seeders": {"acme.repro.deterministic": ["all"]}}) == []


def test_inhouse_transformer_leaks_and_is_not_persisted():
    source = (
        "import joblib\nfrom acme.features import Winsorizer\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import Ridge\n"
        "w = Winsorizer()\nX = w.fit_transform(X)\nX_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)\n"
        "model = Ridge().fit(X_tr, y_tr)\njoblib.dump(model, 'm.pkl')\n"
    )
    knowledge = {"fitted_transformers": {"classes": ["acme.features.Winsorizer"]}}
    assert _codes(source, "ML1002") == [] and _codes(source, "ML0902") == []
    assert [line for line, _ in _codes(source, "ML1002", knowledge)] == [6]  # at the fit, naming the split
    assert [line for line, _ in _codes(source, "ML0902", knowledge)] == [8]  # at the estimator fit it feeds


def test_tracker_module_extension_counts_as_recording():
    source = "from sklearn.metrics import accuracy_score\nimport acme.tracking as tr\nprint(accuracy_score(y, p))\n"
    assert [line for line, _ in _codes(source, "ML0702")] == [3]
    assert _codes(source, "ML0702", {"metrics_trackers": {"modules": ["acme.tracking"]}}) == []


def test_extra_path_prefix():
    source = "DATA = '/data/shared/churn.csv'\n"
    assert _codes(source, "ML0303") == []
    assert [line for line, _ in _codes(source, "ML0303", {"hardcoded_paths": {"prefixes": ["/data/shared/"]}})] == [1]


def test_leakage_is_intra_procedural():
    source = (
        "from sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split\n"
        "def prep(X):\n    return StandardScaler().fit_transform(X)\n"
        "def split(X, y):\n    X = load()\n    return train_test_split(X, y, random_state=0)\n"
    )
    assert _codes(source, "ML1002") == []


def test_notebook_findings_carry_cell_and_line():
    from mllint.testing import notebook_json

    cells = ["import torch", "torch.manual_seed(0)", "x = torch.randn(3)\nopt = torch.optim.Adam(p, lr=0.1)"]
    findings = check_source(notebook_json(cells, markdown_first=True).encode(), "nb.ipynb",
                            settings=Settings(select=["ML0302", "ML0401"]))
    assert [(f.code, f.cell, f.line) for f in findings] == [("ML0302", 3, 2)]


def test_knowledge_files_use_distinct_top_level_tables():
    """All rules/knowledge/*.toml are merged into one dict: a table defined in two files would merge silently."""
    from mllint.core.tomlsafe import load_path
    from mllint.knowledge.loader import knowledge_dir

    owners: dict[str, str] = {}
    for path in sorted(knowledge_dir().glob("*.toml")):
        for table in load_path(path):
            assert table not in owners, f"[{table}] is defined in {owners[table]} and {path.name}"
            owners[table] = path.name
    for table in ("hyperparameter_families", "random_state_callables", "seeders", "global_rngs", "hardcoded_paths",
                  "metrics_functions", "metrics_trackers", "notebook_importers", "fitted_transformers",
                  "leakage_splits", "pipeline_estimators", "estimator_persistence"):
        assert table in owners, table
