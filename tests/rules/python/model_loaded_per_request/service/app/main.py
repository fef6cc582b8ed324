"""FastAPI endpoints that load models per request, and the ways that are fine."""

import io
import pickle
from contextlib import asynccontextmanager
from functools import lru_cache

import joblib
import onnxruntime as ort
import torch
from fastapi import Depends, FastAPI, UploadFile
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

ml_models = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    ml_models["clf"] = joblib.load("models/clf.joblib")  # lifespan: once
    yield
    ml_models.clear()


app = FastAPI(lifespan=lifespan)
embedder = SentenceTransformer("all-MiniLM-L6-v2")  # module level: once


@app.post("/sentiment")
def sentiment(text: str):
    tok = AutoTokenizer.from_pretrained("distilbert-base-uncased")  # optimus-expect: model-loaded-per-request
    model = AutoModelForSequenceClassification.from_pretrained(  # optimus-expect: model-loaded-per-request
        "distilbert-base-uncased"
    )
    return model(**tok(text, return_tensors="pt")).logits.tolist()


@app.post("/classify")
async def classify(text: str):
    clf = pipeline("sentiment-analysis")  # optimus-expect: model-loaded-per-request
    return clf(text)


@app.post("/score")
def score(x: list[float]):
    with open("models/model.pkl", "rb") as fh:
        model = pickle.load(fh)  # optimus-expect: model-loaded-per-request
    return model.predict([x]).tolist()


@app.post("/onnx")
def onnx(x: list[float]):
    session = ort.InferenceSession("model.onnx")  # optimus-expect: model-loaded-per-request
    return session.run(None, {"x": [x]})[0].tolist()


def load_net():
    net = torch.jit.load("net.pt")
    return net


@app.post("/net")
def net_endpoint(x: list[float]):
    net = load_net()  # optimus-expect: model-loaded-per-request
    return net(torch.tensor([x])).tolist()


def get_model():
    return torch.load("weights.pt", weights_only=False)  # optimus-expect: model-loaded-per-request


@lru_cache
def get_cached_model():
    return torch.load("weights.pt", weights_only=False)


@app.post("/dep")
def with_dep(x: list[float], model=Depends(get_model), cached=Depends(get_cached_model)):
    return model(torch.tensor([x])).tolist()


@app.post("/embed")
def embed(text: str):
    return embedder.encode([text]).tolist()  # reuses the module-level model


@app.post("/lifespan")
def from_lifespan(x: list[float]):
    return ml_models["clf"].predict([x]).tolist()


@app.post("/upload")
async def upload(file: UploadFile):
    data = joblib.load(io.BytesIO(await file.read()))  # user data, not a model file
    return {"rows": len(data)}


@app.post("/settings")
def settings():
    with open("settings.pkl", "rb") as fh:
        return pickle.load(fh)  # not a model file


@app.post("/admin/reload")
def reload_model():
    global embedder
    embedder = SentenceTransformer("all-MiniLM-L6-v2")  # a deliberate reload, kept
    ml_models["clf"] = joblib.load("models/clf.joblib")
    return {"ok": True}
