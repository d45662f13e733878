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

    ``remember``: keep the patterns' translation (one regular expression) in the user's cache directory
    (``mllint.core.snapshots``), so that a later run with the same patterns neither imports pathspec nor
    translates them again (the exclusions of a warm run)."""

    def __init__(self, patterns: Iterable[str], remember: bool = False) -> None:
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


def _source(patterns: tuple[str, ...], remember: bool) -> str | None:
    """One regular expression for ``patterns`` (None when one re-includes with ``!``: pathspec then
    matches), remembered across runs with ``remember``."""
    if not remember:
        return _translate(patterns)
    from mllint.core import snapshots
    from mllint.core.stamp import code_stamp, package_stamp

    key = snapshots.key_of(code_stamp(), package_stamp("pathspec"), *patterns)
    found = snapshots.load("patterns", key)
    if isinstance(found, dict) and "source" in found and (found["source"] is None or isinstance(found["source"], str)):
        return found["source"]
    source = _translate(patterns)
    snapshots.save("patterns", key, {"source": source})
    return source


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
