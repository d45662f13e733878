"""ML1305 zero-grad-missing: a PyTorch loop that back-propagates and steps but never resets gradients."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mllint.analysis.evidence import Evidence, TracksBindings, evidence_for, short
from mllint.analysis.flow import DataFlow
from mllint.catalogue.rule import CodeRule, Example


@dataclass
class _Loop:
    node: ast.AST
    backward: list[ast.Call] = field(default_factory=list)
    step: list[ast.Call] = field(default_factory=list)
    zero: bool = False


class ZeroGradMissing(TracksBindings, CodeRule):
    requires = (DataFlow, Evidence)
    code = "ML1305"
    name = "zero-grad-missing"
    factor = 13
    severity = "error"
    summary = "A PyTorch training loop calls backward() and optimizer.step() but never zero_grad()."
    why = """
        PyTorch accumulates gradients: each `backward()` adds to `.grad`. Without
        `optimizer.zero_grad()` in the loop, every step uses the sum of all gradients so far, the
        effective learning rate grows with the iteration count and training diverges or quietly
        converges to something else. Results then depend on the number of batches, not on the
        configuration (factor 4).
    """
    how_to_fix = """
        Reset the gradients once per optimisation step, in the loop:
        `optimizer.zero_grad(set_to_none=True)` before `loss.backward()` (or after
        `optimizer.step()`). For gradient accumulation, reset inside the branch that steps.
    """
    violating = [
        Example("""
            import torch
            optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
            for x, y in loader:
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
        """, lines=(6,)),
        Example("""
            import torch
            def train(model, loader, opt):
                opt.zero_grad()
                for epoch in range(10):
                    for batch in loader:
                        loss = model(batch).mean()
                        loss.backward()
                        opt.step()
        """, note="zero_grad once before the loops is not enough"),
        Example("""
            import torch
            class Trainer:
                def __init__(self, model):
                    self.optim = torch.optim.SGD(model.parameters(), lr=0.1)
                def fit(self, loader):
                    while True:
                        loss = self.step_loss(next(loader))
                        self.scaler.scale(loss).backward()
                        self.scaler.step(self.optim)
                        self.scaler.update()
        """, note="AMP GradScaler.step(optimizer), while loop"),
        Example(cells=("import torch\nimport torch.nn as nn\nnet = nn.Linear(3, 1)\nopt = torch.optim.SGD(net.parameters(), lr=0.01)",
                       "for x, y in data:\n    loss = ((net(x) - y) ** 2).mean()\n    loss.backward()\n    opt.step()"),
                path="train.ipynb", note="notebook"),
        Example("""
            import torch
            for epoch in range(epochs):
                optimizer.zero_grad()
                for x, y in loader:
                    accelerator.backward(loss_fn(model(x), y))
                    optimizer.step()
        """, note="zero_grad per epoch while stepping per batch"),
    ]
    compliant = [
        Example("""
            import torch
            optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
            for x, y in loader:
                optimizer.zero_grad(set_to_none=True)
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
        """),
        Example("""
            import torch
            for i, (x, y) in enumerate(loader):
                loss = criterion(model(x), y) / accumulation_steps
                loss.backward()
                if (i + 1) % accumulation_steps == 0:
                    optimizer.step()
                    model.zero_grad()
        """, note="gradient accumulation: zero_grad in the branch that steps"),
        Example("""
            import torch
            for epoch in range(epochs):
                optimizer.zero_grad()
                for x, y in loader:
                    criterion(model(x), y).backward()
                optimizer.step()
                scheduler.step()
        """, note="full-batch accumulation over an epoch, reset per step"),
        Example("""
            import torch
            for x, y in loader:
                for p in model.parameters():
                    p.grad = None
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
        """, note="setting .grad to None"),
        Example("""
            from mxnet import autograd, gluon
            for x, y in loader:
                with autograd.record():
                    loss = loss_fn(net(x), y)
                loss.backward()
                trainer.step(batch_size)
        """, note="MXNet gluon overwrites gradients; not torch"),
        Example("""
            import torch
            for state in states:
                action = policy(state)
                state, reward = env.step(action)
                lr_scheduler.step()
                loss.backward()
        """, note="env.step and scheduler.step are not optimizer steps"),
        Example("""
            import torch
            optimizer = torch.optim.LBFGS(model.parameters())
            for x, y in loader:
                def closure():
                    optimizer.zero_grad()
                    loss = criterion(model(x), y)
                    loss.backward()
                    return loss
                optimizer.step(closure)
        """, note="LBFGS closure: the function defined in the loop zeroes and back-propagates"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        (self.zero_names, self.zero_substrings, self.backward_names, self.gradient_contexts, self.context_backward,
         self.optimizer_prefixes, self.not_optimizer_prefixes) = ctx.knowledge.derived(_tables)
        self.loops: list[_Loop] = []
        self.outer_loops: list[list[_Loop]] = []  # loops of enclosing functions (a def in a loop does not run in it)
        self.active = not ctx.is_test and (evidence_for(ctx).torch_file() or _snippet(ctx))

    def visit_FunctionDef(self, node: ast.AST) -> None:
        super().visit_FunctionDef(node)
        self.outer_loops.append(self.loops)
        self.loops = []

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.outer_loops.append(self.loops)
        self.loops = []

    def leave_FunctionDef(self, node: ast.AST) -> None:
        if self.outer_loops:
            self.loops = self.outer_loops.pop()

    leave_AsyncFunctionDef = leave_Lambda = leave_FunctionDef

    def visit_For(self, node: ast.AST) -> None:
        if self.active:
            self.loops.append(_Loop(node))

    visit_AsyncFor = visit_While = visit_For

    def leave_For(self, node: ast.AST) -> None:
        if not self.active or not self.loops or self.loops[-1].node is not node:
            return
        loop = self.loops.pop()
        if loop.backward and loop.step and not loop.zero:
            loop.step = [step for step in loop.step if self._optimizer_step(step)]
        if loop.backward and loop.step:
            if not loop.zero and (evidence_for(self.ctx).torch_file() or _snippet(self.ctx)):
                backward = loop.backward[0]
                step = loop.step[0]
                optimizer = short(step.args[0]) if step.func.attr == "step" and step.args and not _is_optimizer_receiver(step) else short(step.func.value)
                self.report(step, f"this loop calls {short(backward.func)}() and {short(step.func)}() but never zero_grad(): "
                                  f"gradients accumulate across iterations; call {optimizer}.zero_grad(set_to_none=True) "
                                  "in the loop before backward()")
        elif self.loops:
            self.loops[-1].backward.extend(loop.backward)
            self.loops[-1].step.extend(loop.step)

    leave_AsyncFor = leave_While = leave_For

    def visit_Call(self, node: ast.Call) -> None:
        if not self.loops:
            return
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name is None:
            return
        if name in self.zero_names or any(part in name for part in self.zero_substrings) \
                or (name == "zero_" and _touches_grad(func.value)):
            for loop in self.loops:
                loop.zero = True
        elif name in self.backward_names and isinstance(func, ast.Attribute):
            if self.ctx.qualname(func) in self.context_backward:  # dist_autograd.backward(context_id, ...)
                for loop in self.loops:
                    loop.zero = True
                return
            self.loops[-1].backward.append(node)
        elif name == "step" and isinstance(func, ast.Attribute):
            self.loops[-1].step.append(node)  # judged when the loop ends (optimizer or not)

    def _optimizer_step(self, node: ast.Call) -> bool:
        """Is ``x.step(...)`` an optimizer step? The data flow's object evidence first, names second."""
        receiver = node.func.value  # type: ignore[attr-defined]
        kinds = self.analysis(DataFlow).kinds_of(receiver)
        if "optimizer" in kinds:
            return True
        if kinds & {"scheduler", "torch_module", "dataframe", "ndarray"}:
            return False  # something else that steps (lr_scheduler.step(), env.step())
        evidence = evidence_for(self.ctx)
        return evidence.is_optimizer(receiver) or bool(node.args and evidence.is_optimizer(node.args[0]))

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.loops and any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in node.targets) \
                and isinstance(node.value, ast.Constant) and node.value.value is None:
            for loop in self.loops:
                loop.zero = True
        if self.loops and isinstance(node.value, ast.Call):
            name = self.ctx.call_name(node.value) or ""
            if name.startswith(self.optimizer_prefixes) and not name.startswith(self.not_optimizer_prefixes):
                self.loops[-1].zero = True  # a fresh optimizer (on fresh tensors) for every step

    def visit_With(self, node: ast.With) -> None:
        if self.loops and any(isinstance(item.context_expr, ast.Call)
                              and self.ctx.call_name(item.context_expr) in self.gradient_contexts for item in node.items):
            self.loops[-1].zero = True  # with dist_autograd.context(): gradients are per context

    visit_AsyncWith = visit_With


