"""``mllint server``: a Language Server Protocol server (pygls) that puts findings where code is written.

One module per idea: ``settings`` (client settings merged with ``[tool.mllint]``), ``project`` (the one
bridge to the engine: analysis of in-memory text, the repository check, fix edits), ``edits`` (the
fix-edit contract and text edit arithmetic), ``documents`` (open files and notebooks assembled for the
engine), ``diagnostics`` (findings as LSP diagnostics), ``actions`` (quick fixes, fix-all, ignore
comments), ``hover``, ``scheduler`` (debounce and superseded work) and ``server`` (the protocol glue).
The command-line tool imports this package only for ``mllint server``: ``mllint check`` never loads pygls.
"""
