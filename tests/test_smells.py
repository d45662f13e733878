"""The ML code-smell rules (ML13xx) and the type evidence they rest on: cases beyond the catalogue examples."""

from __future__ import annotations

import json

from mllint.testing import check_source, notebook_json


def codes(source: str, select: str, path: str = "train.py") -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in check_source(source, path=path, select=[select])]


def test_pandas_evidence_flows_through_assignments_methods_and_subscripts():
    source = """
        import pandas as pd
        raw = pd.read_csv("x.csv")
        clean = raw.dropna().reset_index(drop=True)
        subset = clean[clean["age"] > 18]
        matrix = subset[["a", "b"]].values
        numbers = matrix.values
    """
    # `matrix` holds a numpy array (from .values): its own .values is not reported again.
    assert codes(source, "ML1303") == [("ML1303", 5)]


def test_parameters_shadow_module_bindings_and_weak_names_need_a_pandas_file():
    source = """
        import pandas as pd
        table = pd.read_csv("x.csv")
        def f(table):
            table.dropna()
        def g(df):
            df.dropna()
    """
    assert codes(source, "ML1308") == [("ML1308", 6)]
    assert codes("def g(df):\n    df.dropna()\n", "ML1308") == []


def test_non_pandas_values_in_mixed_torch_file_are_not_reported():
    source = """
        import pandas as pd
        import torch
        frame = pd.read_csv("x.csv")
        y = frame["label"].values
        top = scores.max(dim=1).values
        unknown = batch.values
    """
    assert codes(source, "ML1303") == [("ML1303", 4)]


def test_notebook_last_expression_of_a_cell_is_displayed_not_discarded():
    notebook = notebook_json([
        "import pandas as pd\ndf = pd.read_csv('x.csv')",
        "df.dropna()\ndf.fillna(0)",
        "if True:\n    df.dropna()",
    ])
    found = check_source(notebook.encode(), path="eda.ipynb", select=["ML1308"])
    assert sorted((f.cell, f.line) for f in found) == [(1, 1), (2, 2)]


def test_merge_positional_how_and_on_count_as_explicit():
    source = """
        import pandas as pd
        a = pd.merge(left, right, "left", "id")
        b = pd.merge(left, right, "left")
    """
    assert codes(source, "ML1304") == [("ML1304", 3)]


def test_zero_grad_judged_in_the_innermost_loop_that_backpropagates_and_steps():
    source = """
        import torch
        opt = torch.optim.SGD(params, lr=cfg.lr)
        for epoch in range(cfg.epochs):
            opt.zero_grad()
            for x in loader:
                model(x).sum().backward()
                opt.step()
        for epoch in range(cfg.epochs):
            for x in loader:
                model(x).sum().backward()
            opt.step()
            opt.zero_grad()
    """
    assert codes(source, "ML1305") == [("ML1305", 7)]


def test_eval_in_another_evaluation_function_does_not_cover_this_one():
    source = """
        import torch
        def predict(model, x):
            model.eval()
            with torch.no_grad():
                return model(x)
        @torch.no_grad()
        def validate(model, loader):
            return [model(x) for x in loader]
    """
    found = check_source(source, select=["ML1306"])
    assert [(f.line, "eval()" in f.message) for f in found] == [(8, True)]


def test_eval_where_the_model_is_loaded_covers_predict_functions():
    source = """
        import torch
        def load_model(path):
            model = torch.load(path)
            model.eval()
            return model
        @torch.inference_mode()
        def predict(model, x):
            return model(x)
    """
    assert codes(source, "ML1306") == []


def test_eval_mode_a_class_call_builds_a_module_an_instance_runs_one():
    """A CapWords callee is a class: calling it builds a module. Instances named like models are run, and so is
    a CapWords name the file binds to a model; ALL_CAPS constants and single capitals are not class names."""
    head = ("import torch\nclass Net(torch.nn.Module):\n    pass\n"
            "def evaluate(Generator, generator, ResNet50, MODEL, x):\n")
    cases = {
        "    return Generator(x)\n": [],
        "    return ResNet50(x)\n": [],
        "    return Net(x)\n": [],
        "    return generator(x)\n": [5],
        "    return MODEL(x)\n": [5],
        "    G = Net()\n    return G(x)\n": [6],
        "    Model = torch.load('m.pt')\n    return Model(x)\n": [6],
    }
    for body, expected in cases.items():
        assert [line for _, line in codes(head + body, "ML1306")] == expected, body