def _touches_grad(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        if node.attr == "grad":
            return True
        node = node.value
    return False


def _is_optimizer_receiver(step: ast.Call) -> bool:
    receiver = step.func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else receiver.id if isinstance(receiver, ast.Name) else ""
    return "scaler" not in name.lower()


def _snippet(ctx) -> bool:
    """A snippet without a single import (a copied training loop): read as torch when nothing says otherwise."""
    return not ctx.imports and not ctx.is_notebook and len(ctx.tree.body) < 80


def _tables(knowledge) -> tuple[frozenset[str], tuple[str, ...], frozenset[str], frozenset[str], frozenset[str],
                                tuple[str, ...], tuple[str, ...]]:
    """``[smells_torch]`` as the visitor reads it: zero_grad names and substrings, backward names, gradient
    contexts, context backwards, optimizer prefixes and exceptions; made once per knowledge."""
    table = knowledge.get("smells_torch", {})
    return (frozenset(table.get("zero_grad_names", ["zero_grad"])), tuple(table.get("zero_grad_substrings", ["zero_grad"])),
            frozenset(table.get("backward_names", ["backward"])), frozenset(table.get("gradient_contexts", ())),
            frozenset(table.get("context_backward", ())), tuple(table.get("optimizer_prefixes", ("torch.optim.",))),
            tuple(table.get("not_optimizer_prefixes", ())))
