"""What each code file does in the model's life cycle, judged from its facts and the knowledge tables.

Trains a model, persists one, loads one, computes metrics, writes metrics, tracks experiments,
detects drift: one small :class:`FileRole` per parsed code file, built once per run (``repo.ml``) and
read by the repository rules of factors 5-12. Matching is by resolved call names, method names and
imports only; nothing here opens the code again. The knowledge lives in ``rules/knowledge/lifecycle.toml``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mllint.core.facts import FileFacts

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.runtime import Knowledge
    from mllint.repo.model import RepoModel


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern))


@lru_cache(maxsize=1024)
def _prefix_set(prefixes: tuple[str, ...]) -> tuple[frozenset[str], set[str], set[str]]:
    """(the prefixes, modules known to match, modules known not to) for :func:`imports_any`."""
    return frozenset(prefixes), set(), set()


_PrefixMatcher = tuple[frozenset[str], set[str], set[str]]
_CallMatcher = tuple[frozenset[str], Any, set[str], set[str]]


def imports_any(imports: Iterable[str], prefixes: Iterable[str]) -> list[str]:
    """Imported modules that are one of ``prefixes`` or below one (``mlflow.sklearn`` matches ``mlflow``)."""
    return _imports_matching(imports, _prefix_set(tuple(prefixes)))


def _imports_matching(imports: Iterable[str], matcher: _PrefixMatcher) -> list[str]:
    wanted, hits, misses = matcher
    if not isinstance(imports, (list, tuple)):
        imports = list(imports)  # read twice below
    if misses.issuperset(imports):  # the common answer, found in C: every import already known not to match
        return []
    out = []
    for module in imports:  # a repository repeats the same imports: each is resolved once
        if module in hits:
            out.append(module)
            continue
        if module in misses:
            continue
        head = module
        while True:  # the module itself, then each dotted parent: one set lookup each
            if head in wanted:
                hits.add(module)
                out.append(module)
                break
            cut = head.rfind(".")
            if cut < 0:
                misses.add(module)
                break
            head = head[:cut]
    return out


@lru_cache(maxsize=1024)
def _call_matcher(patterns: tuple[str, ...]) -> tuple[frozenset[str], Any, set[str], set[str]]:
    """(exact names, one regex of the ``*`` globs or None, calls known to match, calls known not to)."""
    globs = [p for p in patterns if not p.startswith(".") and "*" in p]
    regex = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in globs)).match if globs else None
    return frozenset(patterns), regex, set(), set()


def calls_any(calls: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """Calls matching one of ``patterns``: fnmatch globs on resolved names, or exact ``.method`` names."""
    return _calls_matching(calls, _call_matcher(tuple(patterns)))


def _calls_matching(calls: Iterable[str], matcher: _CallMatcher) -> list[str]:
    exact, regex, hits, misses = matcher
    if not isinstance(calls, (list, tuple)):
        calls = list(calls)  # read twice below
    if regex is None:
        return [call for call in calls if call in exact] if not exact.isdisjoint(calls) else []
    if misses.issuperset(calls):  # the common answer, found in C: every call already known not to match
        return []
    out = []
    for call in calls:  # a repository repeats the same call names: each is matched once
        if call in hits:
            out.append(call)
        elif call in misses:
            continue
        elif call in exact or regex(call):
            hits.add(call)
            out.append(call)
        else:
            misses.add(call)
    return out


def stem_words(path: str) -> str:
    """The file name without suffix, lower-cased (``src/Train_Model.py`` -> ``train_model``)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0].lower()


def path_has_word(path: str, words: Iterable[str]) -> bool:
    lowered = path.lower()
    return any(word in lowered for word in words)


@dataclass
class FileRole:
    """The life-cycle evidence found in one code file (each list holds the matching names)."""

    path: str
    notebook: bool
    test: bool
    trains: list[str] = field(default_factory=list)
    persists: list[str] = field(default_factory=list)
    loads_model: list[str] = field(default_factory=list)
    computes_metrics: list[str] = field(default_factory=list)
    writes_metrics: list[str] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    peripheral: bool = False  # under examples/, docs/, benchmarks/, vendored code: never gates a rule
    library_training: list[str] = field(default_factory=list)  # fit calls in library code no entry point imports

    @property
    def module(self) -> bool:
        """A Python module (not a notebook, not a test)."""
        return not self.notebook and not self.test


