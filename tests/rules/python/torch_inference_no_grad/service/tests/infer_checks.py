import torch

model = torch.load("m.pt", weights_only=False)


def predict(x):
    return model(x)  # test code is exempt
