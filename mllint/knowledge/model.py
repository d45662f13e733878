"""The schema of the ML-library knowledge: one field per table of ``rules/knowledge/*.toml``.

The built-in files and ``[tool.mllint.knowledge]`` are validated against :class:`KnowledgeTables`
(``mllint/knowledge/validate.py``); rules get the result as a :class:`mllint.knowledge.runtime.Knowledge`,
whose ``typed`` view is an instance of this model. Importing this module builds every table model
(tens of milliseconds): the loader imports it only when something must be validated.

To add a table: give it a model in ``mllint/knowledge/tables/<file>.py`` (the TOML file's stem), a
field here, and its data in ``rules/knowledge/<file>.toml`` (docs/knowledge.md, "Adding a table").
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from mllint.knowledge.fields import Entries, StringMap, StringsMap
from mllint.knowledge.tables.ci import CiCommands, RetrainingSchedules
from mllint.knowledge.tables.data_versioning import DataFiles, DataIo, DataVersioning
from mllint.knowledge.tables.dataflow import (Concatenation, DataSources, EstimatorExclude, FittedInspectors, FrameworkHooks,
                                              LearnedVocabulary, ModelMethods, ObjectKinds, RowCreation, Splitting,
                                              Statistics)
from mllint.knowledge.tables.dependencies import DependencyManifests, ProvidedModules
from mllint.knowledge.tables.hyperparameters import (
    BudgetKeywords,
    ExemptKeywords,
    ExemptWords,
    HyperparameterFamily,
    HyperparameterMethod,
    ParamDictCall,
)
from mllint.knowledge.tables.lifecycle import (
    DriftDetection,
    ExperimentTrackers,
    LifecycleScope,
    TestFiles,
    MetricComputation,
    MetricsWriters,
    ModelLoading,
    ModelPersistence,
    ModelTests,
    ModelTraining,
)
from mllint.knowledge.tables.metrics import (
    MetricsFileWriters,
    MetricsFunctions,
    MetricsPrinters,
    MetricsTrackers,
)
from mllint.knowledge.tables.notebooks import IpythonAutomagic, NotebookImporters
from mllint.knowledge.tables.paths import HardcodedPaths
from mllint.knowledge.tables.pipelines import ParamsLoading, PipelineCommands
from mllint.knowledge.tables.preprocessing import (
    EstimatorPersistence,
    FittedTransformers,
    LeakageSearchers,
    LeakageSplits,
    PipelineEstimators,
    Pipelines,
    PreprocessingCode,
    Resamplers,
)
from mllint.knowledge.tables.project_setup import (
    ConfigFiles,
    ConfigLoaders,
    DataSchema,
    Linters,
    PipelineTools,
)
from mllint.knowledge.tables.security import Deserialization, RemoteCode, Secrets
from mllint.knowledge.tables.seeding import (
    DisplayCalls,
    GlobalRng,
    RandomStateCall,
    SeedHelpers,
    TorchShuffler,
    UnseededGenerator,
)
from mllint.knowledge.tables.serving import (
    ModelPackaging,
    ServingFrameworks,
    ServingMonitoring,
    ServingPreprocessing,
)
from mllint.knowledge.tables.smells import (
    SmellsEval,
    SmellsInplace,
    SmellsMerge,
    SmellsNan,
    SmellsPandas,
    SmellsTorch,
    SmellsValues,
)
from mllint.knowledge.tables.splits import (
    SampleSplit,
    SplitMasks,
    SplitParameters,
    SplitPoints,
    Splitter,
)


class KnowledgeTables(BaseModel):
    """Every knowledge table, typed. Built-in files and user extensions are validated against it."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, protected_namespaces=(), defer_build=True)

    # aliases.toml
    aliases: StringMap = Field(description="Re-exports and historical module paths → the canonical dotted name rules match on (longest prefix wins).")
    # ci.toml
    ci_systems: StringsMap = Field(description="CI system → locations of its configuration (paths and globs relative to the git root).")
    ci_commands: CiCommands
    retraining_schedules: RetrainingSchedules
    # data_versioning.toml
    data_files: DataFiles
    data_io: DataIo
    data_versioning: DataVersioning
    # dataflow.toml
    conventional_names: StringMap = Field(description="Names a file uses without binding them → their conventional modules (`np` → `numpy`, `nn` → `torch.nn`).")
    conventional_members: StringsMap = Field(description="Module → public names that resolve to it when used without an import (scikit-learn's `StandardScaler`, `train_test_split`).")
    object_kinds: ObjectKinds
    statistics: Statistics
    data_sources: DataSources
    row_creation: RowCreation
    concatenation: Concatenation
    splitting: Splitting
    model_methods: ModelMethods
    learned_vocabularies: Annotated[dict[str, LearnedVocabulary], Entries] = Field(
        description="Transformer-like classes of other libraries (Keras `Tokenizer`, preprocessing layers): fit and transform methods.")
    fitted_inspectors: FittedInspectors
    estimator_exclude: EstimatorExclude
    framework_hooks: FrameworkHooks
    # dependencies.toml
    dependency_manifests: DependencyManifests
    import_distributions: StringsMap = Field(description="Import name (top-level or dotted, longest prefix wins) → the distributions that provide it.")
    provided_modules: ProvidedModules
    # hyperparameters.toml
    hyperparameter_exempt: ExemptKeywords
    hyperparameter_exempt_words: ExemptWords
    hyperparameter_budget: BudgetKeywords
    hyperparameter_families: Annotated[dict[str, HyperparameterFamily], Entries] = Field(
        description="Families of calls that build models, optimizers, schedulers and trainers, and their hyperparameter keywords.")
    hyperparameter_methods: Annotated[dict[str, HyperparameterMethod], Entries] = Field(
        description="Methods matched by name whose keywords are hyperparameters, in files importing one of `requires_import`.")
    hyperparameter_param_dicts: Annotated[dict[str, ParamDictCall], Entries] = Field(
        description="Training functions taking a parameter dict; a literal dict with numeric values is flagged.")
    # lifecycle.toml
    model_training: ModelTraining
    model_loading: ModelLoading
    model_persistence: ModelPersistence
    experiment_trackers: ExperimentTrackers
    metric_computation: MetricComputation
    metrics_writers: MetricsWriters
    drift_detection: DriftDetection
    model_tests: ModelTests
    lifecycle_scope: LifecycleScope
    test_files: TestFiles
    # metrics.toml
    metrics_functions: MetricsFunctions
    metrics_printers: MetricsPrinters
    metrics_trackers: MetricsTrackers
    metrics_file_writers: MetricsFileWriters
    # notebooks.toml
    notebook_importers: NotebookImporters
    ipython_automagic: IpythonAutomagic
    # paths.toml
    hardcoded_paths: HardcodedPaths
    # pipelines.toml
    params_loading: ParamsLoading
    pipeline_commands: PipelineCommands
    # preprocessing.toml
    fitted_transformers: FittedTransformers
    resamplers: Resamplers
    leakage_splits: LeakageSplits = Field(description="Calls that split or cross-validate data, and which arguments hold the data.")
    leakage_searchers: LeakageSearchers
    pipeline_estimators: PipelineEstimators
    pipelines: Pipelines
    estimator_persistence: EstimatorPersistence
    preprocessing_code: PreprocessingCode
    # project_setup.toml
    data_schema: DataSchema
    config_files: ConfigFiles
    config_loaders: ConfigLoaders
    linters: Linters
    pipeline_tools: PipelineTools
    # security.toml
    deserialization: Deserialization
    remote_code: RemoteCode
    secrets: Secrets
    # seeding.toml
    random_state_callables: Annotated[dict[str, RandomStateCall], Entries] = Field(
        description="Calls taking a seed argument whose default is non-deterministic.")
    random_state_methods: Annotated[dict[str, RandomStateCall], Entries] = Field(
        description="The same for methods matched by name, in files importing one of `requires_import`.")
    seeders: StringsMap = Field(description='Calls that seed global RNGs → the RNGs they seed (names of `[global_rngs]`, or "all").')
    seed_helpers: SeedHelpers
    display_calls: DisplayCalls
    global_rngs: Annotated[dict[str, GlobalRng], Entries] = Field(
        description="Global random number generators (`numpy`, `python`, `torch`, `tensorflow`) and the calls drawing from them.")
    unseeded_generators: Annotated[dict[str, UnseededGenerator], Entries] = Field(
        description="Generator constructors that are unpredictable without a seed.")
    torch_shufflers: Annotated[dict[str, TorchShuffler], Entries] = Field(
        description="Torch calls shuffling with torch's global RNG unless given a generator.")
    # serving.toml
    serving_frameworks: ServingFrameworks
    serving_preprocessing: ServingPreprocessing
    serving_monitoring: ServingMonitoring
    model_packaging: ModelPackaging
    # smells.toml
    smells_pandas: SmellsPandas
    smells_nan: SmellsNan
    smells_values: SmellsValues
    smells_merge: SmellsMerge
    smells_inplace: SmellsInplace
    smells_torch: SmellsTorch
    smells_eval: SmellsEval
    # splits.toml
    splitters: Annotated[dict[str, Splitter], Entries] = Field(
        description="Calls that split data, and where their split size lives.")
    split_methods: Annotated[dict[str, Splitter], Entries] = Field(
        description="Methods matched by name on any receiver that are distinctive enough to mean a split.")
    sample_split: SampleSplit
    split_points: SplitPoints
    split_masks: SplitMasks
    split_parameters: SplitParameters
