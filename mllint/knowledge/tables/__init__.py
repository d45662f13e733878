"""The models of the knowledge tables, one module per ``rules/knowledge/<file>.toml`` (same stem)."""
