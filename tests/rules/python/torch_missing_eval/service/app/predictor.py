import timm
import torch


class Predictor:
    def __init__(self) -> None:
        self.model = timm.create_model("resnet50", pretrained=True)  # optimus-expect: torch-missing-eval

    @torch.inference_mode()
    def predict(self, x):
        return self.model(x)


class GoodPredictor:
    def __init__(self) -> None:
        self.model = timm.create_model("resnet50", pretrained=True)
        self.model.eval()

    @torch.inference_mode()
    def predict(self, x):
        return self.model(x)


class Trainer:
    def __init__(self) -> None:
        self.model = timm.create_model("resnet50")  # no predict method: not a predictor

    def fit(self, x):
        return self.model(x)
