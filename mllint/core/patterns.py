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

import pathspec


class PathPatterns:
    """A compiled set of gitignore-style patterns; call it with a relative path."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(_normalise(p) for p in patterns if p and p.strip())
        self.spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        self._match: Callable[[str], bool] = _fast_matcher(self.spec) or self.spec.match_file
        self._memo: dict[str, bool] = {}

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


def _fast_matcher(spec: pathspec.GitIgnoreSpec) -> Callable[[str], bool] | None:
    """One alternation of the patterns' regular expressions (when none re-includes with ``!``)."""
    regexes = []
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        include = getattr(pattern, "include", None)
        if include is None:
            continue  # a comment or blank line
        if include is False or not isinstance(regex, re.Pattern):
            return None
        regexes.append(regex.pattern.replace("(?P<ps_d>/)", "/"))
    if not regexes:
        return lambda rel: False
    try:
        combined = re.compile("|".join(f"(?:{regex})" for regex in regexes))
    except re.error:
        return None
    return lambda rel: combined.search(rel) is not None  # pathspec anchors its own expressions
