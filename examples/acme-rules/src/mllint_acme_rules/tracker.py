"""XACM001 use-acme-tracker: experiments are logged through ACME's wrapper, not a tracker directly."""

from __future__ import annotations

import ast
import fnmatch

from mllint.catalogue.rule import CodeRule, Example


class UseAcmeTracker(CodeRule):
    code = "XACM001"
    name = "use-acme-tracker"
    factor = 7
    severity = "warning"
    summary = "An experiment is logged to MLflow/W&B directly instead of through ACME's `acme.tracking` wrapper."
    why = """
        ACME's wrapper tags every run with the team, the data snapshot and the git commit, and sends
        it to the right tracking server for the environment. A run logged directly is missing from
        the team's dashboards and cannot be compared.
    """
    how_to_fix = "Log through `acme.tracking` (`from acme import tracking; tracking.log_metrics(...)`)."
    violating = [
        Example("""
            import mlflow
            mlflow.log_metric("auc", 0.91)
        """, lines=(2,)),
        Example("""
            import wandb
            run = wandb.init(project="churn")
        """),
    ]
    compliant = [
        Example("""
            from acme import tracking
            tracking.log_metrics({"auc": 0.91})
        """),
        Example("""
            import mlflow
            mlflow.log_metric("auc", 0.91)
        """, path="tests/test_tracking.py", note="tests may use the tracker directly"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        table = ctx.knowledge.get("acme_tracking", {})
        self.wrapper = table.get("wrapper", "acme.tracking")
        self.direct = list(table.get("direct", []))

    def visit_Call(self, node: ast.Call) -> None:
        if self.ctx.is_test:
            return
        name = self.ctx.call_name(node)
        if name and any(fnmatch.fnmatchcase(name, pattern) for pattern in self.direct):
            self.report(node, f"`{name}` logs to the tracker directly: log through `{self.wrapper}` so the run is tagged "
                              "and lands on the team's server")
