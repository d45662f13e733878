"""The shared analysis layer (mllint/analysis/flow.py, evidence.py, reach.py) as the rules see it:
computed once per file and only for rules that declare it, data flow through the constructs the
rules rely on, object evidence, notebooks in cell order, related locations in the outputs."""

from __future__ import annotations

import ast
import json

import pytest

from mllint.analysis import flow as flow_module
from mllint.analysis.context import FileContext
from mllint.analysis.flow import DataFlow
from mllint.catalogue.rule import CodeRule
from mllint.testing import check_source, notebook_json

LEAK = """
import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
df = pd.read_csv("data.csv")
X, y = df.drop(columns="label"), df["label"]
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = LogisticRegression().fit(X_train, y_train)
print(model.score(X_test, y_test))
"""


def lines(source, code, path="train.py"):
    return sorted(f.line for f in check_source(source, path, select=[code]) if f.code == code)


# -- computed once per file, only when an enabled rule asks -----------------------------------

@pytest.fixture
def counted(counter):
    return counter(DataFlow, "__init__")


def test_no_flow_without_a_rule_that_requires_it(counted):
    check_source(LEAK, select=["ML1302", "ML0301", "ML1303"])
    assert counted["calls"] == 0


def test_the_flow_is_computed_once_for_all_rules_that_require_it(counted):
    found = check_source(LEAK, select=["ML1002", "ML0902", "ML1003", "ML1305", "ML1307", "ML0401"])
    assert [f.code for f in found if f.code == "ML1002"] == ["ML1002"]
    assert counted["calls"] == 1


def test_a_file_without_fits_or_splits_does_not_pay_for_the_flow(counted):
    check_source("import pandas as pd\ndf = pd.read_csv('a.csv')\nprint(df.mean())\n", select=["ML1002", "ML0902", "ML1003"])
    assert counted["calls"] == 0


def test_a_string_split_is_no_data_split_and_pays_for_no_flow(counted):
    source = ("import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
              "X = StandardScaler().fit_transform(pd.read_csv('a.csv'))\nparts = 'a,b'.split(',')\n")
    assert check_source(source, select=["ML1002"]) == []
    assert counted["calls"] == 0


def test_scores_without_a_split_in_the_file_pay_for_no_flow(counted):
    """ML1003 compares evaluations on the test part of a split: a file that scores models but splits
    nothing (no split call, no slice bound to a train/test name) has no test part, and no data flow."""
    source = ("import joblib\nimport pandas as pd\nframe = pd.read_csv('test.csv')\nfirst = joblib.load('a.pkl')\n"
              "second = joblib.load('b.pkl')\nprint(first.score(frame[cols], frame.y), second.score(frame[cols], frame.y))\n"
              "recent = frame[-100:]\n")
    assert check_source(source, select=["ML1003"]) == []
    assert counted["calls"] == 0


@pytest.mark.parametrize("split", [
    "from sklearn.model_selection import train_test_split as tts\nX_train, X_test, y_train, y_test = tts(X, y, random_state=0)",
    "n = int(len(X) * 0.8)\nX_train, X_test = X[:n], X[n:]\ny_train, y_test = y[:n], y[n:]",
])
def test_a_split_by_an_alias_or_a_named_slice_still_gets_the_flow(counted, split):
    source = (f"from sklearn.linear_model import LogisticRegression\nfrom sklearn.tree import DecisionTreeClassifier\n{split}\n"
              "lr = LogisticRegression().fit(X_train, y_train)\ntree = DecisionTreeClassifier().fit(X_train, y_train)\n"
              "print(lr.score(X_test, y_test), tree.score(X_test, y_test))\n")
    assert [f.code for f in check_source(source, select=["ML1003"])] == ["ML1003"]
    assert counted["calls"] == 1


@pytest.mark.parametrize(("source", "complete"), [
    ("import os\nfrom mlflow import log_metric as log\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n", True),
    ("import os\ndef f():\n    import mlflow\n    return mlflow\n", False),  # the traversal adds it
    ("import os\nclass C:\n    from json import dumps\n", False),
    ("import os\n# import mlflow later\n", False),  # a word that is no statement: not known, so False
])
def test_the_imports_are_complete_before_the_traversal_only_without_imports_in_functions(source, complete):
    ctx = FileContext("m.py", ast.parse(source), {}, False, lines=source.split("\n"))
    assert ctx.imports_complete is complete


