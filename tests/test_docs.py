"""docs/: the generated rule reference is up to date, links resolve, and configuration examples are valid."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mllint import docgen
from mllint.catalogue.loader import load_catalogue
from mllint.config.settings import ConfigError, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs"
#: Pages other parts of the project write; the index links them before they exist.
OTHER_PAGES = {"template.md", "knowledge.md", "benchmarks.md", "adoption.md", "hardening.md"}
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)  # links inside code are not links


def test_generated_docs_are_up_to_date():
    stale = [str(p.relative_to(DOCS)) for p in docgen.stale(DOCS)]
    assert not stale, f"generated docs are stale: {stale}; run `python -m mllint.docgen` (make docs)"


def test_every_rule_has_a_page_with_the_fixed_sections():
    index = (DOCS / "rules" / "index.md").read_text()
    for rule in load_catalogue().rules:
        page = (DOCS / "rules" / f"{rule.code}.md").read_text()
        assert page.count(f"# {rule.code} `{rule.name}`") == 1
        for section in ("## What it does", "## Why is this bad?", "## How to fix"):
            assert section in page, (rule.code, section)
        assert f"[{rule.code}]({rule.code}.md)" in index
    factors = (DOCS / "factors.md").read_text()
    for rule in load_catalogue().rules:
        if 1 <= rule.factor <= 12:
            assert f"[{rule.code}](rules/{rule.code}.md)" in factors


def test_docgen_detects_and_repairs_a_stale_page(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    code = load_catalogue().rules[0].code
    (docs / "rules" / f"{code}.md").write_text("outdated\n")
    (docs / "rules" / "ML9999.md").write_text("a rule that no longer exists\n")
    factors = docs / "factors.md"
    factors.write_text(factors.read_text().replace("[ML0101](rules/ML0101.md)", "[ML0101](gone.md)"))
    assert docgen.main(["--check", "--docs", str(docs)]) == 1
    assert {p.name for p in docgen.stale(docs)} >= {f"{code}.md", "ML9999.md"}
    docgen.main(["--docs", str(docs)])
    assert docgen.stale(docs) == []
    assert not (docs / "rules" / "ML9999.md").exists()
    assert (docs / "rules" / f"{code}.md").read_text() == docgen.rule_page(load_catalogue().rules[0])
    assert "[ML0101](rules/ML0101.md)" in factors.read_text() and "(gone.md)" not in factors.read_text()


def _pages():
    return sorted(DOCS.rglob("*.md"))


def test_relative_links_resolve():
    broken = []
    for page in _pages():
        for target in LINK.findall(CODE.sub("", page.read_text())):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists() and path.name not in OTHER_PAGES:
                broken.append(f"{page.relative_to(DOCS)} -> {target}")
    assert not broken


def test_anchors_to_factors_exist():
    factors = (DOCS / "factors.md").read_text()
    for n in range(1, 13):
        assert f'<a id="factor-{n}"></a>' in factors
    assert '<a id="code-smells"></a>' in (DOCS / "rules" / "index.md").read_text()


def _toml_blocks():
    for name in ("configuration.md", "suppression.md", "getting-started.md"):
        for block in re.findall(r"```toml\n(.*?)```", (DOCS / name).read_text(), re.DOTALL):
            yield name, block


@pytest.mark.parametrize(("page", "block"), list(_toml_blocks()))
def test_configuration_examples_are_valid(tmp_path, page, block):
    (tmp_path / "pyproject.toml").write_text(block)
    try:
        _settings, source = load_settings(tmp_path)
    except ConfigError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{page}: {exc}")
    assert source == tmp_path / "pyproject.toml"


def test_every_settings_key_is_documented():
    from mllint.config.schema import SettingsModel

    text = (DOCS / "configuration.md").read_text()
    for name, field in SettingsModel.model_fields.items():
        assert f"| `{field.alias or name}` |" in text


def test_index_links_every_page():
    index = (DOCS / "index.md").read_text()
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, page.name
    for name in OTHER_PAGES:
        assert f"({name})" in index


def test_mkdocs_nav_lists_every_top_level_page():
    import yaml

    config = yaml.safe_load((DOCS.parent / "mkdocs.yml").read_text())

    def pages(nav):
        for item in nav:
            for value in item.values():
                yield from (pages(value) if isinstance(value, list) else [value])

    listed_in_order = list(pages(config["nav"]))
    listed = set(listed_in_order)
    assert len(listed) == len(listed_in_order), "a page is listed twice in mkdocs.yml"
    assert {p.name for p in DOCS.glob("*.md")} <= listed
    assert all((DOCS / page).exists() or page in OTHER_PAGES for page in listed)
