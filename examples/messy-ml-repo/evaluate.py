"""Evaluate the saved churn model on last month's customers."""
import import_ipynb  # so we can reuse the plotting cells from notebooks/exploration.ipynb
import joblib
import pandas as pd
from sklearn.metrics import classification_report, roc_auc_score

from notebooks import exploration

MODEL = "/Users/bob/churn/model.pkl"


def main():
    model = joblib.load(MODEL)
    df = pd.read_csv("data/churn.csv")
    X = df.drop(columns=["churn"]).to_numpy()
    y = df["churn"].to_numpy()
    proba = model.predict_proba(X)[:, 1]
    print(classification_report(y, proba > 0.5))
    auc = roc_auc_score(y, proba)
    print(f"AUC: {auc:.3f}")
    exploration.plot_roc(y, proba)


if __name__ == "__main__":
    main()
