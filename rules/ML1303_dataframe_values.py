"""ML1303 dataframe-values: ``.values`` on a pandas object instead of ``.to_numpy()``."""

from __future__ import annotations

import ast
import re

from mllint.analysis.edits import RawFix, end_of, replace_span
from mllint.analysis.evidence import OTHER, PANDAS, WEAK, TracksBindings, evidence_for, short
from mllint.catalogue.rule import CodeRule, Example, FixExample
from mllint.repo.floors import meets

COLUMN_NAMES = re.compile(r"(?i)(col|feat|target|label|field)")  # x[feature_cols].values


class DataFrameValues(TracksBindings, CodeRule):
    code = "ML1303"
    name = "dataframe-values"
    factor = 13
    severity = "warning"
    summary = "`.values` is used on a pandas object; `.to_numpy()` says what it returns."
    why = """
        `.values` returns a NumPy array for plain columns but an ExtensionArray (Categorical,
        nullable integers, timezone-aware datetimes, sparse) for others, so the type a model
        receives depends on the dtypes of the data of the day, and training and serving can
        disagree (factor 9). pandas documents `.values` as not recommended; `.to_numpy()` always
        returns an ndarray and takes an explicit `dtype` and `na_value`.
    """
    how_to_fix = """
        Replace `df.values` by `df.to_numpy()` (optionally `df.to_numpy(dtype="float32")`), and
        `series.values` by `series.to_numpy()` (or `.array` when the extension array is wanted).
        `.to_numpy()` exists from pandas 0.24: `--fix` offers the change only where the project's
        manifests allow no older pandas.
    """
    violating = [
        Example("""
            import pandas as pd
            df = pd.read_csv("train.csv")
            X = df.drop(columns=["label"]).values
            y = df["label"].values
        """, lines=(3, 4)),
        Example("""
            import pandas as pd
            def features(frame: pd.DataFrame):
                return frame[["age", "income"]].values
        """, note="annotated parameter"),
        Example("""
            import pandas as pd
            from sklearn.model_selection import train_test_split
            data = pd.read_parquet("data.parquet")
            X_train, X_test = train_test_split(data, test_size=cfg.test_size)
            model.fit(X_train.values)
        """, note="pandas objects flow through train_test_split"),
        Example(cells=("import pandas as pd\ntrain = pd.read_csv('train.csv')",
                       "labels = train.target.values\ntrain.columns.values"),
                path="eda.ipynb", note="notebook; column attribute; Index.values"),
        Example("""
            import pandas as pd
            def to_matrix(data):
                return data["x"].values, data.values
        """, note="a pandas module without another library that has .values"),
        Example("""
            import pandas as pd
            import torch
            def to_tensors(train, features):
                x = torch.tensor(train[features].values)
                y = torch.tensor(train["target"].values)
                z = train.iloc[:, 1:].values
                return x, y, z
        """, note="column selections are pandas-like in a torch file too"),
    ]
    compliant = [
        Example("""
            import ast
            import pandas as pd
            def evaluate(df: pd.DataFrame, node: ast.AST):
                if isinstance(node, ast.BoolOp):
                    return evaluate(df, node.values[0])
        """, note="an ast node's .values (a list) in a file that also uses pandas"),
        Example("""
            import pandas as pd
            df = pd.read_csv("train.csv")
            X = df.drop(columns=["label"]).to_numpy()
            totals = {"a": 1}.values()
            for v in totals.values():
                print(v)
        """, note="dict.values() is a method call"),
        Example("""
            import torch
            import pandas as pd
            logits = model(x)
            top = logits.max(dim=1).values
            best = torch.topk(logits, 5).values
            vals = batch.values
        """, note="torch.return_types have .values; unknown objects in a torch file"),
        Example("""
            class Table:
                def __init__(self):
                    self.values = []
                def total(self):
                    return sum(self.values)
        """, note="no pandas import; an attribute of the object itself"),
        Example("""
            import pandas as pd
            import xarray as xr
            ds = xr.open_dataset("era5.nc")
            temperature = ds["t2m"].values
        """, note="xarray objects have .values too"),
        Example("""
            import pandas as pd
            import numpy as np
            arr = np.asarray(rows)
            print(arr.tolist(), Color.values, self.values, cfg.options.values)
            settings.values = [1, 2]
        """, note="classes, self, attributes of unknown objects, assignments to .values"),
    ]

    fixes = [
        FixExample("""
            import pandas as pd
            df = pd.read_csv("train.csv")
            X = df.drop(columns=["label"]).values  # features
            y = df["label"].values
        ""","""
            import pandas as pd
            df = pd.read_csv("train.csv")
            X = df.drop(columns=["label"]).to_numpy()  # features
            y = df["label"].to_numpy()
        """, unsafe=True),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        table = ctx.knowledge.get("smells_values", {})
        self.conflicts = tuple(table.get("conflicting_modules", []))
        self.column_conflicts = tuple(table.get("column_conflicting_modules", []))
        self.non_pandas_results = set(table.get("non_pandas_results", []))
        # no fix where the manifests allow a pandas without `.to_numpy()` (unknown: current pandas assumed)
        self.fixable = meets(ctx.requirement_floors, table.get("fix_requires", "")) is not False

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr != "values" or not isinstance(node.ctx, ast.Load):
            return
        parent = self.ctx.parent
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # dict.values()
        evidence = evidence_for(self.ctx)
        if not evidence.pandas_file():
            return
        receiver = node.value
        kind = evidence.kind(receiver)
        if kind == OTHER:
            return
        if kind not in (PANDAS, WEAK) and not self._plausible(receiver, evidence):
            return
        if kind != PANDAS and isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) \
                and receiver.func.attr in self.non_pandas_results:
            return
        end = end_of(node)
        # The fix is offered only where the receiver is proven to be a pandas object (bound to a pandas
        # call or annotated); a conventional name or a plausible column selection gets the finding alone.
        self.report(node, f"`{short(receiver)}.values` on a pandas object; use `{short(receiver)}.to_numpy()` "
                          "(always an ndarray, explicit dtype/na_value)",
                    fix=RawFix("unsafe", "replace `.values` by `.to_numpy()` (unsafe: a Series of an extension dtype "
                                         "— categorical, nullable, tz-aware — then gives an ndarray, not an ExtensionArray)",
                               [replace_span((end[0], end[1] - len("values")), end, "to_numpy()")])
                    if kind == PANDAS and self.fixable else None)

    def _plausible(self, receiver: ast.AST, evidence) -> bool:
        """No binding says what it is: accept column selections, and plain names in a pure pandas file."""
        if _column_selection(receiver) and not evidence.imports_any(self.column_conflicts):
            return True
        if evidence.imports_any(self.conflicts):
            return False
        if isinstance(receiver, ast.Name):
            return receiver.id not in ("self", "cls") and not receiver.id[:1].isupper() or receiver.id in ("X", "Y") or receiver.id.startswith(("X_", "Y_"))
        if isinstance(receiver, ast.Subscript):
            key = receiver.slice
            column = isinstance(key, ast.Constant) and isinstance(key.value, str)
            columns = isinstance(key, ast.List) and key.elts and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in key.elts)
            return bool(column or columns) and isinstance(receiver.value, (ast.Name, ast.Attribute, ast.Subscript))
        return False


def _column_selection(node: ast.AST) -> bool:
    """``x["col"]``, ``x[["a", "b"]]``, ``x.loc[...]``/``x.iloc[...]`` on a plain name or attribute."""
    if not isinstance(node, ast.Subscript):
        return False
    base, key = node.value, node.slice
    if isinstance(base, ast.Attribute) and base.attr in ("loc", "iloc"):
        return isinstance(base.value, (ast.Name, ast.Attribute, ast.Subscript))
    column = isinstance(key, ast.Constant) and isinstance(key.value, str)
    columns = isinstance(key, ast.List) and bool(key.elts) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in key.elts)
    named = isinstance(key, (ast.Name, ast.Attribute)) and bool(COLUMN_NAMES.search(key.id if isinstance(key, ast.Name) else key.attr))
    return (column or columns or named) and isinstance(base, (ast.Name, ast.Attribute))

