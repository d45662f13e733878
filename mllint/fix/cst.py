"""Building blocks for rule fixers (libcst); imported only when fixing, never on the check path.

A rule makes itself fixable by attaching ``Fix(...)`` to its reports and defining::

    @classmethod
    def fixer(cls, targets, ctx):
        from mllint.fix.cst import TargetedTransformer
        ...
        return MyTransformer(targets)

``targets`` maps the (1-based line, 0-based column) of the reported nodes' starts to the findings'
``Fix`` objects (``fix.data`` carries what the rule knew, e.g. a missing keyword's name).
"""

from __future__ import annotations

import libcst as cst
import libcst.helpers
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


def params_binding(module: cst.Module, ctx) -> str | None:
    """The module-level name bound to the project's parameters by a loader mllint recognises.

    ``NAME = <call>`` at module level where the call mentions the params file's name
    (``yaml.safe_load(open("params.yaml"))``), or is ``dvc.api.params_show()`` / ``load_params()``.
    None when the project has no params file or this module does not load it.
    """
    if not getattr(ctx, "params_file", None):
        return None
    params_name = ctx.params_file.rsplit("/", 1)[-1]
    code = cst.Module(body=[]).code_for_node
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(stmt.body[0], cst.Assign):
            continue
        assign = stmt.body[0]
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name) or not isinstance(assign.value, cst.Call):
            continue
        value = code(assign.value)
        if params_name in value or "params_show(" in value or "load_params(" in value:
            return assign.targets[0].target.value
    return None


class ParamsMover(TargetedTransformer):
    """Replace literal keyword values of the reported calls by ``params[section][key]``.

    ``fix.data``: ``{"section": str, "keywords": {name: literal}}``. A value is moved only when the
    params file has no such section yet (the section is then added, see ``FixContext.params_added``)
    or already holds the same value; anything else is left alone (the finding stays).
    """

    def __init__(self, targets, ctx) -> None:
        super().__init__(targets)
        self.ctx = ctx
        self.binding: str | None = None

    def visit_Module(self, node: cst.Module) -> bool:
        self.binding = params_binding(node, self.ctx)
        return True

    def _key(self, section: str, key: str, value) -> bool:
        existing = self.ctx.params.get(section)
        added = self.ctx.params_added.setdefault(section, {}) if existing is None else None
        if existing is not None:
            return isinstance(existing, dict) and key in existing and existing[key] == value and type(existing[key]) is type(value)
        if key in added:
            return added[key] == value and type(added[key]) is type(value)
        added[key] = value
        return True

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        fix = self.fix_of(original) if self.binding and self.is_target(original) else None
        if fix is None or not fix.data.get("keywords"):
            return updated
        section, keywords = fix.data["section"], fix.data["keywords"]
        args = []
        for arg in updated.args:
            name = arg.keyword.value if arg.keyword else None
            if name in keywords and self._key(section, name, keywords[name]):
                arg = arg.with_changes(value=cst.parse_expression(f"{self.binding}[{section!r}][{name!r}]".replace("'", '"')))
            args.append(arg)
        if not self.ctx.params_added.get(section):
            self.ctx.params_added.pop(section, None)
        return updated.with_changes(args=args)
