"""Tables of ``rules/knowledge/dataflow.toml``: what the data-flow analysis (``mllint/analysis/flow.py``)
knows about values: conventional names, object kinds, statistics, row creation and joining, splitting,
model methods, learned vocabularies and framework hooks (ML0401, ML0902, ML1002, ML1003, ML1305, ML1307)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import StringMap, Strings, StringsMap, Table


class ObjectKinds(Table):
    """Object evidence: what kind of value a call, a base class or an annotation gives."""

    exact: StringMap = Field(description="Dotted name of a call → kind (`pandas.DataFrame` → `dataframe`, `torch.utils.data.DataLoader` → `dataloader`).")
    prefixes: StringMap = Field(description="Dotted-name prefix of a call → kind (longest wins: `pandas.read_` → `dataframe`, `torch.optim.` → `optimizer`).")
    bases: StringMap = Field(description="Base class → kind of the subclass's instances (`torch.nn.Module` → `torch_module`).")
    annotations: StringMap = Field(description="Annotation → kind of the annotated parameter (`pandas.DataFrame` → `dataframe`).")
    passthrough_methods: StringsMap = Field(description="Kind → methods returning the same object (`torch_module`: `to`, `cuda`, `train`, `eval`).")
    class_constructors: Strings = Field(description="Classmethods that build an instance of their class (`from_pretrained`): called on a class of the file, they give its instance.")


class Statistics(Table):
    """Reductions over rows: fitted to all the data before a split, they leak the test rows (ML1002)."""

    methods: Strings = Field(description="Methods (`mean`, `std`, `quantile`, `value_counts`); along the rows (`axis=1`) they are per-row.")
    functions: Strings = Field(description="Functions (`numpy.mean`, `numpy.percentile`, `statistics.median`).")
    transforming_functions: Strings = Field(description="Functions that fit and apply a statistic in one call (`sklearn.preprocessing.scale`, `scipy.stats.zscore`, `pandas.qcut`).")
    binning_functions: StringMap = Field(description="Binning function → the argument whose integer value means \"learn the edges from the data\" (`pandas.cut` → `bins`).")
    group_methods: Strings = Field(description="Group-wise statistics broadcast back to the rows (`groupby(g)[c].transform(\"mean\")`).")


class DataSources(Table):
    """Calls that load a data set (each call is a new root of rows)."""

    prefixes: Strings = Field(description="Dotted-name prefixes (`pandas.read_`, `sklearn.datasets.load_`, `datasets.load_dataset`).")


class RowCreation(Table):
    """Calls that create rows: copies made before a split land on both sides (ML1002 overlap leakage)."""

    functions: StringMap = Field(description="Function → the keyword that turns copying off when false (`sklearn.utils.resample` → `replace`).")
    sample_methods: Strings = Field(description="Methods copying rows with `replace=True` or `frac > 1` (`df.sample`).")
    augmentation_prefixes: Strings = Field(description="Prefixes of augmentation libraries (`albumentations.`, `torchvision.transforms.`).")
    augmentation_functions: Strings = Field(description="Augmentation functions and classes (`numpy.fliplr`, `keras.preprocessing.image.ImageDataGenerator`): rows only when appended to their originals.")
    augmentation_methods: Strings = Field(description="Methods of augmenters that produce augmented rows (`flow`, `augment_images`).")


class Concatenation(Table):
    """Calls that join rows of several data sets: train and test joined are mixed."""

    functions: Strings = Field(description="Functions (`pandas.concat`, `numpy.vstack`, `torch.cat`).")
    methods: Strings = Field(description="Methods (`append`, `extend`, `union`).")


class Splitting(Table):
    """Splitter objects and split methods of data sets."""

    splitter_prefixes: Strings = Field(description="Modules of splitter classes (`sklearn.model_selection.`).")
    splitter_suffixes: Strings = Field(description="Final names of splitter classes (`Fold`, `Split`, `LeaveOneOut`); `.split()` yields folds (`n_splits=1`: a hold-out).")
    split_methods: Strings = Field(description="Methods of splitters that yield (train, test) indices (`split`).")
    data_split_methods: Strings = Field(description="Split methods of data sets (`ds.train_test_split`, Spark `randomSplit`).")


class ModelMethods(Table):
    """Method names of models."""

    fit: Strings = Field(description="Methods that fit a model (`fit`, `partial_fit`).")
    evaluate: Strings = Field(description="Methods that score or predict (`score`, `evaluate`, `predict`): on a test part they are an evaluation (ML1003).")


class LearnedVocabulary(Table):
    """A transformer-like class of another library."""

    fit: Strings = Field(description="Methods that learn (`fit_on_texts`, `adapt`).")
    transform: Strings = Field(description="Methods that apply what was learned (`texts_to_sequences`; `__call__` for a layer called on data).")


class FittedInspectors(Table):
    """Objects that learn from rows without being preprocessing or a model to ship: what they learn can select features."""

    classes: Strings = Field(description="Dotted names (`eli5.sklearn.PermutationImportance`).")


class EstimatorExclude(Table):
    """Capitalised names under the estimator prefixes that are data containers, not models."""

    names: Strings = Field(description="Dotted names (`xgboost.DMatrix`, `lightgbm.Dataset`).")


class FrameworkHooks(Table):
    """Methods a framework calls on objects handed to it: they run when the file hands such an object over (ML0401)."""

    methods: Strings = Field(description="Method names (`train_dataloader`, `setup`, `__getitem__`).")
