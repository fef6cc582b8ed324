"""A TorchServe-style handler class."""

import torch


class Handler:
    def __init__(self) -> None:
        self.model = torch.jit.load("model.pt")

    def preprocess(self, data):
        return torch.tensor(data)

    def inference(self, batch):
        return self.model(batch)  # optimus-expect: torch-inference-no-grad

    def postprocess(self, out):
        return out.tolist()

    def handle(self, data, context):
        return self.postprocess(self.inference(self.preprocess(data)))
