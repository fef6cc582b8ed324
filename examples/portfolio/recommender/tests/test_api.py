import json

import httpx
import pytest
from fastapi.testclient import TestClient

from app import main


@pytest.fixture
def client(tmp_path, monkeypatch):
    model = tmp_path / "co_occurrence.json"
    model.write_text(json.dumps({"mug": {"coffee": 5, "tea": 2}, "coffee": {"grinder": 3}}))
    monkeypatch.setattr(main, "MODEL_PATH", model)

    def events(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users/u1/purchases":
            return httpx.Response(200, json={"purchases": [{"sku": "mug"}]})
        return httpx.Response(404)

    real_client = httpx.AsyncClient

    def fake_client(**kwargs):
        return real_client(transport=httpx.MockTransport(events), **kwargs)

    monkeypatch.setattr(main.httpx, "AsyncClient", fake_client)
    with TestClient(main.app) as test_client:
        yield test_client


def test_recommendations(client):
    resp = client.get("/users/u1/recommendations", params={"limit": 1})
    assert resp.status_code == 200
    assert resp.json() == {"user_id": "u1", "items": ["coffee"]}


def test_unknown_user(client):
    assert client.get("/users/nobody/recommendations").status_code == 404


def test_similar_items(client):
    assert client.get("/items/coffee/similar").json()["items"] == ["grinder"]
