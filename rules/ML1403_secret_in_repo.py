"""ML1403 secret-in-repo: an API key, token or password is committed with the code, a notebook or a config."""

from __future__ import annotations

import json
import posixpath

from mllint.analysis.secrets import patterns_for, scan_text
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule

# Credential-shaped but not real (they say so); built from pieces so this file holds no token literal.
HF = "hf_" + "Mllint0Demo0Not0A0Real0Key0x7Qz9K0"
WANDB = "5f3e1c0b9a8d7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
AWS = "AKIA" + "MLLINTDEMO0N0T0R"


def _with_output(source: str, output: str) -> str:
    """A one-cell notebook whose cell printed ``output``."""
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": [source],
            "outputs": [{"name": "stdout", "output_type": "stream", "text": [output]}]}
    return json.dumps({"cells": [cell], "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5})


class SecretInRepo(RepoRule):
    code = "ML1403"
    name = "secret-in-repo"
    factor = 14
    severity = "error"
    summary = "An API key, token or password is committed: in code, in a notebook (outputs included) or in a config file."
    why = """
        A credential in a repository is readable by everyone who can read the repository -- and
        stays in its history after it is deleted from the files. ML repositories leak them in ways
        security tools miss: a Hugging Face or W&B key pasted into a notebook cell, a token printed
        in a cell's output and committed with the notebook, a `.env` or `config.yaml` with the
        cloud keys the training job needs. The key then runs up bills, leaks private models and
        data, or lets someone push a poisoned model.
    """
    how_to_fix = """
        Revoke the credential first (it is compromised: removing it from the files does not remove
        it from the history), then read it from the environment or a secret store
        (`os.environ["HF_TOKEN"]`, `huggingface-cli login`, `wandb login`, CI secrets), clear the
        notebook's outputs (`nbstripout`), and git-ignore `.env` files. mllint never prints the
        secret: the message says what kind of credential is where.
    """
    violating = [
        RepoExample({"train.py": f'import wandb\n\nWANDB_API_KEY = "{WANDB}"\nwandb.login(key=WANDB_API_KEY)\n'},
                    note="a W&B key (40 hex digits) assigned to its variable"),
        RepoExample({"src/hub.py": f'HF_TOKEN = "{HF}"\n'}, note="a Hugging Face token"),
        RepoExample({"notebooks/explore.ipynb": _with_output("import os\nprint(os.environ['HF_TOKEN'])", HF + "\n")},
                    note="a token printed in a notebook cell's output"),
        RepoExample({".env": f"AWS_ACCESS_KEY_ID={AWS}\nAWS_SECRET_ACCESS_KEY=q8Zk2LmN4pRt6VwX9yB1cD3fG5hJ7kL0mN2pQ4rS\n"},
                    note="a committed .env file"),
        RepoExample({"configs/train.yaml": f"model: resnet50\nwandb:\n  project: demo\n  api_key: {WANDB}\n"},
                    note="a key in a YAML configuration"),
    ]
    compliant = [
        RepoExample({"train.py": 'import os\n\nimport wandb\n\nwandb.login(key=os.environ["WANDB_API_KEY"])\n'}),
        RepoExample({"train.py": 'API_KEY = "your-api-key-here"\nPAD_TOKEN = "<pad>"\nTOKEN_ENV = "HF_TOKEN"\n'},
                    note="placeholders, tokenizer tokens and names of variables are not secrets"),
        RepoExample({"config.yaml": f"commit: {WANDB}\nmodel_key: resnet50_imagenet_v2\n"},
                    note="a 40-hex commit hash is not a key when its name says so"),
        RepoExample({".gitignore": ".env\n", "README.md": "Put HF_TOKEN in .env\n"}, note="the .env file is ignored, not committed"),
        RepoExample({"notebooks/explore.ipynb": _with_output("print('ok')", "ok\n")}),
    ]

    def check(self, repo):
        for facts in repo.code_facts():
            yield from self._grouped(facts.path, facts.secrets)
        table = repo.knowledge.get("secrets", {})
        names = set(table.get("config_names", []))
        suffixes = tuple(table.get("config_suffixes", []))
        skip = set(table.get("skip_names", []))
        limit = int(table.get("max_config_bytes", 1_000_000))
        patterns = patterns_for(repo.knowledge)
        for rel in repo.files:
            base = posixpath.basename(rel)
            if base in skip or rel.endswith((".py", ".ipynb")):
                continue
            if not (base in names or base.startswith(".env") or base.endswith(suffixes) or base.startswith("Dockerfile")):
                continue
            text = repo.read_text(rel, limit=limit)
            if not text:
                continue
            yield from self._grouped(rel, scan_text(patterns, text))

    @staticmethod
    def _grouped(path, hits) -> list[RepoFinding]:
        """One finding per kind of credential and file, at its first place (the others are counted)."""
        by_kind: dict[tuple[str, str], list] = {}
        for hit in hits:
            by_kind.setdefault((hit.kind, hit.where), []).append(hit)
        out = []
        for (kind, where), same in by_kind.items():
            first = same[0]
            place = " in a cell's output" if where == "output" else ""
            article = "an" if kind[:1].lower() in "aeiou" else "a"
            more = f" (and {len(same) - 1} more place{'s' if len(same) > 2 else ''} in this file)" if len(same) > 1 else ""
            out.append(RepoFinding(
                f"{article} {kind}{place} is committed{more}: revoke it, then read it from the environment or a secret "
                "store (the value is not shown)",
                path=path, line=first.line, column=first.column, cell=first.cell,
                evidence=[f"{path}:{hit.line}" + (f" (cell {hit.cell})" if hit.cell is not None else "") for hit in same[:10]],
            ))
        return out
