"""The model family, PyTorch: a small multilayer perceptron, trained on the CPU, deterministically.

The network carries its own standardisation (mean and spread of the training features, as buffers)
and takes the output of :func:`features.add_features`, the same function every consumer calls
first, so training, evaluation, batch prediction and the service cannot diverge. Training is
seeded from params.yaml with ``torch.use_deterministic_algorithms(True)`` on one thread, writes a
checkpoint (``models/checkpoints/last.pt``: weights and optimizer state) and exports the trained
network with ``torch.export`` (``models/model.pt2``: a graph and its weights, no pickled code), which
is what the bundle and the service load. Evaluation runs in eval mode under
``torch.inference_mode()``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.export import Dim

from {{cookiecutter.package_name}}.config import Params
from {{cookiecutter.package_name}}.features import add_features
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET, InputSchema

MODEL_FILE = "model.pt2"
CHECKPOINT = Path("checkpoints") / "last.pt"
FAMILY = "torch"


class TumourNet(nn.Module):
    """Standardise the features (fitted buffers), then a one-hidden-layer network -> P(label = 1)."""

    def __init__(self, mean: torch.Tensor, spread: torch.Tensor, hidden_units: int) -> None:
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("spread", spread)
        self.layers = nn.Sequential(
            nn.Linear(mean.numel(), hidden_units), nn.ReLU(), nn.Linear(hidden_units, 1)
        )

    def logits(self, features: torch.Tensor) -> torch.Tensor:
        """Unnormalised scores (what the loss is computed on)."""
        return self.layers((features - self.mean) / self.spread).squeeze(-1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """The probability of label 1 for each row of features."""
        return torch.sigmoid(self.logits(features))


def feature_tensor(inputs: pd.DataFrame) -> torch.Tensor:
    """Model inputs -> the float32 tensor of input and derived features the network takes."""
    features = add_features(inputs.loc[:, list(FEATURES)])
    return torch.as_tensor(features.to_numpy(dtype=np.float32))


def seed_everything(seed: int) -> torch.Generator:
    """Same seed, same weights, same batches, same result: one thread, deterministic kernels."""
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    return torch.Generator().manual_seed(seed)


def fit(train: pd.DataFrame, params: Params) -> TumourNet:
    """Validate the training inputs, train the network with Adam, checkpoint it; return it."""
    inputs = InputSchema.validate(train.drop(columns=[TARGET]), lazy=True)
    generator = seed_everything(params.seed)
    features = feature_tensor(inputs)
    target = torch.as_tensor(train[TARGET].to_numpy(dtype=np.float32))
    spread = features.std(dim=0).clamp_min(1e-6)
    net = TumourNet(features.mean(dim=0), spread, params.model.hidden_units)
    optimizer = torch.optim.Adam(
        net.parameters(), lr=params.model.learning_rate, weight_decay=params.model.weight_decay
    )
    loss_function = nn.BCEWithLogitsLoss()
    net.train()
    for _epoch in range(params.model.epochs):
        order = torch.randperm(len(features), generator=generator)
        for batch in order.split(params.model.batch_size):
            optimizer.zero_grad()
            loss = loss_function(net.logits(features[batch]), target[batch])
            loss.backward()
            optimizer.step()
    checkpoint = params.paths.models_dir / CHECKPOINT
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "epoch": params.model.epochs,
            "model": net.state_dict(),
            "optimizer": optimizer.state_dict(),
        },
        checkpoint,
    )
    return net.eval()


def load_checkpoint(path: Path, params: Params) -> TumourNet:
    """A network restored from a checkpoint's weights (tensors only: ``weights_only=True``)."""
    state = torch.load(path, weights_only=True)["model"]
    net = TumourNet(state["mean"], state["spread"], params.model.hidden_units)
    net.load_state_dict(state)
    return net.eval()


def for_registry(params: Params) -> TumourNet:
    """What the evaluate stage logs to MLflow: the trained network, from its checkpoint."""
    return load_checkpoint(params.paths.models_dir / CHECKPOINT, params)


def save(model: TumourNet, path: Path) -> Path:
    """Export the trained network (``torch.export``: a graph, any number of rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(2, model.mean.numel())
    exported = torch.export.export(model.eval(), (example,), dynamic_shapes=({0: Dim("rows")},))
    torch.export.save(exported, path)
    return path


def load(path: Path) -> torch.nn.Module:
    """Load an exported network written by :func:`save`."""
    return torch.export.load(path).module()


def positive_probability(model: torch.nn.Module, inputs: pd.DataFrame) -> np.ndarray:
    """P(label = 1) for each row of validated model inputs (eval mode, no autograd)."""
    if isinstance(model, TumourNet):
        model.eval()  # an exported graph was captured in eval mode already
    with torch.inference_mode():
        return model(feature_tensor(inputs)).numpy().astype(float)


def log_model(model: TumourNet, example: pd.DataFrame, registered_name: str) -> str:
    """Log the network to the active MLflow run with its signature and an input example; register it.

    The logged model takes the feature tensor (inputs and derived features). Returns the version.
    """
    import mlflow.pytorch
    from mlflow.models import infer_signature

    features = feature_tensor(example).numpy()
    signature = infer_signature(features, positive_probability(model, example))
    info = mlflow.pytorch.log_model(
        model,
        name="model",
        signature=signature,
        input_example=features[:3],
        registered_model_name=registered_name,
    )
    return str(info.registered_model_version)


def load_registered(uri: str) -> torch.nn.Module:
    """Load a registered model (``models:/name@alias``) as the network it was logged as."""
    import mlflow.pytorch

    return mlflow.pytorch.load_model(uri)
