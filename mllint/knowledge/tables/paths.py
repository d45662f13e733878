"""Tables of ``rules/knowledge/paths.toml``: absolute or user-specific filesystem paths (ML0303 hardcoded-path)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Flag, Regex, Strings, Table


class HardcodedPaths(Table):
    """A string literal starting with one of the prefixes is a path that exists on one machine only."""

    prefixes: Strings = Field(description="Machine-specific prefixes (`/home/`, `/Users/`, `/content/drive`); case-sensitive.")
    windows_drive: Flag = Field(description="Also match drive paths (`C:\\...`, `D:/...`).")
    conventional: Strings = Field(description="Per-user locations every machine has (`~/.`, `~/Library/`): not flagged.")
    mount_calls: Strings = Field(description="Calls whose path argument is a mount point the platform requires (`google.colab.drive.mount`).")
    container_kwargs: Strings = Field(description="Keyword arguments naming a path inside a container or on a remote machine (`remote_path`).")
    container_keys: Strings = Field(description="Dictionary keys whose value is a path inside a container (`mountPath`, Docker's `bind`).")
    container_names: Regex = Field(description="Names (variables, attributes, parameters) saying their path is inside a container.")
    container_docstring: Regex = Field(description="Docstrings of a class or function whose attributes and parameter defaults live in a container.")
    path_joins: Strings = Field(description="Calls building a path below the path they are given (`os.path.join`, `pathlib.Path`).")
    system_locations: Strings = Field(description="System install locations probed to find a library (case-insensitive prefixes).")
    env_lookups: Strings = Field(description="Environment lookups: a literal default there is the fallback of configuration (`os.getenv`).")
