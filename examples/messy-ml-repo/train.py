"""Train the churn model (copied from the notebook, cleaned up a bit)."""
import pandas as pd
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
import joblib

DATA = "/home/alice/projects/churn/data/churn.csv"
TEST_SIZE = 0.25

df = pd.read_csv(DATA)
df.dropna()
df["tenure"][df["tenure"] < 0] = 0
X = df.drop(columns=["churn"]).values
y = df["churn"].values

scaler = StandardScaler()
X = scaler.fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE)

model = RandomForestClassifier(n_estimators=300, max_depth=12)
model.fit(X_train, y_train)
pred = model.predict(X_test)
print("accuracy", accuracy_score(y_test, pred))
print("f1", f1_score(y_test, pred))
joblib.dump(model, "model.pkl")
