"""FastAPI endpoints: blocking calls in async def are findings, in plain def they are not."""

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import httpx
import requests
from fastapi import FastAPI

app = FastAPI()
BASE = Path(__file__).parent
API = "https://api.example.com"


@app.get("/slow")
async def slow() -> dict:
    time.sleep(0.5)  # optimus-expect: blocking-call-in-async
    return {"ok": True}


@app.get("/quote/{symbol}")
async def quote(symbol: str) -> dict:
    url = f"{API}/quote/{symbol}"
    response = requests.get(url, timeout=5)  # optimus-expect: blocking-call-in-async
    requests.post(  # optimus-expect: blocking-call-in-async
        f"{API}/audit",
        json={"symbol": symbol},
        timeout=5,
    )
    return response.json()


@app.get("/mirror")
async def mirror() -> bytes:
    plain = httpx.get(API)  # optimus-expect: blocking-call-in-async
    with urllib.request.urlopen(API) as page:  # optimus-expect: blocking-call-in-async
        return page.read() + plain.content


@app.post("/convert")
async def convert(name: str) -> str:
    subprocess.run(["convert", name], check=True)  # optimus-expect: blocking-call-in-async
    os.system("sync")  # optimus-expect: blocking-call-in-async
    listing = subprocess.check_output(["ls"])  # optimus-expect: blocking-call-in-async
    return listing.decode()


@app.get("/files/{name}")
async def read_file(name: str) -> str:
    with open(BASE / name) as fh:  # optimus-expect: blocking-call-in-async
        head = fh.read()
    template = Path("templates/page.html").read_text()  # optimus-expect: blocking-call-in-async
    (BASE / "last.txt").write_text(name)  # optimus-expect: blocking-call-in-async
    data_dir = BASE / "data"
    blob = (data_dir / name).read_bytes()  # optimus-expect: blocking-call-in-async
    return head + template + blob.decode()


@app.get("/sync-endpoint")
def sync_endpoint() -> dict:
    # Plain def: FastAPI runs it in its thread pool, so blocking here is fine.
    time.sleep(0.5)
    with open(BASE / "x.txt") as fh:
        text = fh.read()
    return requests.get(API, timeout=5).json() | {"text": text}


@app.get("/nested")
async def nested() -> list:
    def work() -> str:
        time.sleep(1)  # a nested plain def is its own scope: not this async def's body
        return requests.get(API, timeout=5).text

    class Loader:
        def load(self) -> str:
            return Path("x").read_text()

    return [work, Loader]


async def confirm() -> str:
    return input("continue? ")  # optimus-expect: blocking-call-in-async
