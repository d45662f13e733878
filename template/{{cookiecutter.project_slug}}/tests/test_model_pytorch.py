"""The PyTorch family: deterministic training, a checkpoint, an export that predicts like the network."""

import numpy as np
import pandas as pd
import torch

from {{cookiecutter.package_name}}.model import (
    CHECKPOINT,
    MODEL_FILE,
    TumourNet,
    fit,
    load,
    load_checkpoint,
    positive_probability,
)
from {{cookiecutter.package_name}}.schema import FEATURES


def train_split(workspace):
    return pd.read_csv(workspace.paths.prepared_dir / "train.csv")


def test_training_is_deterministic(workspace):
    first = fit(train_split(workspace), workspace).state_dict()
    second = fit(train_split(workspace), workspace).state_dict()
    assert first.keys() == second.keys()
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_the_network_is_built_from_params(workspace):
    net = load_checkpoint(workspace.paths.models_dir / CHECKPOINT, workspace)
    assert isinstance(net, TumourNet) and not net.training
    assert net.layers[0].out_features == workspace.model.hidden_units
    assert net.mean.numel() == len(FEATURES) + 2  # inputs and the derived features


def test_checkpoint_records_the_epoch_and_loads_weights_only(workspace):
    state = torch.load(workspace.paths.models_dir / CHECKPOINT, weights_only=True)
    assert state["epoch"] == workspace.model.epochs
    assert {"model", "optimizer"} <= set(state)


def test_export_predicts_like_the_trained_network(workspace, test_split):
    exported = load(workspace.paths.models_dir / MODEL_FILE)
    net = load_checkpoint(workspace.paths.models_dir / CHECKPOINT, workspace)
    inputs = test_split[list(FEATURES)]
    np.testing.assert_allclose(
        positive_probability(exported, inputs), positive_probability(net, inputs), rtol=1e-5
    )


def test_evaluation_leaves_no_autograd_state(workspace, test_split):
    net = load_checkpoint(workspace.paths.models_dir / CHECKPOINT, workspace)
    net.train()
    probabilities = positive_probability(net, test_split[list(FEATURES)])
    assert not net.training and probabilities.dtype == float
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
