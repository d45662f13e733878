"""ML0301 hardcoded-split: a literal split ratio or size written into the code."""

from __future__ import annotations

import ast
import re

from mllint.analysis.children import child_nodes
from mllint.analysis.context import FUNCTION_NODES, eval_binop
from mllint.analysis.edits import RawFix
from mllint.analysis.params import move_to_params
from mllint.catalogue.rule import CodeRule, Example, FixExample
from mllint.knowledge.loader import canonical

#: Calls that keep one side of a cut: ds.take(k) keeps [:k], ds.skip(k) keeps [k:]; select/Subset take index ranges.
ONE_SIDED = {"take": "upper", "head": "upper", "skip": "lower", "tail": "lower", "select": "range", "Subset": "range"}
PERCENT_SLICE = re.compile(r"\[[^\]]*\d+(\.\d+)?%[^\]]*\]")
TOKENS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _names_in(node: ast.AST) -> set[str]:
    """Names read in a small expression (slice bounds, call arguments)."""
    found = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            found.add(current.id)
        elif isinstance(current, (ast.BinOp, ast.UnaryOp, ast.List, ast.Tuple, ast.Call, ast.Starred)):
            stack.extend(child_nodes(current))
    return found


class HardcodedSplit(CodeRule):
    code = "ML0301"
    name = "hardcoded-split"
    factor = 3
    severity = "warning"
    summary = "A train/test split ratio or size is a literal in the code instead of configuration."
    why = """
        Factor 3 (configuration separate from code): the split is part of the experiment's
        definition. Written as `test_size=0.2` in a script, it cannot be changed without editing
        code, is invisible to experiment tracking and to `dvc params diff`, and two runs with
        different splits look comparable when they are not (factor 10).
    """
    how_to_fix = """
        Put the ratio in the project's parameters (e.g. `split.test_size` in `params.yaml`) and
        read it: `train_test_split(X, y, test_size=params.split.test_size, ...)`. A module-level
        constant is still configuration inside code: move it to the params file. A literal fraction
        passed to the project's own function under a split name (`preprocess(df, test_size=0.05)`)
        is reported too; a fraction of a length is a split point only when the data is cut into
        two complementary parts (`x[:k]` and `x[k:]`), not for percentiles or windows.
    """
    violating = [
        Example("""
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
        """, lines=(2,)),
        Example("""
            from sklearn.model_selection import train_test_split as tts
            parts = tts(X, y, train_size=0.75)
        """, note="aliases resolve"),
        Example("""
            import sklearn.model_selection as ms
            TEST_SIZE = 0.25
            splitter = ms.StratifiedShuffleSplit(n_splits=5, test_size=TEST_SIZE)
        """, note="a module constant is configuration in code"),
        Example("""
            import torch
            train_ds, val_ds = torch.utils.data.random_split(dataset, [0.8, 0.2])
        """),
        Example("""
            n_train = int(0.8 * len(df))
            train, test = df[:n_train], df[n_train:]
        """, note="slicing at a literal fraction"),
        Example("""
            train_df = df.sample(frac=0.8, random_state=0)
            test_df = df.drop(train_df.index)
        """, note="df.sample used to split"),
        Example(cells=("from datasets import load_dataset\nds = load_dataset('imdb')",
                       "splits = ds['train'].train_test_split(test_size=0.1)"),
                path="explore.ipynb", note="Hugging Face Dataset.train_test_split in a notebook"),
        Example("train, test = spark_df.randomSplit([0.8, 0.2], seed=7)\n", note="Spark"),
        Example("""
            from sklearn import model_selection
            folds = model_selection.train_test_split(X, y, test_size=.3)
        """, note="module imported from the package"),
        Example("""
            from sklearn.model_selection import *
            X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2)
        """, note="star import"),
        Example("""
            import numpy as np
            import pandas as pd
            df = pd.read_csv("data.csv")
            msk = np.random.rand(len(df)) < 0.8
            train, test = df[msk], df[~msk]
        """, note="random row mask at a literal fraction"),
        Example("""
            import numpy as np
            from torch.utils.data import SubsetRandomSampler
            def loaders(dataset):
                validation_split = .2
                dataset_size = len(dataset)
                indices = list(range(dataset_size))
                split = int(np.floor(validation_split * dataset_size))
                train_indices, val_indices = indices[split:], indices[:split]
        """, note="a function-local literal; floor inside int"),
        Example("""
            import tensorflow_datasets as tfds
            train_ds, val_ds = tfds.load("mnist", split=["train[:80%]", "train[80%:]"])
        """, note="percent slices in a split list"),
        Example("""
            n = len(data)
            train_data = data[:int(n * 0.9)]
            val_data = data[int(n * 0.9):]
        """, lines=(2,), note="the two complementary slices of one cut (one finding)"),
        Example("""
            def split(ds, n):
                cut = int(n * 0.8)
                return ds.take(cut), ds.skip(cut)
        """, note="tf.data take/skip at one cut"),
        Example("""
            from steps.preprocess import preprocess
            def pipeline(sales):
                train, test = preprocess(sales, test_size=0.05)
                return train, test
        """, note="a literal split passed to the project's own pipeline step"),
        Example("""
            from datasets import load_dataset
            ds = load_dataset("imdb")["train"].train_test_split(0.1, seed=0)
        """, note="Hugging Face positional test_size"),
        Example("""
            import tensorflow as tf
            model.fit(X, y, epochs=cfg.epochs, validation_split=0.1)
            gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255, validation_split=0.2)
        """, note="Keras validation_split"),
        Example("""
            import torch
            TRAIN_FRACTION = 0.9
            def split(dataset):
                return torch.utils.data.random_split(dataset, [TRAIN_FRACTION, 1 - TRAIN_FRACTION])
        """, note="module constants inside the lengths list"),
    ]
    compliant = [
        Example("""
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=params["test_size"])
        """, note="read from configuration"),
        Example("""
            from torch.utils.data import DataLoader, RandomSampler
            train_sampler = RandomSampler(train_data, num_samples=int(0.1 * len(train_data)))
            loader = DataLoader(train_data, batch_size=32, sampler=train_sampler)
        """, note="a fraction of the (already split) training data drawn per epoch: a sampler's setting, not a split point"),
        Example("""
            from sklearn.model_selection import train_test_split
            def split(X, y, cfg):
                return train_test_split(X, y, test_size=cfg.split.test_size, random_state=cfg.seed)
        """),
        Example("""
            def train_test_split(X, y, shuffle=True):
                return X, y
            train_test_split(X, y, shuffle=False)
        """, note="a local function of the same name is not scikit-learn"),
        Example("""
            from torch.utils.data import random_split
            train_ds, val_ds = random_split(dataset, [cfg.n_train, cfg.n_val])
        """),
        Example("""
            sample = df.sample(frac=0.1, random_state=0)
            print(sample.describe())
        """, note="sampling to look at data is not a split"),
        Example("""
            latencies = sorted(times)
            p95 = max(latencies[:int(len(latencies) * 0.95)])
            mean_wo_outliers = sum(latencies[:int(len(latencies) * 0.99)]) / len(latencies)
        """, note="a percentile of sorted timings: one side of a cut only"),
        Example("""
            num_images = len(files)
            start = int(num_images * 0.25)
            end = int(num_images * 0.75)
            middle = files[start:end]
        """, note="a window of slices, not two parts"),
        Example("""
            ds = ds.sort("score", reverse=True)
            n = int(len(ds) * 0.1)
            ds = ds.select(range(0, len(ds) - n))
        """, note="dropping the tail of a sorted dataset"),
        Example("""
            from sklearn.model_selection import train_test_split
            def test_split_shapes():
                a, b = train_test_split(list(range(10)), test_size=0.2)
                assert len(b) == 2
        """, path="tests/test_data.py", note="test files use literal sizes on toy data"),
        Example("""
            from transformers import get_linear_schedule_with_warmup
            warmup_steps = int(0.1 * len(train_loader) * cfg.epochs)
            num_warmup = int(0.06 * len(train_loader))
            scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup, total_steps)
        """, note="a fraction of the data that is not a split point (warm-up steps)"),
        Example("""
            import numpy as np
            from sklearn.model_selection import KFold
            if np.random.rand() < 0.5:
                image = image[:, ::-1]
            kf = KFold(n_splits=5, shuffle=True, random_state=cfg.seed)
            model.fit(X, y, validation_split=0.0)
        """, note="augmentation coin flips; fold counts; a zero validation split"),
        Example("""
            from sklearn.model_selection import train_test_split
            def split(df, test_size=0.2, seed=0):
                return train_test_split(df, test_size=test_size, random_state=seed)
        """, note="a parameter default is the caller's configuration"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        knowledge = ctx.knowledge
        self.splitters = knowledge.get("splitters", {})
        self.methods = knowledge.get("split_methods", {})
        tables = knowledge.derived(_Tables)
        self.sample_methods = tables.sample_methods
        self.sample_kwarg = tables.sample_kwarg
        self.rounding = tables.rounding
        self.consumers = tables.consumers
        self.point_tokens = tables.point_tokens
        self.length_names = set(tables.length_names)  # the file's own length names are added
        self.mask_calls = tables.mask_calls
        self.split_parameters = tables.split_parameters
        self.samples: list[tuple[str, ast.Call, float, str | None]] = []
        self.index_users: set[str] = set()
        #: int(0.8 * len(x)) candidates: (call, shown fraction, names it is assigned to, confirmed)
        self.points: list[tuple[ast.Call, str, set[str], bool]] = []
        self.cut_names: set[str] = set()  # names passed to calls that split (random_split, array_split, ...)
        # A split cuts the data in two complementary parts: x[:k] and x[k:]. A cut used on one side
        # only (max(times[:int(0.95 * n)]), images[start:end]) is a percentile or a window, not a split.
        self.lower_names: set[str] = set()  # names used as a lower bound: x[k:], ds.skip(k)
        self.upper_names: set[str] = set()  # names used as an upper bound: x[:k], ds.take(k)
        self.slice_points: set[tuple[str, str]] = set()  # (side, bound source) of every slice
        self.local_literals: dict[tuple[int, str], object] = {}
        self.star_modules: list[str] = []
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited

    # -- constants: module-level (ctx.constant) and function-local literals --------------------
    def _constant(self, node: ast.AST) -> tuple[bool, object, str | None]:
        is_literal, value, constant = self.ctx.constant(node)
        if is_literal or not isinstance(node, ast.Name):
            return is_literal, value, constant
        function = self.ctx.enclosing_function()
        key = (id(function), node.id) if function is not None else None
        if key in self.local_literals and self.local_literals[key] is not _AMBIGUOUS:
            return True, self.local_literals[key], node.id
        return False, None, None

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and any(alias.name == "*" for alias in node.names):
            self.star_modules.append(canonical(node.module, self.ctx.knowledge))

    # -- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        name = self.ctx.call_name(node)
        func = node.func
        if name is None and isinstance(func, ast.Name) and func.id not in self.ctx.imports:
            for module in self.star_modules:  # from sklearn.model_selection import *
                if f"{module}.{func.id}" in self.splitters:
                    name = f"{module}.{func.id}"
        spec = self.splitters.get(name) if name else None
        if spec is not None:
            self._check_spec(node, spec, name.rsplit(".", 1)[-1])
        elif isinstance(func, ast.Attribute) and (spec := self.methods.get(func.attr)) is not None:
            self._check_spec(node, spec, func.attr)
        elif node.keywords:  # only keywords name a split
            self._check_split_parameters(node, name)
        callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if callee in self.consumers:
            args = [*node.args, *(k.value for k in node.keywords)]
            side = ONE_SIDED.get(callee)
            for arg in args:
                if side == "range":  # select(range(a, b)) / Subset(ds, range(n)): like a slice [a:b]
                    bounds = arg.args if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "range" else []
                    if len(bounds) == 1:
                        self.upper_names |= _names_in(bounds[0])
                    elif len(bounds) >= 2:
                        self.lower_names |= _names_in(bounds[0])
                        self.upper_names |= _names_in(bounds[1])
                elif side == "upper":
                    self.upper_names |= _names_in(arg)
                elif side == "lower":
                    self.lower_names |= _names_in(arg)
                else:
                    self.cut_names |= _names_in(arg)
        # the first test of _check_fraction_of_length (_rounding of this call) made here: most calls stop at it
        if node.args and (func.id in self.rounding if isinstance(func, ast.Name) and func.id not in self.ctx.imports
                          else self.ctx.call_name(node) in self.rounding):
            self._check_fraction_of_length(node)

    def _check_split_parameters(self, node: ast.Call, name: str | None) -> None:
        """``preprocess(df, test_size=0.05)``: a keyword that names a split, given a literal fraction."""
        hits = []
        for keyword in node.keywords:
            if keyword.arg in self.split_parameters:
                is_literal, value, constant = self._constant(keyword.value)
                if is_literal and isinstance(value, float) and 0 < value < 1:
                    hits.append(f"{keyword.arg}={value!r}" if constant is None else f"{keyword.arg}={constant} (= {value!r})")
        if hits:
            label = name.rsplit(".", 1)[-1] if name else ast.unparse(node.func)
            self.report(node, f"hardcoded split passed to {label}(): {', '.join(hits)}; read the split from configuration "
                              "(e.g. params.yaml)")

    def _check_spec(self, node: ast.Call, spec: dict, label: str) -> None:
        hits = []
        for keyword in node.keywords:
            if keyword.arg in spec.get("kwargs", ()):
                described = self._literal(keyword.value, spec)
                if described:
                    hits.append(f"{keyword.arg}={described}")
            elif keyword.arg in spec.get("percent_kwargs", ()):
                value = keyword.value
                items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
                if any(isinstance(v, ast.Constant) and isinstance(v.value, str) and PERCENT_SLICE.search(v.value) for v in items):
                    hits.append(f"{keyword.arg}={ast.unparse(value)}")
        position = spec.get("positional")
        if position is not None and len(node.args) > position and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1]):
            described = self._literal(node.args[position], spec)
            if described:
                hits.append(described)
        if hits:
            move = move_to_params(node, "split", set(spec.get("kwargs", ())), self.ctx.params_reference(), self.ctx.params)
            fix = RawFix("unsafe", f"move {', '.join(move.moved)} into the params file under `split:` and read "
                                   f"{'it' if len(move.moved) == 1 else 'them'} from there (unsafe: the split then comes from configuration)",
                         move.edits, move.params_edits) if move else None
            self.report(node, f"hardcoded split in {label}(): {', '.join(hits)}; read the split from configuration (e.g. params.yaml)", fix=fix)

    fixes = [
        FixExample("""
            import yaml
            from sklearn.model_selection import train_test_split
            params = yaml.safe_load(open("params.yaml"))
            X_train, X_test = train_test_split(X, test_size=0.2, random_state=params["seed"])
        ""","""
            import yaml
            from sklearn.model_selection import train_test_split
            params = yaml.safe_load(open("params.yaml"))
            X_train, X_test = train_test_split(X, test_size=params["split"]["test_size"], random_state=params["seed"])
        """, unsafe=True, files={"params.yaml": "seed: 42\n"},
                   files_after={"params.yaml": "seed: 42\n# moved here by `mllint check --fix --unsafe-fixes`\nsplit:\n  test_size: 0.2\n"},
                   note="the file loads params.yaml; `split: {test_size: 0.2}` is appended to it"),
    ]

    def _literal(self, value: ast.AST, spec: dict) -> str | None:
        is_literal, literal, constant = self._constant(value)
        if not is_literal and isinstance(value, (ast.List, ast.Tuple)) and value.elts:
            items = [self._resolved(element) for element in value.elts]  # [N_TRAIN, N_VAL] of constants
            if all(ok for ok, _, _ in items):
                is_literal, literal = True, [item for _, item, _ in items]
                named = [ast.unparse(element) for element in value.elts]
                constant = None
                if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in literal):
                    return None
                if spec.get("ratios_only") and not all(0 < v < 1 for v in literal):
                    return None
                bound = {}
                for element in value.elts:
                    for sub in ast.walk(element):
                        if isinstance(sub, ast.Name):
                            ok, item, _ = self._constant(sub)
                            if ok:
                                bound[sub.id] = item
                where = ", ".join(f"{name} = {item!r}" for name, item in bound.items())
                return "[" + ", ".join(named) + "]" + (f" ({where})" if where else "")
        if not is_literal or literal is None or isinstance(literal, (bool, str)):
            return None
        if isinstance(literal, list):
            if not literal or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in literal):
                return None
            if spec.get("ratios_only") and not all(0 < v < 1 for v in literal):
                return None
        elif not isinstance(literal, (int, float)) or literal == 0:
            return None
        shown = ast.unparse(value) if constant is None else f"{constant} (= {literal!r})"
        return shown

    def _resolved(self, node: ast.AST, depth: int = 0) -> tuple[bool, object, str | None]:
        """Like ``_constant``, also through arithmetic on constants (``1 - TRAIN_FRACTION``)."""
        found = self._constant(node)
        if found[0] or depth > 4 or not isinstance(node, ast.BinOp):
            return found
        left, right = self._resolved(node.left, depth + 1), self._resolved(node.right, depth + 1)
        numbers = (int, float)
        if left[0] and right[0] and isinstance(left[1], numbers) and isinstance(right[1], numbers):
            try:
                value = eval_binop(node.op, left[1], right[1])
            except (ArithmeticError, OverflowError, ValueError):
                return False, None, None
            return True, value, left[2] or right[2]
        return False, None, None

    def _is_len_like(self, node: ast.AST) -> bool:
        """``len(x)``, ``x.shape[0]``, ``x.count()``, or a name holding one (the size of the data)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("count", "__len__"):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("size", "num_rows") and not isinstance(node.value, ast.Call):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.length_names or node.id.lower() in self.length_names
        return False

    def _rounding(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call) or len(node.args) < 1:
            return False
        if isinstance(node.func, ast.Name) and node.func.id not in self.ctx.imports:
            return node.func.id in self.rounding
        return self.ctx.call_name(node) in self.rounding

    def _check_fraction_of_length(self, node: ast.Call) -> None:
        """``int(0.8 * len(x))`` / ``round(len(x) * 0.2)``: a split point at a literal fraction."""
        if not self._rounding(node):
            return
        parent = self.ctx.parent
        if self._rounding(parent) and isinstance(parent, ast.Call) and node in parent.args:
            return  # int(np.floor(0.8 * n)): judged at the outer call
        inner = node.args[0]
        while self._rounding(inner):
            inner = inner.args[0]
        if not (isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Mult)):
            return
        for fraction, other in ((inner.left, inner.right), (inner.right, inner.left)):
            is_literal, value, constant = self._constant(fraction)
            if is_literal and isinstance(value, float) and 0 < value < 1 and self._is_len_like(other):
                shown = ast.unparse(fraction) if constant is None else f"{constant} (= {value!r})"
                targets, confirmed = self._point_context()
                self.points.append((node, shown, targets, confirmed))
                return

    def _point_context(self) -> tuple[set[str], bool]:
        """Where a split-point expression goes: names it is assigned to, or directly into a slice/split call."""
        for ancestor in reversed(self.ctx.parents[:-1][-4:]):
            if isinstance(ancestor, ast.Slice):
                return set(), False  # judged in finish(): the complementary slice must exist too
            if isinstance(ancestor, ast.Call):
                func = ancestor.func
                callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
                if callee in self.consumers:
                    return set(), True
                if callee and callee[:1].isupper():
                    # an argument of a constructor (a sampler's num_samples): a setting of the object built,
                    # and the name that object is bound to (train_sampler) does not make it a split point
                    return set(), False
            if isinstance(ancestor, (ast.Assign, ast.AnnAssign)):
                targets = ancestor.targets if isinstance(ancestor, ast.Assign) else [ancestor.target]
                return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}, False
            if isinstance(ancestor, ast.stmt):
                break
        return set(), False

    def _split_name(self, name: str) -> bool:
        tokens = {t.lower() for part in name.split("_") for t in TOKENS.findall(part)}
        return bool(tokens & self.point_tokens)

    # -- assignments: local literals, lengths, df.sample(frac=...) ------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if not self.active:
            return
        value = node.value
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            function = self.ctx.enclosing_function()
            if function is not None and isinstance(function, FUNCTION_NODES):
                is_literal, literal, _ = self.ctx.constant(value) if not isinstance(value, ast.Name) else (False, None, None)
                key = (id(function), target)
                if key not in self.local_literals and is_literal and isinstance(literal, (int, float, list)) and not isinstance(literal, bool):
                    self.local_literals[key] = literal
                else:
                    self.local_literals[key] = _AMBIGUOUS
            if self._is_len_like(value):
                self.length_names.add(target)
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
            return
        if value.func.attr not in self.sample_methods or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        for keyword in value.keywords:
            if keyword.arg == self.sample_kwarg:
                is_literal, literal, constant = self._constant(keyword.value)
                if is_literal and isinstance(literal, float) and 0 < literal < 1:
                    self.samples.append((node.targets[0].id, value, literal, constant))

    def visit_Slice(self, node: ast.Slice) -> None:
        if node.lower is not None:
            self.lower_names |= _names_in(node.lower)
            self.slice_points.add(("lower", ast.unparse(node.lower)))
        if node.upper is not None:
            self.upper_names |= _names_in(node.upper)
            self.slice_points.add(("upper", ast.unparse(node.upper)))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "index" and isinstance(node.value, ast.Name):
            self.index_users.add(node.value.id)

    # -- np.random.rand(len(df)) < 0.8 ------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> None:
        if not self.active or len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            return
        for random_side, bound in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
            if isinstance(random_side, ast.Call) and self.ctx.call_name(random_side) in self.mask_calls:
                sizes = list(random_side.args[:1]) + [k.value for k in random_side.keywords if k.arg == "size"]
                if not any(self._is_len_like(size) for size in sizes):
                    continue
                is_literal, value, constant = self._constant(bound)
                if is_literal and isinstance(value, float) and 0 < value < 1:
                    shown = ast.unparse(bound) if constant is None else f"{constant} (= {value!r})"
                    self.report(node, f"hardcoded split: a random mask keeps a fraction {shown} of the rows; read the split ratio from configuration")
                    return

    def finish(self) -> None:
        reported_cuts: set[str] = set()
        for call, shown, targets, confirmed in self.points:
            text = ast.unparse(call)
            sliced = ("lower", text) in self.slice_points and ("upper", text) in self.slice_points
            if sliced and not targets:
                if text in reported_cuts:
                    continue  # data[:int(n * 0.9)], data[int(n * 0.9):]: one cut, one finding
                reported_cuts.add(text)
            both_sides = targets & self.lower_names & self.upper_names
            if confirmed or sliced or both_sides or targets & self.cut_names or any(self._split_name(t) for t in targets):
                self.report(call, f"hardcoded split point at fraction {shown} of the data; read the split ratio from configuration")
        for name, call, literal, constant in self.samples:
            if name in self.index_users:
                shown = f"{literal!r}" if constant is None else f"{constant} (= {literal!r})"
                self.report(call, f"hardcoded split: {name} = ….sample(frac={shown}) and the rest is taken by index; read the split ratio from configuration")


_AMBIGUOUS = object()


class _Tables:
    """The split tables as the visitor reads them: made once per knowledge, shared by every file's rule
    (never modified: ``length_names`` is copied per file)."""

    def __init__(self, knowledge) -> None:
        sample = knowledge.get("sample_split", {})
        self.sample_methods = frozenset(sample.get("methods", []))
        self.sample_kwarg = sample.get("kwarg", "frac")
        points = knowledge.get("split_points", {})
        self.rounding = frozenset(points.get("rounding", ["int", "round"]))
        self.consumers = frozenset(points.get("consumers", []))
        self.point_tokens = frozenset(points.get("name_tokens", []))
        self.length_names = frozenset(points.get("length_names", []))
        self.mask_calls = frozenset(knowledge.get("split_masks", {}).get("calls", []))
        self.split_parameters = frozenset(knowledge.get("split_parameters", {}).get("names", []))
