"""Serving code, Dockerfiles, model packaging and service monitoring, found from facts and file names.

A *serving module* imports a serving framework (FastAPI, Flask, BentoML, Streamlit, Gradio, Ray
Serve, KServe, ...) and uses a model (loads one, or names predict/model/...); a *batch prediction
script* is a module named predict/inference/score/batch that loads a model and predicts. Tests and
notebooks never serve. The knowledge lives in ``rules/knowledge/serving.toml``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mllint.core.patterns import PathPatterns
from mllint.repo.mlcode import calls_any, imports_any, path_has_word, stem_words

if TYPE_CHECKING:  # pragma: no cover
    from mllint.core.facts import FileFacts
    from mllint.repo.model import RepoModel

MAX_SCAN_FILES = 300


@dataclass
class ServingModule:
    path: str
    frameworks: list[str]
    batch: bool = False
    evidence: list[str] = field(default_factory=list)


NOT_MODELS = ("basemodel", "model_validate", "model_dump", "model_copy", "model_construct", "model_json_schema")


def _calls_model(calls: list[str], words: list[str]) -> bool:
    """A call whose last name predicts/infers/... or names a model (``get_model()``, ``model(x)``);
    pydantic's BaseModel/model_* API is not a model."""
    for call in calls:
        last = call.rsplit(".", 1)[-1].lower()
        if last in NOT_MODELS or last.startswith("model_"):
            continue
        if last.endswith("model") or any(word in last for word in words if word != "model"):
            return True
    return False


def find_serving(repo: RepoModel) -> list[ServingModule]:
    """Serving modules and batch prediction scripts (Python modules only, tests excluded), in path order."""
    knowledge = repo.knowledge.get("serving_frameworks", {})
    loading = repo.knowledge.get("model_loading", {})
    load_patterns = [*loading.get("calls", []), *loading.get("methods", [])]
    words = knowledge.get("model_words", [])
    ignore_dirs = set(repo.knowledge.get("lifecycle_scope", {}).get("ignore_dirs", []))
    out = []
    for facts in repo.code_facts():
        if facts.test or facts.notebook:
            continue
        if any(part.lower() in ignore_dirs for part in facts.path.split("/")[:-1]):
            continue  # a server in examples/ or docs/ shows how to use the project, it does not serve its model
        calls = facts.calls
        loads = calls_any(calls, load_patterns)
        frameworks = imports_any(facts.imports, knowledge.get("imports", []))
        server_calls = knowledge.get("server_calls", {})
        frameworks = [f for f in frameworks if f.split(".", 1)[0] not in server_calls
                      or calls_any(calls, server_calls[f.split(".", 1)[0]])]  # a gRPC client does not serve
        if frameworks:
            if loads or _calls_model(calls, words):
                out.append(ServingModule(facts.path, sorted(set(frameworks)), evidence=loads[:3]))
            continue
        if loads and path_has_word(stem_words(facts.path), knowledge.get("batch_words", [])):
            predicts = calls_any(calls, knowledge.get("predict_methods", []))
            if predicts:
                out.append(ServingModule(facts.path, [], batch=True, evidence=loads[:3] + predicts[:2]))
    return out


