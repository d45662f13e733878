"""A synthetic but realistic ML repository of N code files, generated from a fixed seed.

The mix follows real research/production repositories: a package of modules (data loading,
features, models, training, evaluation, utilities), command-line scripts, tests, notebooks with
outputs and magics, and configuration (pyproject.toml, requirements, params.yaml, dvc.yaml, a CI
workflow). Code uses pandas / numpy / scikit-learn / PyTorch / MLflow the way real code does, with
aliases, classes, loops, comprehensions, f-strings and docstrings; file sizes vary (30-900 lines).

    python bench/synth.py OUT_DIR N [--seed 7] [--git]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from pathlib import Path

IMPORT_POOL = [
    "import os", "import sys", "import json", "import logging", "import argparse", "import random",
    "import time", "from pathlib import Path", "from dataclasses import dataclass, field",
    "from typing import Any, Dict, List, Optional, Tuple", "import numpy as np", "import pandas as pd",
    "import yaml", "import joblib", "import mlflow", "import torch", "import torch.nn as nn",
    "import torch.nn.functional as F", "from torch.utils.data import DataLoader, Dataset",
    "from sklearn.model_selection import train_test_split, KFold, cross_val_score",
    "from sklearn.preprocessing import StandardScaler, OneHotEncoder",
    "from sklearn.ensemble import RandomForestClassifier, GradientBoostingRegressor",
    "from sklearn.linear_model import LogisticRegression",
    "from sklearn.metrics import accuracy_score, f1_score, roc_auc_score, mean_squared_error",
    "from sklearn.pipeline import Pipeline", "import matplotlib.pyplot as plt",
    "from tqdm import tqdm", "import xgboost as xgb",
]

WORDS = ("user item session price churn label feature score target embedding window batch "
         "epoch loss metric sample weight region store sales click revenue age tenure").split()


def ident(rng: random.Random, n: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(n))


def block_load(rng: random.Random) -> str:
    name = ident(rng)
    return f'''
def load_{name}(path: str, columns: Optional[List[str]] = None) -> pd.DataFrame:
    """Load the {name.replace("_", " ")} table and drop obviously broken rows."""
    df = pd.read_csv(path, usecols=columns)
    df = df.dropna(subset=[c for c in df.columns if c.endswith("_id")])
    df["{rng.choice(WORDS)}"] = df["{rng.choice(WORDS)}"].astype("float32")
    logging.getLogger(__name__).info("loaded %d rows from %s", len(df), path)
    return df.reset_index(drop=True)
'''


def block_features(rng: random.Random) -> str:
    name = ident(rng)
    cols = [ident(rng, 1) for _ in range(rng.randint(3, 7))]
    lines = "\n".join(f'    out["{c}_log"] = np.log1p(df["{c}"].clip(lower=0))' for c in cols)
    return f'''
def build_{name}_features(df: pd.DataFrame, window: int = {rng.choice([3, 7, 14, 30])}) -> pd.DataFrame:
    """Rolling and log features for {name}."""
    out = pd.DataFrame(index=df.index)
{lines}
    for col in {cols!r}:
        out[f"{{col}}_roll"] = df[col].rolling(window, min_periods=1).mean()
        out[f"{{col}}_lag1"] = df[col].shift(1).fillna(0.0)
    out = out.replace([np.inf, -np.inf], np.nan).fillna(0.0)
    return out
'''


def block_split_train(rng: random.Random) -> str:
    est = rng.choice(["RandomForestClassifier(n_estimators=cfg['n_estimators'], max_depth=cfg.get('max_depth'))",
                      "LogisticRegression(C=cfg['C'], max_iter=1000)",
                      "GradientBoostingRegressor(learning_rate=cfg['lr'], n_estimators=200)"])
    seed = "random_state=cfg['seed']" if rng.random() < 0.6 else "random_state=42"
    return f'''
def train_model(df: pd.DataFrame, cfg: Dict[str, Any], target: str = "label"):
    """Fit the model described by ``cfg`` and return it with its validation scores."""
    X = df.drop(columns=[target])
    y = df[target]
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=cfg.get("test_size", 0.2), {seed})
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_val = scaler.transform(X_val)
    model = {est}
    model.fit(X_train, y_train)
    preds = model.predict(X_val)
    scores = {{"accuracy": accuracy_score(y_val, preds) if hasattr(model, "predict_proba") else None}}
    with mlflow.start_run(run_name=cfg.get("run_name")):
        mlflow.log_params(cfg)
        mlflow.log_metrics({{k: v for k, v in scores.items() if v is not None}})
    return model, scores
'''


def block_torch(rng: random.Random) -> str:
    name = "".join(w.capitalize() for w in ident(rng).split("_"))
    hidden = rng.choice([64, 128, 256, 512])
    return f'''
class {name}Net(nn.Module):
    """A small MLP used for the {name.lower()} task."""

    def __init__(self, in_features: int, hidden: int = {hidden}, dropout: float = 0.1) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).squeeze(-1)


def fit_{name.lower()}(model: nn.Module, loader: DataLoader, epochs: int, lr: float = 1e-3) -> List[float]:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        history.append(total / max(1, len(loader.dataset)))
        if epoch % 10 == 0:
            print(f"epoch {{epoch}}: loss={{history[-1]:.4f}}")
    return history
'''


def block_dataclass(rng: random.Random) -> str:
    name = "".join(w.capitalize() for w in ident(rng).split("_"))
    fields = "\n".join(f"    {ident(rng, 1)}_{i}: {rng.choice(['int', 'float', 'str'])} = {rng.choice(['0', '0.5', repr('x')])}"
                       for i in range(rng.randint(3, 8)))
    return f'''
@dataclass
class {name}Config:
    """Configuration of the {name.lower()} step (read from params.yaml)."""

{fields}
    tags: List[str] = field(default_factory=list)

    @classmethod
    def from_yaml(cls, path: str) -> "{name}Config":
        with open(path) as handle:
            raw = yaml.safe_load(handle) or {{}}
        return cls(**{{k: v for k, v in raw.items() if k in cls.__dataclass_fields__}})
'''


def block_utils(rng: random.Random) -> str:
    name = ident(rng)
    return f'''
def chunked_{name}(items: List[Any], size: int) -> List[List[Any]]:
    """Split ``items`` into lists of ``size`` (the last one may be shorter)."""
    if size <= 0:
        raise ValueError("size must be positive")
    return [items[i:i + size] for i in range(0, len(items), size)]


def summarise_{name}(values: List[float]) -> Dict[str, float]:
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return {{"mean": 0.0, "std": 0.0, "p95": 0.0}}
    stats = {{"mean": float(arr.mean()), "std": float(arr.std()), "p95": float(np.percentile(arr, 95))}}
    stats["cv"] = stats["std"] / stats["mean"] if stats["mean"] else 0.0
    return {{key: round(value, 4) for key, value in sorted(stats.items())}}
'''


def block_eval(rng: random.Random) -> str:
    return f'''
def evaluate(model, X: np.ndarray, y: np.ndarray, threshold: float = {rng.choice([0.5, 0.3, 0.7])}) -> Dict[str, float]:
    proba = model.predict_proba(X)[:, 1]
    preds = (proba >= threshold).astype(int)
    metrics = {{
        "auc": roc_auc_score(y, proba),
        "f1": f1_score(y, preds),
        "accuracy": accuracy_score(y, preds),
    }}
    for name, value in metrics.items():
        logging.info("%s=%.4f", name, value)
    plt.figure(figsize=(6, 4))
    plt.hist(proba[y == 1], bins=50, alpha=0.5, label="positive")
    plt.hist(proba[y == 0], bins=50, alpha=0.5, label="negative")
    plt.legend()
    plt.savefig("reports/score_hist.png")
    return metrics
'''


BLOCKS = [block_load, block_features, block_split_train, block_torch, block_dataclass, block_utils, block_eval]


def module_source(rng: random.Random, blocks: int) -> str:
    imports = sorted(set(rng.sample(IMPORT_POOL, rng.randint(6, 16))) | {
        "import logging", "import numpy as np", "import pandas as pd", "import yaml", "import mlflow",
        "from typing import Any, Dict, List, Optional, Tuple", "from dataclasses import dataclass, field",
        "import torch", "import torch.nn as nn", "import torch.nn.functional as F",
        "from torch.utils.data import DataLoader, Dataset",
        "from sklearn.model_selection import train_test_split, KFold, cross_val_score",
        "from sklearn.preprocessing import StandardScaler, OneHotEncoder",
        "from sklearn.ensemble import RandomForestClassifier, GradientBoostingRegressor",
        "from sklearn.linear_model import LogisticRegression",
        "from sklearn.metrics import accuracy_score, f1_score, roc_auc_score, mean_squared_error",
        "import matplotlib.pyplot as plt",
    })
    parts = [f'"""{ident(rng, 3).replace("_", " ").capitalize()}: part of the synthetic ML package."""', "",
             *imports, "", "LOGGER = logging.getLogger(__name__)", f"DEFAULT_SEED = {rng.randint(0, 9999)}", ""]
    for _ in range(blocks):
        parts.append(rng.choice(BLOCKS)(rng))
    return "\n".join(parts) + "\n"


def script_source(rng: random.Random, package: str, module: str) -> str:
    body = module_source(rng, rng.randint(1, 3))
    return body + f'''

def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="params.yaml")
    parser.add_argument("--data", default="data/processed/train.csv")
    parser.add_argument("--out", default="models/model.joblib")
    args = parser.parse_args(argv)
    with open(args.config) as handle:
        cfg = yaml.safe_load(handle)
    from {package}.{module} import *  # noqa: F401,F403
    df = pd.read_csv(args.data)
    model, scores = train_model(df, cfg["train"])
    joblib.dump(model, args.out)
    print(json.dumps(scores, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''.replace("import json\n", "import json\n", 1)


def test_source(rng: random.Random, package: str, module: str) -> str:
    tests = []
    for i in range(rng.randint(3, 12)):
        tests.append(f'''
def test_{ident(rng)}_{i}(tmp_path):
    df = pd.DataFrame({{"a": np.arange(10), "b": np.arange(10) * 2.0, "label": [0, 1] * 5}})
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    loaded = pd.read_csv(path)
    assert list(loaded.columns) == ["a", "b", "label"]
    assert loaded["b"].sum() == pytest.approx(90.0)
''')
    header = (f'"""Tests for {package}.{module}."""\n\nimport numpy as np\nimport pandas as pd\nimport pytest\n\n'
              f"from {package} import {module}\n")
    return header + "".join(tests)


def notebook(rng: random.Random) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Exploration\n", "Quick look at the data.\n"]}]
    code = ["%matplotlib inline\nimport pandas as pd\nimport numpy as np\nimport matplotlib.pyplot as plt\n"
            "from sklearn.model_selection import train_test_split\nfrom sklearn.ensemble import RandomForestClassifier",
            "df = pd.read_csv('../data/raw/train.csv')\ndf.head()",
            "!pip install xgboost\ndf.describe()",
            "X_train, X_test, y_train, y_test = train_test_split(df.drop(columns=['label']), df['label'], test_size=0.2)\n"
            "clf = RandomForestClassifier(n_estimators=100)\nclf.fit(X_train, y_train)\nclf.score(X_test, y_test)"]
    for _ in range(rng.randint(4, 20)):
        code.append(rng.choice(BLOCKS)(rng).strip("\n"))
    for index, source in enumerate(code):
        outputs = []
        if rng.random() < 0.4:
            outputs.append({"output_type": "stream", "name": "stdout",
                            "text": [f"{rng.random():.6f} {ident(rng)}\n" for _ in range(rng.randint(5, 60))]})
        if rng.random() < 0.15:  # an inline plot: a few kB of base64, like real notebooks
            outputs.append({"output_type": "display_data", "metadata": {},
                            "data": {"image/png": "iVBORw0KGgo" + "A" * rng.randint(2000, 40000),
                                     "text/plain": ["<Figure size 640x480 with 1 Axes>"]}})
        cells.append({"cell_type": "code", "execution_count": index + 1, "metadata": {}, "outputs": outputs,
                      "source": source.splitlines(keepends=True)})
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                                       "language_info": {"name": "python", "version": "3.10.12"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1) + "\n"


CONFIGS = {
    "pyproject.toml": '[project]\nname = "synthml"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
                      'dependencies = ["numpy", "pandas", "scikit-learn>=1.3", "torch", "mlflow", "pyyaml"]\n\n'
                      '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    "requirements.txt": "numpy==1.26.4\npandas==2.2.2\nscikit-learn==1.4.2\ntorch==2.3.0\nmlflow==2.12.1\n"
                        "PyYAML==6.0.1\nxgboost==2.0.3\nmatplotlib==3.8.4\ntqdm==4.66.4\njoblib==1.4.2\n",
    "params.yaml": "train:\n  seed: 42\n  n_estimators: 300\n  max_depth: 12\n  C: 1.0\n  lr: 0.05\n  test_size: 0.2\n",
    "dvc.yaml": "stages:\n  prepare:\n    cmd: python scripts/prepare.py\n    deps: [data/raw]\n    outs: [data/processed]\n"
                "  train:\n    cmd: python scripts/train.py --config params.yaml\n    deps: [data/processed]\n"
                "    params: [train]\n    outs: [models/model.joblib]\n    metrics: [{metrics.json: {cache: false}}]\n",
    ".github/workflows/ci.yml": "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                "    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n"
                                "        with: {python-version: '3.11'}\n      - run: pip install -r requirements.txt\n"
                                "      - run: pytest -q\n",
    "README.md": "# synthml\n\nA synthetic ML repository generated for mllint's benchmark.\n",
    ".gitignore": "data/\nmodels/\nmlruns/\n__pycache__/\n",
    "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . /app\n",
}


def generate(out: Path, n: int, seed: int = 7, git: bool = True) -> dict:
    """Write the repository (N code files: ~70% modules, 10% scripts, 14% tests, 6% notebooks)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = dict(CONFIGS)
    n_nb = max(1, n * 6 // 100)
    n_tests = max(1, n * 14 // 100)
    n_scripts = max(1, n * 10 // 100)
    n_modules = n - n_nb - n_tests - n_scripts
    modules: list[tuple[str, str]] = []
    per_pkg = 25
    for i in range(n_modules):
        package = f"synthml/sub{i // per_pkg:03d}"
        if i % per_pkg == 0:
            files[f"{package}/__init__.py"] = '"""Subpackage."""\n'
            n_modules -= 1  # __init__ counts as a code file
        module = f"{ident(rng)}_{i}"
        blocks = min(24, max(1, int(rng.lognormvariate(1.7, 0.7))))
        files[f"{package}/{module}.py"] = module_source(rng, blocks)
        modules.append((package.replace("/", "."), module))
    files["synthml/__init__.py"] = '"""Synthetic ML package."""\n__version__ = "0.1.0"\n'
    code = [p for p in files if p.endswith(".py")]
    for i in range(n_scripts):
        package, module = rng.choice(modules)
        files[f"scripts/{ident(rng)}_{i}.py"] = script_source(rng, package, module)
    for i in range(n_tests):
        package, module = rng.choice(modules)
        files[f"tests/test_{module}_{i}.py"] = test_source(rng, package, module)
    for i in range(n_nb):
        files[f"notebooks/{i:03d}-{ident(rng)}.ipynb"] = notebook(rng)
    code = [p for p in files if p.endswith((".py", ".ipynb"))]
    for extra in code[n:]:  # trim to exactly n code files (keep configs)
        if not extra.endswith("__init__.py"):
            del files[extra]
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if git and not (out / ".git").exists():
        env_args = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
        subprocess.run(["git", "init", "-q"], cwd=out, check=True)
        subprocess.run(["git", "add", "-A"], cwd=out, check=True)
        subprocess.run(["git", *env_args, "commit", "-q", "-m", "synthetic repo"], cwd=out, check=True)
    code = sorted(p for p in files if p.endswith((".py", ".ipynb")))
    lines = sum(files[p].count("\n") for p in code)
    return {"files": len(code), "lines": lines, "bytes": sum(len(files[p]) for p in code)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.n, args.seed, not args.no_git)))


if __name__ == "__main__":
    main()