class _RoleTables:
    """The knowledge :func:`classify` matches against, made once per knowledge (``knowledge.derived``): each
    list of patterns turned into its matcher once, instead of a tuple of it hashed per file and question."""

    def __init__(self, knowledge: Knowledge) -> None:
        def calls(*patterns: list[str]) -> _CallMatcher:
            return _call_matcher(tuple(pattern for group in patterns for pattern in group))

        def modules(prefixes: list[str]) -> _PrefixMatcher:
            return _prefix_set(tuple(prefixes))

        self.ignore_dirs = set(knowledge.get("lifecycle_scope", {}).get("ignore_dirs", []))
        training = knowledge.get("model_training", {})
        self.training_calls, self.training_methods = calls(training.get("calls", [])), calls(training.get("methods", []))
        self.training_frameworks = modules(training.get("frameworks", []))
        self.training_estimators = calls(training.get("estimators", []))
        persistence = knowledge.get("model_persistence", {})
        self.persist_calls = calls(persistence.get("calls", []), persistence.get("methods", []))
        self.persist_imports = modules(persistence.get("imports", []))
        self.persist_frameworks = modules(persistence.get("frameworks", []))
        self.persist_with_frameworks = calls(persistence.get("with_frameworks", []))
        loading = knowledge.get("model_loading", {})
        self.load_calls = calls(loading.get("calls", []), loading.get("methods", []))
        self.metrics: dict[str, Any] = knowledge.get("metric_computation", {})
        self.metric_calls = calls(self.metrics.get("calls", []))
        self.metric_frameworks = modules(self.metrics.get("frameworks", []))
        self.metric_methods = calls(self.metrics.get("methods", []))
        self.writers: dict[str, Any] = knowledge.get("metrics_writers", {})
        self.writer_calls = calls(self.writers.get("calls", []), self.writers.get("methods", []))
        self.writer_imports = modules(self.writers.get("imports", []))
        self.writer_dumps = calls(self.writers.get("dumps", []))
        trackers = knowledge.get("experiment_trackers", {})
        self.tracker_imports, self.tracker_calls = modules(trackers.get("imports", [])), calls(trackers.get("calls", []))
        self.drift: dict[str, Any] = knowledge.get("drift_detection", {})
        self.drift_imports, self.drift_calls = modules(self.drift.get("imports", [])), calls(self.drift.get("calls", []))


def classify(facts: FileFacts, knowledge: Knowledge) -> FileRole:
    """The :class:`FileRole` of one file's facts."""
    imports = facts.imports
    calls = facts.calls
    strings = facts.strings
    path = facts.path
    tables = knowledge.derived(_RoleTables)
    role = FileRole(path=path, notebook=facts.notebook, test=facts.test)
    role.peripheral = any(part.lower() in tables.ignore_dirs for part in path.split("/")[:-1])

    direct = _calls_matching(calls, tables.training_calls)
    methods = _calls_matching(calls, tables.training_methods)
    if direct:
        role.trains = direct
    elif methods:
        frameworks = _imports_matching(imports, tables.training_frameworks)
        estimators = _calls_matching(calls, tables.training_estimators)
        if frameworks or estimators:
            role.trains = methods + (estimators or frameworks)[:3]

    role.persists = _calls_matching(calls, tables.persist_calls)
    role.persists += _imports_matching(imports, tables.persist_imports)
    if not role.persists and _imports_matching(imports, tables.persist_frameworks):
        role.persists = _calls_matching(calls, tables.persist_with_frameworks)

    role.loads_model = _calls_matching(calls, tables.load_calls)

    metrics = tables.metrics
    role.computes_metrics = _calls_matching(calls, tables.metric_calls)
    if not role.computes_metrics and _imports_matching(imports, tables.metric_frameworks):
        role.computes_metrics = _calls_matching(calls, tables.metric_methods)

    writers = tables.writers
    written = _calls_matching(calls, tables.writer_calls)
    written += _imports_matching(imports, tables.writer_imports)
    dumps = _calls_matching(calls, tables.writer_dumps)
    words = writers.get("path_words", [])
    if dumps and (path_has_word(stem_words(path), words) or any(path_has_word(s, words) for s in strings)):
        written += dumps
    written += _returned_metrics(facts, writers, metrics.get("calls", []))
    role.writes_metrics = written

    role.tracks = _imports_matching(imports, tables.tracker_imports) + _calls_matching(calls, tables.tracker_calls)

    drift = tables.drift
    role.drift = _imports_matching(imports, tables.drift_imports)
    if not role.drift and path_has_word(path, drift.get("module_words", [])):
        role.drift = _calls_matching(calls, tables.drift_calls)
    if not role.drift and not role.test:  # a hand-written check: drift.py, def detect_drift(...)
        declarations = tuple(drift.get("declaration_suffixes", ()))
        checks = [name for name, _kind, _line in facts.defs if not name.lower().endswith(declarations)]
        named = [name for name in checks if "drift" in name.lower()]
        role.drift = named or (["drift module"] if "drift" in stem_words(path) and checks else [])
    return role


