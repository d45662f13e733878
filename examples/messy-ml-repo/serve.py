from flask import Flask, request, jsonify
import joblib

app = Flask(__name__)
model = joblib.load("model.pkl")


@app.route("/predict", methods=["POST"])
def predict():
    rows = request.get_json()
    return jsonify(model.predict([list(r.values()) for r in rows]).tolist())
