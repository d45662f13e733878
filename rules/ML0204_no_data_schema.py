"""ML0204 no-data-schema: the code loads tabular or record data, but no schema or data contract exists."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core import relpath
from mllint.repo.mlcode import calls_any, imports_any, stem_words

LOAD = "import pandas as pd\ndf = pd.read_csv('data/train.csv')\n"


def schema_evidence(repo) -> list[str]:
    table = repo.knowledge.get("data_schema", {})
    found: list[str] = []
    for facts in repo.code_facts():
        found += imports_any(facts.imports, table.get("imports", ()))[:1]
        if not facts.test and stem_words(facts.path) in table.get("modules", ()):
            found.append(facts.path)
    names = set(table.get("files", ()))
    suffixes = tuple(table.get("suffixes", ()))
    for rel in repo.files:
        file_name = relpath.name(rel)
        if file_name in names or any(part in names for part in relpath.folders(rel)) or file_name.endswith(suffixes):
            found.append(rel)
            break
    return found


class NoDataSchema(RepoRule):
    code = "ML0204"
    name = "no-data-schema"
    factor = 2
    severity = "info"
    summary = "The code loads tabular or record data, but no schema or data contract describes it."
    why = """
        Factor 2 (explicit feature dependencies): the columns, types and ranges the model expects
        are a dependency like any library. Without a schema, an upstream change (a renamed
        column, a new category, a unit change) flows silently into training and serving.
    """
    how_to_fix = """
        Declare the expected data and validate it where it is loaded: a pandera `DataFrameModel`,
        a Great Expectations suite, pydantic record models, a TFDV schema or a frictionless
        Table Schema (e.g. `src/<pkg>/schema.py` with `schema.validate(df)` after `read_csv`).
    """
    violating = [
        RepoExample({"train.py": LOAD}),
        RepoExample({"src/data.py": "import polars as pl\ndf = pl.read_parquet('x.parquet')\n", "src/train.py": "x = 1\n"}),
        RepoExample({"prep.py": "import csv\nrows = list(csv.DictReader(open('a.csv')))\n"}),
        RepoExample({"eda.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["import pandas as pd\\n", "df = pd.read_excel(\'x.xlsx\')"]}], "metadata": {}, '
                     '"nbformat": 4, "nbformat_minor": 5}'}),
    ]
    compliant = [
        RepoExample({"train.py": LOAD, "schema.py": "import pandera as pa\nclass Row(pa.DataFrameModel):\n    age: int\n"}),
        RepoExample({"train.py": LOAD, "src/records.py": "from pydantic import BaseModel\nclass Row(BaseModel):\n    age: int\n"}),
        RepoExample({"train.py": LOAD, "great_expectations/expectations/train.json": "{}"}),
        RepoExample({"train.py": "import numpy as np\nx = np.load('x.npy')\n"}, note="array data, not tabular"),
        RepoExample({"train.py": LOAD, "tests/test_data.py": "import pandera\n"}, note="validated in the tests"),
        RepoExample({"train.py": LOAD, "data/train.schema.json": "{}"}),
        RepoExample({"pyproject.toml": "[project]\nname = 'enc'\ndependencies = ['pandas==2.2.2']\n", "src/enc/core.py": "def encode(x):\n    return x\n",
                     "examples/bench.py": "import pandas as pd\n\ndf = pd.read_csv('ames.csv')\n"},
                    note="tabular data loaded only by examples/"),
    ]

    def check(self, repo):
        calls = repo.knowledge.get("data_io", {}).get("tabular_calls", ())
        peripheral = {role.path for role in repo.ml.roles if role.peripheral}  # examples/, docs/, benchmarks/
        loaders = [(facts.path, found[0]) for facts in repo.source_facts()
                   if facts.path not in peripheral and (found := calls_any(facts.calls, calls))]
        if not loaders or schema_evidence(repo):
            return
        loaders.sort(key=lambda item: (item[0].endswith(".ipynb"), "train" not in stem_words(item[0]), item[0]))
        path, call = loaders[0]
        yield RepoFinding(
            f"{path} loads tabular data ({call}) but no schema or data contract exists: looked for pandera, Great "
            "Expectations, pydantic models, TFDV, frictionless, deepchecks or a schema file; declare the expected "
            "columns and types (e.g. a pandera DataFrameModel in schema.py) and validate the data where it is loaded",
            path=path,
            evidence=["pandera", "great_expectations", "pydantic", "schema.py"],
        )
