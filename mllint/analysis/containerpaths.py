"""Container-side paths: which path literals of a file name a location inside a container the code
builds or starts, not a place on the developer's machine.

A literal (or a value built from it: an f-string, ``+``, ``/``, ``os.path.join``) is container-side when
it reaches, directly or through the names it is bound to (followed by name, a few hops, across the
file):

- a keyword argument or a dictionary key naming a container-side path (``Volume(mount_path=mount_path)``,
  ``{"name": "data", "mountPath": MNT_PATH}``, Docker's ``{host: {"bind": path}}``);
- a name or parameter that says so (``CONTAINER_WORKDIR = ...``, ``def run(container_path="/mnt/x")``);
- a class body or a parameter default of a class or function whose docstring says its values live in a
  container (``class Paths: "Paths mapping inside Triton Container"``; a function whose result "is used
  in the generated Dockerfile").

Host-side arguments of the same code (``dockerfile="/home/me/Dockerfile"``, a volume's host path) stay
machine paths. Syntactic, computed once per file on request; the knowledge is ``[hardcoded_paths]`` in
``rules/knowledge/paths.toml``.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.context import FileContext

#: How many bindings a value is followed through (``A = "/mnt/x"; B = f"{A}/y"; f(path=B)`` is two).
MAX_HOPS = 3
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class ContainerPaths:
    """Answers :meth:`inside` for the path literals of one file."""

    def __init__(self, ctx: FileContext) -> None:
        spec = ctx.knowledge.get("hardcoded_paths", {})
        self.kwargs = frozenset(spec.get("container_kwargs", ()))
        self.keys = frozenset(spec.get("container_keys", ()))
        self.joins = frozenset(spec.get("path_joins", ()))
        self.names = re.compile(spec.get("container_names", "(?!)"))
        self.docstring = re.compile(spec.get("container_docstring", "(?!)"))
        self.ctx = ctx
        self.parent: dict[ast.AST, ast.AST] = {}
        self.loads: dict[str, list[ast.AST]] = {}  # a name (or attribute) -> the expressions reading it
        for node in ast.walk(ctx.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.loads.setdefault(node.id, []).append(node)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                self.loads.setdefault(node.attr, []).append(node)

    @classmethod
    def of(cls, ctx: FileContext) -> ContainerPaths:
        return ctx.analysis(cls)

    def inside(self, node: ast.AST) -> bool:
        """Does the literal ``node`` (a string constant or an f-string) name a path inside a container?"""
        return self._reaches(node, MAX_HOPS, set())

    def _reaches(self, node: ast.AST, hops: int, seen: set[str]) -> bool:
        current = node
        parent = self.parent.get(current)
        while parent is not None:
            if isinstance(parent, ast.keyword):
                return parent.arg in self.kwargs
            if isinstance(parent, ast.Dict):
                index = next((i for i, value in enumerate(parent.values) if value is current), None)
                key = parent.keys[index] if index is not None else None
                return isinstance(key, ast.Constant) and key.value in self.keys
            if isinstance(parent, ast.arguments):
                return self._declared(self.parent.get(parent), current)
            if isinstance(parent, (ast.Assign, ast.AnnAssign)) and current is parent.value:
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                return any(self._bound(target, hops, seen) for target in targets)
            if not self._keeps_path(parent, current):
                return False
            current, parent = parent, self.parent.get(parent)
        return False

    def _keeps_path(self, parent: ast.AST, child: ast.AST) -> bool:
        """Is ``parent`` a value built from ``child`` that still names (a path below) it?"""
        if isinstance(parent, (ast.JoinedStr, ast.FormattedValue, ast.List, ast.Tuple, ast.Starred)):
            return True
        if isinstance(parent, ast.BinOp):
            return isinstance(parent.op, (ast.Add, ast.Div)) and parent.left is child
        if isinstance(parent, ast.Call):
            return child in parent.args and self.ctx.call_name(parent) in self.joins
        return False

    def _bound(self, target: ast.AST, hops: int, seen: set[str]) -> bool:
        """The value is bound to ``target``: its name says container, its class declares it, or a use does."""
        if isinstance(target, ast.Subscript):
            key = target.slice
            return isinstance(key, ast.Constant) and isinstance(key.value, str) and (
                key.value in self.keys or bool(self.names.search(key.value)))
        name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else None
        if name is None:
            return False
        if self.names.search(name):
            return True
        holder = self.parent.get(self.parent.get(target) or target)
        if isinstance(holder, ast.ClassDef) and self._documents_container(holder):
            return True
        if hops <= 0 or name in seen:
            return False
        seen.add(name)
        return any(self._reaches(use, hops - 1, seen) for use in self.loads.get(name, ()))

    def _declared(self, function: ast.AST | None, default: ast.AST) -> bool:
        """A parameter default: the parameter's name or the function's docstring says container."""
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        args = function.args
        positional = [*args.posonlyargs, *args.args]
        named = dict(zip([a.arg for a in positional][len(positional) - len(args.defaults):], args.defaults))
        named.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        parameter = next((name for name, value in named.items() if value is default), "")
        if parameter in self.kwargs or (parameter and self.names.search(parameter)):
            return True
        return isinstance(function, _DEFS) and self._documents_container(function)

    def _documents_container(self, definition: ast.AST) -> bool:
        docstring = ast.get_docstring(definition) if isinstance(definition, _DEFS) else None
        return bool(docstring and self.docstring.search(docstring))
