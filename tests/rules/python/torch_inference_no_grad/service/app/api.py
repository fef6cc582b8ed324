"""FastAPI inference endpoints with and without no-grad."""

import torch
from fastapi import FastAPI
from torch import nn
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


app = FastAPI()
net = Net().eval()
lm = AutoModelForCausalLM.from_pretrained("gpt2")
tok = AutoTokenizer.from_pretrained("gpt2")
clf = pipeline("sentiment-analysis")


@app.post("/net")
def run_net(x: list[float]):
    return net(torch.tensor([x])).tolist()  # optimus-expect: torch-inference-no-grad


@app.post("/net-forward")
async def run_forward(x: list[float]):
    y = net.forward(torch.tensor([x]))  # optimus-expect: torch-inference-no-grad
    z = net(torch.tensor([x]))  # the same function: one finding
    return (y + z).tolist()


@app.post("/guarded")
def guarded(x: list[float]):
    with torch.inference_mode():
        return net(torch.tensor([x])).tolist()


@app.post("/decorated")
@torch.no_grad()
def decorated(x: list[float]):
    return net(torch.tensor([x])).tolist()


@app.post("/generate")
def generate(prompt: str):
    ids = tok(prompt, return_tensors="pt").input_ids  # a tokenizer is not a model
    return tok.decode(lm.generate(ids)[0])  # transformers' generate is already no-grad


@app.post("/pipeline")
def classify(text: str):
    return clf(text)  # pipelines disable gradients themselves


def predict(x):
    return net(x)  # called under no_grad below


@app.post("/indirect")
def indirect(x: list[float]):
    with torch.no_grad():
        return predict(torch.tensor([x])).tolist()


def train_step(batch):
    loss = net(batch).sum()
    loss.backward()
    return loss
