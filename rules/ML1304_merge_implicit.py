"""ML1304 merge-implicit: a pandas merge/join whose keys (``on``) or type (``how``) are left implicit."""

from __future__ import annotations

import ast

from mllint.analysis.evidence import TracksBindings, evidence_for, short
from mllint.catalogue.rule import CodeRule, Example, RuleOptions, option


class MergeOptions(RuleOptions):
    """Options of ML1304 (``[tool.mllint.options.merge-implicit]``)."""

    require_how: bool = option(True, "Also report a merge/join whose keys are explicit but whose `how` is not.")


class MergeImplicit(TracksBindings, CodeRule):
    code = "ML1304"
    name = "merge-implicit"
    factor = 13
    severity = "warning"
    Options = MergeOptions
    summary = "A pandas merge/join does not say which keys it joins on and how."
    why = """
        Without `on`, `merge` joins on every column the two frames happen to share: a column
        added upstream silently changes the join keys and the number of rows. Without `how`, the
        default (`inner` for merge, `left` for join) decides silently whether unmatched rows are
        dropped. Either way the training data changes without any code change to the feature
        pipeline, and training and serving joins drift apart.
    """
    how_to_fix = """
        Spell the join out: `df.merge(regions, on="region_id", how="left", validate="many_to_one")`
        (or `left_on=`/`right_on=`/`left_index=`); `df.join(other, how="left")`.
    """
    violating = [
        Example("""
            import pandas as pd
            users = pd.read_csv("users.csv")
            orders = pd.read_csv("orders.csv")
            joined = users.merge(orders)
        """, lines=(4,)),
        Example("""
            import pandas as pd
            table = pd.merge(left, right, on="user_id")
        """, note="pd.merge with keys but no how"),
        Example("""
            import pandas as pd
            def enrich(df: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
                return df.merge(regions, how="left")
        """, note="how but no keys"),
        Example(cells=("import pandas as pd\nsales = pd.read_csv('s.csv')\nstores = pd.read_csv('st.csv')",
                       "full = sales.join(stores.set_index('store'), on='store')"),
                path="eda.ipynb", note="notebook; join without how"),
        Example("""
            from pandas import merge as pd_merge
            out = pd_merge(a, b)
        """, note="aliases resolve"),
    ]
    compliant = [
        Example("""
            import pandas as pd
            users = pd.read_csv("users.csv")
            orders = pd.read_csv("orders.csv")
            joined = users.merge(orders, on="user_id", how="left", validate="one_to_many")
            both = pd.merge(users, orders, left_on="id", right_on="user_id", how="inner")
            indexed = users.merge(orders, left_index=True, right_index=True, how="outer")
        """),
        Example("""
            import os
            import pandas as pd
            path = os.path.join("data", "x.csv")
            line = ", ".join(names)
            sep = "/"
            full = sep.join(parts)
        """, note="str.join and os.path.join are not pandas"),
        Example("""
            import pandas as pd
            from omegaconf import OmegaConf
            cfg = OmegaConf.merge(base, override)
            worker.join()
        """, note="OmegaConf.merge, Thread.join"),
        Example("""
            import pandas as pd
            frame = pd.read_csv("x.csv")
            joined = frame.join(other, how="left")
            merged = frame.merge(other, "inner", "key")
        """, note="join on the index with an explicit how; positional how and on"),
        Example("""
            from pyspark.sql import SparkSession
            df = spark.read.parquet("x")
            out = df.join(other)
        """, note="Spark DataFrames are not pandas"),
        Example("""
            import pandas as pd
            kwargs = {"on": "id", "how": "left"}
            out = pd.merge(a, b, **kwargs)
        """, note="keyword arguments from a dict are not judged"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        table = ctx.knowledge.get("smells_merge", {})
        self.functions = table.get("functions", {})
        self.methods = table.get("methods", {})
        options = self.options
        self.require_how = options.require_how

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = self.ctx.call_name(node)
        spec = self.functions.get(name) if name else None
        label = f"{name.rsplit('.', 1)[-1]}()" if spec else ""
        offset = 0
        if spec is None:
            if name or not isinstance(func, ast.Attribute) or func.attr not in self.methods:
                return
            receiver = func.value
            if isinstance(receiver, ast.Constant) or not evidence_for(self.ctx).is_pandas(receiver):
                return
            spec = self.methods[func.attr]
            label = f"{short(receiver, 30)}.{func.attr}()"
        if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
            return
        given = {k.arg for k in node.keywords}
        missing = []
        keys = spec.get("keys", [])
        if keys and not given.intersection(keys) and len(node.args) <= spec.get("keys_position", 99) - offset:
            missing.append("on=")
        if "how" not in given and len(node.args) <= spec.get("how_position", 99) - offset and (self.require_how or missing):
            missing.append("how=")
        if missing:
            what = " and ".join(missing)
            consequence = "joins on every shared column" if "on=" in missing else "uses the default join type"
            keys_hint = 'on="<key>" (or left_on=/right_on=) and ' if "on=" in missing else ""
            self.report(node, f"{label} without explicit {what}: it silently {consequence}; "
                              f'pass {keys_hint}how="inner"|"left"|… (and validate=)')
