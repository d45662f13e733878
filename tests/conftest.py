"""Shared fixtures: temporary repositories, the CLI runner and a call counter."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mllint.cli import app
from mllint.testing import write_repo


@pytest.fixture
def make_repo(tmp_path):
    """Write a small repository (git by default) and return its root."""
    counter = iter(range(1000))

    def make(files, use_git=True, name=None):
        root = tmp_path / (name or f"repo{next(counter)}")
        return write_repo(root, files, use_git)

    return make


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def counter(monkeypatch):
    """``counter(owner, name)``: count the calls of ``owner.name`` from now on (it still runs); the
    returned dict's ``"calls"`` is the count."""
    def count(owner, name):
        calls = {"calls": 0}
        original = getattr(owner, name)

        def counting(*args, **kwargs):
            calls["calls"] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)
        return calls
    return count