def is_dockerfile(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    lowered = name.lower()
    return (lowered == "dockerfile" or lowered.startswith("dockerfile.") or lowered.endswith(".dockerfile")
            or lowered == "containerfile")


def find_dockerfiles(repo: RepoModel) -> list[str]:
    return [rel for rel in repo.files if is_dockerfile(rel)]


def _matching_files(repo: RepoModel, names: list[str], globs: list[str]) -> list[str]:
    wanted = set(names)
    matches = PathPatterns(globs)
    return [rel for rel in repo.files if rel.rsplit("/", 1)[-1] in wanted or matches(rel)]


def find_packaging(repo: RepoModel) -> list[str]:
    """Evidence that the model is packaged for deployment: Dockerfiles, serving modules, packaging files,
    packaging calls/imports, a Python package build, or packaging commands in scripts and Makefiles."""
    knowledge = repo.knowledge.get("model_packaging", {})
    evidence = [*find_dockerfiles(repo)]
    evidence += [module.path for module in repo.serving]
    evidence += _matching_files(repo, knowledge.get("files", []), knowledge.get("file_globs", []))
    for facts in repo.code_facts():
        if facts.test:
            continue
        hits = imports_any(facts.imports, knowledge.get("imports", []))
        hits += calls_any(facts.calls, [*knowledge.get("calls", []), *knowledge.get("methods", [])])
        if hits:
            evidence.append(f"{facts.path}: {hits[0]}")
    pyproject = repo.read_text("pyproject.toml")
    if pyproject and ("[build-system]" in pyproject or "[project]" in pyproject or "[tool.poetry]" in pyproject):
        evidence.append("pyproject.toml")
    words = knowledge.get("text_words", [])
    scanned = 0
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if scanned >= MAX_SCAN_FILES:
            break
        if name in ("Makefile", "makefile", "justfile") or name.endswith((".sh", ".yml", ".yaml")):
            scanned += 1
            text = repo.read_text(rel)
            if text and any(word in text for word in words):
                evidence.append(rel)
    return sorted(set(evidence))


def _artifact_names(facts: list[FileFacts], suffixes: tuple[str, ...]) -> set[str]:
    """Base names of the model files named in string literals of ``facts`` (``./artifacts/model.pkl`` -> model.pkl)."""
    return {text.rsplit("/", 1)[-1].lower() for one in facts for text in one.strings if text.lower().endswith(suffixes)}


def served_from_sibling(repo: RepoModel) -> list[str]:
    """In a monorepo, the serving code outside this project that serves its model: a serving module in a sibling
    folder (under the project's parent folder) whose folder's code names a model file this project writes, or
    imports this project's package (``from model.predict import ...``). A sibling that writes that model file
    itself serves its own model. Empty outside a monorepo, or when nothing links the two."""
    enclosing = repo.enclosing()
    if enclosing is None:
        return []
    whole, folder = enclosing
    prefix = f"{folder}/" if folder else ""
    own = {prefix + rel for rel in repo.files}
    knowledge = repo.knowledge.get("model_packaging", {})
    suffixes = tuple("." + suffix.lower() for suffix in knowledge.get("artifact_suffixes", []))
    facts = repo.facts
    written = _artifact_names([facts[role.path] for role in repo.ml.where("persists") if role.path in facts], suffixes)
    package = folder.rsplit("/", 1)[-1] if folder else ""
    if not written and not package:
        return []
    anchors = {folder} if folder else {posixpath.dirname(prefix + role.path) for role in repo.ml.training}
    scopes = {posixpath.dirname(anchor) for anchor in anchors}
    others = [one for one in whole.code_facts() if not one.test and one.path not in own]
    persisting = {role.path for role in whole.ml.where("persists")}
    for module in whole.serving:
        if module.path in own:
            continue
        scope = next((scope for scope in sorted(scopes) if not scope or module.path.startswith(scope + "/")), None)
        if scope is None:
            continue
        here = posixpath.dirname(module.path)
        sibling = module.path[len(scope) + 1 if scope else 0:].split("/", 1)[0] + "/"
        sibling = f"{scope}/{sibling}" if scope else sibling
        loaders = [one for one in others if posixpath.dirname(one.path) == here]
        theirs = _artifact_names([one for one in others if one.path.startswith(sibling) and one.path in persisting], suffixes)
        names = (written - theirs) & _artifact_names(loaders, suffixes)
        if names:
            return [f"{module.path} (loads {sorted(names)[0]})"]
        local = {f"{here}/{package}.py", f"{here}/{package}/__init__.py"} if here else {f"{package}.py", f"{package}/__init__.py"}
        if package and not local & whole.file_set and any(
                name.lstrip(".") == package or name.lstrip(".").startswith(package + ".") for one in loaders for name in one.imports):
            return [f"{module.path} (imports {package})"]
    return []


def find_monitoring(repo: RepoModel) -> list[str]:
    """Evidence that a service is monitored: monitoring imports in non-test code, monitoring config files,
    or a monitoring stack in compose/Kubernetes files."""
    knowledge = repo.knowledge.get("serving_monitoring", {})
    evidence = []
    for facts in repo.code_facts():
        if facts.test or facts.notebook:
            continue
        hits = imports_any(facts.imports, knowledge.get("imports", []))
        if hits:
            evidence.append(f"{facts.path}: {hits[0]}")
    evidence += _matching_files(repo, [], knowledge.get("file_globs", []))
    words = knowledge.get("config_words", [])
    scanned = 0
    for rel in repo.files:
        if scanned >= MAX_SCAN_FILES:
            break
        name = rel.rsplit("/", 1)[-1].lower()
        if name.endswith((".yml", ".yaml", ".toml", ".txt", ".cfg")) or name in ("dockerfile", "pipfile"):
            scanned += 1
            text = repo.read_text(rel)
            if text and any(word in text for word in words):
                evidence.append(rel)
    return sorted(set(evidence))
