"""The prediction service (FastAPI): ``/health``, ``/predict`` and Prometheus ``/metrics``.

It serves the persisted pipeline from a bundle (``BUNDLE_DIR``, default ``bundle``), validates every
request against the same pandera schema as training, predicts with the same function as batch
prediction, and logs inputs and outputs as JSON lines. Run it with
``uvicorn {{cookiecutter.package_name}}.service:app``.
"""

from __future__ import annotations

import os
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pandas as pd
import pandera.errors
from fastapi import FastAPI, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from {{cookiecutter.package_name}}.monitoring import get_logger, observe_prediction, observe_request
from {{cookiecutter.package_name}}.package import Bundle, load_bundle
from {{cookiecutter.package_name}}.predict import predict_frame

LOGGER = get_logger("{{cookiecutter.package_name}}.service")


class PredictRequest(BaseModel):
    """One or more records, each mapping every model input name to its value."""

    records: list[dict[str, float]] = Field(min_length=1)


class Prediction(BaseModel):
    """The predicted label and its probability."""

    label: int
    probability: float


class PredictResponse(BaseModel):
    """Predictions in request order, with the model version that made them."""

    model_version: str
    predictions: list[Prediction]


def bundle_dir() -> Path:
    """Where the bundle is: the BUNDLE_DIR environment variable, else ./bundle."""
    return Path(os.environ.get("BUNDLE_DIR", "bundle"))


def create_app(bundle_path: Path | None = None) -> FastAPI:
    """Build the app; the bundle is loaded at startup (from ``bundle_path`` or BUNDLE_DIR)."""
    state: dict[str, Bundle] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        state["bundle"] = load_bundle(bundle_path or bundle_dir())
        LOGGER.info("model loaded", extra={"data": {"version": state["bundle"].version}})
        yield
        state.clear()

    app = FastAPI(title="{{cookiecutter.project_name}}", lifespan=lifespan)

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        observe_request(
            request.method,
            getattr(route, "path", "unmatched"),
            response.status_code,
            time.perf_counter() - started,
        )
        return response

    @app.get("/health")
    def health() -> dict:
        """Liveness and the version being served."""
        return {"status": "ok", "model_version": state["bundle"].version}

    @app.post("/predict", response_model=PredictResponse)
    def predict(request: PredictRequest) -> PredictResponse:
        """Validate the records, predict, record monitoring data, log inputs and outputs."""
        bundle = state["bundle"]
        inputs = pd.DataFrame.from_records(request.records)
        try:
            predictions = predict_frame(bundle.model, inputs)
        except (pandera.errors.SchemaError, pandera.errors.SchemaErrors) as exc:
            LOGGER.warning("invalid request", extra={"data": {"error": str(exc)[:2000]}})
            raise HTTPException(status_code=422, detail=str(exc)[:2000]) from None
        observe_prediction(inputs, predictions)
        LOGGER.info(
            "prediction",
            extra={
                "data": {
                    "inputs": request.records,
                    "outputs": predictions.to_dict(orient="records"),
                    "model_version": bundle.version,
                }
            },
        )
        return PredictResponse(
            model_version=bundle.version,
            predictions=[Prediction(**row) for row in predictions.to_dict(orient="records")],
        )

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus exposition of every metric in the default registry."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


app = create_app()
