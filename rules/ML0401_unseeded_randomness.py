"""ML0401 unseeded-randomness: random splits, estimators and global RNGs without a seed.

A use inside a function counts when the file's own code runs that function (``mllint.analysis.reach``:
called from module level, a notebook, the ``__main__`` block, or a framework hook of an object the
file hands over); a generator object counts as seeded when the data flow sees it seeded before any
use. One finding per RNG per file (its fix seeds every call of the group).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from mllint.analysis.children import child_nodes
from mllint.analysis.context import FUNCTION_NODES
from mllint.analysis.edits import RawFix, TextEdit, add_keyword, replace
from mllint.analysis.flow import DataFlow
from mllint.analysis.reach import Reachability
from mllint.catalogue.rule import CodeRule, Example, FixExample
from mllint.knowledge.runtime import NameJudgements

LOCAL_SEEDS = ("seed", "generator", "random_state", "rng")
PLACEHOLDER_WORDS = ("dummy", "example_input", "sample_input", "fake_input", "test_input")


@dataclass
class _Use:
    """A use of an unseeded RNG, judged at the end of the file."""

    node: ast.AST
    rng: str
    message: str
    function: ast.AST | None  # the innermost enclosing function, None at module level
    cls: ast.ClassDef | None
    edits: list[TextEdit] = field(default_factory=list)  # what seeding this use takes (a keyword added)
    fix_message: str = ""


#: Module-level constants a fix may pass as the seed (the first one the module defines).
SEED_CONSTANTS = ("SEED", "RANDOM_SEED", "RANDOM_STATE", "SEED_VALUE", "GLOBAL_SEED")


def _global_rngs(knowledge) -> tuple[dict[str, str], list[tuple[str, str, set]], dict[str, str]]:
    """The global RNGs' callables, prefixes (with their exclusions) and seeding advice: made once per knowledge."""
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str, set]] = []
    show: dict[str, str] = {}
    for rng, spec in knowledge.get("global_rngs", {}).items():
        for name in spec.get("callables", ()):
            exact[name] = rng
        for prefix in spec.get("prefixes", ()):
            prefixes.append((prefix, rng, set(spec.get("exclude", ()))))
        show[rng] = spec.get("show", f"seed {rng}")
    return exact, prefixes, show


_SEEDER, _HELPER, _CALLABLE, _GENERATOR, _SHUFFLER, _PLAIN = "seeder", "helper", "callable", "generator", "shuffler", "plain"


class _NameKinds(NameJudgements[tuple[str, Any, str | None]]):
    """What a resolved callee's name alone says to :meth:`UnseededRandomness.visit_Call`: a seeder (the RNGs it
    seeds), a seeding helper, a seeded callable, a generator or a shuffler (their spec), else a plain call (the
    label of a possible loader helper, the global RNG it draws from). A pure function of the name and the
    knowledge, made once per knowledge: the same callees recur in file after file, so each name is judged once
    (the memo only remembers answers, it changes none)."""

    def __init__(self, knowledge) -> None:
        super().__init__()
        self.seeders: dict[str, list] = knowledge.get("seeders", {})
        self.callables: dict[str, dict] = knowledge.get("random_state_callables", {})
        self.generators: dict[str, dict] = knowledge.get("unseeded_generators", {})
        self.shufflers: dict[str, dict] = knowledge.get("torch_shufflers", {})
        self.helper_words, self.library_roots = knowledge.derived(_helper_tables)
        self.rng_exact, self.rng_prefixes, _ = knowledge.derived(_global_rngs)

    def judge(self, name: str) -> tuple[str, object, str | None]:
        if name in self.seeders:
            return _SEEDER, self.seeders[name], None
        root = name.split(".", 1)[0]
        last = name.rsplit(".", 1)[-1]
        if self.helper_words.search(last.lower()) and root not in self.library_roots:
            return _HELPER, None, None  # a project function whose name says it seeds (utils.set_seed)
        spec = self.callables.get(name)
        if spec is not None:
            return _CALLABLE, spec, None
        if name in self.generators:
            return _GENERATOR, self.generators[name], None
        if name in self.shufflers:
            return _SHUFFLER, self.shufflers[name], None
        # a project helper building a shuffling DataLoader (get_loader(..., shuffle=True)): its name first
        loader = (last if root not in self.library_roots and not name.startswith(("torch.", "lightning."))
                  and last and "loader" in last.lower() else None)
        return _PLAIN, loader, self._global_rng(name)

    def _global_rng(self, name: str) -> str | None:
        rng = self.rng_exact.get(name)
        if rng is not None:
            return rng
        for prefix, rng, exclude in self.rng_prefixes:
            if name.startswith(prefix):
                rest = name[len(prefix):]
                if rest.split(".", 1)[0] in exclude or not rest:
                    return None
                return rng
        return None


