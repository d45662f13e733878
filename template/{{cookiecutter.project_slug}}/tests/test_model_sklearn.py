"""The scikit-learn family: the persisted object is one Pipeline carrying its preprocessing."""

from {{cookiecutter.package_name}}.model import MODEL_FILE, build_pipeline, load


def test_pipeline_carries_the_preprocessing(workspace):
    assert [name for name, _ in build_pipeline(workspace).steps] == ["features", "scale", "model"]
    persisted = load(workspace.paths.models_dir / MODEL_FILE)
    assert [name for name, _ in persisted.steps] == ["features", "scale", "model"]
    assert list(persisted.classes_) == [0, 1]


def test_hyperparameters_come_from_params(workspace):
    model = build_pipeline(workspace).named_steps["model"]
    assert model.C == workspace.model.C
    assert model.max_iter == workspace.model.max_iter
    assert model.random_state == workspace.seed
