"""Tables of ``rules/knowledge/lifecycle.toml``: what the code does across the model's life cycle, for the
repository rules of factors 5-12 (read by ``mllint/repo/mlcode.py``).

Conventions: ``imports`` are module prefixes (``mlflow`` matches ``import mlflow.sklearn``), ``calls``
resolved dotted names (globs allowed: ``mlflow.*.log_model``), ``methods`` method names on any receiver
(``.save_pretrained``).
"""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, Table


class ModelTraining(Table):
    """A file trains a model when it calls one of `calls`, or one of `methods` and imports a framework or builds an estimator."""

    calls: Strings = Field(description="Calls that train (`xgboost.train`, `transformers.Trainer`).")
    methods: Strings = Field(description="Training methods (`.fit`, `.train`).")
    frameworks: Strings = Field(description="Imports that make `methods` count (`torch`, `keras`); scikit-learn alone is not one.")
    estimators: Strings = Field(description="Constructors that make `methods` count (`sklearn.linear_model.*`).")


class ModelLoading(Table):
    """Loading a persisted model (serving, batch prediction, model tests)."""

    calls: Strings = Field(description="Loading calls (`joblib.load`, `mlflow.*.load_model`).")
    methods: Strings = Field(description="Loading methods (`.from_pretrained`).")


class ModelPersistence(Table):
    """Persisting a trained model (ML1201)."""

    calls: Strings = Field(description="Persisting calls (`joblib.dump`, `torch.save`).")
    methods: Strings = Field(description="Persisting methods (`.save_pretrained`).")
    with_frameworks: Strings = Field(description="Methods that count only next to a `frameworks` import (`.save`).")
    imports: Strings = Field(description="Imports that persist by default (Lightning writes checkpoints).")
    config_words: Strings = Field(description="Words in YAML configs that configure checkpoints (`ModelCheckpoint`).")
    frameworks: Strings = Field(description="The frameworks of `with_frameworks`.")


class ExperimentTrackers(Table):
    """Experiment tracking (ML0701)."""

    imports: Strings = Field(description="Tracker modules (`mlflow`, `wandb`).")
    calls: Strings = Field(description="Calls that track (`keras.callbacks.TensorBoard`).")
    files: Strings = Field(description="Files meaning a tracker is configured (`MLproject`).")
    config_words: Strings = Field(description="Words in dependency manifests and YAML configs naming a tracker.")


class MetricComputation(Table):
    """Computing evaluation metrics (ML1001 looks for a machine-readable output where they are computed)."""

    calls: Strings = Field(description="Metric calls (`sklearn.metrics.*`).")
    methods: Strings = Field(description="Metric methods (`.evaluate`).")
    frameworks: Strings = Field(description="Imports that make `methods` count.")


class MetricsWriters(Table):
    """Writing metrics somewhere machine-readable (ML1001)."""

    calls: Strings = Field(description="Tracker logging calls (`mlflow.log_metric`).")
    methods: Strings = Field(description="Tracker logging methods (`.log_metrics`).")
    imports: Strings = Field(description="Imports that record metrics (`dvclive`).")
    dumps: Strings = Field(description="File dumps that count in a file naming a metrics-like path (`json.dump`).")
    path_words: Strings = Field(description="Words of a metrics-like path (`metric`, `score`).")
    config_words: Strings = Field(description="Configuration that records metrics (Kedro/MLflow metric datasets).")
    file_globs: Strings = Field(description="Committed files that are metric outputs (`*metric*.json`).")
    step_decorators: Strings = Field(description="Decorators of pipeline steps whose return values the framework stores "
                                                 "as artifacts (`zenml.step`): a step returning metrics records them.")
    returned_words: Strings = Field(description="Words that start a word of a returned value's name when it is a metric "
                                                "(`metric`, `accuracy`).")


class DriftDetection(Table):
    """Data and prediction drift detection (ML0601)."""

    imports: Strings = Field(description="Drift-detection libraries (`evidently`).")
    calls: Strings = Field(description="Statistical tests that count in a monitoring/drift module (`scipy.stats.ks_2samp`).")
    module_words: Strings = Field(description="Words of a monitoring/drift module's path (`drift`, `monitor`).")
    declaration_suffixes: Strings = Field(description="A definition named for drift that ends with one of these only declares settings (`DriftParams`): not a check.")
    config_words: Strings = Field(description="Words in manifests and configs naming a drift library.")


class ModelTests(Table):
    """Model tests (ML0503): a test that references model code."""

    module_words: Strings = Field(description="Words of local modules holding model code (`train`, `model`).")
    name_words: Strings = Field(description="Words of definitions that are model code (`predict`, `fit`).")
    calls: Strings = Field(description="Calls in a test that exercise a model (`joblib.load`, `fastapi.testclient.TestClient`).")
    methods: Strings = Field(description="Methods in a test that exercise a model (`.predict`).")
    transformer_calls: Strings = Field(description="Preprocessing transformers: a test whose fits are only theirs tests preprocessing, not the model.")
    fit_methods: Strings = Field(description="The fitting methods of those transformers (`.fit`, `.fit_transform`).")


class LifecycleScope(Table):
    """Folders whose code never makes a repository train or evaluate a model (their other evidence still counts)."""

    ignore_dirs: Strings = Field(description="Folder names (`examples`, `docs`, `vendor`).")


class TestFiles(Table):
    """Files that are tests although their path does not say so (ML0501-ML0503)."""

    __test__ = False  # not a pytest class

    bdd_frameworks: Strings = Field(description="Modules of BDD frameworks whose step files are tests (`behave`, `pytest_bdd`).")
    test_frameworks: Strings = Field(description="Modules of test frameworks: a `test.py`/`tests.py` importing one is a test (`unittest`, `pytest`).")
