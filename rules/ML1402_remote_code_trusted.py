"""ML1402 remote-code-trusted: code from a model hub runs here (trust_remote_code=True, torch.hub.load), unpinned."""

from __future__ import annotations

import ast
import fnmatch
import re
from operator import attrgetter

from mllint.catalogue.rule import CodeRule, Example, RuleOptions

COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


class RemoteCodeTrusted(CodeRule):
    code = "ML1402"
    name = "remote-code-trusted"
    factor = 14
    severity = "warning"
    summary = "Python code from a model hub is run (trust_remote_code=True, torch.hub.load) without pinning the revision."
    why = """
        `trust_remote_code=True` makes transformers/datasets download and import the Python files of
        the hub repository; `torch.hub.load` runs the repository's `hubconf.py`. Whoever can push to
        that repository -- its owner, or anyone who takes over the account -- then runs code in your
        training job or server, and a new push changes the model (and the code) under you without
        any change in yours.
    """
    how_to_fix = """
        Prefer a model that needs no remote code. If it does, read the code once and pin it: pass
        `revision="<commit sha>"` (the 40-hex commit of the hub repository), or
        `torch.hub.load("owner/repo:<tag or commit>", ...)`. Test files are not checked (they
        exercise remote-code loading on purpose). The option `require-revision = true`
        also reports every hub download (`from_pretrained`, `hf_hub_download`, `load_dataset`...)
        without a `revision`, for teams that pin every artifact.
    """

    class Options(RuleOptions):
        #: Also report hub downloads that run no code but are not pinned to a revision.
        require_revision: bool = False

    violating = [
        Example("""
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained("someone/model", trust_remote_code=True)
        """, lines=(2,)),
        Example("""
            from datasets import load_dataset
            data = load_dataset("someone/dataset", trust_remote_code=True, revision="main")
        """, note="a branch is not a pin"),
        Example("""
            import torch
            model = torch.hub.load("someone/repo", "resnet50", pretrained=True)
        """, note="torch.hub runs the repository's hubconf.py"),
    ]
    compliant = [
        Example("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("someone/model", trust_remote_code=True,
                                              revision="4e2d06f0a7c6370ebabbc30c6f59377ae8f73d76")
        """, note="pinned to a commit"),
        Example("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained("bert-base-uncased")
        """, note="no remote code (require-revision is off by default)"),
        Example("""
            import torch
            model = torch.hub.load("pytorch/vision:v0.17.0", "resnet50")
            local = torch.hub.load("./hub", "model", source="local")
        """, note="a tag, and a local directory"),
        Example("""
            from transformers import AutoModel
            model = AutoModel.from_pretrained(path, trust_remote_code=False)
        """),
        Example("""
            from transformers import AutoModel
            def test_custom_code_loads():
                AutoModel.from_pretrained("hf-internal-testing/custom", trust_remote_code=True)
        """, path="tests/test_remote.py", note="tests exercise the feature on purpose"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.trust_keywords, self.hub_code_calls, self.moving_refs, self.hub_downloads = ctx.knowledge.derived(_tables)
        self.idle = ctx.is_test  # visit_Call reads nothing of a test file: then it is not called

    def visit_Call(self, node: ast.Call) -> None:
        if self.ctx.is_test:
            return  # tests of remote-code loading exercise the feature on purpose, in CI sandboxes
        trust = self.trust_keywords
        if node.keywords and not trust.isdisjoint(map(_ARG, node.keywords)):  # any keyword named so (no Python step per keyword)
            keywords, repo, shown = self._arguments(node)
            trusted = [k for k in trust if isinstance(keywords.get(k), ast.Constant) and keywords[k].value is True]
            if trusted:
                if not self._pinned(keywords.get("revision")):
                    self.report(node, f"`{trusted[0]}=True` runs the Python files of the hub repository{shown} on this machine, "
                                      "and nothing pins which version: read that code once and pass revision=\"<commit sha>\"")
                return
        name = self.ctx.call_name(node)
        if name not in self.hub_code_calls and not (self.options.require_revision and name):
            return  # most calls: nothing to read from the arguments
        keywords, repo, shown = self._arguments(node)
        if name in self.hub_code_calls:
            source = _literal(keywords.get("source"))
            if repo and source != "local" and not repo.startswith((".", "/", "~")):
                ref = repo.split(":", 1)[1] if ":" in repo else ""
                if not ref or ref in self.moving_refs:
                    self.report(node, f"`{name}`{shown} runs the repository's hubconf.py from its default branch: pin a tag "
                                      f"or commit (\"{repo.split(':')[0]}:<tag or sha>\") after reading it")
            return
        if self.options.require_revision and name and any(fnmatch.fnmatchcase(name, p) for p in self.hub_downloads):
            if repo and "/" in repo and not repo.startswith((".", "/", "~")) and not self._pinned(keywords.get("revision")):
                self.report(node, f"`{name.rsplit('.', 1)[-1]}`{shown} downloads from the hub without a revision: the files can "
                                  "change under you; pass revision=\"<commit sha>\"")

    @staticmethod
    def _arguments(node: ast.Call) -> tuple[dict[str | None, ast.expr], str | None, str]:
        """The call's keyword arguments, the repository it names (first argument or keyword) and how a
        message shows it."""
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        repo = _literal(node.args[0]) if node.args else _literal(keywords.get("pretrained_model_name_or_path") or keywords.get("path"))
        return keywords, repo, f" {repo!r}" if repo else ""

    def _pinned(self, node: ast.AST | None) -> bool:
        value = _literal(node)
        if value is None:
            return node is not None  # a variable: a pin mllint cannot read, not a missing one
        return bool(COMMIT.match(value))


_ARG = attrgetter("arg")


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _tables(knowledge) -> tuple[frozenset[str], frozenset[str], frozenset[str], tuple[str, ...]]:
    """``[remote_code]``: trust keywords, hub code calls, moving refs, hub downloads; made once per knowledge."""
    table = knowledge.get("remote_code", {})
    return (frozenset(table.get("trust_keywords", ["trust_remote_code"])), frozenset(table.get("hub_code_calls", [])),
            frozenset(table.get("moving_refs", [])), tuple(table.get("hub_downloads", [])))
