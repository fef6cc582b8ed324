"""Per-item model calls in serving code, and loops that are not per item."""

import torch
from fastapi import FastAPI
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

app = FastAPI()
classifier = pipeline("sentiment-analysis")
embedder = SentenceTransformer("all-MiniLM-L6-v2")
lm = AutoModelForCausalLM.from_pretrained("gpt2")
tok = AutoTokenizer.from_pretrained("gpt2")
model = torch.jit.load("model.pt").eval()


@app.post("/classify")
def classify(texts: list[str]):
    return [classifier(t) for t in texts]  # optimus-expect: inference-per-item-loop


@app.post("/embed")
def embed(texts: list[str]):
    out = []
    for text in texts:
        clean = text.strip().lower()
        out.append(embedder.encode(clean).tolist())  # optimus-expect: inference-per-item-loop
    return out


@app.post("/complete")
@torch.inference_mode()
def complete(prompts: list[str]):
    results = []
    for prompt in prompts:
        ids = tok(prompt, return_tensors="pt").input_ids  # the tokenizer is not a model
        results.append(tok.decode(lm.generate(ids)[0]))  # optimus-expect: inference-per-item-loop
    return results


@app.post("/batched")
def batched(texts: list[str]):
    return classifier(texts, batch_size=16)  # one call


@app.post("/chunks")
@torch.inference_mode()
def chunks(rows: list[list[float]]):
    out = []
    for batch in (rows[i : i + 32] for i in range(0, len(rows), 32)):
        out += model(torch.tensor(batch)).tolist()  # already batched
    return out


@app.post("/decode")
@torch.inference_mode()
def decode(x: list[float]):
    state = torch.tensor([x])
    for _ in range(10):
        state = model(state)  # a decoding step: does not use the loop variable
    return state.tolist()


def report(texts):
    """Not a serving function."""
    return [classifier(t) for t in texts]
