"""Which functions of a file its own code runs: reachability by name from module-level code.

A function runs when module-level code (a script, a notebook, the ``__main__`` block) calls it or
hands it to other code (``mp.spawn(run_worker)``), transitively; nested functions run with their
parent; a framework hook (``train_dataloader``) runs when an instance of its class is handed to
other code (``trainer.fit(model, datamodule=DataModule())``). Syntactic and over-approximate (a
method name called anywhere reaches every method of that name), computed once per file on request.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from mllint.analysis.children import child_nodes

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.context import FileContext

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Reachability:
    """Functions run by the file's own code, and classes whose instances it hands over."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.hooks = frozenset(ctx.knowledge.get("framework_hooks", {}).get("methods", ()))
        self.reached: frozenset[ast.AST] = frozenset()
        self.handed_over: frozenset[str] = frozenset()
        self._compute(ctx.tree)

    @classmethod
    def of(cls, ctx: FileContext) -> Reachability:
        return ctx.analysis(cls)

    def runs(self, function: ast.AST, cls: ast.ClassDef | None = None) -> bool:
        if function in self.reached:
            return True
        return cls is not None and cls.name in self.handed_over and getattr(function, "name", None) in self.hooks

    def _compute(self, tree: ast.Module) -> None:
        by_name: dict[str, list[ast.AST]] = {}
        nested: dict[ast.AST, list[ast.AST]] = {}
        refers: dict[ast.AST | None, set[str]] = {None: set()}  # None: module-level code
        passed: dict[ast.AST | None, set[str]] = {None: set()}  # names handed to calls as arguments
        classes: set[str] = set()
        instances: dict[str, str] = {}  # variable -> class it was built from
        stack: list[tuple[ast.AST, ast.AST | None]] = [(tree, None)]
        while stack:
            node, owner = stack.pop()
            if isinstance(node, _FUNCTIONS):
                by_name.setdefault(node.name, []).append(node)
                if owner is not None:
                    nested.setdefault(owner, []).append(node)
                refers.setdefault(node, set())
                passed.setdefault(node, set())
                for child in node.body:
                    stack.append((child, node))
                for decorator in node.decorator_list:
                    stack.append((decorator, owner))
                continue
            if isinstance(node, ast.ClassDef):
                classes.add(node.name)
            elif isinstance(node, ast.Name):
                refers[owner].add(node.id)
            elif isinstance(node, ast.Attribute):
                refers[owner].add(node.attr)
            elif isinstance(node, ast.Call):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    target = arg.value if isinstance(arg, ast.Starred) else arg
                    if isinstance(target, ast.Name):
                        passed[owner].add(target.id)
                    elif isinstance(target, ast.Call) and isinstance(target.func, ast.Name):
                        passed[owner].add(target.func.id)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        instances[target.id] = node.value.func.id
            for inner in child_nodes(node):
                stack.append((inner, owner))
        reached: set[ast.AST] = set()
        todo = [f for name in refers[None] for f in by_name.get(name, ())]
        handed = {instances.get(name, name) for name in passed[None]}
        while todo:
            function = todo.pop()
            if function in reached:
                continue
            reached.add(function)
            todo.extend(nested.get(function, ()))
            todo.extend(f for name in refers.get(function, ()) for f in by_name.get(name, ()))
            handed |= {instances.get(name, name) for name in passed.get(function, ())}
        self.reached = frozenset(reached)
        self.handed_over = frozenset(handed & classes)
