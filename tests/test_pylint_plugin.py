"""The pylint plugin, run with the real pylint: the same code findings as ``mllint check``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from mllint.catalogue.loader import load_catalogue
from mllint.pylint_plugin import build_messages, message_id

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pylint"


def _project(tmp_path: Path, config: str = 'select = ["ALL"]\n') -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES, root)
    (root / ".git").mkdir()  # config lookup stops here, as at a repository root
    (root / "mllint.toml").write_text(config)
    return root


def _pylint(root: Path, *extra: str) -> list[tuple[str, int, int, str, str]]:
    files = sorted(p.name for p in root.glob("*.py"))
    done = subprocess.run(
        [sys.executable, "-m", "pylint", "--load-plugins=mllint.pylint_plugin", "--disable=all", "--enable=mllint",
         "--output-format=json", "--score=n", *extra, *files],
        check=False, cwd=root, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 32 and "Traceback" not in done.stderr, done.stderr
    return sorted((m["path"], m["line"], m["column"] + 1, m["symbol"], m["message"]) for m in json.loads(done.stdout))


def _mllint(root: Path) -> list[tuple[str, int, int, str, str]]:
    files = sorted(p.name for p in root.glob("*.py"))
    done = subprocess.run([sys.executable, "-m", "mllint", "check", "--only", "code", "--no-cache", "-o", "json", *files],
                          check=False, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return sorted((f["path"], f["line"], f["column"], f["name"], f["message"]) for f in json.loads(done.stdout))


def test_pylint_reports_the_same_code_findings_as_mllint_check(tmp_path):
    root = _project(tmp_path)
    expected = _mllint(root)
    assert len({name for *_rest, name, _msg in expected}) >= 5, "the fixtures should exercise several rules"
    assert _pylint(root) == expected


def test_pylint_disable_comments_and_mllint_config_are_honoured(tmp_path):
    root = _project(tmp_path, 'select = ["ALL"]\nignore = ["nan-equality"]\nextend-exclude = ["legacy"]\n'
                              '[per-file-ignores]\n"features.py" = ["ML0301"]\n')
    (root / "legacy").mkdir()
    shutil.copy(root / "train_model.py", root / "legacy" / "old_train.py")
    train = root / "train_model.py"
    train.write_text(train.read_text().replace("test_size=0.2)", "test_size=0.2)  # pylint: disable=hardcoded-split"))
    found = _pylint(root)
    symbols = {(path, symbol) for path, _l, _c, symbol, _m in found}
    assert ("train_model.py", "hardcoded-split") not in symbols  # pylint's own disable comment
    assert not any(symbol == "nan-equality" for *_x, symbol, _m in found)  # mllint's ignore
    assert ("features.py", "hardcoded-split") not in symbols  # mllint's per-file-ignores
    assert ("train_model.py", "hardcoded-hyperparameter") in symbols  # the rest still reported
    with_legacy = _pylint(root, "legacy/old_train.py")  # a file under mllint's extend-exclude
    assert with_legacy == found and not any(path.startswith("legacy") for path, *_rest in with_legacy)


def test_message_ids_are_in_pylints_external_range_and_symbols_are_rule_names():
    msgs, symbols = build_messages()
    catalogue = load_catalogue()
    assert len(msgs) == len(catalogue.code_rules())
    assert message_id("ML0301", "warning") == "W7301" and message_id("ML1302", "error") == "E8302"
    for msgid, (_template, symbol, _description) in msgs.items():
        assert 51 <= int(msgid[1:3]) <= 99
        assert catalogue.get(symbol) is not None and symbols[catalogue.get(symbol).code] == symbol
