"""ML0002 unused-suppression: an inline suppression that silences nothing."""

from mllint.catalogue.rule import CodeRule, Example


class UnusedSuppression(CodeRule):
    code = "ML0002"
    name = "unused-suppression"
    factor = 0
    severity = "info"
    summary = "A `# mllint: ignore[...]` or `# noqa: MLxxxx` comment silences no finding on its line."
    why = """
        Suppressions are debt that should be paid back: once the code is fixed, a leftover comment
        hides the next real violation on that line. Reporting unused ones keeps them honest (as
        ruff's RUF100 does).
    """
    how_to_fix = "Delete the comment, or the codes in it that no longer report anything."
    violating = [
        Example("x = 1  # mllint: ignore[ML0301]\n"),
        Example("x = 1  # noqa: hardcoded-split\n"),
        Example("x = 1  # mllint: ignore\n"),
        Example(cells=("y = 2  # mllint: ignore[hardcoded-split]",), path="nb.ipynb"),
    ]
    compliant = [
        Example("from sklearn.model_selection import train_test_split\n"
                "a, b = train_test_split(X, test_size=0.2)  # mllint: ignore[ML0301]\n"),
        Example("x = 1  # noqa: E501\n", note="codes of other linters are left alone"),
        Example("x = 1  # noqa\n", note="a bare noqa belongs to flake8/ruff"),
        Example("from sklearn.model_selection import train_test_split\n"
                "a, b = train_test_split(X, test_size=0.2)  # noqa: ML0301\n"),
    ]
