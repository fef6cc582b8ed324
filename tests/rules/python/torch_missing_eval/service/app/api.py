"""Module-level models served by FastAPI."""

import torch
from fastapi import FastAPI
from transformers import AutoModel

from app.models import Net

app = FastAPI()


class Local(torch.nn.Module):
    def forward(self, x):
        return x


model = Local()  # optimus-expect: torch-missing-eval
model.load_state_dict(torch.load("weights.pt"))

ready = Local().to("cpu").eval()  # chained eval
later = Local()
later.eval()
frozen = Local()
frozen.train(False)
state = torch.load("state.pt")  # a state dict: never called as a model
bert = AutoModel.from_pretrained("bert-base-uncased")  # transformers: already in eval mode
scripted = torch.jit.load("scripted.pt")  # keeps the mode it was saved in
imported = Net()  # optimus-expect: torch-missing-eval
imported.load_state_dict(torch.load("net.pt"))  # an imported class, known by load_state_dict
other = Net()  # an imported class, nothing says it is a module


@app.post("/predict")
def predict(x: list[float]):
    with torch.inference_mode():
        t = torch.tensor([x])
        return [m(t).tolist() for m in (model, ready, later, frozen, imported, other)]
