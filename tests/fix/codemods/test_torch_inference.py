"""torch-inference-no-grad fix: the forward passes wrapped in torch.inference_mode()."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import check_fixed, findings_of, propose, write

API = '''\
"""Inference endpoints."""

import torch
from fastapi import FastAPI
from torch import nn


class Net(nn.Module):
    def forward(self, x):
        return x


app = FastAPI()
net = Net().eval()


@app.post("/net")
def run_net(x: list[float]):
    batch = torch.tensor([x])
    # first pass
    y = net(batch)
    z = net.forward(batch)  # second pass
    return (y + z).tolist()


@app.post("/one")
def one(x: list[float]):
    return net(torch.tensor([x])).tolist()
'''


def test_forward_statements_wrapped(tree: Path) -> None:
    texts = check_fixed(tree, "torch-inference-no-grad", {"app/api.py": API}, expect_fixes=2)
    new = texts["app/api.py"]
    assert (
        "    batch = torch.tensor([x])\n"
        "    # first pass\n"
        "    with torch.inference_mode():\n"
        "        y = net(batch)\n"
        "        z = net.forward(batch)  # second pass\n"
        "    return (y + z).tolist()\n"
    ) in new
    assert (
        "def one(x: list[float]):\n"
        "    with torch.inference_mode():\n"
        "        return net(torch.tensor([x])).tolist()\n"
    ) in new
    assert new.startswith(API[: API.index('@app.post("/net")')])


def test_from_import_only_gets_import_torch(tree: Path) -> None:
    lines = [
        "from torch import nn",
        "",
        "",
        "class Net(nn.Module):",
        "    pass",
        "",
        "",
        "net = Net().eval()",
        "",
        "",
        "def predict(x):",
        "    return net(x)",
    ]
    text = "\r\n".join(lines) + "\r\n"
    texts = check_fixed(tree, "torch-inference-no-grad", {"model.py": text.encode()})
    assert texts["model.py"].startswith("from torch import nn\r\nimport torch\r\n")
    assert "    with torch.inference_mode():\r\n        return net(x)\r\n" in texts["model.py"]


def test_awaiting_statement_is_refused(tree: Path) -> None:
    text = API.replace("    y = net(batch)\n", "    y = net(await load(batch))\n").replace(
        "def run_net", "async def run_net"
    )
    write(tree, {"app/api.py": text})
    found = [f for f in findings_of(tree, "torch-inference-no-grad") if "run_net" in f.message]
    assert found
    assert propose(tree, found[0]) is None
