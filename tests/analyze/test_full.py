"""The full analysis: how code files are split into batches for the process pool."""

from __future__ import annotations

from optimus.analyze.full import _batches


def _todo(sizes: list[int]) -> tuple[list[tuple[str, str, str, str]], dict[str, tuple[int, int]]]:
    todo = [(f"/abs/f{i}.py", f"f{i}.py", f"f{i}.py", "python") for i in range(len(sizes))]
    return todo, {f"f{i}.py": (size, 0) for i, size in enumerate(sizes)}


def test_every_file_once_largest_first() -> None:
    todo, sizes = _todo([10, 5_000_000, 300, 40_000, 7, 40_000] + [100] * 500)
    batches = _batches(todo, sizes, jobs=2)
    flat = [item for batch in batches for item in batch]
    assert sorted(flat) == sorted(todo)
    assert flat[0][1] == "f1.py"  # the 5 MB file opens the first batch
    weights = [sizes[item[1]][0] for item in flat]
    assert weights == sorted(weights, reverse=True)


def test_batches_hold_similar_bytes() -> None:
    todo, sizes = _todo([1000] * 4800)
    batches = _batches(todo, sizes, jobs=2)
    assert len(batches) >= 40  # enough pieces for two workers to even out
    lengths = {len(b) for b in batches[:-1]}
    assert max(lengths) - min(lengths) <= 1


def test_no_work() -> None:
    assert _batches([], {}, jobs=2) == []