class UnseededRandomness(CodeRule):
    requires = (Reachability, DataFlow)
    code = "ML0401"
    name = "unseeded-randomness"
    factor = 4
    severity = "warning"
    summary = "Randomness (splits, estimators, global RNGs, data loaders) without a seed."
    why = """
        Factor 4 (reproducible training): a split, a forest or a shuffled data loader that draws
        from an unseeded random number generator gives a different model on every run. Results
        cannot be reproduced, regressions cannot be told from noise, and two runs cannot be
        compared (factor 10).
    """
    how_to_fix = """
        Pass a seed read from configuration where the call accepts one
        (`train_test_split(..., random_state=params["seed"])`,
        `RandomForestClassifier(random_state=cfg.seed)`, `ds.shuffle(seed=cfg.seed)`), seed each
        global RNG the program uses once at start-up (`np.random.seed`, `random.seed`,
        `torch.manual_seed`, or `lightning.seed_everything`/`transformers.set_seed`), and give
        generators a seed (`np.random.default_rng(cfg.seed)`, `torch.Generator().manual_seed(cfg.seed)`).
    """
    violating = [
        Example("""
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg.test_size)
        """, lines=(2,), note="no random_state and numpy never seeded"),
        Example("""
            import pandas as pd
            data = pd.read_csv("data/houses.csv")
            train_data = data.sample(frac=cfg.train_fraction)
            test_data = data.drop(train_data.index)
        """, lines=(3,), note="pandas' sample draws the split from numpy's global RNG"),
        Example("""
            import numpy as np
            from sklearn.ensemble import RandomForestClassifier as RF
            noise = np.random.randn(100)
            model = RF(n_estimators=cfg.n)
        """, lines=(3,), note="aliases; the forest falls back on numpy's unseeded RNG too: one finding per RNG per file"),
        Example("""
            import sklearn.model_selection as ms
            cv = ms.KFold(n_splits=5, shuffle=True)
        """, note="shuffle=True without random_state"),
        Example(cells=("import random\nitems = list(range(100))", "random.shuffle(items)\nprint(items[:5])"),
                path="explore.ipynb", note="python's random in a notebook, never seeded"),
        Example("""
            import torch
            from torch.utils.data import DataLoader
            def main():
                loader = DataLoader(dataset, batch_size=32, shuffle=True)
                for batch in loader:
                    step(batch)
            if __name__ == "__main__":
                main()
        """, lines=(4,), note="shuffling loader in a program that never seeds torch"),
        Example("""
            import numpy as np
            rng = np.random.default_rng()
            gen = np.random.RandomState()
        """, lines=(2, 3), note="generators without a seed"),
        Example("""
            from datasets import load_dataset
            ds = load_dataset("imdb")["train"].shuffle()
            parts = ds.train_test_split(test_size=cfg.test_size)
        """, lines=(2,), note="Hugging Face datasets without seed"),
        Example("""
            from sklearn.model_selection import KFold
            kf = KFold(n_splits=5, shuffle=True, random_state=None)
        """, lines=(2,), note="an explicit random_state=None is no seed"),
        Example("""
            import torch
            from data_loader import get_loader
            def main(args):
                loader = get_loader(args.image_dir, batch_size=args.batch_size, shuffle=True)
                for images, captions in loader:
                    step(images, captions)
            if __name__ == "__main__":
                main(parse_args())
        """, lines=(4,), note="a project helper building a shuffling loader, in a program that never seeds torch"),
        Example("""
            import random
            rng = random.Random()
            print(rng.random())
            rng.seed(cfg.seed)
        """, lines=(2,), note="drawn from before it is seeded"),
        Example("""
            import numpy as np
            import matplotlib.pyplot as plt
            for i, idx in enumerate(np.random.choice(len(images), size=16)):
                plt.subplot(4, 4, i + 1).imshow(images[idx])
                model.train_on_batch(images[idx], labels[idx])
        """, lines=(3,), note="the drawn indices are shown, and trained on too"),
    ]
    compliant = [
        Example(cells=(
            "import numpy as np\nimport matplotlib.pyplot as plt\nfig = plt.figure(figsize=(20, 8))",
            "for i, idx in enumerate(np.random.choice(x_test.shape[0], size=32, replace=False)):\n"
            "    ax = fig.add_subplot(4, 8, i + 1, xticks=[], yticks=[])\n"
            "    ax.imshow(np.squeeze(x_test[idx]))\n"
            "    pred, true = np.argmax(y_hat[idx]), np.argmax(y_test[idx])\n"
            "    ax.set_title(f\"{labels[pred]} ({labels[true]})\", color=(\"green\" if pred == true else \"red\"))",
            "sample = np.random.randint(0, len(images))\nplt.imshow(images[sample])\nprint(np.random.rand(3))"),
            path="explore.ipynb", note="random samples drawn only to look at (a figure, a printout): no result depends on them"),
        Example("""
            import pandas as pd
            data = pd.read_csv("data/houses.csv")
            train_data = data.sample(frac=cfg.train_fraction, random_state=cfg.seed)
            preview = data.sample(5)
        """, note="a seeded split; a few rows drawn to look at (no fraction) are not a split"),
        Example("""
            import numpy as np
            from sklearn.ensemble import RandomForestClassifier
            np.random.seed(42)
            noise = np.random.rand(3)
            model = RandomForestClassifier(n_estimators=cfg.n)
        """, note="numpy's global RNG is seeded (scikit-learn falls back to it)"),
        Example("""
            from sklearn.model_selection import KFold, train_test_split
            parts = train_test_split(X, y, random_state=cfg.seed)
            cv = KFold(5)
            cv2 = KFold(n_splits=5, shuffle=True, random_state=cfg.seed)
            ordered = train_test_split(X, y, shuffle=False)
        """, note="seeded, or not random at all"),
        Example("""
            import torch
            from torch.utils.data import DataLoader
            from mypkg.utils import set_seed
            set_seed(cfg.seed)
            x = torch.randn(3)
            g = torch.Generator()
            g.manual_seed(cfg.seed)
            loader = DataLoader(ds, shuffle=True, generator=g)
        """, note="a project seeding helper; a seeded generator"),
        Example("""
            import numpy as np
            def augment(x):
                return x + np.random.normal(0, 0.1, x.shape)
        """, path="mypkg/augment.py", note="library module: the program that imports it seeds"),
        Example(cells=("import lightning as L\nimport torch\nL.seed_everything(42)", "x = torch.randn(8, 3)\nidx = torch.randperm(8)"),
                path="model.ipynb", note="seed_everything seeds every RNG"),
        Example("""
            import random
            import numpy as np
            import xgboost as xgb
            rng = np.random.default_rng(cfg.seed)
            r = random.Random(cfg.seed)
            model = xgb.XGBClassifier(n_estimators=cfg.n)
        """, note="seeded generators; xgboost's default seed is fixed"),
        Example("""
            import torch
            from models import Net
            dummy_input = torch.randn(1, 3, 224, 224)
            torch.onnx.export(Net(), dummy_input, "net.onnx")
            if __name__ == "__main__":
                print(Net()(torch.randn(2, 3, 32, 32)).shape)
        """, note="placeholder inputs for export and shape checks"),
        Example("""
            import random
            class Reader:
                def __init__(self):
                    self.rng = random.Random()
                def set_epoch(self, seed, epoch):
                    self.rng = random.Random(seed + epoch)
                def sample(self, items):
                    return self.rng.choice(items)
        """, note="replaced by a seeded generator before any use"),
        Example("""
            import lightning as L
            from torch.utils.data import DataLoader
            class DataModule(L.LightningDataModule):
                def train_dataloader(self):
                    return DataLoader(self.train_set, batch_size=32, shuffle=True)
            def main(cfg):
                L.seed_everything(cfg.seed)
                L.Trainer().fit(Model(), datamodule=DataModule())
            if __name__ == "__main__":
                main(load_config())
        """, note="a datamodule whose program seeds with seed_everything"),
        Example("""
            import torch
            from lightning import LightningDataModule
            from torch.utils.data import DataLoader
            class MNISTDataModule(LightningDataModule):
                def train_dataloader(self):
                    return DataLoader(self.data_train, batch_size=64, shuffle=True)
            if __name__ == "__main__":
                _ = MNISTDataModule()
        """, path="src/data/mnist_datamodule.py", note="a datamodule module: its smoke test never loads data; the training entry point seeds"),
        Example("""
            import numpy as np
            def test_shapes():
                x = np.random.rand(4, 2)
                assert x.shape == (4, 2)
        """, path="tests/test_shapes.py", note="test files"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        knowledge = ctx.knowledge
        self.methods: dict[str, dict] = knowledge.get("random_state_methods", {})
        self.helper_words = knowledge.derived(_helper_tables)[0]
        self.rng_show = knowledge.derived(_global_rngs)[2]
        self.shown = _Shown(ctx, knowledge.derived(_display_tables))
        self.kinds: _NameKinds = knowledge.derived(_NameKinds)
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited
        self.seeded: set[str] = set()
        # (node, rng, message, needs_program): uses inside defs count only in programs
        self.pending: list[_Use] = []
        self.torch_generators: dict[str, ast.Call] = {}
        #: generator objects built without a seed; reported unless seeded before any use, or replaced unused
        self.unseeded_rngs: list[tuple[ast.Call, str]] = []
        self.seeded_generators: set[str] = set()

    fixes = [
        FixExample("""
            import yaml
            from sklearn.model_selection import KFold
            params = yaml.safe_load(open("params.yaml"))
            cv = KFold(n_splits=params["folds"], shuffle=True)
        ""","""
            import yaml
            from sklearn.model_selection import KFold
            params = yaml.safe_load(open("params.yaml"))
            cv = KFold(n_splits=params["folds"], shuffle=True, random_state=params["seed"])
        """, unsafe=True, files={"params.yaml": "seed: 7\nfolds: 5\n"}, note="the params file's seed, through the file's loader"),
        FixExample("""
            from sklearn.model_selection import train_test_split
            RANDOM_SEED = 1234
            parts = train_test_split(X, y)
        ""","""
            from sklearn.model_selection import train_test_split
            RANDOM_SEED = 1234
            parts = train_test_split(X, y, random_state=RANDOM_SEED)
        """, unsafe=True, note="an existing seed constant is reused"),
    ]

    # -- traversal ----------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "manual_seed" and isinstance(func.value, ast.Name):
            self.seeded_generators.add(func.value.id)
        name = self.ctx.call_name(node)
        if name is None:
            self._unresolved(node)
            return
        kind, value, rng = self.kinds.of(name)
        if kind is _PLAIN:  # most calls: at most a loader helper or a global RNG draw
            if value is not None:
                self._loader_helper(node, value)
            if (rng is not None and not any(k.arg in LOCAL_SEEDS for k in node.keywords) and not self._placeholder(node)
                    and not self.shown.judge(node, self.ctx.parents[:-1])):
                label = _label(node)
                self.pending.append(self._use(node, rng, f"{label}() uses the global {rng} RNG, which this program never seeds; call {self.rng_show[rng]} once at start-up (seed from configuration) or use a seeded generator"))
        elif kind is _SEEDER:
            self.seeded.update(value)
        elif kind is _HELPER:
            self.seeded.add("all")
        elif kind is _CALLABLE:
            self._check_seed_param(node, value)
        elif kind is _GENERATOR:
            self._check_generator(node, name, value)
        else:  # _SHUFFLER
            spec = value
            if _applies(node, spec) and not _has_arg(node, spec["param"], spec.get("position")) and not _has_star_kwargs(node):
                label = _label(node)
                self.pending.append(self._use(node, "torch", f"{label}() shuffles with torch's global RNG, which this program never seeds; pass generator=torch.Generator().manual_seed(seed) or call torch.manual_seed"))

    def _unresolved(self, node: ast.Call) -> None:
        func = node.func
        label = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if label and self.helper_words.search(label.lower()) and label != "manual_seed":
            self.seeded.add("all")  # a local seeding helper (set_seed(), self.seed_all(), ...)
            return
        if isinstance(func, ast.Attribute):
            spec = self.methods.get(func.attr)
            if spec is not None and self.ctx.imports_any(spec.get("requires_import", ())):
                self._check_seed_param(node, spec)
                return
        self._loader_helper(node, label)

    def _loader_helper(self, node: ast.Call, label: str) -> None:
        """``get_loader(..., shuffle=True)``: a project helper building a shuffling DataLoader."""
        if not (label and "loader" in label.lower()):
            return  # the name first: the keywords of most calls need not be read
        shuffle = _keyword_value(node, "shuffle")
        if isinstance(shuffle, ast.Constant) and shuffle.value is True \
                and self.ctx.imports_any(("torch",)) and not any(k.arg in ("generator", "seed") for k in node.keywords):
            self.pending.append(self._use(node, "torch", f"{_label(node)}(shuffle=True) builds a shuffling data loader in a program that never seeds torch; call torch.manual_seed(seed) at start-up or pass a seeded generator"))

    def _use(self, node: ast.AST, rng: str, message: str) -> _Use:
        function = next((s for s in reversed(self.ctx.scopes) if isinstance(s, FUNCTION_NODES)), None)
        return _Use(node, rng, message, function, self.ctx.enclosing_class())

    def _placeholder(self, node: ast.Call) -> bool:
        """A dummy input (``dummy = torch.randn(1, 3, 224, 224)`` for tracing/export/shape checks)."""
        parent = self.ctx.parent
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            if any(word in parent.targets[0].id.lower() for word in PLACEHOLDER_WORDS):
                return True
        if any(isinstance(p, ast.If) and _is_main_guard(p) for p in self.ctx.parents):
            # a smoke test of a model file: random input of a literal shape
            return all(isinstance(arg, ast.Constant) and isinstance(arg.value, int) for arg in node.args) and not node.keywords
        return False

    def _check_seed_param(self, node: ast.Call, spec: dict) -> None:
        explicit = _keyword_value(node, spec["param"])
        explicit_none = isinstance(explicit, ast.Constant) and explicit.value is None
        if _has_star_kwargs(node) or (not explicit_none and not _applies(node, spec)):
            return  # an explicit random_state=None asks for an unseeded stream even where none is drawn yet
        params = [spec["param"], *spec.get("also", ())]
        if not explicit_none and any(_has_arg(node, param, spec.get("position") if param == spec["param"] else None)
                                     for param in params):
            return
        label = _label(node)  # the callee as shown (unparsed) only for a finding
        message = (f"{label}() without {spec['param']}: its default draws from an unseeded RNG; "
                   f"pass {spec['param']}= a seed read from configuration")
        if explicit_none:
            message = (f"{label}({spec['param']}=None) draws from an unseeded RNG; "
                       f"pass {spec['param']}= a seed read from configuration")
        use = self._use(node, spec.get("rng", "numpy"), message)
        use.function = None  # an estimator or split without a seed is unseeded wherever it is built
        seed = self._seed_expression()
        if seed:
            use.edits = [replace(explicit, seed) if explicit_none and explicit is not None else add_keyword(node, spec["param"], seed, self.ctx.lines)]
            use.fix_message = f"pass {spec['param']}={seed} (unsafe: results change to the seeded ones)"
        self.pending.append(use)

    def _seed_expression(self) -> str | None:
        """The seed a fix may pass: the params file's ``seed`` through the module's loader binding, else
        an existing module-level seed constant; None (no fix, only advice) when the file has neither."""
        params = self.ctx.params
        seed = params.sections.get("seed") if params is not None else None
        binding = self.ctx.params_reference()  # only where the module's binding is what the name means here
        if binding and isinstance(seed, int) and not isinstance(seed, bool):
            return f'{binding}["seed"]'
        for name in SEED_CONSTANTS:
            if name in self.ctx.constants and isinstance(self.ctx.constants[name][0], int) and self.ctx.sees_module_name(name):
                return name
        return None

    def _check_generator(self, node: ast.Call, name: str, spec: dict) -> None:
        label = _label(node)
        if spec.get("seed_method"):
            parent = self.ctx.parent
            if isinstance(parent, ast.Attribute) and parent.attr == spec["seed_method"]:
                return
            if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
                self.torch_generators[parent.targets[0].id] = node
                return
            self.report(node, f"{label}() without .{spec['seed_method']}(seed): its stream is unpredictable")
            return
        explicit_none = any(k.arg == spec.get("param") and isinstance(k.value, ast.Constant) and k.value.value is None
                            for k in node.keywords)
        if not explicit_none and (node.args or any(k.arg == spec.get("param") or k.arg is None for k in node.keywords)):
            return
        self.unseeded_rngs.append((node, f"{label}() without a seed: its stream differs on every run; pass a seed read from configuration"))

    # -- judgement ---------------------------------------------------------------------------
    def finish(self) -> None:
        if not self.active:
            return
        for name, node in self.torch_generators.items():
            if name not in self.seeded_generators:
                self.report(node, f"torch.Generator() bound to {name!r} is never given .manual_seed(seed)")
        for node, message in self.unseeded_rngs:
            value = self.analysis(DataFlow).value_of(node)
            objs = value.objs if value is not None else frozenset()
            if objs and all((o.seeded and not o.used_unseeded) or o.replaced for o in objs):
                continue  # re-seeded before use, or replaced by a seeded one before any use
            self.report(node, message)
        if "all" in self.seeded or not self.pending:
            return
        uses: dict[str, list[_Use]] = {}
        for use in self.pending:
            if use.rng in self.seeded:
                continue
            if use.function is not None and not self.analysis(Reachability).runs(use.function, use.cls):
                continue  # in a function the file's own code never runs: its program seeds (or not) elsewhere
            uses.setdefault(use.rng, []).append(use)
        for rng, group in uses.items():  # one finding per RNG per file
            first = group[0]
            others = sorted({getattr(u.node, "lineno", 0) for u in group[1:]} - {getattr(first.node, "lineno", 0)})
            more = ""
            if others:
                shown = ", ".join(str(line) for line in others[:5]) + (", …" if len(others) > 5 else "")
                more = (f" ({len(group) - 1} more use{'s' if len(group) > 2 else ''} of the {rng} RNG in this file: "
                        f"line{'s' if len(others) > 1 else ''} {shown})")
            fix = None
            if first.edits and all(u.edits for u in group):  # every use seedable by a keyword: fix them all
                fix = RawFix("unsafe", first.fix_message + (f", and at the {len(group) - 1} other uses" if len(group) > 1 else ""),
                             [edit for u in group for edit in u.edits])
            self.report(first.node, first.message + more, fix=fix)


#: Builtins that only reshape a value on its way to a display (``enumerate(np.random.choice(...))``).
_PURE_BUILTINS = frozenset({"abs", "enumerate", "float", "int", "len", "list", "max", "min", "range", "reversed", "round",
                            "sorted", "str", "tuple", "zip"})
#: Expressions a drawn value passes through unchanged in kind (indexing, arithmetic, formatting, containers).
_PASS_THROUGH = (ast.Attribute, ast.Subscript, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple,
                 ast.List, ast.Set, ast.Dict, ast.JoinedStr, ast.FormattedValue, ast.Starred, ast.keyword, ast.Slice)
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
MAX_HOPS = 3  # names a drawn value may pass through (``idx`` -> ``pred = y_hat[idx]`` -> a title)
MAX_NODES = 20_000  # nodes read to follow one draw's value; past them it counts as used (reported)


def _helper_tables(knowledge) -> tuple[re.Pattern[str], frozenset[str]]:
    """``[seed_helpers]``: one search for any of the (lower-case) words a seeding helper's name contains (a
    substring test of each word), and the library roots; made once per knowledge."""
    helpers = knowledge.get("seed_helpers", {})
    words = [w.lower() for w in helpers.get("name_contains", ["seed"])]
    return (re.compile("|".join(re.escape(word) for word in words) or "(?!)"),
            frozenset(helpers.get("library_roots", ())))


def _display_tables(knowledge) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """The calls that show a value: plotting and display libraries' prefixes, the printers (shared with
    ML0702's ``metrics_printers``) and figure methods; made once per knowledge."""
    display = knowledge.get("display_calls", {})
    return (tuple(display.get("prefixes", ())), frozenset(knowledge.get("metrics_printers", {}).get("callables", ())),
            frozenset(display.get("methods", ())))


class _Shown:
    """Whether a global RNG draw only reaches displays: its value, and the names it is bound to (in the
    statements after the binding, or the body of the loop over it), flow into nothing but plotting,
    printing or a notebook display: a random sample of images to look at changes no result."""

    def __init__(self, ctx, tables: tuple[tuple[str, ...], frozenset[str], frozenset[str]]) -> None:
        self.ctx = ctx
        self.prefixes, self.callables, self.methods = tables
        self.budget = MAX_NODES

    def judge(self, node: ast.AST, ancestors: list[ast.AST]) -> bool:
        """Whether the draw ``node`` (``ancestors``: the module down to its parent) only reaches displays."""
        self.budget = MAX_NODES
        return self.only_shown(node, ancestors)

    def only_shown(self, node: ast.AST, ancestors: list[ast.AST], hops: int = 0) -> bool:
        """``ancestors``: from the module down to ``node``'s parent."""
        child = node
        for index in range(len(ancestors) - 1, -1, -1):
            parent = ancestors[index]
            if isinstance(parent, ast.Call):
                if child is parent.func:  # a method of the drawn value (``.round(2)``, ``.reshape(...)``)
                    child = parent
                    continue
                if self._displays(parent):
                    return True
                if not self._pure(parent):
                    return False  # handed to other code (a fit, a loss, a file): not only shown
                child = parent
            elif isinstance(parent, _PASS_THROUGH):
                child = parent
            elif isinstance(parent, ast.Expr):
                return child is not node  # a drawn value shaped and shown as a cell's value; not a bare
                # draw, which may work in place (``random.shuffle(items)``)
            elif isinstance(parent, ast.Assign) and hops < MAX_HOPS:
                names = _target_names(parent.targets)
                if names is None:
                    return False  # kept in an attribute or a container: read anywhere
                holder = ancestors[index - 1] if index else None
                block = _block_after(parent, holder)
                return block is not None and holder is not None and self._uses_shown(names, block, holder, hops + 1)
            elif isinstance(parent, (ast.For, ast.AsyncFor)) and child is parent.iter and hops < MAX_HOPS:
                names = _target_names([parent.target])
                return names is not None and self._uses_shown(names, parent.body, parent, hops + 1)
            else:
                return False
        return False

    def _displays(self, call: ast.Call) -> bool:
        func = call.func
        name = self.ctx.call_name(call)
        if name is None and isinstance(func, ast.Name) and func.id not in self.ctx.imports:
            name = func.id  # print(...), a notebook's display(...)
        if name is not None and (name in self.callables or name.startswith(self.prefixes)):
            return True
        return isinstance(func, ast.Attribute) and func.attr in self.methods

    def _pure(self, call: ast.Call) -> bool:
        """numpy functions, a few builtins and string formatting only transform the value they are given."""
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            return True  # "{} ({})".format(...), ", ".join(...)
        name = self.ctx.call_name(call)
        if name is not None:
            return name.startswith("numpy.")
        return isinstance(func, ast.Name) and func.id in _PURE_BUILTINS and func.id not in self.ctx.imports

    def _uses_shown(self, names: list[str], block: list[ast.stmt], holder: ast.AST, hops: int) -> bool:
        """Every read of ``names`` in ``block`` (of ``holder``; nested functions and classes left out) only
        reaches displays."""
        wanted = set(names)
        stack: list[tuple[ast.AST, list[ast.AST]]] = [(stmt, [holder]) for stmt in reversed(block)]
        read = False
        while stack:
            self.budget -= 1
            if self.budget < 0:
                return False  # too much to follow (a long notebook): judged as used
            current, path = stack.pop()
            if isinstance(current, ast.Name) and current.id in wanted and isinstance(current.ctx, ast.Load):
                if not self.only_shown(current, path, hops):
                    return False
                read = True
                continue
            if isinstance(current, _NESTED_SCOPES):
                continue
            inner = [*path, current]
            stack.extend((child, inner) for child in child_nodes(current))
        return read  # a value nothing reads here may be read elsewhere (another cell's %run, globals())


def _target_names(targets: list[ast.expr]) -> list[str] | None:
    """The names assignment targets bind (``a``, ``i, (x, y)``, ``*rest``); None when one is not a name."""
    names: list[str] = []
    todo = list(targets)
    while todo:
        target = todo.pop()
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            todo.extend(target.elts)
        elif isinstance(target, ast.Starred):
            todo.append(target.value)
        else:
            return None
    return names


def _block_after(stmt: ast.stmt, holder: ast.AST | None) -> list[ast.stmt] | None:
    """The statements after ``stmt`` in the block of ``holder`` that holds it."""
    if holder is None:
        return None
    for field in ("body", "orelse", "finalbody"):
        block = getattr(holder, field, None)
        if isinstance(block, list):
            for index, item in enumerate(block):
                if item is stmt:
                    return block[index + 1:]
    for handler in getattr(holder, "handlers", ()) or getattr(holder, "cases", ()):
        for index, item in enumerate(handler.body):
            if item is stmt:
                return handler.body[index + 1:]
    return None


def _label(node: ast.Call) -> str:
    shown = ast.unparse(node.func)
    return shown if len(shown) <= 40 else shown.rsplit(".", 1)[-1]


def _applies(node: ast.Call, spec: dict) -> bool:
    """``when``: literal keyword values that must be present; ``unless``: values that switch randomness off;
    ``with_keyword``: keywords one of which must be given (any value)."""
    required = spec.get("with_keyword")
    if required and not any(keyword.arg in required for keyword in node.keywords):
        return False
    given = {}
    for keyword in node.keywords:
        if keyword.arg and isinstance(keyword.value, ast.Constant):
            given[keyword.arg] = keyword.value.value
    for key, value in spec.get("when", {}).items():
        if given.get(key, not value) != value:
            return False
    for key, value in spec.get("unless", {}).items():
        if key in given and given[key] == value:
            return False
    return True


def _has_arg(node: ast.Call, param: str, position: int | None) -> bool:
    if any(keyword.arg == param for keyword in node.keywords):
        return True
    return position is not None and len(node.args) > position


def _has_star_kwargs(node: ast.Call) -> bool:
    return any(keyword.arg is None for keyword in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args)


def _is_main_guard(stmt: ast.If) -> bool:
    test = stmt.test
    return isinstance(test, ast.Compare) and any(isinstance(n, ast.Constant) and n.value == "__main__" for n in (test.left, *test.comparators))


def _keyword_value(node: ast.Call, name: str) -> ast.AST | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None
