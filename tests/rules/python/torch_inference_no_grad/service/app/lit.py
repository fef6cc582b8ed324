"""Lightning runs predict_step in inference mode itself."""

import lightning as L
import torch


class Model(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Linear(2, 2)

    def predict_step(self, batch, batch_idx):
        return self.net(batch)

    def predict(self, x):
        return self.net(x)  # a Lightning module's own method: Lightning's business
