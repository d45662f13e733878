"""Tables of ``rules/knowledge/notebooks.toml``: ways production code pulls notebooks in (ML0802
notebook-imported), and the IPython magics a notebook cell may name without ``%`` (automagic)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, Table


class NotebookImporters(Table):
    """Imports, magics, readers and executors that run or load notebooks from code."""

    modules: Strings = Field(description="Modules whose import (or a submodule's) executes notebooks as modules (`import_ipynb`).")
    magics: Strings = Field(description="IPython magics that run another notebook (`run`).")
    magic_methods: Strings = Field(description="`get_ipython()` methods calling a magic in exported `.py` files (`run_line_magic`).")
    readers: Strings = Field(description="Calls that read notebook sources: an `exec()` in a file calling one runs a notebook.")
    executors: Strings = Field(description="Calls that execute a notebook as a step of the program (`papermill.execute_notebook`).")
    executor_names: Strings = Field(description="Names of project functions wrapping an executor (`execute_notebook`): calling one runs a notebook.")


class IpythonAutomagic(Table):
    """IPython's line magics, which a one-line cell runs without `%` (automagic, on by default)."""

    line_magics: Strings = Field(description="Line magics and default shell aliases of IPython and ipykernel (`ls`, `pip`, `cd`): a one-line cell starting with one runs it as `%name` unless the notebook binds the name.")
