"""ML1302 chain-indexing: pandas chained assignment (``df["a"][mask] = v``) and chained in-place calls."""

from __future__ import annotations

import ast

from mllint.analysis.edits import RawFix, insert, remove_argument, replace, start_of
from mllint.analysis.evidence import OTHER, TracksBindings, evidence_for, is_true, keyword, short
from mllint.catalogue.rule import CodeRule, Example, FixExample


def _is_column_key(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    return isinstance(node, ast.List) and bool(node.elts) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)


ELEMENTWISE_INPLACE = ("fillna", "replace", "clip", "where", "mask", "interpolate", "ffill", "bfill")


class ChainIndexing(TracksBindings, CodeRule):
    code = "ML1302"
    name = "chain-indexing"
    factor = 13
    severity = "error"
    summary = "A pandas object is modified through chained indexing (df['a'][mask] = v), which may write to a copy."
    why = """
        `df["a"][mask] = v` first builds an intermediate object (`df["a"]`), then assigns into it.
        Whether that intermediate is a view or a copy is an implementation detail: pandas warns
        (SettingWithCopyWarning) and, with copy-on-write (the default from pandas 3.0), the
        assignment never reaches `df`. The same holds for in-place methods on a selection,
        `df["c"].fillna(0, inplace=True)`. The preprocessing the code describes then silently does
        not happen, and training and serving see different data.
    """
    how_to_fix = """
        Use one indexer on the DataFrame itself: `df.loc[mask, "a"] = v` (labels) or
        `df.iloc[rows, cols] = v` (positions). Replace in-place calls on a selection by an
        assignment: `df["c"] = df["c"].fillna(0)`.
    """
    violating = [
        Example("""
            import pandas as pd
            df = pd.read_csv("data.csv")
            df["tenure"][df["tenure"] < 0] = 0
        """, lines=(3,)),
        Example("""
            import pandas as pd
            def clean(frame: pd.DataFrame) -> pd.DataFrame:
                frame[frame.age > 120]["age"] = None
                frame.loc[frame.age < 0]["age"] = 0
                return frame
        """, note="annotated parameter; row selection then column"),
        Example("""
            import pandas as pd
            train_df = pd.read_parquet("train.parquet")
            train_df["income"].fillna(train_df["income"].median(), inplace=True)
        """, note="in-place method on a selected column"),
        Example(cells=("import pandas as pd\ndf = pd.read_csv('x.csv')",
                       "df.price[df.price > 1e6] = 1e6\ndf['city'].iloc[0] = 'Paris'"),
                path="eda.ipynb", note="notebook; column attribute; iloc on a column"),
        Example("""
            import pandas as pd
            def fix(df):
                df["a"]["b"] = 1
        """, note="a parameter conventionally named df in a pandas module"),
    ]
    compliant = [
        Example("""
            import pandas as pd
            df = pd.read_csv("data.csv")
            df.loc[df["tenure"] < 0, "tenure"] = 0
            df["income"] = df["income"].fillna(0)
            df.fillna(0, inplace=True)
        """),
        Example("""
            config = {}
            config["model"]["lr"] = 0.1
            grid = [[0] * 3 for _ in range(3)]
            grid[1][2] = 5
        """, note="nested dicts and lists are not pandas"),
        Example("""
            import numpy as np
            import pandas as pd
            arr = np.zeros((3, 3))
            arr[0][1] = 1
            data = load()
            data["a"]["b"] = 2
        """, note="numpy arrays and objects without pandas evidence"),
        Example("""
            import pandas as pd
            frames = {"train": pd.read_csv("train.csv")}
            frames["train"]["label"] = 0
            df_dict = {}
            df_dict["a"]["b"] = 1
        """, note="a dict of DataFrames: assigning a column of one of them is fine"),
        Example("""
            import pandas as pd
            sheets = pd.read_excel("risk_register.xlsx", sheet_name=None)
            for name, frame in sheets.items():
                sheets[name]["article"] = frame["category"].str.extract(r"(\\d+)")
            tables = pd.read_html("https://example.com/stats.html")
            tables[0]["rank"] = 1
        """, note="read_excel(sheet_name=None) gives a dict of DataFrames, read_html a list"),
        Example("""
            import pyspark.sql.functions as F
            import pandas as pd
            df["a"]["b"] = 1
        """, note="conventional names mean nothing where Spark is imported too"),
    ]

    fixes = [
        FixExample("""
            import pandas as pd
            df = pd.read_csv("data.csv")
            df["tenure"][df["tenure"] < 0] = 0  # clip
            df[df.age > 90]["age"] = 90
            df["income"].fillna(df["income"].median(), inplace=True)
        ""","""
            import pandas as pd
            df = pd.read_csv("data.csv")
            df.loc[df["tenure"] < 0, "tenure"] = 0  # clip
            df.loc[df.age > 90, "age"] = 90
            df["income"] = df["income"].fillna(df["income"].median())
        """, unsafe=True),
        FixExample("""
            import pandas as pd
            titanic = pd.read_csv("titanic.csv")
            titanic["Embarked"].fillna(("S"), inplace=True)
        ""","""
            import pandas as pd
            titanic = pd.read_csv("titanic.csv")
            titanic["Embarked"] = titanic["Embarked"].fillna(("S"))
        """, unsafe=True, note="an argument written in parentheses keeps them (the keyword after it goes)"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        #: ``elementwise``: in-place methods whose result has the selection's index (safe to assign back): the fixer's scope.
        self.indexers, self.elementwise, self.not_columns = ctx.knowledge.derived(_tables)

    def _derived(self, node: ast.AST) -> bool:
        """An intermediate pandas object obtained by selecting from another one (a copy or a view)."""
        evidence = evidence_for(self.ctx)
        if isinstance(node, ast.Subscript):
            base = node.value
            if isinstance(base, ast.Attribute) and base.attr in ("at", "iat"):
                return False
            return evidence.is_pandas(base)
        if isinstance(node, ast.Attribute) and node.attr not in self.not_columns:
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                return False
            return evidence.is_pandas(node.value) and evidence.kind(node.value) != OTHER
        return False

    def _chained_target(self, target: ast.AST) -> bool:
        if not isinstance(target, ast.Subscript):
            return False
        holder = target.value
        if isinstance(holder, ast.Attribute) and holder.attr in self.indexers:
            holder = holder.value  # df["a"].iloc[0] = v
            return self._derived(holder)
        return self._derived(holder)

    def _suggest(self, target: ast.Subscript) -> str:
        inner = target.value
        if isinstance(inner, ast.Subscript) and not isinstance(inner.value, ast.Subscript):
            base = inner.value
            if isinstance(base, ast.Attribute) and base.attr == "loc":
                return f"{short(base.value)}.loc[{short(inner.slice)}, {short(target.slice)}] = …"
            if not isinstance(base, ast.Attribute) or base.attr not in self.indexers:
                if _is_column_key(inner.slice):
                    return f"{short(base)}.loc[{short(target.slice)}, {short(inner.slice)}] = …"
                if _is_column_key(target.slice):
                    return f"{short(base)}.loc[{short(inner.slice)}, {short(target.slice)}] = …"
        if isinstance(inner, ast.Attribute) and inner.attr not in self.indexers:
            return f"{short(inner.value)}.loc[{short(target.slice)}, {inner.attr!r}] = …"
        return "a single .loc[rows, columns] / .iloc[...] indexer on the DataFrame"

    def _check_targets(self, targets: list[ast.AST]) -> None:
        for target in targets:
            if isinstance(target, (ast.Tuple, ast.List)):
                self._check_targets(target.elts)
            elif self._chained_target(target):
                suggestion = self._suggest(target)
                self.report(target, f"chained assignment `{short(target, 60)} = …` may write to a temporary copy "
                                    f"(a no-op under pandas copy-on-write); use {suggestion}",
                            fix=self._loc_fix(target, suggestion))

    def _loc_fix(self, target: ast.Subscript, suggestion: str) -> RawFix | None:
        """``base[col][rows]`` / ``base[rows][col]`` → ``base.loc[rows, col]``."""
        if not _loc_fixable(target) or not evidence_for(self.ctx).is_pandas(target.value.value, weak=False):
            return None  # offered only where the base is proven to be a DataFrame
        inner = target.value
        assert isinstance(inner, ast.Subscript)
        first, second = inner.slice, target.slice
        if _literal_columns(first) and not _literal_columns(second):
            rows, cols = second, first
        elif _literal_columns(second) and not _literal_columns(first):
            rows, cols = first, second
        else:
            return None
        segment = self.ctx.segment
        return RawFix("unsafe", f"use {suggestion} (unsafe: .loc selects rows by label, the chained form may have used positions)",
                      [replace(target, f"{segment(inner.value)}.loc[{segment(rows)}, {segment(cols)}]")])

    def visit_Assign(self, node: ast.Assign) -> None:
        self._check_targets(node.targets)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_targets([node.target])

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        flag = keyword(node, "inplace")
        if flag is None or not is_true(flag.value):
            return
        receiver = func.value
        if isinstance(receiver, ast.Subscript) and isinstance(receiver.value, ast.Attribute) and receiver.value.attr in ("loc", "iloc"):
            chained = evidence_for(self.ctx).is_pandas(receiver.value.value)
        else:
            chained = self._derived(receiver)
        if chained:
            fixable = (func.attr in self.elementwise and isinstance(self.ctx.parent, ast.Expr) and _assignable(receiver)
                       and is_true(flag.value) and isinstance(flag.value, ast.Constant)
                       and evidence_for(self.ctx).is_pandas(receiver, weak=False))  # proven pandas only
            self.report(node, f"`{short(receiver)}.{func.attr}(..., inplace=True)` modifies a temporary selection, not the DataFrame; "
                              f"assign the result instead: `{short(receiver)} = {short(receiver)}.{func.attr}(...)`",
                        fix=RawFix("unsafe", f"assign the result: `{short(receiver)} = {short(receiver)}.{func.attr}(...)` without "
                                             "inplace=True (unsafe: the change now reaches the DataFrame)",
                                   [insert(start_of(self.ctx.parent), f"{self.ctx.segment(receiver)} = "), remove_argument(node, flag, self.ctx.lines)])
                        if fixable and receiver.lineno == receiver.end_lineno else None)


def _loc_fixable(target: ast.Subscript) -> bool:
    """``base[col][rows]`` or ``base[rows][col]`` on a plain name/attribute, rows not a slice: one ``.loc``."""
    inner = target.value
    if not isinstance(inner, ast.Subscript) or not isinstance(inner.value, (ast.Name, ast.Attribute)):
        return False
    if isinstance(inner.value, ast.Attribute) and inner.value.attr in ("loc", "iloc", "at", "iat"):
        return False
    first, second = inner.slice, target.slice
    if isinstance(first, (ast.Slice, ast.Tuple)) or isinstance(second, (ast.Slice, ast.Tuple)):
        return False
    return _is_column_key(first) != _is_column_key(second)


def _assignable(node: ast.AST) -> bool:
    """A subscript/attribute chain on a name without calls: something ``x = ...`` can assign to."""
    if not isinstance(node, (ast.Subscript, ast.Attribute)):
        return False
    return not any(isinstance(child, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)) for child in ast.walk(node))


def _literal_columns(node: ast.AST) -> bool:
    """A column label literal: ``"a"`` or ``["a", "b"]``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.List) and bool(node.elts) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)


def _tables(knowledge) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """``[smells_pandas]``: indexers, element-wise in-place methods, attributes that are no column; made once
    per knowledge (read only)."""
    table = knowledge.get("smells_pandas", {})
    indexers = frozenset(table.get("indexers", ["loc", "iloc", "at", "iat"]))
    return (indexers, frozenset(table.get("elementwise_inplace_methods", ELEMENTWISE_INPLACE)),
            indexers | frozenset(table.get("non_pandas_attributes", [])) | {"index", "columns", "str", "dt", "cat", "T"})
