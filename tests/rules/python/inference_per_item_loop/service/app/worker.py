"""A predict-like function over images."""

import torch

from app.nets import build

net = build()


class Predictor:
    def __init__(self) -> None:
        self.model = torch.load("m.pt", weights_only=False)

    @torch.inference_mode()
    def predict(self, images):
        preds = []
        for image in images:
            preds.append(self.model(image.unsqueeze(0)))  # optimus-expect: inference-per-item-loop
        return preds


@torch.inference_mode()
def run_inference(items):
    return [net(i) for i in items]  # `net` is not known as a model here (built elsewhere)
