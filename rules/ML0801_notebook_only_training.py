"""ML0801 notebook-only-training: model training happens only in notebooks, never in modules."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.source import notebook_json
from mllint.repo.mlcode import stem_words

NB_TRAIN = notebook_json(["import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier",
                          "df = pd.read_csv('data.csv')\nmodel = RandomForestClassifier()\nmodel.fit(df[['a']], df['y'])"])
NB_EDA = notebook_json(["import pandas as pd\ndf = pd.read_csv('data.csv')\ndf.describe()"])
TRAIN = "from sklearn.linear_model import LogisticRegression\n\nm = LogisticRegression().fit([[0], [1]], [0, 1])\n"


class NotebookOnlyTraining(RepoRule):
    code = "ML0801"
    name = "notebook-only-training"
    factor = 8
    severity = "warning"
    summary = "Models are trained only in notebooks, never in Python modules."
    why = """
        Factor 8 (experiments are not production): notebooks run cells out of order, hide state,
        diff badly and cannot be imported, tested or scheduled. A model whose only training code is a
        notebook cannot be retrained reproducibly by CI or an orchestrator.
    """
    how_to_fix = """
        Move the training code into a module (e.g. `src/<package>/train.py` with a `main()` reading its
        parameters from a config file) and have the notebook import it; keep notebooks for exploration
        and reports.
    """
    violating = [
        RepoExample({"notebooks/model.ipynb": NB_TRAIN}),
        RepoExample({"notebooks/model.ipynb": NB_TRAIN, "utils.py": "def load(path):\n    return open(path).read()\n"},
                    note="modules exist, but none trains"),
        RepoExample({"train.ipynb": notebook_json(["import torch\nnet = torch.nn.Linear(3, 1)\nopt = torch.optim.Adam(net.parameters())",
                                                   "loss = net(torch.ones(3)).sum()\nloss.backward()\nopt.step()"])},
                    note="a PyTorch loop in a notebook"),
        RepoExample({"nb/keras.ipynb": notebook_json(["from tensorflow import keras\nm = keras.Sequential([])\nm.fit(x, y, epochs=3)"]),
                     "src/features.py": "def scale(x):\n    return x / 2\n"}),
    ]
    compliant = [
        RepoExample({"notebooks/model.ipynb": NB_TRAIN, "src/train.py": TRAIN}, note="training also lives in a module"),
        RepoExample({"notebooks/eda.ipynb": NB_EDA, "train.py": TRAIN}),
        RepoExample({"notebooks/model.ipynb": NB_TRAIN, "scripts/train_model.py": "from mypkg.pipeline import run\n\nrun()\n"},
                    note="a training script whose framework calls are not recognised is trusted"),
        RepoExample({"notebooks/eda.ipynb": NB_EDA}, note="no training anywhere"),
    ]

    def check(self, repo):
        training = repo.ml.training
        notebooks = [role for role in training if role.notebook]
        if not notebooks or any(not role.notebook for role in training):
            return
        scripts = [facts.path for facts in repo.source_facts()
                   if not facts.notebook and "train" in stem_words(facts.path)]
        if scripts:
            return
        names = ", ".join(role.path for role in notebooks[:3])
        yield RepoFinding(
            f"models are trained only in notebooks ({names}): looked for fit/train calls of a model library in .py modules "
            "and for a train*.py script, found none; move the training code into a module such as src/train.py and "
            "import it from the notebook",
            path=notebooks[0].path, evidence=[f"{role.path}: {', '.join(role.trains[:2])}" for role in notebooks[:5]],
        )
