import httpx


def test_many():
    for _ in range(3):
        httpx.get("http://localhost:8000/users/1")  # test code is exempt
