"""Feature engineering for the churn model (grown organically, never reviewed)."""
import numpy as np
import pandas as pd

REGIONS = "data/regions.csv"


def add_ratios(df):
    df["charges_per_month"] = df["total_charges"] / df["tenure"]
    df["tenure"][df["tenure"] == 0] = 1
    return df


def clean(df):
    df = df[df["age"] != np.nan]
    df.drop_duplicates()
    df["income"].fillna(df["income"].median(), inplace=True)
    return df.merge(pd.read_csv(REGIONS))


def encode(df: pd.DataFrame):
    dummies = pd.get_dummies(df["plan"], prefix="plan")
    df = df.join(dummies)
    df.drop(columns=["plan", "customer_id"])
    return df


def to_arrays(df):
    X = df.drop(columns=["churn"]).values
    y = df["churn"].values
    return X, y
