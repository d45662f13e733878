"""The prediction service (FastAPI): ``/health``, ``/predict`` and Prometheus ``/metrics``.

It serves the model from a bundle (``BUNDLE_DIR``, default ``bundle``), validates every request
(finite numbers by pydantic, then the same pandera schema as training: a bad value is a 422, never a
500), predicts with the same function as batch prediction, appends every predicted row to the
request log the drift check reads (``REQUEST_LOG`` overrides the path recorded in the bundle), and
counts every response, errors included. Run it with ``uvicorn {{cookiecutter.package_name}}.service:app``.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import pandera.errors
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from {{cookiecutter.package_name}}.monitoring import get_logger, observe_prediction, observe_request
from {{cookiecutter.package_name}}.package import Bundle, load_bundle
from {{cookiecutter.package_name}}.predict import predict_frame
from {{cookiecutter.package_name}}.requestlog import RequestLog

LOGGER = get_logger("{{cookiecutter.package_name}}.service")

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class PredictRequest(BaseModel):
    """One or more records, each mapping every model input name to a finite number."""

    records: list[dict[str, FiniteFloat]] = Field(min_length=1)


class Prediction(BaseModel):
    """The predicted label and its probability."""

    label: int
    probability: float


class PredictResponse(BaseModel):
    """Predictions in request order, with the registered model version that made them."""

    model_version: str
    predictions: list[Prediction]


def bundle_dir() -> Path:
    """Where the bundle is: the BUNDLE_DIR environment variable, else ./bundle."""
    return Path(os.environ.get("BUNDLE_DIR", "bundle"))


def request_log(bundle: Bundle, override: Path | None) -> RequestLog:
    """The request log: ``override``, else REQUEST_LOG, else the path recorded in the bundle."""
    serving = bundle.manifest["serving"]
    path = override or Path(os.environ.get("REQUEST_LOG") or serving["request_log"])
    return RequestLog(path, serving["max_bytes"], serving["backups"])


def create_app(bundle_path: Path | None = None, log_path: Path | None = None) -> FastAPI:
    """Build the app; the bundle is loaded at startup (from ``bundle_path`` or BUNDLE_DIR)."""
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        bundle = load_bundle(bundle_path or bundle_dir())
        state["bundle"] = bundle
        state["log"] = request_log(bundle, log_path)
        LOGGER.info(
            "model loaded",
            extra={"data": {"version": bundle.version, "git_commit": bundle.git_commit}},
        )
        yield
        state["log"].close()
        state.clear()

    app = FastAPI(title="{{cookiecutter.project_name}}", lifespan=lifespan)

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500  # an exception escaping the app becomes a 500: count it as one
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            observe_request(
                request.method,
                getattr(route, "path", "unmatched"),
                status,
                time.perf_counter() - started,
            )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """422 with where and why; the offending value is left out (infinity is not JSON)."""
        errors = [
            {key: value for key, value in error.items() if key in ("type", "loc", "msg")}
            for error in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.get("/health")
    def health() -> dict:
        """Liveness, the registered model version being served and the commit that built it."""
        bundle = state["bundle"]
        return {"status": "ok", "model_version": bundle.version, "git_commit": bundle.git_commit}

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
        state["log"].append(bundle.version, request.records, predictions)
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
