"""ML security (ML1401-ML1403): the issue's acceptance cases, secrets never copied, project-aware defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.engine.session import Session
from mllint.testing import check_source, write_repo

# Credential-shaped values that are not credentials, built so that this file holds no token literal.
HF = "hf_" + "Mllint0Demo0Not0A0Real0Key0x7Qz9K0"
WANDB = "5f3e1c0b9a8d7f6e5d4c3b2a1f0e9d8c7b6a5f4e"


def codes(source: str, path: str = "train.py") -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in check_source(source, path, select=["ML14"])]


def run(root: Path, select: str = "ML14", use_cache: bool = False):
    return Session(root, Settings(select=[select])).check(use_cache=use_cache, jobs=1)


def test_the_issue_cases_are_reported_and_the_safe_spellings_are_not(tmp_path):
    source = (
        "import torch\nimport yaml\nfrom transformers import AutoModel\n"
        'm = torch.load("m.pt")\n'                                      # 4
        "c = yaml.load(f)\n"                                            # 5
        'x = AutoModel.from_pretrained("o/m", trust_remote_code=True)\n'  # 6
        'ok = torch.load("m.pt", weights_only=True)\n'
        "safe = yaml.safe_load(f)\n"
    )
    assert codes(source) == [("ML1401", 4), ("ML1401", 5), ("ML1402", 6)]
    root = write_repo(tmp_path / "r", {"train.py": f'WANDB_API_KEY = "{WANDB}"\nHF_TOKEN = "{HF}"\n'})
    found = run(root).findings
    assert [(f.code, f.path, f.line) for f in found] == [("ML1403", "train.py", 1), ("ML1403", "train.py", 2)]
    assert "Hugging Face token" in found[1].message and "WANDB_API_KEY" in found[0].message


def _notebook(source: str, output: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# notes\n"]},
             {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": [source],
              "outputs": [{"name": "stdout", "output_type": "stream", "text": ["hello\n", output]}]}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_secrets_in_notebook_outputs_are_found_and_never_copied(tmp_path):
    root = write_repo(tmp_path / "r", {"explore.ipynb": _notebook("import os\nprint(os.environ)", f"{{'HF_TOKEN': '{HF}'}}\n")})
    result = run(root, use_cache=True)
    (finding,) = result.findings
    assert (finding.path, finding.cell, finding.line) == ("explore.ipynb", 1, 2)
    assert "in a cell's output" in finding.message
    rendered = json.dumps([f.to_json() for f in result.findings]) + repr(result.findings)
    assert HF not in rendered and HF[3:] not in rendered
    cached = b"".join(path.read_bytes() for path in (root / ".mllint_cache").rglob("*") if path.is_file())
    assert HF.encode() not in cached  # the cache records where and what kind, not the value
    assert [f.code for f in run(root, use_cache=True).findings] == ["ML1403"]  # and answers from it


@pytest.mark.parametrize("files, expected", [
    ({".env": f"WANDB_API_KEY={WANDB}\n"}, [".env"]),
    ({".env": f"WANDB_API_KEY={WANDB}\n", ".gitignore": ".env\n"}, []),  # ignored: not in the repository
    ({"conf/train.yaml": f"tracker:\n  api_key: {WANDB}\n"}, ["conf/train.yaml"]),
    ({"conf/train.yaml": "tracker:\n  api_key: ${WANDB_API_KEY}\n  commit: " + WANDB + "\n"}, []),
    ({"settings.toml": 'password = "hunter2"\ndb_password = "Xk9#mQ2!vL7p"\n'}, ["settings.toml"]),
    ({"tokenizer.py": 'PAD_TOKEN = "<pad>"\nbos_token = "<|endoftext|>"\nTOKEN_ENV = "HF_TOKEN"\n'}, []),
    ({"docs.py": 'API_KEY = "your-api-key-here"\nAWS_KEY = "AKIAIOSFODNN7EXAMPLE"\n'}, []),
    ({"package-lock.json": json.dumps({"api_key": WANDB})}, []),
])
def test_committed_configuration_and_what_is_not_a_secret(tmp_path, files, expected):
    found = run(write_repo(tmp_path / "r", files)).findings
    assert sorted({f.path for f in found}) == expected


def test_a_project_requiring_torch_2_6_needs_no_explicit_weights_only(tmp_path):
    source = 'import torch\nstate = torch.load("m.pt")\nbad = torch.load("m.pt", weights_only=False)\n'
    files = {"train.py": source}
    assert [f.line for f in run(write_repo(tmp_path / "old", files)).findings] == [2, 3]
    newer = {**files, "pyproject.toml": '[project]\nname = "x"\ndependencies = ["torch>=2.6", "numpy"]\n'}
    assert [f.line for f in run(write_repo(tmp_path / "new", newer)).findings] == [3]
    unbounded = {**files, "requirements.txt": "torch\n", "pyproject.toml": newer["pyproject.toml"]}
    assert [f.line for f in run(write_repo(tmp_path / "any", unbounded)).findings] == [2, 3]


@pytest.mark.parametrize("source, reported", [
    ("import pickle\nfrom fastapi import FastAPI, UploadFile\napp = FastAPI()\n"
     "async def predict(file: UploadFile):\n    return pickle.loads(await file.read())\n", True),
    ("import joblib\nimport urllib.request\npath, _ = urllib.request.urlretrieve(URL)\nmodel = joblib.load(path)\n", True),
    ("import pickle\nimport requests\nblob = requests.get(URL).content\nblob = b''\nmodel = pickle.loads(blob)\n", False),
    ("import pickle\nwith open('model.pkl', 'rb') as f:\n    model = pickle.load(f)\n", False),
    ("import joblib\nfrom flask import Flask, request\napp = Flask(__name__)\n"
     "@app.post('/p')\ndef p():\n    return joblib.load(request.files['m'])\n", True),
])
def test_pickle_is_reported_on_untrusted_bytes_only(source, reported):
    assert bool(codes(source, "app.py")) == reported


def test_fixes_are_edits_in_the_json(tmp_path):
    root = write_repo(tmp_path / "r", {"train.py": "import torch\nmodel.load_state_dict(torch.load(p))\n"})
    (finding,) = run(root).findings
    assert finding.fix is not None and finding.fix.applicability == "safe"
    edits = finding.to_json()["fix"]["edits"]
    assert [edit["text"] for edit in edits] == [", weights_only=True"]


def test_every_pickle_load_contains_an_anchor_so_the_fast_test_never_skips_a_load():
    from mllint.knowledge.loader import builtin_knowledge

    table = builtin_knowledge()["deserialization"]
    anchors = [anchor.lower() for anchor in table["pickle_anchors"]]
    assert anchors
    assert [name for name in table["pickle_loads"] if not any(a in name.lower() for a in anchors)] == []


def test_downloads_are_followed_into_an_aliased_pickle_load_and_not_without_one():
    download = "import requests\nfrom io import BytesIO\nr = requests.get(URL)\nbuf = BytesIO(r.content)\n"
    assert codes(download + "import joblib as jl\nmodel = jl.load(buf)\n") == [("ML1401", 6)]
    assert codes(download + "from pandas import read_pickle as rp\nframe = rp(buf)\n") == [("ML1401", 6)]
    assert codes(download + "import json\nconfig = json.load(buf)\n") == []


@pytest.mark.parametrize("pattern", [r"\bhf_[A-Za-z0-9]{34,40}\b", r"\bglpat-[A-Za-z0-9_-]{20}\b", r"\bab-?c", r"\bx"])
def test_a_token_searched_without_its_leading_boundary_matches_as_the_whole_expression(pattern):
    import random
    import re
    import string

    from mllint.analysis.secrets import _TokenRegex

    token, whole = _TokenRegex(pattern), re.compile(pattern)
    assert token.unbounded is not None  # the fast path is the one under test
    rng = random.Random(pattern)
    alphabet = "hf_glpat-abcx ._-\n" + string.ascii_letters[:6] + "0123é"
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 100)))
        for _ in range(rng.randint(0, 3)):  # candidates, at a word boundary or not
            fragment = rng.choice(["hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(36)),
                                   "glpat-" + "".join(rng.choice("ab_-1") for _ in range(20)), "ab-c", "abc", "x"])
            text += rng.choice(" _xé-") + fragment + rng.choice(" _x-")
        expected = [m.span() for m in whole.finditer(text)]
        assert [m.span() for m in token.finditer(text)] == expected, text
        found += len(expected)
    assert found > 100


def test_a_token_with_alternatives_or_no_literal_start_keeps_the_whole_expression():
    from mllint.analysis.secrets import _TokenRegex

    assert _TokenRegex(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b").unbounded is None
    assert _TokenRegex(r"\bfoo|bar").unbounded is None
    assert _TokenRegex(r"AccountKey=[A-Za-z0-9+/]{80,}").unbounded is None


def test_the_fast_credential_name_test_agrees_with_the_case_insensitive_search():
    import random

    from mllint.analysis.secrets import SECRETISH, secretish

    rng = random.Random(3)
    alphabet = "keytonsecrpawdKEYTONSECRPAWD\u017f\u212a\u0130 xyz_-\n"  # long s and Kelvin sign fold to s and k
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert secretish(text) == (SECRETISH.search(text) is not None), text
    assert secretish("API_\u212aEY = 1") and secretish("\u017fecret") and not secretish("monkey"[:3])


def test_the_factored_anchor_expression_finds_what_the_sorted_alternation_finds():
    import random
    import re

    from mllint.analysis.secrets import literal_trie

    rng = random.Random(5)
    for _ in range(300):
        words = list({"".join(rng.choice("ab-_.") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 8))})
        flat, trie = re.compile("|".join(map(re.escape, sorted(words)))), re.compile(literal_trie(words))
        for _ in range(50):
            text = "".join(rng.choice("ab-_.x") for _ in range(rng.randint(0, 40)))
            assert trie.findall(text) == flat.findall(text), (words, text)
    assert literal_trie(["gho_", "ghp_", "hf_"]) == "(?:gh(?:o_|p_)|hf_)"
