"""mllint-acme-rules: an example of third-party mllint rules, registered as the ``acme`` plugin.

The entry point ``mllint.rules: acme = "mllint_acme_rules:plugin"`` (pyproject.toml) names
:data:`plugin`; mllint loads it, validates it, and runs its rules beside its own.
"""

from __future__ import annotations

from pathlib import Path

from mllint.catalogue.plugins import Plugin
from pydantic import BaseModel, ConfigDict

from mllint_acme_rules.model_card import ModelCardMissing
from mllint_acme_rules.tracker import UseAcmeTracker


class AcmeTracking(BaseModel):
    """The ``[acme_tracking]`` knowledge table (knowledge.toml): ACME's tracking policy."""

    model_config = ConfigDict(extra="forbid", strict=True)

    wrapper: str
    direct: list[str]


plugin = Plugin(
    name="acme",
    prefix="XACM",
    rules=[UseAcmeTracker, ModelCardMissing],
    knowledge=[Path(__file__).with_name("knowledge.toml")],
    tables={"acme_tracking": AcmeTracking},
    docs_url="https://example.com/acme/mllint-rules.html#{name}",
)
