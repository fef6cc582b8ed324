"""Item-to-item co-occurrence ranking, loaded from a nightly JSON export."""

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

CoOccurrence = Mapping[str, Mapping[str, int]]


def load_model(path: Path) -> dict[str, dict[str, int]]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    return {item: {other: int(n) for other, n in row.items()} for item, row in raw.items()}


def rank(model: CoOccurrence, history: Iterable[str], limit: int = 10) -> list[str]:
    """Items most often bought with the ones in ``history``, excluding those already owned."""
    owned = set(history)
    scores: Counter[str] = Counter()
    for item in owned:
        for other, count in model.get(item, {}).items():
            if other not in owned:
                scores[other] += count
    return [item for item, _ in scores.most_common(limit)]


def similar(model: CoOccurrence, item: str, limit: int = 10) -> list[str]:
    return rank(model, [item], limit)
