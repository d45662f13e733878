"""Tables of ``rules/knowledge/seeding.toml``: randomness and seeding (ML0401 unseeded-randomness)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Literals, Position, Strings, Table, Text


class RandomStateCall(Table):
    """A call (or a method, by name) taking a seed argument whose default is non-deterministic."""

    param: Text = Field(description="The seed argument (`random_state`).")
    position: Position | None = Field(None, description="Its positional index, when it may be passed by position.")
    rng: Text = Field("numpy", description="The global RNG the default falls back to (seeding it makes the call reproducible).")
    when: Literals = Field(default_factory=dict, description="Random only when these literal keyword values are given (`{shuffle = true}`).")
    unless: Literals = Field(default_factory=dict, description="Not random when these literal keyword values are given (`{shuffle = false}`).")
    requires_import: Strings = Field(default_factory=list, description="Methods only: the file must import one of these modules.")
    also: Strings = Field(default_factory=list, description="Other arguments that seed the call too (`generator`).")
    with_keyword: Strings = Field(default_factory=list, description="Random only when one of these keywords is given, whatever its value (`frac` of pandas' `sample`).")


class SeedHelpers(Table):
    """A project function whose name contains one of the words seeds every RNG (`set_seed(cfg.seed)`)."""

    name_contains: Strings = Field(description="Words of a seeding helper's name (case-insensitive).")
    library_roots: Strings = Field(description="Libraries whose functions count only through `[seeders]`.")


class DisplayCalls(Table):
    """Calls that only show a value: a plot, a printout, a notebook display."""

    prefixes: Strings = Field(description="Dotted-name prefixes of plotting and display libraries (`matplotlib.`); printers are `[metrics_printers]`.")
    methods: Strings = Field(description="Method names that draw on a figure or its axes (`imshow`, `set_title`).")


class GlobalRng(Table):
    """Functions that draw from one global RNG: every call under a prefix minus `exclude`, and `callables`."""

    prefixes: Strings = Field(default_factory=list, description="Dotted-name prefixes (`numpy.random.`).")
    exclude: Strings = Field(default_factory=list, description="Final names under a prefix that do not draw (`seed`, `default_rng`).")
    callables: Strings = Field(default_factory=list, description="Exact dotted names (`torch.rand`).")
    show: Text | None = Field(None, description="The seeding call shown in messages (`np.random.seed(...)`).")


class UnseededGenerator(Table):
    """A generator constructor that is unpredictable without a seed (first positional or keyword argument)."""

    param: Text | None = Field(None, description="The seed argument (`seed`).")
    seed_method: Text | None = Field(None, description="A method that seeds the generator afterwards (`manual_seed`).")


class TorchShuffler(Table):
    """A torch call that shuffles with torch's global RNG unless given a generator."""

    param: Text = Field(description="The generator argument (`generator`).")
    position: Position | None = Field(None, description="Its positional index.")
    when: Literals = Field(default_factory=dict, description="Shuffles only when these literal keyword values are given (`{shuffle = true}`).")