def test_imports_any_matches_a_module_or_what_is_below_it_and_sees_imports_added_later():
    source = "from a.b import c\nfrom .local import thing\nF = torch.nn.functional\n"
    ctx = FileContext("m.py", ast.parse(source), {}, False, lines=source.split("\n"))
    assert ctx.imports_any(["a.b"]) and ctx.imports_any(["a"]) and ctx.imports_any(["zzz", "a.b.c"])
    assert not ctx.imports_any(["a.bc"]) and not ctx.imports_any(["b"]) and not ctx.imports_any(["local"])
    assert not ctx.imports_any(["mlflow"])
    ctx.add_import(ast.parse("import mlflow.sklearn").body[0])  # as the traversal does in a function
    assert ctx.imports_any(["mlflow"])


def test_a_file_importing_a_tracker_is_not_followed_for_untracked_metrics(counter):
    """ML0702 never reports a file that imports a tracker: with every import known before the traversal
    it follows none of the file's calls (and still reports the same file without the import)."""
    from mllint.catalogue.loader import builtin_rules

    rule = builtin_rules(["ML0702"])["ML0702"]
    body = "from sklearn.metrics import accuracy_score\nacc = accuracy_score(y, p)\nprint(acc)\n"
    assert [f.code for f in check_source(body, select=["ML0702"])] == ["ML0702"]
    calls = counter(rule, "_records")
    assert check_source("import mlflow\n" + body, select=["ML0702"]) == []
    assert calls["calls"] == 0
    assert check_source("def log():\n    import mlflow\n" + body, select=["ML0702"]) == []
    assert calls["calls"] > 0  # an import in a function is seen by the traversal: followed, then judged


@pytest.mark.parametrize("splitter", [
    "from sklearn.model_selection import KFold\nkf = KFold(5)",
    "from sklearn.model_selection import StratifiedKFold as SKF\nkf = SKF(5)",
    "import sklearn.model_selection as ms\nkf = ms.ShuffleSplit(3)",
    "from sklearn.model_selection import LeaveOneOut\nkf = LeaveOneOut()",
])
def test_a_split_on_a_splitter_still_gets_the_flow(counted, splitter):
    source = (f"from sklearn.preprocessing import StandardScaler\n{splitter}\nX = StandardScaler().fit_transform(X)\n"
              "for train, test in kf.split(X):\n    pass\n")
    assert [f.code for f in check_source(source, select=["ML1002"])] == ["ML1002"]
    assert counted["calls"] == 1


def test_an_alias_onto_a_splitter_class_counts_as_naming_one():
    from mllint.knowledge.loader import load_knowledge

    knowledge = load_knowledge({"aliases": {"mylib.Folds": "sklearn.model_selection.KFold"}})
    words = flow_module._splitter_words(flow_module.flow_knowledge(knowledge), knowledge)
    assert words.search("from mylib import Folds") is not None
    assert words.search("x = 'a b'.split()\nSplitBatchNorm2d(3)") is None
    assert words.search("cv = GroupKFold(3)") is not None


def test_reading_an_undeclared_analysis_is_an_error():
    class Sloppy(CodeRule):
        code = "ML9999"
        name = "sloppy"

    rule = Sloppy(FileContext("x.py", ast.parse(""), {}, False))
    with pytest.raises(TypeError, match="requires"):
        rule.analysis(DataFlow)


def test_the_step_budget_marks_the_analysis_incomplete(monkeypatch):
    """A pathological file stops being interpreted instead of running away (and says so)."""
    seen = []
    original = DataFlow.__init__

    def init(self, ctx):
        original(self, ctx)
        seen.append(self.complete)

    monkeypatch.setattr(flow_module, "MAX_STEPS", 50)
    monkeypatch.setattr(DataFlow, "__init__", init)
    helper = "def scale(frame):\n    return StandardScaler().fit_transform(frame)\n"
    check_source(LEAK + helper + "x = 1\n" * 60 + "X = scale(df)\n", select=["ML1002"])
    assert seen == [False]


# -- data flow through the constructs the leakage rule relies on -------------------------------

HEAD = """
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler, MinMaxScaler
from sklearn.model_selection import train_test_split
df = pd.read_csv("data.csv")
"""


