"""Item embeddings for "similar style" search: a small PyTorch encoder of product titles.

Runs as its own Deployment (k8s/embeddings.yaml) from the recommender image, with
``uvicorn app.embeddings:app``. The weights and the item index are exported nightly by the
training job.
"""

import asyncio
import os
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import torch
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field
from torch import nn

WEIGHTS_PATH = os.environ.get("ENCODER_WEIGHTS", "/models/item_encoder.pt")
INDEX_PATH = os.environ.get("ITEM_INDEX", "/models/item_index.pt")
VOCAB_SIZE = 2**16
DIM = 64


class ItemEncoder(nn.Module):
    """Hashed word embeddings of a title, averaged, projected onto the unit sphere."""

    def __init__(self, vocab_size: int = VOCAB_SIZE, dim: int = DIM) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, dim, mode="mean")
        self.dropout = nn.Dropout(0.1)
        self.proj = nn.Linear(dim, dim)

    def forward(self, tokens: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        hidden = self.dropout(self.embed(tokens, offsets))
        return nn.functional.normalize(self.proj(hidden), dim=-1)


def tokenize(title: str) -> torch.Tensor:
    words = title.lower().split() or [""]
    return torch.tensor([zlib.crc32(word.encode()) % VOCAB_SIZE for word in words])


class State:
    encoder: ItemEncoder | None = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    encoder = ItemEncoder()
    weights = await asyncio.to_thread(torch.load, WEIGHTS_PATH, map_location="cpu")
    encoder.load_state_dict(weights)
    State.encoder = encoder
    yield


app = FastAPI(title="recommender-embeddings", version="2.1.0", lifespan=lifespan)


class EmbedIn(BaseModel):
    titles: list[str] = Field(min_length=1, max_length=256)


class EmbedOut(BaseModel):
    vectors: list[list[float]]


class SearchIn(BaseModel):
    query: str = Field(min_length=1, max_length=200)
    limit: int = Field(default=10, ge=1, le=50)


class SearchOut(BaseModel):
    skus: list[str]


def item_index() -> tuple[list[str], torch.Tensor]:
    """SKUs and their unit vectors (one row per SKU)."""
    index = torch.load(INDEX_PATH, map_location="cpu")
    return index["skus"], index["vectors"]


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok" if State.encoder is not None else "loading"}


@app.post("/embed", response_model=EmbedOut)
def embed(payload: EmbedIn) -> EmbedOut:
    assert State.encoder is not None
    vectors = []
    for title in payload.titles:
        tokens = tokenize(title)
        vector = State.encoder(tokens, torch.tensor([0]))
        vectors.append(vector[0].tolist())
    return EmbedOut(vectors=vectors)


@app.post("/search", response_model=SearchOut)
def search(
    payload: SearchIn, index: tuple[list[str], torch.Tensor] = Depends(item_index)
) -> SearchOut:
    assert State.encoder is not None
    skus, vectors = index
    with torch.inference_mode():
        query = State.encoder(tokenize(payload.query), torch.tensor([0]))[0]
    best = torch.topk(vectors @ query, k=min(payload.limit, len(skus)))
    return SearchOut(skus=[skus[i] for i in best.indices.tolist()])
