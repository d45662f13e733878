"""ML-library knowledge: the tables of ``rules/knowledge/*.toml``, loaded once and merged with the user's."""
