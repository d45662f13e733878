"""ML1307 forward-called-directly: ``model.forward(x)`` instead of ``model(x)``, outside the module's own methods."""

from __future__ import annotations

import ast
from functools import cached_property

from mllint.analysis.edits import RawFix, delete, end_of
from mllint.analysis.evidence import (
    NOT_MODEL,
    Evidence,
    TracksBindings,
    dotted,
    evidence_for,
    short,
)
from mllint.analysis.flow import DataFlow
from mllint.catalogue.rule import CodeRule, Example, FixExample


class ForwardCalledDirectly(TracksBindings, CodeRule):
    requires = (DataFlow, Evidence)
    code = "ML1307"
    name = "forward-called-directly"
    factor = 13
    severity = "warning"
    summary = "A PyTorch module's forward() is called directly instead of calling the module."
    why = """
        `model(x)` runs `nn.Module.__call__`, which runs the registered forward pre-hooks and
        hooks, and is what wrappers hook into (DistributedDataParallel gradient sync, FSDP,
        torch.compile, quantisation observers, pruning masks, feature extractors). `model.forward(x)`
        skips all of it: the model that is evaluated or trained is not quite the one that is
        deployed, and distributed training silently stops synchronising (factor 9).
    """
    how_to_fix = """
        Call the module: `model(x)` instead of `model.forward(x)`. Inside a module's own methods,
        `self.forward(...)` and `super().forward(...)` are fine. The fix is offered only where the
        object is proven an `nn.Module` (built by a `torch.nn` class, a model-zoo constructor or a
        class of the file deriving from `nn.Module`, or annotated as one); on an object of unknown
        type `x(...)` may not exist, so the finding comes without a fix.
    """
    violating = [
        Example("""
            import torch
            model = torch.load("model.pt")
            logits = model.forward(batch)
        """, lines=(3,)),
        Example("""
            import torch
            def evaluate(net, loader):
                return [net.forward(x) for x, _ in loader]
        """),
        Example("""
            import torch
            class Trainer:
                def step(self, x):
                    return self.model.forward(x)
        """, note="a trainer is not the module whose forward it calls"),
        Example(cells=("import torch\nfrom torchvision.models import resnet18\nbackbone = resnet18()",
                       "features = backbone.forward(images)"),
                path="explore.ipynb", note="notebook"),
        Example("""
            import torch
            ddp_model = torch.nn.parallel.DistributedDataParallel(model)
            out = ddp_model.module.forward(x)
        """, note="unwrapping DDP to call forward skips gradient synchronisation"),
        Example("""
            import torch.nn as nn
            import torch.nn.functional as F
            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 6, 5)
                    self.pool = nn.MaxPool2d(2, 2)
                def forward(self, x):
                    return self.pool.forward(F.relu(self.conv1(x)))
        """, lines=(9,), note="a sub-module's forward inside the parent's forward skips the sub-module's hooks"),
        Example("""
            import cv2
            import torch
            def predict(model, path):
                image = torch.from_numpy(cv2.imread(path)).permute(2, 0, 1).float()[None]
                return model.forward(image).argmax(1)
        """, lines=(5,), note="OpenCV only reads the image: the receiver is the torch model"),
    ]
    compliant = [
        Example("""
            import torch
            def patch(module):
                original = module.forward
                def new_forward(*args, **kwargs):
                    hooks.before(module)
                    return original.forward(*args, **kwargs)
                module.forward = new_forward
        """, note="code that implements hooks by replacing forward"),
        Example("""
            import torch.nn as nn
            class Block(nn.Module):
                def forward(self, x):
                    return super().forward(x) + self.skip(x)
                def features(self, x):
                    return self.forward(x)
        """),
        Example("""
            import torch.nn as nn
            class Wrapper(nn.Module):
                def forward(self, x):
                    return self.encoder.forward(x)
        """, note="delegation inside a module's own methods"),
        Example("""
            import cv2
            net = cv2.dnn.readNet("yolo.weights", "yolo.cfg")
            outputs = net.forward(layer_names)
        """, note="OpenCV DNN's API is forward(); no torch here"),
        Example("""
            import cv2
            import torch
            detector = load_detector(cfg.weights)
            outputs = detector.forward(blob)
        """, note="with OpenCV imported too, an object of unknown type is not assumed to be a torch module"),
        Example("""
            import torch
            class MyFunction(torch.autograd.Function):
                pass
            out = MyFunction.forward(ctx, x)
            y = nn.Linear.forward(layer, x)
        """, note="explicit unbound calls on a class"),
        Example("""
            import torch
            logits = model(batch)
            out = model.forward_features(batch)
        """, note="calling the module, or another method"),
        Example("""
            import cv2
            import torch
            model = cv2.dnn.readNetFromONNX("detector.onnx")
            model.setInput(cv2.dnn.blobFromImage(cv2.imread("frame.jpg")))
            boxes = torch.from_numpy(model.forward())
        """, note="an OpenCV DNN network has its own forward()"),
    ]

    fixes = [
        FixExample("""
            import torch
            from torchvision.models import resnet18
            model = resnet18()
            logits = model.forward(batch)  # scores
        ""","""
            import torch
            from torchvision.models import resnet18
            model = resnet18()
            logits = model(batch)  # scores
        """, note="a model-zoo constructor builds an nn.Module"),
        FixExample("""
            import torch
            from torch import nn
            class Net(nn.Module):
                def forward(self, x):
                    return x
            class Trainer:
                def __init__(self):
                    self.model = Net().to("cuda")
                def step(self, batch):
                    return self.model.forward(batch)
        ""","""
            import torch
            from torch import nn
            class Net(nn.Module):
                def forward(self, x):
                    return x
            class Trainer:
                def __init__(self):
                    self.model = Net().to("cuda")
                def step(self, batch):
                    return self.model(batch)
        """, note="an attribute assigned an instance of a class deriving from nn.Module"),
        FixExample("""
            import torch
            from torch import nn
            def evaluate(net: nn.Module, loader):
                return [net.forward(x) for x, _ in loader]
        ""","""
            import torch
            from torch import nn
            def evaluate(net: nn.Module, loader):
                return [net(x) for x, _ in loader]
        """, note="a parameter annotated nn.Module"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.torch = evidence_for(ctx).torch_file() or _torch_snippet(ctx)
        self.active = not ctx.is_test and self.torch
        # conflict_uses: conflicts that only count when the file uses their forward-bearing API (cv2 -> cv2.dnn)
        self.conflicts, self.conflict_uses, self.api_attrs = ctx.knowledge.derived(_tables)
        self.api_used = False
        self.deferred: list[tuple[ast.Call, ast.AST]] = []

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self.active and not self.api_used and node.attr in self.api_attrs:
            qualname = self.ctx.qualname(node) or ""
            self.api_used = any(qualname == api or qualname.startswith(api + ".") for api in self.conflict_uses.values())

    def finish(self) -> None:
        if self.deferred and not self.api_used and not evidence_for(self.ctx).imports_any(tuple(self.conflict_uses.values())):
            for node, receiver in self.deferred:
                self._report(node, receiver, known=False)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not (self.active and isinstance(func, ast.Attribute) and func.attr == "forward"):
            return
        receiver = func.value
        if isinstance(receiver, ast.Call):  # super().forward, super(Cls, self).forward
            return
        name = dotted(receiver)
        if name is None:
            return
        root = name.split(".", 1)[0]
        if name in ("self", "cls") or root[:1].isupper():
            return
        if self.ctx.qualname(receiver):  # nn.Linear.forward(...): an explicit unbound call
            return
        evidence = evidence_for(self.ctx)
        if not self.torch:
            return
        if self._hook_machinery:
            return  # the file wraps forward methods itself (module.forward = ...): it must call them
        if root == "self":
            cls = self.ctx.enclosing_class()
            if cls is None or cls.name in evidence.module_classes or _defines_forward(cls):
                if name.count(".") == 1 and self._proven_module(receiver):
                    self._report(node, receiver, known=True)  # self.pool.forward(x): the sub-module's hooks are skipped
                return
        if name.rsplit(".", 1)[-1][:1].isupper():
            return
        kind = evidence.torch_kind(receiver)
        if kind == NOT_MODEL or "module" in self.analysis(DataFlow).kinds_of(receiver):
            return  # not a model: an extension module loaded at run time (importlib.import_module)
        if kind is None and evidence.imports_any(self.conflicts):
            conflicting = [c for c in self.conflicts if evidence.imports_any((c,))]
            if all(c in self.conflict_uses for c in conflicting) and "model" in name.rsplit(".", 1)[-1].lower() \
                    and evidence.model_like(receiver):
                self.deferred.append((node, receiver))  # cv2 for image I/O: report unless cv2.dnn is used
            return
        self._report(node, receiver, known=self._proven_module(receiver))

    @cached_property
    def _hook_machinery(self) -> bool:
        """Does the file replace ``forward`` methods (``module.forward = new_forward``)? Then it is
        the code that implements hooks, and calling the original ``forward`` is its job."""
        for sub in ast.walk(self.ctx.tree):
            if isinstance(sub, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "forward" for t in sub.targets):
                return True
        return False

    def _proven_module(self, receiver: ast.AST) -> bool:
        """The data flow's object evidence makes the receiver an ``nn.Module`` and nothing else: built by a
        ``torch.nn`` class or a model-zoo constructor, an instance of a class of the file deriving from
        ``nn.Module``, a parameter annotated ``nn.Module``, or an attribute assigned one
        (``self.encoder = nn.Linear(...)`` in ``__init__``)."""
        kinds = self.analysis(DataFlow).kinds_of(receiver)
        return "torch_module" in kinds and kinds <= {"torch_module", "instance"}

    def _report(self, node: ast.Call, receiver: ast.AST, known: bool) -> None:
        """Report the call; the fix (call the module) only where the receiver is proven an ``nn.Module``:
        on another object with a ``forward`` method, ``x(...)`` may not exist or mean something else."""
        fix = RawFix("safe", f"call the module: `{short(receiver)}(...)`",
                     [delete(end_of(receiver), end_of(node.func))]) if known else None
        self.report(node, f"`{short(receiver)}.forward(...)` skips the module's hooks (DDP sync, torch.compile, "
                          f"quantisation, feature hooks); call `{short(receiver)}(...)` instead", fix=fix)


def _defines_forward(cls: ast.ClassDef) -> bool:
    return any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "forward" for item in cls.body)


def _torch_snippet(ctx) -> bool:
    """A snippet without a single import that uses torch's conventional names (``class Net(nn.Module)``)."""
    if ctx.imports or ctx.is_notebook or len(ctx.tree.body) >= 80:
        return False
    return any(isinstance(node, ast.Name) and node.id in ("torch", "nn") and (ctx.conventional(node.id) or "").startswith("torch")
               for node in ast.walk(ctx.tree))


def _tables(knowledge) -> tuple[tuple[str, ...], dict[str, str], frozenset[str]]:
    """``[smells_torch]``: forward conflicts, their forward-bearing APIs, those APIs' last names; made once
    per knowledge (read only)."""
    table = knowledge.get("smells_torch", {})
    conflict_uses: dict[str, str] = dict(table.get("forward_conflict_uses", {}))
    return (tuple(table.get("forward_conflicts", ["cv2"])), conflict_uses,
            frozenset(api.rsplit(".", 1)[-1] for api in conflict_uses.values()))
