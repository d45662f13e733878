"""Tables of ``rules/knowledge/data_versioning.toml``: what counts as a data or model file, and as data
versioning (ML0101-ML0105, ML0204)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, Table, Text


class DataFiles(Table):
    """Data and model files that belong in DVC or git-lfs."""

    extensions: Strings = Field(description="Extensions (lower case, no dot) of data and model files (`csv`, `pt`).")
    media_extensions: Strings = Field(description="Media extensions that are data only inside a data folder (`jpg`, `wav`).")
    not_data: Strings = Field(description="Base names with a data extension that are not data.")
    folders: Strings = Field(description='Folders whose existence says "this project has data or models" (ML0103).')
    not_data_by_size: Strings = Field(description="Extensions never counted by the size threshold (code, notebooks, documents).")
    size_exempt: Strings = Field(description="Tracked files never counted by the size threshold (lock files).")


class DataIo(Table):
    """Calls that read or write data or model files."""

    calls: Strings = Field(description="Dotted names (`pandas.read_csv`, `torch.save`).")
    methods: Strings = Field(description="Methods writing data or models on any receiver (`.to_csv`).")
    tabular_calls: Strings = Field(description="Calls that load tabular or record data (ML0204 no-data-schema).")


class DataVersioning(Table):
    """Signs that data versioning is in place."""

    markers: Strings = Field(description="Files or folders (relative to the root or its git root: `.dvc`, `dvc.yaml`).")
    suffixes: Strings = Field(description="File suffixes meaning the same (`.dvc` pointer files).")
    imports: Strings = Field(description="Imports of data-versioning tools (`dvc`, `lakefs`).")
    calls: Strings = Field(description="Calls that version datasets as artifacts (`wandb.Artifact`).")
    lfs_filter: Text = Field(description="The git attributes filter value meaning git-lfs (`lfs`).")
