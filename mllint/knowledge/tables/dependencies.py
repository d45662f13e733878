"""Tables of ``rules/knowledge/dependencies.toml``: manifest and lock file names, and the import names whose
distribution is named differently (ML0201-ML0203)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, Table


class DependencyManifests(Table):
    """Files that declare dependencies, and lock files."""

    names: Strings = Field(description="Exact file names, anywhere in the tree (`pyproject.toml`, `environment.yml`).")
    patterns: Strings = Field(description="Glob patterns on the file name (`requirements*.txt`).")
    folders: Strings = Field(description="Files inside a folder named like this count too (`requirements/base.txt`).")
    lock_files: Strings = Field(description="Lock files: any of these means versions are pinned (`uv.lock`).")
    lock_patterns: Strings = Field(description="Glob patterns of lock files.")


class ProvidedModules(Table):
    """Modules supplied by the running environment, never declared in a manifest."""

    names: Strings = Field(description="Top-level modules of the environment (`google.colab`, `IPython`).")
    stdlib_extra: Strings = Field(description="Standard-library names of Python 2 and removed or platform-specific modules.")
