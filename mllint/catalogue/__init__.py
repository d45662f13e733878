"""The rule catalogue: rule base classes, the loader of ``rules/``, selectors and rule documentation."""
