"""XACM002 model-card-missing: a repository that saves a model has a model card."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions

SAVES = "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\nmodel = LogisticRegression().fit(X, y)\njoblib.dump(model, 'model.joblib')\n"


class ModelCardMissing(RepoRule):
    code = "XACM002"
    name = "model-card-missing"
    factor = 12
    severity = "warning"
    summary = "The repository saves a model but has no model card."
    why = """
        ACME ships no model without a model card: what it was trained on, how it was evaluated,
        where it must not be used. Reviewers look for the card next to the code that saves the model.
    """
    how_to_fix = "Add a model card (`MODEL_CARD.md` at the root, or the file named by the `file-name` option)."

    class Options(RuleOptions):
        #: The model card's file name (at the root of the repository).
        file_name: str = "MODEL_CARD.md"

    violating = [
        RepoExample({"train.py": SAVES}),
        RepoExample({"train.py": SAVES, "MODEL_CARD.md": "# Card\n"}, options={"file-name": "docs/CARD.md"},
                    note="the option names another file"),
    ]
    compliant = [
        RepoExample({"train.py": SAVES, "MODEL_CARD.md": "# Churn model\n"}),
        RepoExample({"utils.py": "def add(a, b):\n    return a + b\n"}, note="no model saved"),
    ]

    def check(self, repo):
        savers = [role.path for role in repo.ml.where("persists", modules_only=True, core=True)]
        if savers and not repo.exists(self.options.file_name):
            yield RepoFinding(f"{savers[0]} saves a model but there is no {self.options.file_name}: add the model card",
                              path=savers[0], evidence=savers[:3])