WORDS = re.compile(r"[a-z0-9]+")


def _metric_named(name: str, words: tuple[str, ...]) -> bool:
    """A word of ``name`` is one of ``words`` (or its plural); a word of five letters or more may also start
    one (``metrics_dict``, ``accuracy``), a shorter one may not (``acc`` is not ``accounts``)."""
    for part in WORDS.findall(name.lower()):
        if any(part in (word, word + "s") or (len(word) >= 5 and part.startswith(word)) for word in words):
            return True
    return False


def _returned_metrics(facts: FileFacts, writers: dict[str, Any], metric_calls: list[str]) -> list[str]:
    """Pipeline steps returning metrics (``@step def evaluate(): ... return metrics``): the framework stores
    the returned values as artifacts. A value counts when it is a metric call's result or named like a metric."""
    steps = writers.get("step_decorators", [])
    if not facts.returns or not steps:
        return []
    words = tuple(word.lower() for word in writers.get("returned_words", []))
    found = []
    for returned in facts.returns:
        if not calls_any([returned.decorator], steps):
            continue
        value = returned.value
        if _metric_named(value.rsplit(".", 1)[-1], words) or calls_any([value], metric_calls):
            found.append(f"{returned.decorator} returns {value}")
    return found


@dataclass
class MLProfile:
    """Every code file's role, plus shortcuts the rules use."""

    roles: list[FileRole]

    def where(self, attribute: str, *, modules_only: bool = False, include_tests: bool = False,
              core: bool = False) -> list[FileRole]:
        """Files with evidence for ``attribute``; ``core`` leaves out examples/docs/benchmarks/vendored code."""
        out = []
        for role in self.roles:
            if (role.test and not include_tests) or (core and role.peripheral):
                continue
            if modules_only and role.notebook:
                continue
            if getattr(role, attribute):
                out.append(role)
        return out

    @property
    def training(self) -> list[FileRole]:
        """Files (modules first, then notebooks) that train a model."""
        found = self.where("trains", core=True)
        return sorted(found, key=lambda role: (role.notebook, role.path))

    def main_training_file(self) -> str | None:
        """The most relevant training file: a module named like a training script, else the first one."""
        training = self.training
        if not training:
            return None
        named = [role for role in training if "train" in stem_words(role.path) and not role.notebook]
        return (named or training)[0].path


SCRIPT_STEM = re.compile(r"(?<!cons)train|fit|finetune|(^|_)(main|run|experiment|pipeline|cli|__main__)(_|$)")
TRAINING_DEF = re.compile(r"(?<!cons)train|(^|_)fit(_|$)", re.IGNORECASE)


def entry_point(facts: FileFacts) -> bool:
    """A notebook, a script (``if __name__ == "__main__":``) or a module named like one."""
    return bool(facts.notebook or facts.main_guard or SCRIPT_STEM.search(stem_words(facts.path)))


def _runs_training(role: FileRole, facts: FileFacts) -> bool:
    """Training evidence that is more than a library's estimator code: an entry point, a module-level
    training call, or a top-level function named like training."""
    if entry_point(facts):
        return True
    if set(role.trains) & set(facts.module_calls):
        return True
    return any(TRAINING_DEF.search(name) for name, kind, _line in facts.defs if kind == "function")


def profile(repo: RepoModel) -> MLProfile:
    """Roles of every code file. Training evidence inside library code (``.fit`` in an estimator's
    methods) only counts when an entry point of the repository imports that module."""
    code = repo.code_facts()
    roles = [repo.role(facts) for facts in code]
    entries = None
    for index, (role, facts) in enumerate(zip(roles, code)):
        if not role.trains or role.test or _runs_training(role, facts):
            continue
        if entries is None:
            entries = [other for other, other_role in zip(code, roles)
                       if not other_role.test and not other_role.peripheral and entry_point(other)]
        if not any(imports_module(entry, role.path) for entry in entries if entry.path != role.path):
            roles[index] = replace(role, library_training=role.trains, trains=[])  # a copy: the role may be shared
    return MLProfile(roles)