@pytest.mark.parametrize("body, line", [
    # tuple unpacking, .values, a fit before the split
    ("X, y = df.drop(columns='y').values, df['y'].values\nX = StandardScaler().fit_transform(X)\n"
     "a, b, c, d = train_test_split(X, y)\n", 7),
    # .to_numpy() / .copy() / attribute on an object / subscript of a dict
    ("data = {'X': df.copy()}\nX = data['X'].to_numpy()\nscaler = MinMaxScaler()\nscaler.fit(X)\n"
     "X = scaler.transform(X)\na, b = train_test_split(X)\n", 9),
    # in-place imputation with a full-data statistic
    ("df.fillna(df.mean(), inplace=True)\ntrain, test = train_test_split(df)\n", 6),
    # pd.concat of train and test, fitted, split again by position
    ("train = pd.read_csv('train.csv')\ntest = pd.read_csv('test.csv')\nfull = pd.concat([train, test])\n"
     "full = StandardScaler().fit_transform(full)\nX_tr = full[:len(train)]\nX_te = full[len(train):]\n", 9),
    # np.vstack of parts collected in a loop
    ("parts = []\nfor name in ['a.csv', 'b.csv']:\n    parts.append(pd.read_csv(name).values)\nX = np.vstack(parts)\n"
     "X = (X - X.mean(axis=0)) / X.std(axis=0)\na, b = train_test_split(X)\n", 10),
    # a list comprehension over columns, each fitted on all rows
    ("cols = ['a', 'b']\ndf[cols] = np.hstack([StandardScaler().fit_transform(df[[c]]) for c in cols])\n"
     "train, test = train_test_split(df)\n", 7),
    # a module-local helper that fits, called before the split (reported at the call)
    ("def scale(frame):\n    return StandardScaler().fit_transform(frame)\nX = scale(df)\n"
     "a, b = train_test_split(X)\n", 8),
    # a method of a local class
    ("class Prep:\n    def __init__(self):\n        self.scaler = StandardScaler()\n"
     "    def run(self, frame):\n        return self.scaler.fit_transform(frame)\n"
     "X = Prep().run(df)\na, b = train_test_split(X)\n", 11),
])
def test_leaks_are_followed_through(body, line):
    assert lines(HEAD + body, "ML1002") == [line]


@pytest.mark.parametrize("body", [
    # split first, fit on the training part
    "train, test = train_test_split(df)\ns = StandardScaler().fit(train)\ntest = s.transform(test)\n",
    # per-sample statistics in a loop learn nothing about other rows
    "rows = []\nfor r in df.values:\n    rows.append((r - r.mean()) / r.std())\na, b = train_test_split(np.array(rows))\n",
    # fixed bins and a row-wise mean are not fitted to the data
    "df['b'] = pd.cut(df['age'], bins=[0, 18, 65, 120])\ndf['m'] = df[['a', 'b']].mean(axis=1)\n"
    "a, b = train_test_split(df)\n",
    # a label encoder on the target is a vocabulary, not a statistic
    "from sklearn.preprocessing import LabelEncoder\ny = LabelEncoder().fit_transform(df['y'])\n"
    "a, b, c, d = train_test_split(df, y)\n",
    # a helper with a mode argument: only the branch each call takes runs
    "s = StandardScaler()\ntrain, test = train_test_split(df)\ndef enc(frame, mode='fit'):\n    if mode == 'fit':\n"
    "        out = s.fit_transform(frame)\n    else:\n        out = s.transform(frame)\n    return out\n"
    "X_tr = enc(train)\nX_te = enc(test, 'transform')\n",
    # per-sample statistics of data taken from a list of samples made in an earlier loop
    "crops = []\nfor r in df.values:\n    crops.append(r[:4])\ntr, te = crops[:10], crops[10:]\n"
    "def noise(c):\n    return c - np.median(c)\nfor c in te:\n    print(noise(c))\n",
    # a transformer that is refitted on the training part after the split
    "s = StandardScaler()\ns.fit(df)\ntrain, test = train_test_split(df)\ns.fit(train)\nx = s.transform(test)\n",
])
def test_near_misses_are_silent(body):
    assert lines(HEAD + body, "ML1002") == []


def test_branches_are_joined_and_loops_reach_a_fixed_point():
    source = HEAD + (
        "if len(df) > 10:\n    X = StandardScaler().fit_transform(df)\nelse:\n    X = df.values\n"
        "for _ in range(3):\n    X = X * 1.0\na, b = train_test_split(X)\n")
    assert lines(source, "ML1002") == [7]


