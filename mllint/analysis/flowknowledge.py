"""The library knowledge the data-flow analysis reads, gathered once per knowledge dict into typed tables.

Everything library-specific the analysis knows (which classes learn statistics in ``fit``, which
calls split, create or concatenate rows, what a call returns, which methods evaluate a model) is
data under ``rules/knowledge/`` (mainly ``dataflow.toml`` and ``preprocessing.toml``); this module
only turns those tables into sets and maps and answers lookups by dotted name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mllint.knowledge.runtime import Knowledge

_CACHE: dict[int, tuple[Knowledge, FlowKnowledge]] = {}


MEMO_SIZE = 8192  # names remembered per lookup before the memo starts over


def _longest_prefix(name: str, prefixes: dict[str, str]) -> str | None:
    best: str | None = None
    for prefix in prefixes:
        if name.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return prefixes[best] if best is not None else None


@dataclass
class SplitSpec:
    """Where a split function takes its data: positional indexes (or every one) and keywords."""

    args: tuple[int, ...] | None  # None: every positional argument
    kwargs: tuple[str, ...] = ()
    cv: bool = False


@dataclass
class FlowKnowledge:
    transformers: frozenset[str] = frozenset()
    fit_methods: frozenset[str] = frozenset()
    transform_methods: frozenset[str] = frozenset()
    resampler_prefixes: tuple[str, ...] = ()
    oversampler_prefixes: tuple[str, ...] = ()
    resampler_exclude: frozenset[str] = frozenset()
    resample_methods: frozenset[str] = frozenset()
    splits: dict[str, SplitSpec] = field(default_factory=dict)
    searchers: frozenset[str] = frozenset()
    estimator_prefixes: tuple[str, ...] = ()
    estimator_callables: frozenset[str] = frozenset()
    estimator_exclude: frozenset[str] = frozenset()
    inspectors: frozenset[str] = frozenset()
    pipelines: frozenset[str] = frozenset()
    persist_functions: dict[str, int] = field(default_factory=dict)
    persist_methods: frozenset[str] = frozenset()
    kinds_exact: dict[str, str] = field(default_factory=dict)
    kinds_prefixes: dict[str, str] = field(default_factory=dict)
    kinds_bases: dict[str, str] = field(default_factory=dict)
    kinds_annotations: dict[str, str] = field(default_factory=dict)
    passthrough: dict[str, frozenset[str]] = field(default_factory=dict)
    class_constructors: frozenset[str] = frozenset()
    stat_methods: frozenset[str] = frozenset()
    stat_functions: frozenset[str] = frozenset()
    transforming_functions: frozenset[str] = frozenset()
    binning_functions: dict[str, str] = field(default_factory=dict)
    group_methods: frozenset[str] = frozenset()
    dup_functions: dict[str, str] = field(default_factory=dict)
    sample_methods: frozenset[str] = frozenset()
    aug_prefixes: tuple[str, ...] = ()
    aug_functions: frozenset[str] = frozenset()
    aug_methods: frozenset[str] = frozenset()
    concat_functions: frozenset[str] = frozenset()
    concat_methods: frozenset[str] = frozenset()
    splitter_prefixes: tuple[str, ...] = ()
    splitter_suffixes: tuple[str, ...] = ()
    data_split_methods: frozenset[str] = frozenset()
    model_fit: frozenset[str] = frozenset()
    model_eval: frozenset[str] = frozenset()
    vocabularies: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    data_sources: tuple[str, ...] = ()
    seeders: dict[str, list[str]] = field(default_factory=dict)
    generators: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: answers of :meth:`object_roles` and :meth:`call_kind` by name: the same library names recur in every file
    _roles: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    _kinds: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    _plain: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    # -- lookups -------------------------------------------------------------------------------
    def object_roles(self, name: str) -> frozenset[str]:
        """Roles of the object a constructor builds (empty when it builds nothing tracked)."""
        found = self._roles.get(name)
        if found is None:
            if len(self._roles) >= MEMO_SIZE:  # a long-lived process (the language server) stays bounded
                self._roles.clear()
            found = self._roles[name] = self._object_roles(name)
        return found

    def _object_roles(self, name: str) -> frozenset[str]:
        roles: set[str] = set()
        last = name.rsplit(".", 1)[-1]
        if name in self.transformers:
            roles.add("transformer")
        if name in self.vocabularies:
            roles.add("vocabulary")
        if self.resampler_prefixes and name.startswith(self.resampler_prefixes) and name not in self.resampler_exclude:
            roles.add("resampler")
            if name.startswith(self.oversampler_prefixes):
                roles.add("oversampler")
        if name in self.searchers:
            roles |= {"search", "estimator"}
        if name in self.pipelines:
            roles.add("pipeline")
        if name in self.inspectors:
            roles |= {"estimator", "inspector"}
        if name in self.estimator_callables or (name.startswith(self.estimator_prefixes) and last[:1].isupper()
                                                and name not in self.estimator_exclude):
            roles.add("estimator")
        if (name.startswith(self.splitter_prefixes) and last.endswith(self.splitter_suffixes)
                and last[:1].isupper() and name not in self.searchers):
            roles.add("splitter")
        if name in self.generators:
            roles.add("generator" if self.generators[name].get("seed_method") else "rng")
        return frozenset(roles)

    def call_kind(self, name: str) -> str | None:
        """Object evidence for what a library call returns (``pandas.read_csv`` -> dataframe)."""
        kinds = self._kinds
        if name in kinds:
            return kinds[name]
        if len(kinds) >= MEMO_SIZE:
            kinds.clear()
        kind = self.kinds_exact.get(name)
        if kind is None:
            kind = _longest_prefix(name, self.kinds_prefixes)
        kinds[name] = kind
        return kind

    def base_kind(self, name: str) -> str | None:
        return self.kinds_bases.get(name)

    def annotation_kind(self, name: str) -> str | None:
        return self.kinds_annotations.get(name)

    def is_augmentation(self, name: str) -> bool:
        return name in self.aug_functions or bool(self.aug_prefixes and name.startswith(self.aug_prefixes))

    def plain_call(self, name: str) -> bool:
        """Whether a library function or class ``name`` is none that the data flow models by name (a split, a
        seeder, a constructor of a tracked object, a function that persists, computes a statistic of,
        transforms, bins, copies, augments or concatenates data): most calls are such, and what they return
        follows from their name's object kind alone (``_Interpreter.generic_call``)."""
        found = self._plain.get(name)
        if found is None:
            if len(self._plain) >= MEMO_SIZE:
                self._plain.clear()
            roles = self.object_roles(name)
            found = self._plain[name] = not (
                name in self.splits or name in self.seeders
                or (roles and (name.rsplit(".", 1)[-1][:1].isupper() or roles & CONSTRUCTED_ROLES))
                or name in self.persist_functions or name in self.stat_functions
                or name in self.transforming_functions or name in self.binning_functions
                or name in self.dup_functions or self.is_augmentation(name) or name in self.concat_functions)
        return found


