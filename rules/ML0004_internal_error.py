"""ML0004 internal-error: a rule crashed on a file; the run went on without it."""

from mllint.catalogue.rule import CodeRule


class InternalError(CodeRule):
    code = "ML0004"
    name = "internal-error"
    factor = 0
    severity = "error"
    summary = "mllint hit an internal error on a file or in a repository rule; that check was skipped."
    why = """
        A linter in CI must never take the build down with a traceback: a crash in one rule costs
        that file (or that rule), is reported here with the exception, and every other check still
        runs.
    """
    how_to_fix = "Please report it with the message and, if you can, the file that triggered it."
    violating = []
    compliant = []
