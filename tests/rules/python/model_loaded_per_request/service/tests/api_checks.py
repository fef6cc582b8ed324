import torch
from fastapi import FastAPI

app = FastAPI()


@app.get("/t")
def t():
    return torch.load("fixture.pt")  # test code is exempt
