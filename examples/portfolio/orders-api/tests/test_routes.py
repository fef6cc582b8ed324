import time

import pytest
from fastapi.testclient import TestClient

from app import routes
from app.main import app


class FakeResponse:
    def __init__(self, status_code: int, payload: dict) -> None:
        self.status_code = status_code
        self._payload = payload

    def json(self) -> dict:
        return self._payload


@pytest.fixture
def client():
    with TestClient(app) as test_client:
        yield test_client


def _create(client: TestClient, total: str = "19.90") -> dict:
    resp = client.post("/orders", json={"customer_email": "ada@example.com", "total": total})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_create_and_get_order(client):
    created = _create(client)
    resp = client.get(f"/orders/{created['id']}")
    assert resp.status_code == 200
    assert resp.json()["status"] == "pending"
    assert resp.json()["currency"] == "EUR"


def test_rejects_bad_email(client):
    resp = client.post("/orders", json={"customer_email": "not-an-email", "total": "5"})
    assert resp.status_code == 422


def test_pay_order_marks_paid(client, monkeypatch):
    calls = []

    def fake_post(url, json, timeout):
        calls.append((url, json))
        return FakeResponse(201, {"id": "ch_1"})

    monkeypatch.setattr(routes.requests, "post", fake_post)
    created = _create(client)
    resp = client.post(f"/orders/{created['id']}/pay")
    assert resp.status_code == 200
    assert resp.json()["status"] == "paid"
    assert calls[0][0].endswith("/charges")


def test_missing_receipt_is_404(client):
    assert client.get("/orders/999999/receipt").status_code == 404


@pytest.mark.asyncio
async def test_render_then_download_receipt(client):
    created = _create(client)
    assert client.post(f"/orders/{created['id']}/receipt").status_code == 201
    time.sleep(0.01)  # the file system clock on CI runners is coarse
    resp = client.get(f"/orders/{created['id']}/receipt")
    assert resp.status_code == 200
    assert resp.content.startswith(b"%PDF")
