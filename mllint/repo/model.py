"""The repository model: built once per run from the inventory and the per-file facts.

Repository rules read it; they never walk the disk themselves. Parsed configuration files are
loaded lazily and memoised, with size limits, so a rule that is not enabled costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mllint.core.facts import FileFacts
from mllint.knowledge.runtime import Knowledge
from mllint.repo.inventory import Inventory

if TYPE_CHECKING:  # pragma: no cover - the parts import this module, so they are loaded on first use
    from mllint.repo.ci import CIConfig
    from mllint.repo.manifests import Manifests
    from mllint.repo.mlcode import MLProfile
    from mllint.repo.serving import ServingModule
    from mllint.repo.vcs import Vcs

MAX_CONFIG_BYTES = 2_000_000


@dataclass
class RepoModel:
    root: Path
    inventory: Inventory
    facts: dict[str, FileFacts]
    knowledge: Knowledge
    cache_dir: Path | None = None  # the run's cache directory (None with --no-cache): rules may memoise there
    digests: dict[str, str] = field(default_factory=dict)  # content digest of each code file
    #: Contents that replace the disk's (the files a fix round has changed but not yet written).
    overlay: dict[str, bytes] = field(default_factory=dict)
    _texts: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def files(self) -> list[str]:
        return self.inventory.files

    @cached_property
    def file_set(self) -> set[str]:
        return set(self.inventory.files)

    def code_facts(self) -> list[FileFacts]:
        """Facts of every parsed code file, in path order."""
        return [self.facts[path] for path in sorted(self.facts) if self.facts[path].parsed]

    def test_facts(self) -> list[FileFacts]:
        return [facts for facts in self.code_facts() if facts.test]

    def source_facts(self) -> list[FileFacts]:
        return [facts for facts in self.code_facts() if not facts.test]

    def read_text(self, rel: str, limit: int = MAX_CONFIG_BYTES) -> str | None:
        """A text file of the tree (None if missing, too large or unreadable); memoised."""
        if rel not in self._texts and rel in self.overlay:
            self._texts[rel] = self.overlay[rel].decode("utf-8", "replace")
        if rel not in self._texts:
            path = self.root / rel
            text = None
            try:
                if path.is_file() and path.stat().st_size <= limit:
                    text = path.read_text("utf-8", "replace")
            except OSError:
                text = None
            self._texts[rel] = text
        return self._texts[rel]

    def read_memo(self, name: str, limit: int = MAX_CONFIG_BYTES) -> bytes | None:
        """A file a rule memoised in mllint's cache directory (None without a cache or when unreadable)."""
        from mllint.core.cachedir import is_tagged
        from mllint.core.reads import read_regular

        if self.cache_dir is None or "/" in name or not is_tagged(self.cache_dir):
            return None
        try:
            path = self.cache_dir / name
            if path.is_symlink():
                return None
            return read_regular(path, limit)
        except OSError:
            return None

    def write_memo(self, name: str, data: bytes, family: re.Pattern[str], keep: int = 4) -> None:
        """Memoise ``data`` as ``name`` in mllint's cache directory (atomically; failing is not an error)
        and keep the ``keep`` newest files of its ``family`` (a name pattern of that rule's files)."""
        from mllint.core.cachedir import is_tagged, prune
        from mllint.core.writes import atomic_write

        if self.cache_dir is None or "/" in name or not family.fullmatch(name) or not is_tagged(self.cache_dir):
            return
        try:
            atomic_write(self.cache_dir / name, data, confine=self.cache_dir)
        except OSError:
            return
        prune(self.cache_dir, family, keep)

    def exists(self, rel: str) -> bool:
        return rel in self.file_set or (self.root / rel).exists()

    def read_yaml(self, rel: str) -> Any:
        """A YAML file of the tree parsed with ``yaml.safe_load`` (None if missing/too large/invalid)."""
        from mllint.core.yamlsafe import load_yaml

        return load_yaml(self.read_text(rel))

    # -- version control, data and dependencies (mllint/repo/vcs.py, mllint/repo/manifests.py) -------------
    @cached_property
    def vcs(self) -> Vcs:
        """Git and DVC facts: tracked files, LFS, ignore status, history blobs, DVC outputs."""
        from mllint.repo.vcs import Vcs

        return Vcs(self)

    @cached_property
    def manifests(self) -> Manifests:
        """Parsed dependency manifests and lock files."""
        from mllint.repo.manifests import Manifests

        return Manifests(self)

    # -- life cycle, CI and serving (mllint/repo/mlcode.py, mllint/repo/ci.py, mllint/repo/serving.py) ----------
    @cached_property
    def ml(self) -> MLProfile:
        """What each code file does: trains, persists, loads a model, computes/writes metrics, tracks."""
        from mllint.repo.mlcode import profile

        return profile(self)

    @cached_property
    def ci_configs(self) -> list[CIConfig]:
        """CI configuration files (here or at the git root of a monorepo) and the commands they run."""
        from mllint.repo.ci import find_ci_configs

        return find_ci_configs(self)

    @cached_property
    def serving(self) -> list[ServingModule]:
        """Serving modules and batch prediction scripts."""
        from mllint.repo.serving import find_serving

        return find_serving(self)
