"""ML1306 eval-mode-missing: PyTorch evaluation/inference code without ``model.eval()`` or ``torch.no_grad()``."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from mllint.analysis.children import walk_nodes
from mllint.analysis.evidence import EVAL_MODEL, TracksBindings, dotted, evidence_for, short
from mllint.catalogue.rule import CodeRule, Example

TOKEN = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
#: ``def name`` in a file's text: a superset of the names of its functions (strings and comments too).


@lru_cache(maxsize=8192)
def name_tokens(name: str) -> frozenset[str]:
    """The lower-case words of an identifier (``evalLoader`` -> eval, loader): asked again and again for the
    same names (every loop's names, every function's), so remembered."""
    return frozenset(token.lower() for part in name.split("_") for token in TOKEN.findall(part))


@dataclass
class _Frame:
    node: ast.AST | None
    name: str = ""
    managed: bool = False
    unit_test: bool = False  # a pytest test asserting on what it runs (`test_shapes(...)`: `assert out.shape == ...`)
    module_class: bool = False
    private_method: bool = False  # ``_helper(self, ...)``: part of an object's own machinery
    depth: int = 0  # no_grad nesting when the function starts
    decorated: bool = False  # @torch.no_grad() / @torch.inference_mode()
    model_calls: list[tuple[ast.Call, str, bool]] = field(default_factory=list)  # (call, dotted callee, under no_grad)
    evals: bool = False
    eval_names: set[str] = field(default_factory=set)  # last identifiers of what this scope puts in eval mode
    trains: bool = False
    disables_grad: bool = False
    eval_loops: list[_EvalLoop] = field(default_factory=list)  # evaluation loops inside this scope
    #: Whether this scope's model calls are read: it is judged as an evaluation (its name says so) or may
    #: hand them over to its callers (a private helper). Calls in other scopes count only in evaluation loops.
    collects: bool = False


@dataclass
class _EvalLoop:
    """``for x, y in val_loader:``: a loop over evaluation data, judged like an evaluation function."""

    node: ast.AST
    data: str
    model_calls: list[tuple[ast.Call, str, bool]] = field(default_factory=list)
    trains: bool = False


#: A call of a function of this file (by name): where it is, and whether autograd is off there -- (under
#: torch.no_grad() or in a decorated function, the calling scope, the call, the (outermost) evaluation loop
#: around the call or None). A plain tuple: one is kept for every call of a file, most never read.
_Site = tuple[bool, _Frame, ast.Call, _EvalLoop | None]


#: Name words of a method that assesses a model (a trainer's `_validate`), unlike one that runs its own parts.
ASSESSING = frozenset({"eval", "evaluate", "evaluation", "val", "valid", "validate", "validation", "test", "testing",
                       "score", "scores", "metric", "metrics", "benchmark"})

_BARRIER = object()  # on the loop stack: a function definition


def _may_hand_over(name: str) -> bool:
    """A private helper's name (``_generate_codes``), not a dunder nor an assessing one (``_validate``): its
    model calls may be its callers' (:meth:`EvalModeMissing._hands_over`)."""
    return name.startswith("_") and not name.endswith("__") and not name_tokens(name) & ASSESSING


