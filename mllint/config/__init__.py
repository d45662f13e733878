"""Configuration: ``[tool.mllint]`` / ``mllint.toml`` validated into the settings of a run."""
