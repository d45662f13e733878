"""Tables of ``rules/knowledge/preprocessing.toml``: fitted preprocessing, estimators, pipelines and persistence
(ML0902 pipeline-not-used, ML1002 data-leakage, ML0502 untested-preprocessing)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PlainValidator
from pydantic_core import PydanticCustomError

from mllint.knowledge.fields import Entries, Flag, Kind, PositionMap, Strings, Table, describe


def _data_arguments(value: object) -> Literal["*"] | list[int]:
    """``"*"`` or a list of positions."""
    if value == "*":
        return "*"
    if isinstance(value, list) and all(isinstance(item, int) and not isinstance(item, bool) and item >= 0 for item in value):
        return value
    raise PydanticCustomError("knowledge_value", 'expected "*" or a list of positions (integers from 0), got {got}',
                              {"got": describe(value)})


#: ``"*"`` (every positional argument) or the positions of the data arguments.
DataArguments = Annotated[Literal["*"] | list[int], PlainValidator(_data_arguments), Kind('"*" or list of positions')]


class FittedTransformers(Table):
    """Classes that learn statistics of the data in `fit()` (scalers, encoders, imputers, selectors, PCA, vectorizers)."""

    classes: Strings = Field(description="Their dotted names.")
    fit_methods: Strings = Field(description="Methods that fit them (`fit`, `fit_transform`).")
    transform_methods: Strings = Field(description="Methods that apply them (`transform`, `fit_transform`).")


class Resamplers(Table):
    """Resamplers learn from the data too: resampling before the split leaks (ML1002)."""

    prefixes: Strings = Field(description="Dotted-name prefixes (`imblearn.over_sampling.`).")
    fit_methods: Strings = Field(description="Methods that resample (`fit_resample`).")
    exclude: Strings = Field(description="Resamplers that learn nothing from the rows they keep (`RandomUnderSampler`).")


class LeakageSplit(Table):
    """A call that splits or cross-validates data, and the arguments holding the data."""

    args: DataArguments = Field("*", description='Positions of the data arguments, or `"*"` for all positional arguments.')
    kwargs: Strings = Field(default_factory=list, description="Keyword names holding data (`X`).")


class LeakageSearchers(Table):
    """Hyper-parameter searches: their `fit(X)` cross-validates `X`, so fitting them on pre-transformed data leaks."""

    classes: Strings = Field(description="Dotted names (`sklearn.model_selection.GridSearchCV`).")


class PipelineEstimators(Table):
    """Models whose bare instance should not be shipped without its preprocessing."""

    prefixes: Strings = Field(description="Dotted-name prefixes (`sklearn.ensemble.`).")
    classes_only: Flag = Field(description="With prefixes: only CamelCase final names match.")
    callables: Strings = Field(description="Exact dotted names (`keras.Sequential`).")


class Pipelines(Table):
    """Objects that carry preprocessing and model together."""

    callables: Strings = Field(description="Dotted names (`sklearn.pipeline.Pipeline`, `make_pipeline`).")


class EstimatorPersistence(Table):
    """Calls and methods that persist an object (ML0902 checks what is persisted)."""

    functions: PositionMap = Field(description="Dotted name → position of the persisted object (`joblib.dump` → 0).")
    methods: Strings = Field(description="Methods persisting the receiver when it is a bare estimator (`save_model`, Keras `save`).")


class PreprocessingCode(Table):
    """What makes a module preprocessing code (ML0502) beyond its name."""

    data_modules: Strings = Field(description="Data libraries a preprocessing module uses (`pandas`, `numpy`, `cv2`).")
    model_code_calls: Strings = Field(description="Calls that build a model: a module calling one is model code (globs allowed).")
    test_frameworks: Strings = Field(description="BDD frameworks whose step files are tests (`behave`).")
    neutral_modules: Strings = Field(description="Imports that say nothing about what a module does (`typing`, `os`).")


#: `[leakage_splits."<name>"]`, whose arguments may be given as `"*"`.
LeakageSplits = Annotated[dict[str, LeakageSplit], Entries]