class EvalModeMissing(TracksBindings, CodeRule):
    code = "ML1306"
    name = "eval-mode-missing"
    factor = 13
    severity = "warning"
    summary = "PyTorch evaluation code runs a model without model.eval() or outside torch.no_grad()."
    why = """
        In training mode, dropout drops activations and batch-norm normalises with the statistics
        of the current batch (and updates its running averages): validation scores are noisy,
        depend on the batch size, and differ from what the served model will do (factor 9).
        Without `torch.no_grad()`/`torch.inference_mode()`, autograd records every operation of
        the evaluation: memory grows with the validation set and inference is slower.
    """
    how_to_fix = """
        Put the model in evaluation mode and disable autograd where it is evaluated:
        `model.eval()` then `with torch.inference_mode(): ...` (or decorate the function with
        `@torch.no_grad()`); call `model.train()` again before training resumes. Lightning's
        `validation_step`/`test_step` and Hugging Face `Trainer` do this for you. Not reported:
        tokenizers, processors and pipelines (not models run in training mode), functions of the
        file (model factories), calls of classes (`Generator(z_dim)` builds a module), pytest tests
        (`test_*` asserting on what they run), and a module's own methods, which run in the mode and autograd
        context their caller chose (they are judged where the file calls them).
    """
    violating = [
        Example("""
            import torch
            def evaluate(model, loader):
                correct = 0
                for x, y in loader:
                    out = model(x)
                    correct += (out.argmax(1) == y).sum().item()
                return correct
        """, lines=(5,), note="neither eval() nor no_grad()"),
        Example("""
            import torch
            @torch.no_grad()
            def validate(net, loader, criterion):
                return sum(criterion(net(x), y).item() for x, y in loader)
        """, note="no_grad but dropout still active"),
        Example("""
            import torch
            class Predictor:
                def __init__(self, path):
                    self.model = torch.load(path)
                    self.model.eval()
                def predict(self, batch):
                    return self.model(batch).softmax(-1)
        """, note="eval() set once, but autograd records every prediction"),
        Example(cells=("import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def forward(self, x):\n        return x",
                       "mdl = Net()",
                       "def run_inference(xs):\n    return [mdl(x) for x in xs]\npreds = run_inference(data)"),
                path="infer.ipynb", note="notebook; a model built from a class of the file"),
        Example("""
            import torch.nn as nn
            class Classifier(nn.Module):
                def forward(self, x):
                    return self.head(x)
                def predict(self, x):
                    return self(x).argmax(-1)
            clf = Classifier()
            labels = clf.predict(batch)
        """, lines=(6,), note="a module's own predict method, called here without torch.no_grad()"),
        Example("""
            import torch
            def train(model, train_loader, val_loader, optimizer, epochs):
                for epoch in range(epochs):
                    model.train()
                    for x, y in train_loader:
                        optimizer.zero_grad()
                        model(x).mean().backward()
                        optimizer.step()
                    with torch.no_grad():
                        val_loss = sum(model(x).mean().item() for x, _ in val_loader)
                        for x, y in val_loader:
                            print(model(x))
        """, lines=(12,), note="a validation loop inside a training function, without eval()"),
        Example("""
            import torch
            model = torch.load("model.pt")
            with torch.no_grad():
                predictions = model(batch)
        """, path="scripts/predict.py", note="an inference script"),
        Example("""
            import torch
            def generate_text(model, prompt_ids, steps):
                out = prompt_ids
                for _ in range(steps):
                    logits = model(out)
                    out = torch.cat([out, logits[:, -1:].argmax(-1)], dim=1)
                return out
        """, lines=(5,), note="generation is inference too"),
        Example("""
            import torch
            def _predict_batch(model, batch):
                return model(batch).argmax(-1)
            def evaluate(net, loader):
                return [_predict_batch(net, x) for x, _ in loader]
        """, lines=(5,), note="a private helper runs the model it is handed: judged where the evaluation calls it"),
        Example("""
            import torch
            import torch.nn.functional as F
            def test(model, device, test_loader):
                test_loss = 0
                for data, target in test_loader:
                    data, target = data.to(device), target.to(device)
                    test_loss += F.nll_loss(model(data), target, reduction="sum").item()
                print(f"Test set: average loss {test_loss / len(test_loader.dataset):.4f}")
        """, lines=(7,), note="a test() that scores the model is an evaluation, not a unit test"),
        Example("""
            import torch
            def test_epoch(model, test_loader):
                def check(batch):
                    assert batch.dim() == 4, "expects NCHW images"
                correct = 0
                for x, y in test_loader:
                    check(x)
                    correct += (model(x).argmax(1) == y).sum().item()
                return correct
        """, lines=(8,), note="an assert in a nested function does not make the evaluation a unit test"),
    ]
    compliant = [
        Example("""
            from torch import nn

            class Generator:
                def __init__(self, encoder: nn.Module):
                    self.encoder = encoder

                def _prepare_encoder_outputs_for_generation(self, inputs):
                    encoder = self.get_encoder()  # the object's own part: its caller sets the mode
                    return encoder(inputs)

                def get_encoder(self):
                    return self.encoder
        """, note="a class's private helper running the object's own parts"),
        Example("""
            import torch
            def evaluate(model, loader):
                model.eval()
                with torch.no_grad():
                    return [model(x) for x, _ in loader]
        """),
        Example("""
            import torch
            @torch.inference_mode()
            def predict(model, x):
                return model(x)
            model = torch.load("m.pt")
            model.eval()
        """, note="eval() where the model is loaded; the decorator disables autograd"),
        Example("""
            import lightning as L
            class LitModel(L.LightningModule):
                def validation_step(self, batch, batch_idx):
                    x, y = batch
                    return self.model(x)
                def predict(self, x):
                    return self.model(x)
        """, note="Lightning runs evaluation in eval mode without gradients"),
        Example("""
            import torch
            def train_and_validate(model, loader, optimizer):
                for x, y in loader:
                    loss = model(x).mean()
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """, note="training code"),
        Example("""
            import torch
            def evaluate(model, loader):
                return [model(x) for x in loader]
            model.eval()
            with torch.no_grad():
                scores = evaluate(model, val_loader)
        """, note="the caller sets eval mode and disables autograd"),
        Example("""
            from tensorflow import keras
            def predict(model, x):
                return model(x, training=False)
        """, note="Keras, not torch"),
        Example("""
            import torch
            from transformers import AutoModel
            model = AutoModel.from_pretrained("bert-base-uncased")
            def infer(batch):
                with torch.set_grad_enabled(False):
                    return model(**batch)
        """, note="from_pretrained returns a model in eval mode"),
        Example("""
            import torch
            from transformers import pipeline
            classifier = pipeline("sentiment-analysis")
            def predict(texts):
                return classifier(texts)
            class Model(BaseModel):
                def validation_step(self, batch, batch_idx):
                    return self.model(batch)
        """, note="HF pipelines handle inference mode; Lightning hooks with a base class from another file"),
        Example("""
            import torch
            def train(model, train_loader, val_loader, optimizer):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    model(x).mean().backward()
                    optimizer.step()
                model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        print(model(x))
                model.train()
        """, note="the validation loop of a training function, done right"),
        Example("""
            import torch

            def get_model(path):
                net = torch.load(path, map_location="cpu")
                net.eval()
                return net

            model = get_model("checkpoints/best.pt")
            with torch.inference_mode():
                print(model(torch.zeros(1, 3)).argmax())
        """, path="predict.py", note="a local loader (named get_/load_...) returns the model in eval mode"),
        Example("""
            import torch
            from transformers import AutoTokenizer, AutoModelForCausalLM
            tokenizer = AutoTokenizer.from_pretrained("gpt2")
            model = AutoModelForCausalLM.from_pretrained("gpt2")
            def model_inference(prompt):
                inputs = tokenizer(prompt, return_tensors="pt")
                with torch.inference_mode():
                    return model.generate(**inputs)
        """, note="a tokenizer is preprocessing, not a model"),
        Example("""
            import torch
            from diffusers import StableDiffusionPipeline
            pipe = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5").to("cuda")
            def batch_inference(prompts):
                return pipe(prompts, num_inference_steps=30).images
        """, path="infer.py", note="a diffusers pipeline runs its __call__ without gradients, modules in eval mode"),
        Example("""
            import torch
            from timm.models import register_model
            from torch import nn
            class ResNet(nn.Module):
                pass
            def _create_resnet(variant, pretrained=False, **kwargs):
                return ResNet(**kwargs)
            @register_model
            def test_resnet(pretrained=False, **kwargs):
                return _create_resnet("test_resnet", pretrained, **kwargs)
        """, path="timm/models/resnet.py", note="a model factory named test_*: it builds a model, it does not run one"),
        Example("""
            import torch
            def log_validation(accelerator, unet, pipeline_cls, evaluate_model, dataset):
                unet = accelerator.unwrap_model(unet)
                pipeline = pipeline_cls(unet=unet)
                return evaluate_model(dataset=dataset, model=unet)
        """, note="unwrap_model() returns the module, evaluate_model() is a function: nothing is run here"),
        Example("""
            import torch
            from detectron2.modeling import build_model
            def load_model(cfg, path):
                model = build_model(cfg)
                model.to("cuda").eval()
                return model
            def infer(model, image):
                with torch.no_grad():
                    return model([image])
        """, path="inference.py", note="the module's loader puts models in eval mode (through .to(...))"),
        Example("""
            import torch
            from .inferencer import Inferencer
            class FastSpeechInferencer(Inferencer):
                def __init__(self, model, data_loader):
                    super().__init__(model, data_loader)
                def infer(self, text):
                    return self.model(text)
        """, note="self.model is set (and put in eval mode) by a base class of another file"),
        Example("""
            import torch
            from torch import nn
            class GPT(nn.Module):
                @torch.no_grad()
                def generate(self, idx, steps):
                    for _ in range(steps):
                        logits = self(idx)
                        idx = torch.cat([idx, logits[:, -1:].argmax(-1)], dim=1)
                    return idx
        """, note="a module's own generate(): its caller chooses the mode"),
        Example("""
            import torch
            from torch import nn
            class FastPitch(nn.Module):
                def infer(self, inputs):
                    enc_out = self.encoder(inputs)
                    return self.decoder(enc_out)
        """, note="a module's method running its submodules (called from elsewhere)"),
        Example("""
            import torch
            from contextlib import contextmanager
            @contextmanager
            def evaluating(model):
                model.eval()
                yield model
                model.train()
            def validate(model, val_loader):
                with evaluating(model), torch.no_grad():
                    return [model(x) for x, _ in val_loader]
        """, note="a context manager of the file that puts the model in eval mode"),
        Example("""
            import torch
            from diffusers.modular_pipelines import ModularPipelineBlocks

            def _generate_depth_codes(decoder, hidden, steps):
                codes = []
                for _ in range(steps):
                    hidden = decoder(hidden)
                    codes.append(hidden.argmax(-1))
                return codes

            class AutoregressiveStep(ModularPipelineBlocks):
                @torch.no_grad()
                def __call__(self, components, state):
                    state.codes = _generate_depth_codes(components.depth_decoder, state.hidden, 8)
                    return state
        """, note="a private helper running the decoder a pipeline block hands it: the pipeline sets the mode"),
        Example("""
            import torch
            def test_classifier_output_shape(classifier_cls):
                model = classifier_cls(num_classes=10)
                out = model(torch.zeros(2, 3, 32, 32))
                assert out.shape == (2, 10)
        """, path="problem_unittests.py", note="a pytest unit test (test_* asserting on a new module), not an evaluation"),
        Example("""
            import torch
            def run_inference(Generator, weights, z):
                netG = Generator(100)
                netG.load_state_dict(torch.load(weights))
                netG.eval()
                with torch.no_grad():
                    return netG(z)
        """, note="Generator(100) calls a class (CapWords): it builds the module, it does not run it"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.tokens, self.no_grad, self.managed_bases, self.managed_methods, self.backward_names = \
            ctx.knowledge.derived(_tables)
        self.active = not ctx.is_test and evidence_for(ctx).torch_file()
        self.frames: list[_Frame] = [_Frame(None)]
        self.done: list[_Frame] = []
        self.nograd: list[ast.AST] = []
        self.call_sites: dict[str, list[_Site]] = {}
        self.global_nograd = False
        self.managed_classes: set[int] = set()
        self.loops: list[object] = []  # _EvalLoop, None (another loop) or _BARRIER
        #: (innermost, outermost) evaluation loop of the current function at each depth of ``loops``
        self._eval_loops: list[tuple[_EvalLoop | None, _EvalLoop | None]] = [(None, None)]
        self._class_attributes: dict[int, set[str]] = {}
        self._evaluators: dict[str, bool] = {}  # context-manager name -> it puts the model in eval mode
        stem = ctx.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        self.frames[0].name = stem  # a script named predict.py / inference.ipynb is evaluation code
        self.frames[0].collects = bool(name_tokens(stem) & self.tokens)

    # -- scopes -----------------------------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        super().visit_ClassDef(node)
        for base in node.bases:
            name = self.ctx.qualname(base)
            if name and name.startswith(self.managed_bases):
                self.managed_classes.add(id(node))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        if not self.active:
            return
        cls = self.ctx.enclosing_class()
        evidence = evidence_for(self.ctx)
        frame = _Frame(node, node.name, depth=len(self.nograd),
                       managed=cls is not None and id(cls) in self.managed_classes,
                       module_class=cls is not None and cls.name in evidence.module_classes,
                       private_method=cls is not None and node.name.startswith("_") and not node.name.endswith("__"),
                       decorated=bool(node.decorator_list) and any(self._is_no_grad(d) for d in node.decorator_list))
        frame.unit_test = self._unit_test(node)
        # judged as an evaluation (finish), or handed over to its callers (_hands_over)
        frame.collects = not frame.unit_test and (bool(name_tokens(node.name) & self.tokens)
                                                  or _may_hand_over(node.name))
        self.frames.append(frame)
        self._push_loop(_BARRIER)  # loops outside the def do not run its body

    visit_AsyncFunctionDef = visit_FunctionDef

    def _unit_test(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """A unit test, not an evaluation: named ``test*`` where pytest collects it (at module level or in a
        ``Test*`` class) and asserting in its own statements (shape and type checks on a fresh module). A
        ``def test(model, device, test_loader)`` that only scores the model asserts nothing: still judged."""
        if not node.name.startswith("test"):
            return False
        scopes = self.ctx.scopes
        if scopes and not (isinstance(scopes[-1], ast.ClassDef) and scopes[-1].name.startswith("Test")):
            return False
        return _asserts(node.body)

    def leave_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.active and len(self.frames) > 1 and self.frames[-1].node is node:
            self.done.append(self.frames.pop())
            if self.loops and self.loops[-1] is _BARRIER:
                self._pop_loop()

    leave_AsyncFunctionDef = leave_FunctionDef

    def _is_no_grad(self, node: ast.AST) -> bool:
        target = node.func if isinstance(node, ast.Call) else node
        name = self.ctx.qualname(target)
        if name not in self.no_grad:
            return False
        if isinstance(node, ast.Call) and name.endswith(("set_grad_enabled", "inference_mode")) and node.args:
            first = node.args[0]
            return not (isinstance(first, ast.Constant) and first.value is True)
        return True

    def visit_With(self, node: ast.With) -> None:
        if self.active and any(self._is_no_grad(item.context_expr) for item in node.items):
            self.nograd.append(node)
        if self.active and any(self._evaluating(item.context_expr) for item in node.items):
            self.frames[-1].evals = True

    def _evaluating(self, node: ast.AST) -> bool:
        """``with evaluating(model):`` where ``evaluating`` is a context manager of this file that calls ``.eval()``."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return False
        name = node.func.id
        if name not in self._evaluators:  # judged once per name, on the functions of that name only
            self._evaluators[name] = any(_yields_after_eval(function) for function in self._functions.get(name, ()))
        return self._evaluators[name]

    @cached_property
    def _functions(self) -> dict[str, list[ast.AST]]:
        """The file's functions by name (one walk, made when a ``with name(...)`` is first judged)."""
        found: dict[str, list[ast.AST]] = {}
        if "yield" not in self.ctx.source:  # the lines joined: a word never spans two of them
            return found  # no generator, so no context manager of this file
        for node in walk_nodes(self.ctx.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(node.name, []).append(node)
        return found

    visit_AsyncWith = visit_With

    def leave_With(self, node: ast.With) -> None:
        if self.nograd and self.nograd[-1] is node:
            self.nograd.pop()

    leave_AsyncWith = leave_With

    # -- calls ------------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        frame = self.frames[-1]
        func = node.func
        under = len(self.nograd) > frame.depth or frame.decorated
        if isinstance(func, ast.Attribute):
            attr = func.attr
            if attr == "eval" and not node.args or (attr == "train" and _false_arg(node)) or "eval_mode" in attr or attr == "set_eval":
                frame.evals = True
                receiver = dotted(_strip_moves(func.value))  # model.to(device).eval() puts `model` in eval mode
                if receiver:
                    frame.eval_names.add(receiver.rsplit(".", 1)[-1])
                return
            if attr in self.backward_names or attr == "step" and evidence_for(self.ctx).is_optimizer(func.value):
                frame.trains = True
                for loop in self.loops:
                    if isinstance(loop, _EvalLoop):
                        loop.trains = True
                return
            name: str | None = attr
        elif isinstance(func, ast.Name):
            name = func.id
        else:
            name = None
        if name is not None:  # a call site of the function of this name, if the file has one
            site: _Site = (under, frame, node, self._eval_loops[-1][1])
            sites = self.call_sites.get(name)
            if sites is None:
                self.call_sites[name] = [site]
            else:
                sites.append(site)
        if isinstance(self.ctx.parents[-2], ast.Expr) and self._is_no_grad(node):
            if frame.node is None:
                self.global_nograd = True
            frame.disables_grad = True
            return
        loop = self._eval_loops[-1][0]
        if not frame.collects and loop is None:
            return  # a model call here would be read by nothing
        callee = self._model_callee(node, frame)
        if callee is not None:
            frame.model_calls.append((node, callee, under))
            if loop is not None:
                loop.model_calls.append((node, callee, under))

    # -- loops over evaluation data -----------------------------------------------------------------
    def visit_For(self, node: ast.For) -> None:
        if not self.active:
            return
        data = None
        for sub in walk_nodes(node.iter):
            label = sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else None
            if label and name_tokens(label) & self.tokens:
                data = label
                break
        self._push_loop(_EvalLoop(node, data) if data else None)

    visit_AsyncFor = visit_For

    def leave_For(self, node: ast.For) -> None:
        if not self.active or not self.loops:
            return
        loop = self._pop_loop()
        if not isinstance(loop, _EvalLoop):
            return
        outer = self._innermost_eval_loop()
        if outer is not None:  # an evaluation loop nested in another: judge the outer one
            outer.model_calls.extend(loop.model_calls)
            outer.trains = outer.trains or loop.trains
            return
        if loop.model_calls and not loop.trains:
            self.frames[-1].eval_loops.append(loop)

    leave_AsyncFor = leave_For

    def _push_loop(self, loop: object) -> None:
        """Enter a loop (an evaluation loop or another) or a function (``_BARRIER``)."""
        self.loops.append(loop)
        inner, outer = self._eval_loops[-1]
        if loop is _BARRIER:
            self._eval_loops.append((None, None))
        elif isinstance(loop, _EvalLoop):
            self._eval_loops.append((loop, outer or loop))
        else:
            self._eval_loops.append((inner, outer))

    def _pop_loop(self) -> object:
        self._eval_loops.pop()
        return self.loops.pop()

    def _innermost_eval_loop(self) -> _EvalLoop | None:
        """The nearest evaluation loop around this point of the current function."""
        return self._eval_loops[-1][0]

    def _outermost_eval_loop(self) -> _EvalLoop | None:
        """The evaluation loop judged for a call here (nested evaluation loops are judged as the outer one)."""
        return self._eval_loops[-1][1]

    def _model_callee(self, node: ast.Call, frame: _Frame) -> str | None:
        if not (node.args or node.keywords):
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "forward":
            func = func.value
        if isinstance(func, ast.Name) and func.id == "self":
            return "self" if frame.module_class else None
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        if isinstance(func, ast.Name):
            # A function of this file (a model factory, a helper) is not a model being run: asked only of a
            # model-like name (both tests are pure), so that most files never list their functions.
            if evidence_for(self.ctx).model_like(func) and func.id not in self.defined_functions:
                return dotted(func)
            return None
        if self._set_by_base_class(func):
            return None
        if evidence_for(self.ctx).model_like(func):
            return dotted(func)
        return None

    @cached_property
    def defined_functions(self) -> frozenset[str]:
        return frozenset(stmt.name for stmt in _statements(self.ctx.tree.body) if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)))

    def _set_by_base_class(self, func: ast.AST) -> bool:
        """``self.model(...)`` in a class whose base (from another file) sets ``self.model``: nothing in this
        file says what it is or in which mode the base class puts it."""
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"):
            return False
        cls = self.ctx.enclosing_class()
        if cls is None or not cls.bases:
            return False
        evidence = evidence_for(self.ctx)
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in evidence.module_classes:
                return False
            name = self.ctx.qualname(base)
            if name and (name in evidence.module_bases or name.startswith(self.managed_bases)):
                return False
        return f"self.{func.attr}" not in self._assigned_attributes(cls)

    def _assigned_attributes(self, cls: ast.ClassDef) -> set[str]:
        """``self.x`` names a class assigns anywhere in its body (computed once per class)."""
        found = self._class_attributes.get(id(cls))
        if found is None:
            found = set()
            for node in _statements(cls.body):
                if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                        name = dotted(target)
                        if name and name.startswith("self."):
                            found.add(name)
            self._class_attributes[id(cls)] = found
        return found

    # -- judgement --------------------------------------------------------------------------------
    def finish(self) -> None:
        if not self.active:
            return
        # Models put in eval mode where they are built or loaded (module level, __init__, load_model()),
        # not by another evaluation function: that one's eval() does not cover this one.
        eval_names = set(self.frames[0].eval_names)
        for frame in self.done:
            if not (name_tokens(frame.name) & self.tokens):
                eval_names |= frame.eval_names
        helpers = {id(frame) for frame in self.done if self._hands_over(frame)}
        for frame in [self.frames[0], *self.done]:
            if frame.managed or frame.unit_test or self.managed_methods.match(frame.name) or id(frame) in helpers:
                continue
            sites = self.call_sites.get(frame.name, []) if frame.node is not None else []
            if not frame.trains and frame.model_calls and name_tokens(frame.name) & self.tokens:
                where = f"{frame.name}()" if frame.node is not None else f"evaluation script {frame.name}"
                self._judge(frame, frame.model_calls, sites, eval_names, where)
            else:
                for loop in frame.eval_loops:
                    self._judge(frame, loop.model_calls, [], eval_names, f"the loop over {loop.data}")

    def _hands_over(self, frame: _Frame) -> bool:
        """A private helper of this file that only runs the modules its callers hand it
        (``_generate_codes(decoder, hidden)`` running ``decoder(...)``): its callers chose the module and its
        mode. Its model calls move to each call site, as calls of the argument passed there, and are judged
        with the caller (an ``evaluate()`` calling it is still reported). A trainer's ``_validate(model)`` is
        an evaluation itself and stays judged where it is."""
        node = frame.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not frame.model_calls or not _may_hand_over(node.name):
            return False
        parameters = _parameters(node)
        if not all(callee.split(".", 1)[0] in parameters and callee.split(".", 1)[0] != "self"
                   for _, callee, _ in frame.model_calls):
            return False
        sites = self.call_sites.get(node.name, [])
        if not sites:
            return False  # called from other files only: judged here, as before
        off = frame.decorated or frame.disables_grad
        for site_under, site_frame, site_call, site_loop in sites:
            arguments = _arguments(site_call, parameters, method=isinstance(site_call.func, ast.Attribute))
            for call, callee, under in frame.model_calls:
                root, _, rest = callee.partition(".")
                passed = dotted(arguments[root]) if root in arguments else None
                if not passed:
                    continue  # handed over in a form not followed (`*args`, an expression): not judged
                moved = (site_call, f"{passed}.{rest}" if rest else passed, site_under or under or off)
                site_frame.model_calls.append(moved)
                if site_loop is not None and not site_loop.trains:
                    site_loop.model_calls.append(moved)
                    if site_loop not in site_frame.eval_loops:
                        site_frame.eval_loops.append(site_loop)
        return True

    def _self_rooted(self, callee: str, frame: _Frame) -> bool:
        """``self``, ``self.x``, or a name the method bound from ``self`` (``encoder = self.get_encoder()``)."""
        root = callee.split(".", 1)[0]
        if root == "self":
            return True
        if frame.node is None:
            return False
        for node in _statements(getattr(frame.node, "body", [])):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == root for t in node.targets):
                value = node.value
                while isinstance(value, (ast.Call, ast.Attribute, ast.Subscript)):
                    value = value.func if isinstance(value, ast.Call) else value.value
                if isinstance(value, ast.Name) and value.id == "self":
                    return True
        return False

    def _judge(self, frame: _Frame, calls: list, sites: list[_Site], eval_names: set[str], where: str) -> None:
        evidence = evidence_for(self.ctx)
        call, callee, _ = calls[0]
        last = callee.rsplit(".", 1)[-1]
        # A module's own method running itself or its submodules (`self(x)`, `self.forward(x)`,
        # `self.encoder(x)`) runs in the mode and the autograd context its caller chose; it is judged
        # only where this file calls it.
        own = frame.module_class and all(c == "self" or c.startswith("self.") for _, c, _ in calls)
        # A class's private helper (`_forward_inference`, `_prepare_..._for_generation`) running the object's
        # own parts (`self.rope(x)`, `encoder = self.get_encoder(); encoder(x)`) is machinery of that
        # object: whoever calls the object chooses its mode, and is judged there.
        # A trainer's `_validate()`/`_eval_epoch()` running `self.model` evaluates it: still judged.
        if frame.private_method and not (name_tokens(frame.name) & ASSESSING) and all(self._self_rooted(c, frame) for _, c, _ in calls):
            return
        eval_ok = (own or frame.evals or last in eval_names or any(site[1].evals for site in sites)
                   or evidence.torch_kind(call.func) == EVAL_MODEL)
        grad_ok = (frame.decorated or frame.disables_grad or self.global_nograd
                   or (own and all(site[1].module_class for site in sites))  # called only by other module methods
                   or all(under for _, _, under in calls) or any(site[0] for site in sites))
        if eval_ok and grad_ok:
            return
        shown = short(call.func)
        owner = "self" if callee == "self" else callee
        if not eval_ok and not grad_ok:
            message = (f"{where} runs {shown}(...) without {owner}.eval() and outside torch.no_grad(): dropout and "
                       f"batch-norm stay in training mode and autograd records everything; call {owner}.eval() and wrap "
                       "the evaluation in `with torch.inference_mode():`")
        elif not eval_ok:
            message = (f"{where} runs {shown}(...) without {owner}.eval(): dropout and batch-norm stay in training "
                       f"mode, so results are noisy and depend on the batch; call {owner}.eval() first")
        else:
            message = (f"{where} runs {shown}(...) outside torch.no_grad()/torch.inference_mode(): autograd records "
                       "the whole evaluation (memory, speed); decorate it with @torch.inference_mode() or wrap it in "
                       "`with torch.no_grad():`")
        self.report(call, message)


def _tables(knowledge) -> tuple[frozenset[str], frozenset[str], tuple[str, ...], re.Pattern[str], frozenset[str]]:
    """Evaluation tokens, no-grad contexts, managed base classes and methods, backward names: made once per
    knowledge."""
    table = knowledge.get("smells_eval", {})
    return (frozenset(table.get("tokens", [])), frozenset(table.get("no_grad", ["torch.no_grad"])),
            tuple(table.get("managed_bases", [])), re.compile(table.get("managed_methods", r"(?!)")),
            frozenset(knowledge.get("smells_torch", {}).get("backward_names", ["backward"])))


def _statements(body: list[ast.stmt]):
    """Every statement under ``body``, nested blocks and function/class bodies included, without descending
    into expressions (a fraction of a full ``ast.walk``)."""
    stack = list(reversed(body))
    blocks = _BLOCKS
    while stack:
        stmt = stack.pop()
        yield stmt
        fields = blocks.get(stmt.__class__)
        if fields is None:  # the block fields this statement type has (most have none)
            fields = blocks[stmt.__class__] = tuple(name for name in ("body", "orelse", "finalbody", "handlers", "cases")
                                                    if name in stmt._fields)
        for name in fields:
            value = getattr(stmt, name, None) or []
            if name == "handlers" or name == "cases":
                for item in value:
                    stack.extend(reversed(item.body))
            else:
                stack.extend(reversed(value))


_BLOCKS: dict[type, tuple[str, ...]] = {}


def _asserts(body: list[ast.stmt]) -> bool:
    """An ``assert`` among the statements of ``body`` and their blocks, not in nested functions or classes
    (those assert when, and if, they are called)."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.Assert):
            return True
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(stmt, name, None) or [])
        for item in [*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())]:
            stack.extend(item.body)
    return False


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = function.args
    return [arg.arg for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def _arguments(call: ast.Call, parameters: list[str], method: bool) -> dict[str, ast.expr]:
    """The argument a call passes for each parameter it names or fills by position (``self`` skipped
    for ``self._helper(...)``); nothing is mapped past a ``*args``."""
    positional = parameters[1:] if method and parameters[:1] == ["self"] else parameters
    mapped: dict[str, ast.expr] = {}
    for name, value in zip(positional, call.args):
        if isinstance(value, ast.Starred):
            break
        mapped[name] = value
    for keyword in call.keywords:
        if keyword.arg is not None:
            mapped[keyword.arg] = keyword.value
    return mapped


def _strip_moves(node: ast.AST) -> ast.AST:
    """``model.to(device).cuda()`` -> ``model``: device and dtype moves return the same module."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MOVES:
        node = node.func.value
    return node


MOVES = {"to", "cuda", "cpu", "float", "half", "double", "bfloat16", "requires_grad_", "share_memory"}


def _false_arg(call: ast.Call) -> bool:
    values = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "mode"]
    return any(isinstance(v, ast.Constant) and v.value is False for v in values)


def _yields_after_eval(function: ast.AST) -> bool:
    """A generator function (a context manager's body) that calls ``.eval()`` with no arguments."""
    yields = evals = False
    for sub in ast.walk(function):
        if isinstance(sub, ast.Yield):
            yields = True
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "eval" and not sub.args:
            evals = True
        if yields and evals:
            return True
    return False
