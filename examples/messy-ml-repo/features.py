import pandas as pd


def add_ratios(df):
    df["charges_per_month"] = df["total_charges"] / df["tenure"]
    return df


def clean(df):
    df = df[df["age"] != np.nan]
    return df.merge(pd.read_csv("data/regions.csv"))