def test_unimported_conventional_names_resolve_to_their_modules():
    """Snippets and notebooks often use np/pd/sklearn classes without importing them."""
    source = ("df = pd.read_csv('d.csv')\nX = StandardScaler().fit_transform(df)\n"
              "X_train, X_test = train_test_split(X)\n")
    assert lines(source, "ML1002") == [2]
    # a name the file binds itself is not a convention
    assert lines("def train_test_split(x):\n    return x, x\n" + source, "ML1002") == []


# -- notebooks in cell order; related locations ---------------------------------------------

CELLS = [
    "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split\n",
    "df = pd.read_csv('d.csv')\nX = StandardScaler().fit_transform(df)\n",
    "print(X.shape)\n",
    "X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)\n",
]


def test_a_notebook_is_one_program_in_cell_order():
    found = [f for f in check_source(notebook_json(CELLS).encode(), "eda.ipynb", select=["ML1002"])]
    assert len(found) == 1
    leak = found[0]
    assert (leak.cell, leak.line) == (1, 2)
    assert "cell 3, line 1" in leak.message
    assert [(r["cell"], r["line"]) for r in leak.related] == [(3, 1)]


def test_related_locations_reach_sarif(cli, make_repo):
    root = make_repo({"README.md": "# x\n", "train.py": LEAK.lstrip("\n")})
    out = cli("check", "--no-cache", "--exit-zero", "--select", "ML1002", "-o", "sarif", root)
    results = json.loads(out.stdout)["runs"][0]["results"]
    leak = next(r for r in results if r["ruleId"] == "ML1002")
    assert leak["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    related = leak["relatedLocations"]
    assert [r["physicalLocation"]["region"]["startLine"] for r in related] == [8]
    assert related[0]["message"]["text"]


# -- object evidence ------------------------------------------------------------------------

def test_evidence_from_annotations_and_class_bases():
    """An optimizer known from a parameter's annotation, or from a local class's base, is stepped
    without zeroing: reported; ``o.step()`` of an object nothing says is an optimizer: silent."""
    annotated = ("import torch\ndef train(model, loader, o: torch.optim.Optimizer):\n    for x in loader:\n"
                 "        model(x).sum().backward()\n        o.step()\n")
    assert lines(annotated, "ML1305") == [5]
    based = ("import torch\nclass Lion(torch.optim.Optimizer):\n    pass\n"
             "def train(model, loader):\n    o = Lion(model.parameters())\n    for x in loader:\n"
             "        model(x).sum().backward()\n        o.step()\n")
    assert lines(based, "ML1305") == [8]
    unknown = ("import torch\ndef train(model, loader, o):\n    for x in loader:\n"
               "        model(x).sum().backward()\n        o.step()\n")
    assert lines(unknown, "ML1305") == []


def test_ml1301_reads_pandas_evidence_without_an_import():
    assert lines("df = pd.read_csv('d.csv')\nrows = df[df['age'] == np.nan]\n", "ML1301") == [2]


def test_ml1307_knows_a_module_from_its_base_class():
    source = "class Net(nn.Module):\n    def forward(self, x):\n        return x\nnet = Net()\ny = net.forward(1)\n"
    assert lines(source, "ML1307") == [5]


# -- randomness across the program --------------------------------------------------------------

def test_a_shuffling_loader_without_a_seed_anywhere_is_reported_once():
    source = ("import torch\nfrom torch.utils.data import DataLoader\n"
              "train = DataLoader(ds, batch_size=8, shuffle=True)\nval = DataLoader(ds2, shuffle=True)\n")
    assert lines(source, "ML0401") == [3]


def test_framework_seeding_anywhere_in_the_entry_point_counts():
    source = ("import torch\nfrom torch.utils.data import DataLoader\nimport lightning as L\n"
              "def loaders():\n    return DataLoader(ds, shuffle=True)\n"
              "if __name__ == '__main__':\n    L.seed_everything(0)\n    loaders()\n")
    assert lines(source, "ML0401") == []


def test_a_reseeded_generator_is_seeded():
    source = "import random\nrng = random.Random()\nrng.seed(7)\nprint(rng.random())\n"
    assert lines(source, "ML0401") == []
    assert lines("import random\nrng = random.Random()\nprint(rng.random())\n", "ML0401") == [2]


def test_an_explicit_random_state_none_is_unseeded():
    source = ("from sklearn.model_selection import train_test_split\n"
              "a, b = train_test_split([1, 2, 3, 4], test_size=0.5, random_state=None)\n")
    assert lines(source, "ML0401") == [2]


# -- training loops -----------------------------------------------------------------------------

def test_distributed_autograd_steps_need_no_zero_grad():
    source = ("import torch\nimport torch.distributed.autograd as dist_autograd\n"
              "def run(model, opt, batches):\n    for x in batches:\n"
              "        with dist_autograd.context() as context_id:\n"
              "            loss = model(x).sum()\n            dist_autograd.backward(context_id, [loss])\n"
              "            opt.step(context_id)\n")
    assert lines(source, "ML1305") == []


def test_a_fresh_optimizer_per_step_counts_as_zeroing():
    source = ("import torch\ndef run(model, batches):\n    for x in batches:\n"
              "        opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
              "        model(x).sum().backward()\n        opt.step()\n")
    assert lines(source, "ML1305") == []
    missing = ("import torch\ndef run(model, batches):\n    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
               "    for x in batches:\n        model(x).sum().backward()\n        opt.step()\n")
    assert lines(missing, "ML1305") == [6]


# -- several models judged on one test part ------------------------------------------------

def test_multi_test_leakage_is_reported_once_per_split():
    source = HEAD + (
        "from sklearn.linear_model import LogisticRegression\nfrom sklearn.tree import DecisionTreeClassifier\n"
        "X_train, X_test, y_train, y_test = train_test_split(df, df['y'], random_state=0)\n"
        "for model in [LogisticRegression(), DecisionTreeClassifier()]:\n"
        "    model.fit(X_train, y_train)\n    print(model.score(X_test, y_test))\n")
    assert len(lines(source, "ML1003")) == 1
    single = HEAD + (
        "from sklearn.linear_model import LogisticRegression\n"
        "X_train, X_test, y_train, y_test = train_test_split(df, df['y'], random_state=0)\n"
        "model = LogisticRegression().fit(X_train, y_train)\nprint(model.score(X_test, y_test))\n")
    assert lines(single, "ML1003") == []


SEVERAL_FITS = """
import pandas as pd
from sklearn.preprocessing import StandardScaler, MinMaxScaler
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
df = pd.read_csv("d.csv")
X, y = df.drop(columns="y"), df.y
a = StandardScaler().fit(X)
b = MinMaxScaler().fit(X)
c = PCA(2).fit(X)
X = c.transform(b.transform(a.transform(X)))
X = X - X.mean()
X1, X2, y1, y2 = train_test_split(X, y, test_size=0.2, random_state=0)
X3, X4, y3, y4 = train_test_split(X, y, test_size=0.3, random_state=1)
"""


def test_the_same_source_gives_the_same_findings_in_the_same_order():
    """Events kept in sets (ordered by memory address) are visited by position: every analysis of the
    same file reports the same leaks, anchored at the same lines, in the same order (baselines and
    ignore comments rely on it)."""
    runs = {tuple((f.line, f.message) for f in check_source(SEVERAL_FITS, select=["ML1002", "ML0902"])) for _ in range(25)}
    assert len(runs) == 1
    assert len(next(iter(runs))) >= 4  # four fits learn from the rows split afterwards


def test_eval_mode_resolves_model_calls_only_where_they_are_judged(counter):
    """ML1306 reads the model calls of scopes judged as evaluations (by their name), of private helpers
    (handed to their callers) and of loops over evaluation data; elsewhere it resolves no callee, and the
    same calls are still reported where they are judged."""
    from mllint.catalogue.loader import builtin_rules

    rule = builtin_rules(["ML1306"])["ML1306"]
    calls = counter(rule, "_model_callee")
    head = "import torch\nmodel = torch.load('m.pt')\n"
    assert check_source(head + "def train(x):\n    return model(x)\n", select=["ML1306"]) == []
    assert calls["calls"] == 0
    judged = {
        "def evaluate(x):\n    return model(x)\n": [4],
        "def _run(net, x):\n    return net(x)\ndef evaluate(x):\n    return _run(model, x)\n": [6],
        "def main(val_loader):\n    for x in val_loader:\n        print(model(x))\n": [5],
    }
    for body, expected in judged.items():
        assert sorted(f.line for f in check_source(head + body, select=["ML1306"])) == expected, body
    assert calls["calls"] >= 3
