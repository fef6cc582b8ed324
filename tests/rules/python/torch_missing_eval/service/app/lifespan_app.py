from contextlib import asynccontextmanager

import torch
import torchvision
from fastapi import FastAPI, Request

from app.models import Net


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.model = torchvision.models.resnet18(weights="DEFAULT")  # optimus-expect: torch-missing-eval
    app.state.other = torch.load("full_model.pt", weights_only=False)  # optimus-expect: torch-missing-eval
    yield


app = FastAPI(lifespan=lifespan)


@app.post("/classify")
@torch.inference_mode()
def classify(request: Request, x: list[float]):
    out = request.app.state.model(torch.tensor([x]))
    return (out + request.app.state.other(torch.tensor([x]))).tolist()
