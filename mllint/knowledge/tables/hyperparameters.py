"""Tables of ``rules/knowledge/hyperparameters.toml``: which calls build models, optimizers and trainers, and
which of their arguments are hyperparameters (ML0302 hardcoded-hyperparameter)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Flag, Position, Strings, Table, Text


class ExemptKeywords(Table):
    """Keyword arguments that are never hyperparameters: seeds, parallelism, logging, devices, caches."""

    kwargs: Strings = Field(description="The keyword names (`random_state`, `n_jobs`, `verbose`).")


class BudgetKeywords(Table):
    """Solver budgets, reported only next to a real hyperparameter (`LogisticRegression(max_iter=1000)` alone is not)."""

    kwargs: Strings = Field(description="The keyword names (`max_iter`, `tol`).")


class ExemptWords(Table):
    """Keyword names containing one of these words are never hyperparameters (`bagging_seed`, `gpu_device_id`)."""

    contains: Strings = Field(description="The words.")


class HyperparameterFamily(Table):
    """Calls that build models, optimizers, schedulers or trainers (exact names and/or prefixes; the longest prefix wins)."""

    callables: Strings = Field(default_factory=list, description="Exact dotted names (after import resolution and `[aliases]`).")
    prefixes: Strings = Field(default_factory=list, description="Dotted-name prefixes (`sklearn.ensemble.`).")
    classes_only: Flag = Field(False, description="With prefixes: only CamelCase final names match.")
    kwargs: Strings | None = Field(None, description="The hyperparameter keywords; omitted: every numeric keyword (minus the exempt ones).")
    positional: Strings = Field(default_factory=list, description='Parameter names by position (`["params", "lr"]` for `torch.optim.SGD`).')


class HyperparameterMethod(Table):
    """A method matched by name on any receiver (Keras `model.fit(epochs=...)`)."""

    kwargs: Strings = Field(description="The hyperparameter keywords.")
    requires_import: Strings = Field(default_factory=list, description="The file must import one of these modules.")


class ParamDictCall(Table):
    """A training function taking a parameter dict (`xgboost.train(params, ...)`): a literal dict there is flagged."""

    arg: Position | None = Field(None, description="Position of the dict.")
    kwarg: Text | None = Field(None, description="Keyword name of the dict (`params`).")
    kwargs: Strings = Field(default_factory=list, description="Other keyword arguments that are hyperparameters (`num_boost_round`).")
    positional: Strings = Field(default_factory=list, description="Parameter names by position (a literal in a position named in `kwargs` counts too).")
