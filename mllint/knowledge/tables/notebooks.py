"""Tables of ``rules/knowledge/notebooks.toml``: ways production code pulls notebooks in (ML0802 notebook-imported)."""

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
