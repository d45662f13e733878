"""Third-party rules: the example plugin installed with pip is listed, reported and configured like a
built-in; broken plugins are an exit-2 error naming them; codes and names never collide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.catalogue.loader import CatalogueError, load_catalogue, registered
from mllint.catalogue.plugins import Plugin
from mllint.catalogue.rule import CodeRule, Example
from mllint.config.settings import Settings
from mllint.engine.session import Session
from mllint.testing import write_repo

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "examples" / "acme-rules"
TRACKED = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example plugin installed with pip into a folder of its own (offline: no build isolation, no deps)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(target), str(EXAMPLE)],
                   check=True, capture_output=True, timeout=600)
    assert any(target.glob("mllint_acme_rules-*.dist-info/entry_points.txt"))
    return target


def mllint(site: Path | None, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(site) if site else "", os.environ.get("PYTHONPATH", "")) if p)}
    env.pop("MLLINT_NO_PLUGINS", None)
    return subprocess.run([sys.executable, "-m", "mllint", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_an_installed_plugin_is_listed_with_its_origin(site):
    listed = mllint(site, "rules")
    assert listed.returncode == 0, listed.stderr
    listing = listed.stdout.splitlines()
    heading = listing.index("Plugin rules from mllint-acme-rules 0.1.0")
    lines = [line for line in listing if line.strip().startswith("XACM")]
    assert len(lines) == 2 and all(listing.index(line) > heading for line in lines)
    rows = {row["code"]: row for row in json.loads(mllint(site, "rules", "--json").stdout)}
    assert rows["XACM001"]["origin"] == "mllint-acme-rules 0.1.0" and rows["ML0101"]["origin"] == "mllint"
    page = mllint(site, "rule", "use-acme-tracker")
    assert page.returncode == 0 and "# XACM001 `use-acme-tracker`" in page.stdout


def test_an_installed_plugin_reports_and_is_configured_like_a_builtin(site, tmp_path):
    root = write_repo(tmp_path / "repo", {"train.py": TRACKED, "tests/test_x.py": TRACKED})
    found = mllint(site, "check", "--no-cache", "-o", "json", "--select", "XACM", str(root))
    assert found.returncode == 1, found.stderr
    codes = sorted((f["code"], f["path"]) for f in json.loads(found.stdout))
    assert codes == [("XACM001", "train.py")]  # the rule itself leaves tests alone
    assert mllint(site, "check", "--no-cache", "--select", "XACM", "--ignore", "use-acme-tracker", str(root)).returncode == 0
    (root / "pyproject.toml").write_text('[tool.mllint]\nselect = ["X"]\n[tool.mllint.per-file-ignores]\n"train.py" = ["XACM001"]\n')
    assert mllint(site, "check", "--no-cache", str(root)).returncode == 0
    saves = "import joblib\nfrom sklearn.svm import SVC\n\njoblib.dump(SVC().fit(X, y), 'm.joblib')\n"
    (root / "train.py").write_text(saves)
    (root / "CARD.md").write_text("# card\n")
    card = mllint(site, "check", "--no-cache", "-o", "json", str(root))
    assert [f["code"] for f in json.loads(card.stdout)] == ["XACM002"]
    (root / "pyproject.toml").write_text('[tool.mllint]\nselect = ["X"]\n[tool.mllint.options.model-card-missing]\nfile-name = "CARD.md"\n')
    assert mllint(site, "check", "--no-cache", str(root)).returncode == 0
    (root / "pyproject.toml").write_text('[tool.mllint]\nselect = ["X"]\n[tool.mllint.options.XACM002]\nfile-nam = "CARD.md"\n')
    bad = mllint(site, "check", "--no-cache", str(root))
    assert bad.returncode == 2 and "options.XACM002" in bad.stderr


def test_without_the_plugin_its_codes_are_unknown(tmp_path):
    root = write_repo(tmp_path / "repo", {"train.py": TRACKED})
    result = mllint(None, "check", "--no-cache", "--select", "XACM001", str(root))
    assert result.returncode == 2 and "XACM001" in result.stderr


def _fake_plugin(site: Path, name: str, module: str, source: str, value: str) -> None:
    """A distribution installed in ``site`` whose entry point is ``value``, with ``module`` as its code."""
    (site / f"{module}.py").write_text(source)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[mllint.rules]\nbroken = {value}\n")


@pytest.mark.parametrize("source, value, says", [
    ("raise ImportError('no module named acme_internal')\n", "badplugin:plugin", "failed to load: ImportError: no module named acme_internal"),
    ("plugin = 42\n", "badplugin:plugin", "is not an mllint.catalogue.plugins.Plugin"),
    ("from mllint.catalogue.plugins import Plugin\nplugin = Plugin('bad', 'ML99', [])\n", "badplugin:plugin", "prefix 'ML99'"),
])
def test_a_broken_plugin_is_an_error_naming_it_not_a_traceback(tmp_path, source, value, says):
    _fake_plugin(tmp_path, "bad-plugin", "badplugin", source, value)
    for args in (["rules"], ["check", "--no-cache", str(write_repo(tmp_path / "repo", {"a.py": "x = 1\n"}))]):
        result = mllint(tmp_path, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "broken = badplugin:plugin" in result.stderr and "bad-plugin 1.0" in result.stderr and says in result.stderr
        assert "Traceback" not in result.stderr
    env_off = subprocess.run([sys.executable, "-m", "mllint", "rules"], capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PYTHONPATH": str(tmp_path), "MLLINT_NO_PLUGINS": "1"})
    assert env_off.returncode == 0  # discovery can be switched off to work around a broken plugin


class _Dup(CodeRule):
    code = "XDUP001"
    name = "hardcoded-split"  # a built-in's name
    factor = 3
    summary = why = how_to_fix = "x"
    violating = [Example("x = 1\n")]
    compliant = [Example("x = 1\n")]

    def visit_Call(self, node):
        pass


class _Wrong(_Dup):
    code = "XABC001"
    name = "wrong-prefix"


def test_codes_and_names_never_collide_and_prefixes_are_enforced():
    with pytest.raises(CatalogueError, match="hardcoded-split is already used by ML0301"):
        with registered(Plugin("dup", "XDUP", [_Dup])):
            load_catalogue()
    with pytest.raises(CatalogueError, match="its codes must be XDUP"):
        with registered(Plugin("wrong", "XDUP", [_Wrong])):
            load_catalogue()
    assert load_catalogue().get("ML0301").name == "hardcoded-split"  # the catalogue is whole again


def test_a_registered_plugin_is_selectable_by_prefix_and_reports_through_a_session(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))  # the example plugin's source tree, not installed
    from mllint_acme_rules import plugin

    with registered(plugin):
        catalogue = load_catalogue()
        assert catalogue.expand("XACM") == {"XACM001", "XACM002"} and catalogue.expand("X") == {"XACM001", "XACM002"}
        assert catalogue.get("XACM001").origin == "acme" and "XACM001" not in {r.code for r in catalogue.builtins()}
        session = Session(tmp_path, Settings(select=["XACM001"]))
        assert session.knowledge["acme_tracking"]["wrapper"] == "acme.tracking"  # the plugin's knowledge file
        assert [f.code for f in session.analyze("train.py", TRACKED).findings] == ["XACM001"]
        stamp = catalogue.stamp()
        from mllint.output.scorecard import rule_doc_url

        assert rule_doc_url("XACM001") == "https://example.com/acme/mllint-rules.html#use-acme-tracker"
        assert rule_doc_url("ML0301") is None  # mllint's pages: only under a configured project-url
        assert rule_doc_url("ML0301", "https://docs.example.com/mllint/") == "https://docs.example.com/mllint/rules/ML0301.md"
    assert stamp and load_catalogue().stamp() == ""  # cached results depend on the installed plugins


class _Tracking(CodeRule):
    code = "XKNW001"
    name = "knowledge-reader"
    factor = 7
    summary = why = how_to_fix = "x"
    violating = [Example("x = 1\n")]
    compliant = [Example("x = 1\n")]

    def visit_Call(self, node):
        pass


def test_plugin_knowledge_is_validated_and_users_extend_it(tmp_path):
    from pydantic import BaseModel, ConfigDict

    class Table(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        names: list[str]

    good = tmp_path / "good.toml"
    good.write_text('[knw_table]\nnames = ["a"]\n[experiment_trackers]\nimports = ["acme.tracking"]\n')
    with registered(Plugin("knw", "XKNW", [_Tracking], [good], tables={"knw_table": Table})):
        session = Session(tmp_path, Settings(select=["XKNW001"], knowledge={"knw_table": {"names": ["b"]}}))
        assert session.knowledge["knw_table"]["names"] == ["a", "b"]
        assert "acme.tracking" in session.knowledge["experiment_trackers"]["imports"]  # extends mllint's table
        with pytest.raises(Exception, match="knw_table"):  # the session loads its knowledge when first asked
            _ = Session(tmp_path, Settings(select=["XKNW001"], knowledge={"knw_table": {"names": "b"}})).knowledge
    bad = tmp_path / "bad.toml"
    bad.write_text('[knw_other]\nnames = ["a"]\n')
    with pytest.raises(CatalogueError, match="knw_other: unknown table"):
        with registered(Plugin("knw", "XKNW", [_Tracking], [bad], tables={"knw_table": Table})):
            load_catalogue()
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[knw_table]\nnames = "a"\n')
    with pytest.raises(CatalogueError, match="invalid knowledge"):
        with registered(Plugin("knw", "XKNW", [_Tracking], [wrong], tables={"knw_table": Table})):
            load_catalogue()
