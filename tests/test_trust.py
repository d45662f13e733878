"""Patterns found by the accuracy audit on real repositories (docs/accuracy.md): machinery that rules share."""

from __future__ import annotations

from mllint.core.source import script_cell_starts


def test_nbconvert_prompts_start_cells():
    text = "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nx = 1\n\n\n# In[ ]:\n\n\ny = 2\n"
    assert script_cell_starts(text) == [1, 4, 10]


def test_percent_format_starts_cells():
    assert script_cell_starts("# %%\nx = 1\n# %% [markdown]\n# text\n") == [1, 3]


def test_promptless_export_splits_at_three_blank_lines():
    text = "# coding: utf-8\n\n\nimport os\n\n\n\n\nos.getcwd()\n\n\ndef f():\n    pass\n"
    assert script_cell_starts(text) == [1, 9]


def test_plain_script_has_no_cells():
    assert script_cell_starts("import os\n\n\n\n\nos.getcwd()\n") == []
    assert script_cell_starts("# coding: utf-8\nimport os\n\n\ndef f():\n    pass\n") == []