#: Default pattern of preprocessing/feature module names (searched in each folder and file name).
PREPROCESSING_PATTERN = (
    r"(^|[_\-.])(pre_?process(ing|or|ors|es)?|prep|prepare|preparation|data_?prep|features?|featuri[sz](e|ation|er|ers)"
    r"|feature_?engineering|transforms?|transformations?|clean(ing|er|ers|se)?|etl"
    r"|(data|text|image|audio|speech|signal|video|input|sample|feature|tabular|nlp)_?processing"
    r"|impute|imputation)($|[_\-.])"
)


def module_matches(path: str, pattern: re.Pattern[str]) -> bool:
    """Whether a folder or the file name (without suffix) of ``path`` matches ``pattern``."""
    parts = path.lower().split("/")
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    return any(pattern.search(part) for part in parts)


def dotted(path: str) -> str:
    """Module name of a file path (``src/pkg/__init__.py`` -> ``src.pkg``)."""
    stem = path.rsplit(".", 1)[0]
    stem = stem.removesuffix("/__init__")
    return stem.replace("/", ".")


def imports_module(facts: FileFacts, target_path: str) -> bool:
    """Whether the file of ``facts`` imports the local module at ``target_path`` (any suffix of its
    dotted name, ``from pkg import module`` included)."""
    target = dotted(target_path)
    stem = target.rsplit(".", 1)[-1]
    names = set(facts.names)
    for module in facts.imports:
        module = module.lstrip(".")
        if not module:
            continue
        if target == module or target.endswith("." + module):
            return True
        if stem in names and (target.startswith(module + ".") or ("." + module + ".") in ("." + target)):
            return True
    return False


CONFIG_PREFIXES = ("requirements", "pyproject.toml", "setup.py", "setup.cfg", "environment", "Pipfile", "conda")
MAX_CONFIG_SCAN = 300


def config_mentions(repo: RepoModel, words: list[str]) -> list[str]:
    """Dependency manifests and YAML configs (Hydra, Kedro, compose, ...) naming one of ``words`` as a
    whole word: a tracker or checkpoint callback wired through configuration instead of code."""
    if not words:
        return []
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(word) for word in words) + r")(?![\w-])")
    found = []
    scanned = 0
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if not (name.startswith(CONFIG_PREFIXES) or name.endswith((".yaml", ".yml"))):
            continue
        scanned += 1
        if scanned > MAX_CONFIG_SCAN:
            break
        text = repo.read_text(rel)
        if text and pattern.search(text):
            found.append(rel)
    return found


def test_like_facts(repo: RepoModel) -> list[FileFacts]:
    """Test files, plus Django/unittest-style ``tests.py``/``test.py`` modules the test-path pattern misses and
    the step files of BDD frameworks (behave's ``features/steps/*.py``). A ``test.py`` counts only when its
    content says it is a test (:func:`says_test`): an evaluation script named ``test.py`` is not one."""
    tables = repo.knowledge.get("test_files", {})
    bdd = tables.get("bdd_frameworks", [])
    frameworks = tables.get("test_frameworks", [])
    extra = [facts for facts in repo.source_facts()
             if not facts.notebook and (imports_any(facts.imports, bdd)
                                        or (facts.path.rsplit("/", 1)[-1] in ("tests.py", "test.py") and says_test(facts, frameworks)))]
    return repo.test_facts() + extra


def says_test(facts: FileFacts, frameworks: Iterable[str]) -> bool:
    """The file's content says it holds tests: a top-level ``test_*`` function, a ``Test*``/``*Test``/``*Tests``/
    ``*TestCase`` class, or an import of a test framework (``unittest``, ``pytest``: ``frameworks``). A function
    named plain ``test(model, loader)`` is the evaluation loop of a training script, not a test."""
    for name, kind, _line in facts.defs:
        if kind == "class" and (name.startswith("Test") or name.endswith(("Test", "Tests", "TestCase"))):
            return True
        if kind != "class" and name.startswith("test_"):
            return True
    return bool(imports_any(facts.imports, frameworks))
