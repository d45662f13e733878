"""Tables of ``rules/knowledge/serving.toml``: serving, monitoring and packaging (ML0901, ML1101, ML1202;
read by ``mllint/repo/serving.py``). Same conventions as lifecycle.toml."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, StringsMap, Table


class ServingFrameworks(Table):
    """A serving module imports one of `imports` and uses a model; batch prediction scripts load a model and predict."""

    imports: Strings = Field(description="Serving frameworks (`fastapi`, `bentoml`).")
    server_calls: StringsMap = Field(description="Frameworks used by clients as much as by servers → the calls that start a server (`grpc` → `grpc.server`).")
    model_words: Strings = Field(description="Names that mean a model is used (`predict`, `model`).")
    batch_words: Strings = Field(description="File-name words of batch prediction scripts (`inference`, `batch`).")
    predict_methods: Strings = Field(description="Prediction methods (`.predict`).")


class ServingPreprocessing(Table):
    """Serving code that brings its preprocessing with it (ML0901)."""

    name_words: Strings = Field(description="Names referenced in the serving module that mean preprocessing (`scaler`, `tokeniz`).")
    pipeline_calls: Strings = Field(description="Training calls that build a persisted pipeline containing the preprocessing.")
    fit_calls: Strings = Field(description="Training calls that fit or apply a transformer outside a pipeline.")
    fit_excluded: Strings = Field(description="Target encoders: fitted on the labels, not on the serving inputs.")


class ServingMonitoring(Table):
    """Monitoring of a service (ML1101)."""

    imports: Strings = Field(description="Monitoring libraries (`prometheus_client`).")
    file_globs: Strings = Field(description="Files or folders whose presence means the service is monitored.")
    config_words: Strings = Field(description="Words in compose/Kubernetes/Helm files that deploy a monitoring stack.")


class ModelPackaging(Table):
    """Packaging a model for deployment (ML1202), besides Dockerfiles and serving modules."""

    files: Strings = Field(description="File names (`bentofile.yaml`, `MLmodel`).")
    file_globs: Strings = Field(description="Path patterns (`*.mar`, `*Dockerfile*`).")
    imports: Strings = Field(description="Packaging libraries (`bentoml`, `mlflow.pyfunc`).")
    calls: Strings = Field(description="Calls that package (`mlflow.*.log_model`).")
    methods: Strings = Field(description="Methods that package (`.push_to_hub`).")
    text_words: Strings = Field(description="Words in scripts, Makefiles and CI that package a model (`docker build`).")
    artifact_suffixes: Strings = Field(description="Suffixes of model files (`pkl`, `onnx`): a monorepo project whose model file "
                                                   "is loaded by serving code in a sibling folder is deployable.")
