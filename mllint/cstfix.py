"""Building blocks for rule fixers (libcst); imported only when fixing, never on the check path.

A rule makes itself fixable by attaching ``Fix(...)`` to its reports and defining::

    @classmethod
    def fixer(cls, targets, ctx):
        from mllint.cstfix import TargetedTransformer
        ...
        return MyTransformer(targets)

``targets`` holds the (1-based line, 0-based column) of the reported nodes' starts.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider


class TargetedTransformer(cst.CSTTransformer):
    """A transformer that only touches nodes starting at one of the reported positions."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, targets: set[tuple[int, int]]) -> None:
        super().__init__()
        self.targets = targets

    def is_target(self, node: cst.CSTNode) -> bool:
        try:
            start = self.get_metadata(PositionProvider, node).start
        except KeyError:
            return False
        return (start.line, start.column) in self.targets

    def target_lines(self) -> set[int]:
        return {line for line, _col in self.targets}

    def starts_on_target_line(self, node: cst.CSTNode) -> bool:
        try:
            start = self.get_metadata(PositionProvider, node).start
        except KeyError:
            return False
        return start.line in self.target_lines()
