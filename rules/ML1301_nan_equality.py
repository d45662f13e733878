"""ML1301 nan-equality: comparing with NaN using ``==``/``!=``, which is always False/True."""

from __future__ import annotations

import ast

from mllint.analysis.edits import RawFix, replace
from mllint.analysis.evidence import Evidence, short
from mllint.catalogue.rule import CodeRule, Example, FixExample


class NanEquality(CodeRule):
    requires = (Evidence,)
    code = "ML1301"
    name = "nan-equality"
    factor = 13
    severity = "error"
    summary = "A value is compared with NaN using == or != (always False / always True)."
    why = """
        NaN is unequal to everything, itself included: `x == np.nan` is False for every `x` and
        `x != np.nan` is True, so a filter such as `df[df.age != np.nan]` keeps every row and a
        missing-value check never fires. The data cleaning the code describes silently does not
        happen, and the model trains on data nobody looked at. `pd.NA` and `pd.NaT` behave the
        same way (or raise in a boolean context).
    """
    how_to_fix = """
        Test for missing values with the dedicated functions: `pd.isna(x)` / `x.isna()` /
        `x.notna()` for pandas objects, `np.isnan(x)` for arrays, `math.isnan(x)` for floats.
    """
    violating = [
        Example("""
            import numpy as np
            import pandas as pd
            df = pd.read_csv("data.csv")
            df = df[df["age"] != np.nan]
        """, lines=(4,)),
        Example("""
            import math
            def clean(value):
                if value == math.nan:
                    return 0.0
                return value
        """),
        Example("""
            from numpy import nan as NaN
            mask = scores == NaN
        """, note="aliases resolve"),
        Example("""
            def is_missing(x):
                return x == float("nan") or float('NaN') == x
        """, note="float('nan') needs no import"),
        Example(cells=("import pandas as pd\nimport numpy as np\ndf = pd.read_csv('x.csv')",
                       "df.loc[df.income == np.NaN, 'income'] = 0"),
                path="explore.ipynb", note="notebook"),
        Example("""
            import pandas as pd
            missing = frame["date"] == pd.NaT
            flags = frame["label"].eq(pd.NA)
        """, note="pd.NaT and pd.NA; the .eq method"),
    ]
    compliant = [
        Example("""
            import numpy as np
            import pandas as pd
            df = pd.read_csv("data.csv")
            df = df[df["age"].notna()]
            bad = np.isnan(df["income"].to_numpy())
        """),
        Example("""
            import math
            def clean(value):
                return 0.0 if math.isnan(value) else value
        """),
        Example("""
            nan = "not a number"
            if label == nan:
                pass
        """, note="a local variable called nan is not NaN"),
        Example("""
            import numpy as np
            filled = np.where(np.isnan(x), 0, x)
            same = x is np.nan
            ok = x == np.inf
        """, note="identity checks and infinities are other matters"),
        Example("""
            import numpy as np
            df = df.replace(np.nan, 0)
            arr = np.full(3, np.nan)
        """, note="NaN used as a value, not compared"),
    ]

    fixes = [
        FixExample("""
            import numpy as np
            import pandas as pd
            df = pd.read_csv("data.csv")
            df = df[df["age"] != np.nan]  # drop missing ages
            bad = df[np.nan == df.income]
        ""","""
            import numpy as np
            import pandas as pd
            df = pd.read_csv("data.csv")
            df = df[pd.notna(df["age"])]  # drop missing ages
            bad = df[pd.isna(df.income)]
        """, unsafe=True, note="pandas imported: pd.isna / pd.notna"),
        FixExample("""
            import numpy
            mask = scores == numpy.nan
            keep = scores != numpy.nan
        ""","""
            import numpy
            mask = numpy.isnan(scores)
            keep = ~numpy.isnan(scores)
        """, unsafe=True, note="numpy only: np.isnan / ~np.isnan"),
        FixExample("""
            import numpy as np
            def load():
                import pandas as pd
                return pd.read_csv("data.csv")
            def clean(value):
                return 0.0 if value == np.nan else value
        ""","""
            import numpy as np
            def load():
                import pandas as pd
                return pd.read_csv("data.csv")
            def clean(value):
                return 0.0 if np.isnan(value) else value
        """, unsafe=True, note="pandas is imported in another function only: the fix uses the numpy `clean` can see"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.constants, self.constructors, self.methods = ctx.knowledge.derived(_tables)

    def _nan(self, node: ast.AST) -> str | None:
        """The NaN spelled by ``node`` (e.g. ``np.nan``), or None."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = self.ctx.qualname(node)
            return ast.unparse(node) if name in self.constants else None
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                return None
            if arg.value.strip().lower().lstrip("+-") not in ("nan", "nat"):
                return None
            func = node.func
            if isinstance(func, ast.Name) and func.id not in self.ctx.imports:
                name = func.id
            else:
                name = self.ctx.qualname(func)
            return ast.unparse(node) if name in self.constructors else None
        return None

    def _advice(self, other: ast.AST, negated: bool) -> str:
        shown = short(other)
        evidence = self.analysis(Evidence)
        if evidence.pandas_file():
            return f"use {shown}.notna() / pd.notna({shown})" if negated else f"use {shown}.isna() / pd.isna({shown})"
        if evidence.imports_any(("numpy",)):
            return f"use ~np.isnan({shown})" if negated else f"use np.isnan({shown})"
        return f"use not math.isnan({shown})" if negated else f"use math.isnan({shown})"

    def _fix(self, node: ast.Compare, nan_left: bool, negated: bool) -> RawFix | None:
        """``pd.isna``/``pd.notna`` when pandas is imported, else ``np.isnan``/``~np.isnan``; one comparison only."""
        if len(node.ops) != 1:
            return None
        pandas, numpy = self.ctx.module_alias("pandas"), self.ctx.module_alias("numpy")  # imports seen from here
        if pandas:
            func = f"{pandas}.{'notna' if negated else 'isna'}"
        elif numpy:
            func = f"{'~' if negated else ''}{numpy}.isnan"
        else:
            return None
        other = node.comparators[0] if nan_left else node.left
        return RawFix("unsafe", f"replace by `{func.lstrip('~')}(...)`{' negated' if func.startswith('~') else ''} "
                                "(unsafe: the test now does what it says, so the result changes)",
                      [replace(node, f"{func}({self.ctx.segment(other)})")])

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.Eq, ast.NotEq)):
                for nan_side, other in ((right, left), (left, right)):
                    spelled = self._nan(nan_side)
                    if spelled:
                        negated = isinstance(op, ast.NotEq)
                        result = "always True" if negated else "always False"
                        symbol = "!=" if negated else "=="
                        self.report(node, f"`{symbol} {spelled}` is {result} (NaN equals nothing, not even NaN); {self._advice(other, negated)}",
                                    fix=self._fix(node, nan_side is node.left, negated))
                        return
            left = right

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in self.methods and len(node.args) == 1:
            spelled = self._nan(node.args[0])
            if spelled:
                negated = func.attr == "ne"
                result = "always True" if negated else "always False"
                self.report(node, f"`.{func.attr}({spelled})` is {result} element-wise (NaN equals nothing); {self._advice(func.value, negated)}")


def _tables(knowledge) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """``[smells_nan]``: NaN constants, constructors and comparison methods; made once per knowledge (read only)."""
    table = knowledge.get("smells_nan", {})
    return (frozenset(table.get("constants", [])), frozenset(table.get("constructors", [])),
            frozenset(table.get("methods", ["eq", "ne"])))
