"""Building blocks for rule fixers (libcst); imported only when fixing, never on the check path.

A rule makes itself fixable by attaching ``Fix(...)`` to its reports and defining::

    @classmethod
    def fixer(cls, targets, ctx):
        from mllint.cstfix import TargetedTransformer
        ...
        return MyTransformer(targets)

``targets`` maps the (1-based line, 0-based column) of the reported nodes' starts to the findings'
``Fix`` objects (``fix.data`` carries what the rule knew, e.g. a missing keyword's name).
"""

from __future__ import annotations

import libcst as cst
import libcst.helpers  # noqa: F401  (cst.helpers)
from libcst.metadata import PositionProvider


class TargetedTransformer(cst.CSTTransformer):
    """A transformer that only touches nodes starting at one of the reported positions."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, targets) -> None:
        super().__init__()
        self.targets = targets

    def fix_of(self, node: cst.CSTNode):
        """The Fix reported at ``node``'s start (None when ``targets`` is a plain set)."""
        start = self.get_metadata(PositionProvider, node).start
        return self.targets.get((start.line, start.column)) if isinstance(self.targets, dict) else None

    def is_target(self, node: cst.CSTNode) -> bool:
        try:
            start = self.get_metadata(PositionProvider, node).start
        except KeyError:
            return False
        return (start.line, start.column) in self.targets

    def target_lines(self) -> set[int]:
        return {line for line, _col in self.targets}

    def starts_on_target_line(self, node: cst.CSTNode) -> bool:
        try:
            start = self.get_metadata(PositionProvider, node).start
        except KeyError:
            return False
        return start.line in self.target_lines()


def insert_after_imports(module: cst.Module, statement: str) -> cst.Module:
    """Insert ``statement`` (one line of Python) after the module's leading docstring/imports.

    ``pass`` lines count as header: in a notebook cell they stand for neutralised IPython magics.
    """
    new = cst.parse_statement(statement + "\n")
    body = list(module.body)
    index = 0
    for position, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(item, (cst.Import, cst.ImportFrom, cst.Pass)) or (isinstance(item, cst.Expr) and isinstance(item.value, cst.SimpleString))
            for item in stmt.body
        ):
            index = position + 1
        else:
            break
    body.insert(index, new)
    return module.with_changes(body=body)


def imported_names(module: cst.Module) -> dict[str, str]:
    """Top-level ``import x as y`` / ``from m import n as y``: local name -> dotted name."""
    names: dict[str, str] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for item in stmt.body:
            if isinstance(item, cst.Import):
                for alias in item.names:
                    dotted = cst.helpers.get_full_name_for_node(alias.name) or ""
                    local = alias.asname.name.value if alias.asname else dotted.split(".")[0]
                    names[local] = dotted if alias.asname else local
            elif isinstance(item, cst.ImportFrom) and item.module is not None and not isinstance(item.names, cst.ImportStar):
                base = cst.helpers.get_full_name_for_node(item.module) or ""
                for alias in item.names:
                    name = cst.helpers.get_full_name_for_node(alias.name) or ""
                    local = alias.asname.name.value if alias.asname else name
                    names[local] = f"{base}.{name}"
    return names


def module_name_for(module: cst.Module, dotted: str) -> str | None:
    """How ``dotted`` (``numpy``, ``pandas``) is spelled in this module, e.g. ``np``; None if not imported."""
    for local, full in imported_names(module).items():
        if full == dotted:
            return local
    return None
