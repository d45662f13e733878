"""Tables of ``rules/knowledge/smells.toml``: what makes a value a pandas object or a torch model, and which
calls are ML code smells (ML13xx)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mllint.knowledge.fields import Entries, Position, Regex, StringMap, Strings, Table, Text


class SmellsPandas(Table):
    """Pandas evidence: what makes an expression a DataFrame or a Series."""

    modules: Strings = Field(description='Modules whose import makes a file "a pandas file".')
    constructors: Strings = Field(description="Calls returning a DataFrame/Series (every `pandas.read_*` counts too).")
    reader_prefixes: Strings = Field(description="Prefixes of reader calls (`pandas.read_`).")
    collection_readers: Strings = Field(description="Readers returning a collection of DataFrames, not one (`pandas.read_html`).")
    collection_keywords: StringMap = Field(description="Reader → the keyword that makes it return a collection (`pandas.read_excel` → `sheet_name`).")
    types: Strings = Field(description="Annotations that make a parameter a pandas object.")
    passthrough: Strings = Field(description="Functions returning pandas objects when their first argument is one (`train_test_split`).")
    non_pandas_methods: Strings = Field(description="Methods of a pandas object that do not return one (`to_numpy`, `tolist`).")
    non_pandas_attributes: Strings = Field(description="Attributes of a pandas object that are not pandas objects (`values`, `shape`).")
    indexers: Strings = Field(description="Indexers (`loc`, `iloc`): `df.loc[...] = v` is a direct assignment.")
    name_pattern: Regex = Field(description="Names that are DataFrames by convention (`df`, `train_df`), in files importing pandas only.")
    name_exclude_pattern: Regex = Field(description="...unless the name says it is a collection of them (`df_list`, `dfs`).")
    conflicting_modules: Strings = Field(description="Libraries with DataFrame-like objects using the same names (Spark, polars).")
    elementwise_inplace_methods: Strings | None = Field(None, description="In-place methods whose result keeps the selection's index, the scope of ML1302's fix (default: the rule's own list).")


class SmellsNan(Table):
    """NaN spellings (ML1301 nan-equality)."""

    constants: Strings = Field(description="NaN constants (`numpy.nan`, `math.nan`, `pandas.NA`).")
    constructors: Strings = Field(description='Constructors that make NaN from the string `"nan"` (`float`, `numpy.float64`).')
    methods: Strings = Field(description="Element-wise comparison methods (`eq`, `ne`).")


class SmellsValues(Table):
    """`.values` of pandas objects (ML1303 dataframe-values)."""

    conflicting_modules: Strings = Field(description="Libraries whose objects also have `.values` (torch, xarray): with one imported, `.values` needs pandas evidence.")
    column_conflicting_modules: Strings = Field(description="Libraries that make even column selections (`data['label'].values`) ambiguous.")
    non_pandas_results: Strings = Field(description="Methods whose result has a non-pandas `.values` (`x.max(dim=1).values`).")
    fix_requires: Text = Field("", description="`<package> <major.minor>` from which the replacement exists (`pandas 0.24`: `.to_numpy()`); a project whose manifests allow an older one gets no fix.")


class MergeCall(Table):
    """A merge or join: the keyword arguments that name its keys, and the positions of `how` and the keys."""

    keys: Strings = Field(default_factory=list, description="Keyword arguments naming the join keys (`on`, `left_on`); empty: keys are implicit by design.")
    how_position: Position | None = Field(None, description="Position of `how` when passed positionally.")
    keys_position: Position | None = Field(None, description="Position of the keys when passed positionally.")


class SmellsMerge(Table):
    """Merges and joins (ML1304 merge-implicit)."""

    functions: Annotated[dict[str, MergeCall], Entries] = Field(description="Merge functions by dotted name (`pandas.merge`).")
    methods: Annotated[dict[str, MergeCall], Entries] = Field(description="Merge methods by name (`merge`, `join`).")


class SmellsInplace(Table):
    """Methods returning a new object, useless as a statement (ML1308 inplace-result-discarded)."""

    methods: Strings = Field(description="Method names (`dropna`, `fillna`, `rename`).")


class SmellsTorch(Table):
    """Torch evidence (ML1305-ML1307): optimizers, gradients, models and their modes."""

    modules: Strings = Field(description="Modules whose import makes a file a torch file.")
    conflicting_modules: Strings = Field(description="Frameworks whose training loops look the same but need no `zero_grad` (MXNet gluon).")
    forward_conflicts: Strings = Field(description="Libraries whose objects also have a `forward()` method (`cv2`).")
    forward_conflict_uses: StringMap = Field(description="Module → the API that must be used for it to conflict (`cv2` → `cv2.dnn`).")
    optimizer_prefixes: Strings = Field(description="Calls (prefixes) that create an optimizer (`torch.optim.`).")
    not_optimizer_prefixes: Strings = Field(description="Prefixes under those that are not optimizers (`torch.optim.lr_scheduler`).")
    optimizer_name_pattern: Regex = Field(description="Names that are optimizers by convention (`optimizer`, `opt`).")
    not_optimizer_name_pattern: Regex = Field(description="...except these (`scheduler`, `scaler`).")
    zero_grad_names: Strings = Field(description="Calls that reset gradients (attribute or function name).")
    zero_grad_substrings: Strings = Field(description="Any call whose name contains one of these resets gradients too.")
    backward_names: Strings = Field(description="Calls that back-propagate (attribute name).")
    gradient_contexts: Strings = Field(default_factory=list, description="Context managers whose gradients live in the context (distributed autograd): a step inside one needs no `zero_grad`.")
    context_backward: Strings = Field(default_factory=list, description="Calls that back-propagate into such a context (`torch.distributed.autograd.backward`).")
    model_constructor_prefixes: Strings = Field(description="Calls that build a model object (`torchvision.models.`).")
    not_model_prefixes: Strings = Field(description="Calls whose results are called like models but are not torch modules in training mode.")
    eval_mode_loaders: Strings = Field(description="Loaders whose models come back in eval mode (`from_pretrained`).")
    module_bases: Strings = Field(description="Base classes of torch modules (`torch.nn.Module`).")
    model_name_pattern: Regex = Field(description="Names that are models by convention (`model`, `net`, `encoder`).")
    not_model_name_pattern: Regex = Field(description="...except names of things that build, describe or act on models (`model_path`, `load_model`).")
    not_model_object_pattern: Regex = Field(description="Objects called like models that are not torch modules in training mode (tokenizers, pipelines).")


class SmellsEval(Table):
    """Evaluation code (ML1306 eval-mode-missing)."""

    tokens: Strings = Field(description="A function whose name has one of these tokens is evaluation code (`eval`, `predict`).")
    no_grad: Strings = Field(description="Context managers and decorators that disable autograd (`torch.no_grad`).")
    managed_bases: Strings = Field(description="Classes whose evaluation loops the framework runs (Lightning, HF `Trainer`).")
    managed_methods: Regex = Field(description="Framework hook methods whose callers set eval mode and no_grad (`validation_step`).")