def test_eval_mode_unit_tests_are_not_evaluations():
    """A pytest test (``test*`` at module level or in a ``Test*`` class) asserting in its own body is a unit
    test; a test() method of another class, or one asserting only in a nested function, is judged."""
    assert codes("""
        import torch
        class TestShapes:
            def test_forward(self, model):
                assert model(torch.zeros(1, 3)).shape == (1, 2)
    """, "ML1306") == []
    assert codes("""
        import torch
        class Trainer:
            def test(self, model, loader):
                assert loader is not None
                return [model(x) for x in loader]
    """, "ML1306") == [("ML1306", 5)]


def test_torch_rules_are_quiet_in_test_files_and_without_torch():
    loop = """
        import torch
        for x in loader:
            loss(x).backward()
            optimizer.step()
        out = model.forward(x)
    """
    assert codes(loop, "ML13", path="tests/test_train.py") == []
    assert codes(loop.replace("import torch", "import mxnet"), "ML13") == []


def test_nan_advice_matches_the_libraries_imported():
    numpy_only = check_source("import numpy as np\nbad = arr == np.nan\n", select=["ML1301"])
    plain = check_source("import math\nbad = x != math.nan\n", select=["ML1301"])
    assert "np.isnan(arr)" in numpy_only[0].message
    assert "always True" in plain[0].message and "math.isnan(x)" in plain[0].message


def test_split_point_needs_a_use_that_cuts_the_data():
    source = """
        n = len(dataset)
        warmup = int(0.1 * n)
        cut = int(0.8 * n)
        head, tail = dataset[:cut], dataset[cut:]
        show = int(0.5 * len(dataset))
        print(show)
    """
    assert codes(source, "ML0301") == [("ML0301", 3)]


def test_local_literal_assigned_twice_is_not_a_constant():
    source = """
        from sklearn.model_selection import train_test_split
        def split(X, y, fast):
            size = 0.2
            if fast:
                size = compute()
            return train_test_split(X, y, test_size=size)
    """
    assert codes(source, "ML0301") == []


def test_messages_name_the_fix():
    source = """
        import pandas as pd
        df = pd.read_csv("x.csv")
        X = df.values
        df.rename(columns=str.lower)
    """
    messages = [f.message for f in check_source(source, select=["ML1303", "ML1308"])]
    assert any("df.to_numpy()" in m for m in messages)
    assert any("df = df.rename(...)" in m for m in messages)


def test_smell_fixture_expectations_cover_every_smell_rule():
    from pathlib import Path

    expected = Path(__file__).parent / "fixtures" / "code" / "expected"
    fired = {item["code"] for path in expected.glob("*.json") for item in json.loads(path.read_text())}
    assert {f"ML130{i}" for i in range(1, 9)} <= fired


def test_the_to_numpy_fix_is_withheld_where_the_project_allows_a_pandas_without_it(tmp_path):
    """`.to_numpy()` exists from pandas 0.24: a project whose manifests allow an older pandas still gets the
    finding, but no fix (it would raise AttributeError there); no lower bound or a newer one keeps the fix."""
    from mllint.config.settings import Settings
    from mllint.engine.session import Session
    from mllint.testing import write_repo

    source = 'import pandas as pd\ndf = pd.read_csv("x.csv")\nX = df.values\n'

    def fixes(manifest: dict[str, str], name: str) -> list[bool]:
        root = write_repo(tmp_path / name, {"train.py": source, **manifest})
        found = Session(root, Settings(select=["ML1303"])).check(use_cache=False, jobs=1).findings
        return [finding.fix is not None for finding in found]

    assert fixes({}, "none") == [True]
    assert fixes({"requirements.txt": "pandas\n"}, "unbounded") == [True]
    assert fixes({"requirements.txt": "pandas>=1.5\n"}, "newer") == [True]
    assert fixes({"requirements.txt": "pandas==0.23.4\nnumpy==1.15.0\n"}, "pinned-old") == [False]
    assert fixes({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pandas>=0.20"]\n'}, "allows-old") == [False]
