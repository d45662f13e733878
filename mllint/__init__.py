"""mllint: a static linter for the twelve factors of reproducible production machine learning."""

__version__ = "0.1.0"
