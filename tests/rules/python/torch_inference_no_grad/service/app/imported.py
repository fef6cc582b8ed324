"""A model imported from another module, known by its load_state_dict/eval calls."""

import torch
from fastapi import FastAPI

from app.nets import model

model.load_state_dict(torch.load("weights.pth"))
model.eval()
app = FastAPI()


@app.post("/predict")
def predict(data: dict) -> dict:
    return {"y": model(torch.tensor(data["x"])).tolist()}  # optimus-expect: torch-inference-no-grad
