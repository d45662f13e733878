"""ML0003 file-skipped: a code file that was not analysed (too large, unreadable, timed out)."""

from mllint.catalogue.rule import CodeRule


class FileSkipped(CodeRule):
    code = "ML0003"
    name = "file-skipped"
    factor = 0
    severity = "warning"
    summary = "A code file was skipped: larger than `max-file-size`, unreadable, or its analysis timed out."
    why = """
        mllint bounds the work per file so that one generated or hostile file cannot stall a CI
        gate. A skipped file is a blind spot for every other rule, so it is reported rather than
        dropped silently.
    """
    how_to_fix = """
        Exclude generated files (`extend-exclude`), raise `max-file-size` in `[tool.mllint]` if
        the file is legitimately large, or fix its permissions.
    """
    # Exercised by the engine's tests (file size and permissions cannot be shown as a snippet).
    violating = []
    compliant = []
