"""Path patterns with .gitignore semantics, the one dialect of every pattern users write.

``exclude``, ``extend-exclude``, ``per-file-ignores``, the path globs of the knowledge tables and
``--changed-since``'s filters all mean what they would mean in a ``.gitignore`` (through
``pathspec``): ``*`` never crosses ``/``; ``**`` does; a pattern without a slash (``build``,
``*.egg-info``) matches a file or folder of that name at any depth; a pattern with a slash
(``src/*.py``) is anchored at the root; a trailing ``/`` (``legacy/``) matches a folder and
everything inside; ``!pattern`` re-includes. Paths are POSIX, relative to the checked root.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pathspec


class PathPatterns:
    """A compiled set of gitignore-style patterns; call it with a relative path.

    ``remember`` (the default): keep the patterns' translation (one regular expression) in the user's
    cache directory (``mllint.core.snapshots``), so that a later run with the same patterns neither
    imports pathspec (~30-60 ms) nor translates them again: the exclusions of a warm run, the knowledge
    tables' globs of a cold one."""

    def __init__(self, patterns: Iterable[str], remember: bool = True) -> None:
        self.patterns = tuple(_normalise(p) for p in patterns if p and p.strip())
        self._match: Callable[[str], bool] = lambda rel: False
        if self.patterns:
            source = _source(self.patterns, remember)
            if source is None:
                self._match = self.spec.match_file
            else:
                combined = re.compile(source)
                self._match = lambda rel: combined.search(rel) is not None  # pathspec anchors its own expressions
        self._memo: dict[str, bool] = {}

    @cached_property
    def spec(self) -> pathspec.GitIgnoreSpec:
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def __call__(self, rel: str) -> bool:
        found = self._memo.get(rel)
        if found is None:
            found = self._memo[rel] = bool(self.patterns) and self._match(rel)
        return found

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __reduce__(self) -> tuple[type[PathPatterns], tuple[tuple[str, ...]]]:
        return (PathPatterns, (self.patterns,))  # compiled anew where it is unpickled


def matches(rel: str, pattern: str) -> bool:
    """Does one pattern match ``rel``? (For a single test; compile a :class:`PathPatterns` for many.)"""
    return PathPatterns([pattern])(rel)


def _normalise(pattern: str) -> str:
    """``./src/`` means ``src/`` (people write it); surrounding blanks are not part of a pattern."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


#: Translations remembered across runs (``remember``): the pattern lists' JSON → their source; loaded
#: once per process. Bounded: the oldest entries go first (a later run translates them again).
_REMEMBERED: dict[str, str | None] | None = None
REMEMBERED_MAX = 512


def _source(patterns: tuple[str, ...], remember: bool) -> str | None:
    """One regular expression for ``patterns`` (None when one re-includes with ``!``: pathspec then
    matches), remembered across runs with ``remember``: one table per mllint and pathspec install in
    the user's cache (``mllint.core.snapshots``), so a run whose pattern lists an earlier run has
    seen neither imports pathspec nor translates them."""
    if not remember:
        return _translate(patterns)
    import json

    table = _remembered()
    key = json.dumps(patterns)
    if key in table:
        return table[key]
    source = table[key] = _translate(patterns)
    while len(table) > REMEMBERED_MAX:
        del table[next(iter(table))]
    from mllint.core import snapshots

    snapshots.save("patterns", _table_key(), {"sources": dict(table)})  # a copy: another thread may add
    return source


def _table_key() -> str:
    from mllint.core import snapshots
    from mllint.core.stamp import code_stamp, package_stamp

    return snapshots.key_of(code_stamp(), package_stamp("pathspec"))


def _remembered() -> dict[str, str | None]:
    global _REMEMBERED
    if _REMEMBERED is None:
        from mllint.core import snapshots

        found = snapshots.load("patterns", _table_key())
        sources = found.get("sources") if isinstance(found, dict) else None
        _REMEMBERED = {}
        if isinstance(sources, dict):
            _REMEMBERED.update((key, value) for key, value in sources.items()
                               if isinstance(key, str) and (value is None or isinstance(value, str)))
    return _REMEMBERED


def _translate(patterns: tuple[str, ...]) -> str | None:
    """The alternation of the patterns' regular expressions, as pathspec translates them (None when one
    re-includes with ``!``, or the alternation does not compile)."""
    import pathspec

    regexes = []
    for pattern in pathspec.GitIgnoreSpec.from_lines(patterns).patterns:
        regex = getattr(pattern, "regex", None)
        include = getattr(pattern, "include", None)
        if include is None:
            continue  # a comment or blank line
        if include is False or not isinstance(regex, re.Pattern):
            return None
        regexes.append(regex.pattern.replace("(?P<ps_d>/)", "/"))
    if not regexes:
        return "(?!)"
    source = "|".join(f"(?:{regex})" for regex in regexes)
    try:
        re.compile(source)
    except re.error:
        return None
    return source
