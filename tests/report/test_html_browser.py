"""The HTML report in a real headless Chromium: it renders, and shows the score and charts.

Skipped when no Chromium is installed, except under CI=true (.ci/run installs Debian's
chromium package), where a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.report.analysis import build_portfolio
from optimus.report.html import render

ROOT = Path(__file__).resolve().parents[2]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run(
        [browser, *flags, *args], capture_output=True, text=True, timeout=180, check=False
    )


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6), (depth, color)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = scan(["examples/portfolio"], ScanOptions(use_cache=False))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(build_portfolio(result)), encoding="utf-8")
    return path


def test_screenshot_is_not_blank(report_file: Path, tmp_path: Path) -> None:
    browser = _chromium()
    shot = tmp_path / "shot.png"
    done = _run(browser, f"--screenshot={shot}", "--window-size=1200,1600", report_file.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    bpp = len(rows[0]) // width
    colours = {row[x : x + 3] for row in rows[::8] for x in range(0, len(row), bpp * 4)}
    # Text, the rating badges, the gauges and the coloured chart bars: many colours.
    assert len(colours) > 20, len(colours)
    assert len(rows[0]) == width * bpp


def test_dom_shows_score_and_charts(report_file: Path) -> None:
    browser = _chromium()
    done = _run(browser, "--dump-dom", report_file.as_uri())
    dom = done.stdout
    assert "<svg" in dom, done.stderr[-2000:]
    assert 'id="chart-portfolio-category"' in dom
    assert 'id="chart-portfolio-severity"' in dom
    assert dom.count('class="score-gauge"') == 5
    assert "Health score 100 out of 100, rating A" in dom
    assert "Optimization report: examples/portfolio" in dom
