"""Tables of ``rules/knowledge/metrics.toml``: metrics and where they go (ML0702 untracked-metrics)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, StringsMap, Table


class MetricsFunctions(Table):
    """Calls that compute evaluation metrics."""

    prefixes: Strings = Field(description="Dotted-name prefixes (`sklearn.metrics.`).")
    callables: Strings = Field(description="Exact dotted names (`sklearn.model_selection.cross_val_score`).")
    exclude: Strings = Field(description="Final names under a prefix that are not metrics (scorer factories, curves, pairwise kernels).")
    metric_objects: Strings = Field(description="Calls binding an object whose `.compute()` is a metric (`evaluate.load`).")
    metric_object_methods: Strings = Field(description="Those objects' metric methods (`compute`).")
    methods: StringsMap = Field(description="Method name → imports that make it a metric on any receiver (`score` with `sklearn`).")
    self_recording: StringsMap = Field(description="Method name → keywords with which the framework records the result itself (`evaluate(input_fn=...)` of a TensorFlow Estimator).")


class MetricsPrinters(Table):
    """Calls that show a value without recording it."""

    callables: Strings = Field(description="Dotted names (`print`, `IPython.display.display`).")
    methods: Strings = Field(description="Method names that print on one of `method_receivers` (`info`, `write`).")
    method_receivers: Strings = Field(description="Receivers of those methods (`logging`, `logger`).")


class MetricsTrackers(Table):
    """Evidence that a module records its results: a tracker import, a tracker method, a recording helper."""

    modules: Strings = Field(description="Tracker modules (`mlflow`, `wandb`).")
    methods: Strings = Field(description="Tracker methods on any receiver (`log_metric`, `add_scalar`).")
    self_methods: Strings = Field(description="`self.<method>(...)` inside a LightningModule (`log`).")
    helper_verbs: Strings = Field(description="A project helper named with one of these verbs...")
    helper_nouns: Strings = Field(description="...and one of these nouns records results (`log_metrics`, `save_results`).")


class MetricsFileWriters(Table):
    """Calls that write results to a file (model persistence is deliberately absent)."""

    callables: Strings = Field(description="Dotted names (`json.dump`, `numpy.savetxt`).")
    methods: Strings = Field(description="Method names on any receiver (`savefig`).")
    data_methods: Strings = Field(description="Writes that record results only when they write results (`to_csv`, `write`).")
    result_words: Strings = Field(description="Words in the receiver, a name or a string passed that make such a write a result (`metric`, `score`).")
