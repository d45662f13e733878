"""The ACME rules' documented examples, checked by mllint's plugin test helper."""

from __future__ import annotations

import pytest
from mllint_acme_rules import plugin

from mllint.testing import check_plugin_case, plugin_cases, verify_plugin


def test_the_plugin_loads_and_every_example_holds(tmp_path):
    assert verify_plugin(plugin, tmp_path) == []


@pytest.mark.parametrize("case", plugin_cases(plugin), ids=lambda case: case.id)
def test_example(case, tmp_path):
    assert check_plugin_case(plugin, case, tmp_path) == []
