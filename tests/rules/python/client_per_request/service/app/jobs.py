"""Loops outside handlers: per-iteration connections, and loops where that is intended."""

import time

import requests
from requests import Session

API = "https://api.example"
IDS = range(100)

for i in IDS:
    requests.get(f"{API}/items/{i}", timeout=5)  # optimus-expect: client-per-request


def crawl(urls: list[str], ids: list[int]) -> list[int]:
    codes = [requests.head(f"{API}/{i}", timeout=5).status_code for i in ids]  # optimus-expect: client-per-request
    for u in urls:
        with Session() as s:  # optimus-expect: client-per-request
            codes.append(s.get(u, timeout=5).status_code)
    return codes


def other_hosts(urls: list[str], peers: list[str]) -> None:
    for url in urls:
        requests.get(url, timeout=5)  # whole URLs: possibly a different server each time
    for peer in peers:
        requests.get(f"http://{peer}:8080/health", timeout=5)  # the host comes from the loop
    for name in ["primary", "replica"]:
        requests.get(f"{API}/db/{name}", timeout=5)  # two iterations: nothing to gain


def reused(urls: list[str]) -> list[int]:
    with requests.Session() as session:  # once, outside the loop
        return [session.get(u, timeout=5).status_code for u in urls]


def poll(url: str) -> None:
    while True:
        requests.get(url, timeout=5)  # polling every minute: reuse gains little
        time.sleep(60)


def fetch_with_retries(url: str) -> requests.Response:
    for attempt in range(3):
        try:
            return requests.get(url, timeout=5)  # retry loop
        except requests.ConnectionError:
            continue
    raise RuntimeError(url)


def per_host(hosts: list[str]) -> dict[str, Session]:
    clients = {}
    for host in hosts:
        clients[host] = requests.Session()  # kept in a dict: a pool of sessions
    for host in hosts:
        s = requests.Session()
        s.headers["Host"] = host
        clients[host] = s  # kept through a variable
    return clients


def pool_of_clients(n: int) -> list[Session]:
    return [requests.Session() for _ in range(n)]  # a collection built on purpose
