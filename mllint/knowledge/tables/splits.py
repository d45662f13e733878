"""Tables of ``rules/knowledge/splits.toml``: calls that split data and where their split size lives (ML0301)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Flag, Position, Strings, Table, Text


class Splitter(Table):
    """A call or method that splits data; at least one of its arguments holds a ratio or a size."""

    kwargs: Strings = Field(default_factory=list, description="Keyword arguments holding a ratio or a size (`test_size`).")
    positional: Position | None = Field(None, description="Position of an argument holding one (a list of ratios counts when all its items are literal).")
    percent_kwargs: Strings = Field(default_factory=list, description='Keyword arguments holding a percent slice (`split="train[:80%]"`).')
    ratios_only: Flag = Field(False, description="Only ratios (0 < v < 1) count: lengths passed there are not split sizes.")


class SampleSplit(Table):
    """`df.sample(frac=...)` counts as a split when the sampled rows' index is used to take the rest."""

    methods: Strings = Field(description="Sampling methods (`sample`).")
    kwarg: Text = Field(description="The keyword holding the fraction (`frac`).")


class SplitPoints(Table):
    """`int(0.8 * len(x))` is a split point when it cuts the data: used in a slice, passed to a consumer, or
    assigned to a name with one of the tokens."""

    rounding: Strings = Field(description="Calls that round the fraction of a length (`int`, `round`, `math.floor`).")
    consumers: Strings = Field(description="Calls that cut data at a point (`random_split`, `array_split`, `take`).")
    name_tokens: Strings = Field(description="Name tokens of a split point (`train`, `split`, `cutoff`).")
    length_names: Strings = Field(description="Names that hold the size of the data (besides `len(x)` and `x.shape[0]`).")


class SplitMasks(Table):
    """Random per-row masks compared with a literal fraction: `np.random.rand(len(df)) < 0.8`."""

    calls: Strings = Field(description="Calls drawing one random number per row.")


class SplitParameters(Table):
    """Keyword arguments naming a split, passed to the project's own functions (`preprocess(df, test_size=0.05)`)."""

    names: Strings = Field(description="The keyword names (`test_size`, `val_ratio`).")
