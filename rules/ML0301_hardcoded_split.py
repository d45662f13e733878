"""ML0301 hardcoded-split: a literal split ratio or size written into the code."""

from __future__ import annotations

import ast
import re

from mllint.rule import CodeRule, Example

PERCENT_SLICE = re.compile(r"\[[^\]]*\d+(\.\d+)?%[^\]]*\]")


def _is_len_like(node: ast.AST) -> bool:
    """``len(x)``, ``x.shape[0]``, ``x.size``/``x.count()`` (the size of the data being split)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("count", "__len__"):
        return True
    if isinstance(node, ast.Name) and node.id.lower() in ("n", "n_samples", "num_samples", "n_rows", "size", "length", "total"):
        return True
    return False


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
        constant is still configuration inside code: move it to the params file.
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
    ]
    compliant = [
        Example("""
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=params["test_size"])
        """, note="read from configuration"),
        Example("""
            from sklearn.model_selection import train_test_split
            def split(X, y, cfg):
                return train_test_split(X, y, test_size=cfg.split.test_size, random_state=cfg.seed)
        """),
        Example("""
            def train_test_split(X, y, test_size=0.2):
                return X, y
            train_test_split(X, y, test_size=0.3)
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
            from sklearn.model_selection import train_test_split
            def test_split_shapes():
                a, b = train_test_split(list(range(10)), test_size=0.2)
                assert len(b) == 2
        """, path="tests/test_data.py", note="test files use literal sizes on toy data"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        knowledge = ctx.knowledge
        self.splitters = knowledge.get("splitters", {})
        self.methods = knowledge.get("split_methods", {})
        sample = knowledge.get("sample_split", {})
        self.sample_methods = set(sample.get("methods", []))
        self.sample_kwarg = sample.get("kwarg", "frac")
        self.samples: list[tuple[str, ast.Call, float, str | None]] = []
        self.index_users: set[str] = set()
        self.active = not ctx.is_test

    # -- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        name = self.ctx.call_name(node)
        spec = self.splitters.get(name) if name else None
        label = name.rsplit(".", 1)[-1] if name else None
        if spec is None and isinstance(node.func, ast.Attribute):
            spec = self.methods.get(node.func.attr)
            label = node.func.attr
        if spec is not None:
            self._check_spec(node, spec, label)
        self._check_fraction_of_length(node)

    def _check_spec(self, node: ast.Call, spec: dict, label: str) -> None:
        hits = []
        for keyword in node.keywords:
            if keyword.arg in spec.get("kwargs", ()):
                described = self._literal(keyword.value, spec)
                if described:
                    hits.append(f"{keyword.arg}={described}")
            elif keyword.arg in spec.get("percent_kwargs", ()):
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str) and PERCENT_SLICE.search(keyword.value.value):
                    hits.append(f"{keyword.arg}={keyword.value.value!r}")
        position = spec.get("positional")
        if position is not None and len(node.args) > position and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1]):
            described = self._literal(node.args[position], spec)
            if described:
                hits.append(described)
        if hits:
            self.report(node, f"hardcoded split in {label}(): {', '.join(hits)}; read the split from configuration (e.g. params.yaml)")

    def _literal(self, value: ast.AST, spec: dict) -> str | None:
        is_literal, literal, constant = self.ctx.constant(value)
        if not is_literal or literal is None or isinstance(literal, (bool, str)):
            return None
        if isinstance(literal, list):
            if not literal or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in literal):
                return None
            if spec.get("ratios_only") and not all(0 < v < 1 for v in literal):
                return None
        elif not isinstance(literal, (int, float)):
            return None
        shown = ast.unparse(value) if constant is None else f"{constant} (= {literal!r})"
        return shown

    def _check_fraction_of_length(self, node: ast.Call) -> None:
        """``int(0.8 * len(x))`` / ``round(len(x) * 0.2)``: a split point at a literal fraction."""
        if not (isinstance(node.func, ast.Name) and node.func.id in ("int", "round") and len(node.args) >= 1):
            return
        if node.func.id in self.ctx.imports:
            return
        inner = node.args[0]
        if not (isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Mult)):
            return
        for fraction, other in ((inner.left, inner.right), (inner.right, inner.left)):
            is_literal, value, constant = self.ctx.constant(fraction)
            if is_literal and isinstance(value, float) and 0 < value < 1 and _is_len_like(other):
                shown = ast.unparse(fraction) if constant is None else f"{constant} (= {value!r})"
                self.report(node, f"hardcoded split point at fraction {shown} of the data; read the split ratio from configuration")
                return

    # -- df.sample(frac=...) used to split -----------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if not (self.active and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
            return
        if value.func.attr not in self.sample_methods or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        for keyword in value.keywords:
            if keyword.arg == self.sample_kwarg:
                is_literal, literal, constant = self.ctx.constant(keyword.value)
                if is_literal and isinstance(literal, float) and 0 < literal < 1:
                    self.samples.append((node.targets[0].id, value, literal, constant))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "index" and isinstance(node.value, ast.Name):
            self.index_users.add(node.value.id)

    def finish(self) -> None:
        for name, call, literal, constant in self.samples:
            if name in self.index_users:
                shown = f"{literal!r}" if constant is None else f"{constant} (= {literal!r})"
                self.report(call, f"hardcoded split: {name} = ….sample(frac={shown}) and the rest is taken by index; read the split ratio from configuration")