#: roles of objects a constructor makes whatever its name's case (``make_pipeline``, ``default_rng``)
CONSTRUCTED_ROLES = frozenset({"pipeline", "generator", "rng", "transformer"})


def flow_knowledge(knowledge: Knowledge) -> FlowKnowledge:
    """The typed tables for ``knowledge`` (built once per knowledge dict)."""
    cached = _CACHE.get(id(knowledge))
    if cached is not None and cached[0] is knowledge:
        return cached[1]
    built = _build(knowledge)
    _CACHE[id(knowledge)] = (knowledge, built)
    return built


def _set(table: dict[str, Any], key: str, default: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(table.get(key, default))


def _build(k: Knowledge) -> FlowKnowledge:
    fitted = k.get("fitted_transformers", {})
    resamplers = k.get("resamplers", {})
    splits: dict[str, SplitSpec] = {}
    for name, spec in k.get("leakage_splits", {}).items():
        args = spec.get("args", "*")
        splits[name] = SplitSpec(None if args == "*" else tuple(args), tuple(spec.get("kwargs", ())),
                                 cv=bool(spec.get("cv", "cross_val" in name or "cross_validate" in name)))
    estimators = k.get("pipeline_estimators", {})
    persistence = k.get("estimator_persistence", {})
    kinds = k.get("object_kinds", {})
    stats = k.get("statistics", {})
    rows = k.get("row_creation", {})
    concat = k.get("concatenation", {})
    splitting = k.get("splitting", {})
    methods = k.get("model_methods", {})
    vocabularies = {name: (frozenset(spec.get("fit", ())), frozenset(spec.get("transform", ())))
                    for name, spec in k.get("learned_vocabularies", {}).items()}
    prefixes = tuple(resamplers.get("prefixes", ()))
    return FlowKnowledge(
        transformers=_set(fitted, "classes"),
        fit_methods=_set(fitted, "fit_methods", ("fit", "fit_transform")),
        transform_methods=_set(fitted, "transform_methods", ("transform", "fit_transform")),
        resampler_prefixes=prefixes,
        oversampler_prefixes=tuple(p for p in prefixes if "under_sampling" not in p),
        resampler_exclude=_set(resamplers, "exclude"),
        resample_methods=_set(resamplers, "fit_methods", ("fit_resample",)),
        splits=splits,
        searchers=_set(k.get("leakage_searchers", {}), "classes"),
        estimator_prefixes=tuple(estimators.get("prefixes", ())),
        estimator_callables=_set(estimators, "callables"),
        estimator_exclude=_set(k.get("estimator_exclude", {}), "names"),
        inspectors=_set(k.get("fitted_inspectors", {}), "classes"),
        pipelines=_set(k.get("pipelines", {}), "callables"),
        persist_functions=dict(persistence.get("functions", {})),
        persist_methods=_set(persistence, "methods"),
        kinds_exact=dict(kinds.get("exact", {})),
        kinds_prefixes=dict(kinds.get("prefixes", {})),
        kinds_bases=dict(kinds.get("bases", {})),
        kinds_annotations=dict(kinds.get("annotations", {})),
        passthrough={kind: frozenset(names) for kind, names in kinds.get("passthrough_methods", {}).items()},
        class_constructors=frozenset(kinds.get("class_constructors", ())),
        stat_methods=_set(stats, "methods"),
        stat_functions=_set(stats, "functions"),
        transforming_functions=_set(stats, "transforming_functions"),
        binning_functions=dict(stats.get("binning_functions", {})),
        group_methods=_set(stats, "group_methods"),
        dup_functions=dict(rows.get("functions", {})),
        sample_methods=_set(rows, "sample_methods"),
        aug_prefixes=tuple(rows.get("augmentation_prefixes", ())),
        aug_functions=_set(rows, "augmentation_functions"),
        aug_methods=_set(rows, "augmentation_methods"),
        concat_functions=_set(concat, "functions"),
        concat_methods=_set(concat, "methods"),
        splitter_prefixes=tuple(splitting.get("splitter_prefixes", ())),
        splitter_suffixes=tuple(splitting.get("splitter_suffixes", ())),
        data_split_methods=_set(splitting, "data_split_methods"),
        model_fit=_set(methods, "fit", ("fit",)),
        model_eval=_set(methods, "evaluate", ("score", "predict")),
        vocabularies=vocabularies,
        data_sources=tuple(k.get("data_sources", {}).get("prefixes", ())),
        seeders=dict(k.get("seeders", {})),
        generators=dict(k.get("unseeded_generators", {})),
    )
