"""ML1308 inplace-result-discarded: ``df.dropna()`` as a statement, its result thrown away."""

from __future__ import annotations

import ast
from bisect import bisect_right

from mllint.analysis.edits import RawFix, insert, start_of
from mllint.analysis.evidence import TracksBindings, evidence_for, is_true, keyword, short
from mllint.catalogue.rule import CodeRule, Example, FixExample


class InplaceResultDiscarded(TracksBindings, CodeRule):
    code = "ML1308"
    name = "inplace-result-discarded"
    factor = 13
    severity = "error"
    summary = "A pandas method that returns a new object is called as a statement; the result is lost."
    why = """
        `df.dropna()`, `df.fillna(0)`, `df.drop(columns=...)`, `df.rename(...)` return a new object
        and leave `df` unchanged. Called as a statement, the cleaning step does nothing: the model
        is trained on data with the missing values, outliers or leaky columns the code claims to
        remove, and nobody notices because nothing fails.
    """
    how_to_fix = """
        Assign the result: `df = df.dropna()` (preferred; `inplace=True` is discouraged by pandas
        and being deprecated for most methods). In a notebook, and in a script exported from one
        (`# In[3]:` or `# %%` cell markers, or nbconvert's prompt-less export), the last expression
        of a cell is displayed and is not reported; neither is a call alone in a `try` whose
        handler shows the error it raises.
    """
    violating = [
        Example("""
            import pandas as pd
            df = pd.read_csv("churn.csv")
            df.dropna()
            df.drop(columns=["customer_id"])
        """, lines=(3, 4)),
        Example("""
            import pandas as pd
            def clean(frame: pd.DataFrame) -> pd.DataFrame:
                frame.fillna(0)
                frame.rename(columns=str.lower)
                return frame
        """, note="annotated parameter"),
        Example("""
            import pandas as pd
            def prepare(df):
                df.sort_values("date", inplace=False)
                df["amount"].astype("float32")
                return df
        """, note="explicit inplace=False; a column"),
        Example(cells=("import pandas as pd\ndata = pd.read_csv('x.csv')\ndata.reset_index(drop=True)\ndata.shape",),
                path="eda.ipynb", note="notebook: not the last expression of its cell"),
        Example("""
            import pandas as pd
            df_train = load()
            df_train.drop_duplicates()
        """, note="conventional DataFrame name"),
        Example("""
            # In[3]:


            import pandas as pd
            df = pd.read_csv("x.csv")
            df.dropna()
            df.shape
        """, path="eda.py", note="an exported notebook: not the last expression of its cell"),
        Example("""
            import pandas as pd
            def clean(df: pd.DataFrame) -> pd.DataFrame:
                try:
                    df.dropna()
                except ValueError:
                    pass
                return df
        """, note="a try body whose handler does not show the error"),
        Example("""
            import pandas as pd
            df = pd.read_csv("churn.csv")
            def clean():
                df.dropna()
                return df
        """, lines=(4,), note="a module-level DataFrame inside a function: reported without a fix (`df = df.dropna()` "
                              "there would make `df` local to the function, an UnboundLocalError)"),
    ]
    compliant = [
        Example("""
            import pandas as pd
            df = pd.read_csv("churn.csv")
            df = df.dropna()
            df.drop(columns=["customer_id"], inplace=True)
            print(df.fillna(0).describe())
        """),
        Example(cells=("import pandas as pd\ndf = pd.read_csv('x.csv')",
                       "df.sort_values('age')", "df.dropna().shape"),
                path="eda.ipynb", note="the last expression of a notebook cell is displayed"),
        Example("""
            import os
            from pathlib import Path
            os.rename("a", "b")
            Path("a").rename("b")
            text = "abc"
            text.replace("a", "b")
            table.drop(engine)
        """, note="not pandas objects (the str.replace is another bug, not this rule)"),
        Example("""
            import pandas as pd
            df = pd.read_csv("x.csv")
            df.head()
            df.to_csv("out.csv")
            df.update(other)
        """, note="display-only and genuinely in-place methods"),
        Example("""
            import pyspark.sql.functions as F
            import pandas as pd
            df.drop("col")
        """, note="with Spark imported, a name alone is no evidence"),
        Example("""
            #!/usr/bin/env python
            # coding: utf-8

            # In[1]:


            import pandas as pd
            df = pd.read_csv("x.csv")
            df.describe().transpose()


            # In[2]:


            df.sort_values(by="age")
        """, path="eda.py", note="a script exported from a notebook (nbconvert): each cell's last expression was displayed"),
        Example("""
            # %%
            import pandas as pd
            df = pd.read_csv("x.csv")
            df.dropna(axis=1)

            # %% [markdown]
            # Only complete columns are shown above.
        """, path="explore.py", note="percent-format cells (jupytext, VS Code)"),
        Example("""
            # coding: utf-8


            import pandas as pd
            df = pd.read_csv("x.csv")




            # remove rows with missing values

            df.dropna(axis=0)
        """, path="ch04.py", note="nbconvert's prompt-less export: cells separated by three blank lines"),
        Example(cells=("import pandas as pd\npeople = pd.read_csv('people.csv')",
                       "try:\n    people.assign(bmi=people['weight'] / people['height'])\nexcept KeyError as e:\n    print('error:', e)"),
                path="tools_pandas.ipynb", note="a call made to show the error it raises"),
    ]

    fixes = [
        FixExample("""
            import pandas as pd
            df = pd.read_csv("churn.csv")
            df.dropna()  # remove incomplete rows
            df["amount"].astype("float32")
        ""","""
            import pandas as pd
            df = pd.read_csv("churn.csv")
            df = df.dropna()  # remove incomplete rows
            df["amount"] = df["amount"].astype("float32")
        """, unsafe=True, note="the cleaning step now happens: later code sees other data"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.methods = ctx.knowledge.derived(_methods)
        self.displayed: set[int] = set()

    def visit_Module(self, node: ast.Module) -> None:
        """In a notebook (or a script exported from one), the last top-level statement of each cell is
        displayed: its value is used."""
        starts = self.ctx.cell_starts
        if not starts:
            return
        last_in_cell: dict[int, ast.stmt] = {}
        for stmt in node.body:
            last_in_cell[bisect_right(starts, stmt.lineno)] = stmt
        self.displayed = {id(stmt.value) for stmt in last_in_cell.values() if isinstance(stmt, ast.Expr)}

    def visit_Try(self, node: ast.Try) -> None:
        """``try: df.assign(...)`` / ``except Exception as e: print(e)``: the call is made to show the
        error it raises (tutorials), its result is not the point."""
        if len(node.body) == 1 and isinstance(node.body[0], ast.Expr) and _shows_exception(node):
            self.displayed.add(id(node.body[0].value))

    visit_TryStar = visit_Try

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            return
        method = call.func.attr
        if method not in self.methods or id(call) in self.displayed:
            return
        flag = keyword(call, "inplace")
        if flag is not None and (is_true(flag.value) or not isinstance(flag.value, ast.Constant)):
            return
        receiver = call.func.value
        evidence = evidence_for(self.ctx)
        if not evidence.is_pandas(receiver):
            return
        proven = evidence.is_pandas(receiver, weak=False)  # the fix only where the receiver is proven pandas
        target = short(receiver, 30)
        self.report(call, f"the result of `{target}.{method}(...)` is discarded: it returns a new object and leaves "
                          f"{target} unchanged; assign it: `{target} = {target}.{method}(...)`",
                    fix=RawFix("unsafe", f"assign the result: `{target} = {target}.{method}(...)` (unsafe: the step "
                                         "now takes effect, so the data downstream changes)",
                               [insert(start_of(node), f"{self.ctx.segment(receiver)} = ")])
                    if proven and _assignable(receiver) and receiver.lineno == receiver.end_lineno
                    and (not isinstance(receiver, ast.Name) or self.ctx.may_rebind(receiver.id)) else None)

def _shows_exception(node: ast.Try) -> bool:
    """Every handler binds the exception (``except E as e``) and uses it."""
    if not node.handlers:
        return False
    for handler in node.handlers:
        if handler.name is None:
            return False
        if not any(isinstance(n, ast.Name) and n.id == handler.name for stmt in handler.body for n in ast.walk(stmt)):
            return False
    return True


def _assignable(node: ast.AST) -> bool:
    """A name, attribute or subscript chain without calls: something ``x = ...`` can rebind."""
    if not isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return False
    return not any(isinstance(child, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)) for child in ast.walk(node))


def _methods(knowledge) -> frozenset[str]:
    """``[smells_inplace]`` methods: made once per knowledge (read only)."""
    return frozenset(knowledge.get("smells_inplace", {}).get("methods", []))
