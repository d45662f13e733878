"""The data contract: pandera schemas of the raw data, of the model inputs and of the features.

Raw data is validated when it is loaded (``data.load_raw``), model inputs when the pipeline is
trained and whenever a request is served, features when reference statistics are computed.
"""

from __future__ import annotations

import pandera.pandas as pa

TARGET = "target"

#: Raw column names as published with the data set, in order.
RAW_FEATURES = (
    "mean radius",
    "mean texture",
    "mean perimeter",
    "mean area",
    "mean smoothness",
    "mean compactness",
    "mean concavity",
    "mean concave points",
    "mean symmetry",
    "mean fractal dimension",
    "radius error",
    "texture error",
    "perimeter error",
    "area error",
    "smoothness error",
    "compactness error",
    "concavity error",
    "concave points error",
    "symmetry error",
    "fractal dimension error",
    "worst radius",
    "worst texture",
    "worst perimeter",
    "worst area",
    "worst smoothness",
    "worst compactness",
    "worst concavity",
    "worst concave points",
    "worst symmetry",
    "worst fractal dimension",
)

#: Model input names: the raw names in snake_case (what the API and batch predict accept).
FEATURES = tuple(name.replace(" ", "_") for name in RAW_FEATURES)

#: Derived features added inside the persisted pipeline (see features.add_features).
DERIVED_FEATURES = ("area_to_perimeter", "concavity_ratio")


def _measurements(names: tuple[str, ...]) -> dict[str, pa.Column]:
    """Every measurement is a finite, non-negative float (NaN and infinity are refused)."""
    checks = [pa.Check.ge(0), pa.Check.lt(float("inf"))]
    return {name: pa.Column(float, checks, nullable=False, coerce=True) for name in names}


RawSchema = pa.DataFrameSchema(
    {**_measurements(RAW_FEATURES), TARGET: pa.Column(int, pa.Check.isin([0, 1]), coerce=True)},
    strict=True,
    ordered=True,
    name="raw",
)

InputSchema = pa.DataFrameSchema(_measurements(FEATURES), strict=True, name="model_input")

FeatureSchema = pa.DataFrameSchema(
    _measurements(FEATURES + DERIVED_FEATURES), strict=True, name="features"
)

LabelledInputSchema = InputSchema.add_columns(
    {TARGET: pa.Column(int, pa.Check.isin([0, 1]), coerce=True)}
)


def describe(schema: pa.DataFrameSchema) -> dict:
    """A JSON-friendly description of a schema (shipped in the bundle and the model card)."""
    return {
        "name": schema.name,
        "columns": {
            name: {
                "dtype": str(column.dtype),
                "nullable": column.nullable,
                "checks": [str(check) for check in column.checks],
            }
            for name, column in schema.columns.items()
        },
    }
