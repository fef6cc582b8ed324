"""Flask views."""

import joblib
import tensorflow as tf
from flask import Flask

app = Flask(__name__)
_cache = {}


@app.route("/predict", methods=["POST"])
def predict():
    model = tf.keras.models.load_model("model.keras")  # optimus-expect: model-loaded-per-request
    return {"y": model.predict([[1.0]]).tolist()}


def get_estimator():
    """Memoised by hand: loads once and keeps it."""
    if "est" not in _cache:
        _cache["est"] = joblib.load("est.joblib")
    return _cache["est"]


@app.route("/estimate", methods=["POST"])
def estimate():
    return {"y": get_estimator().predict([[1.0]]).tolist()}


def train():
    """Not a handler: loading here is fine."""
    return joblib.load("est.joblib")
