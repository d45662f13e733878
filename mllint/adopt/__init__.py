"""Adopting mllint on an existing repository: the baseline file and ``--changed-since``."""
