"""Generate the example reports of examples/portfolio in docs/examples/ (Markdown and HTML).

python scripts/generate_report.py          write the reports
python scripts/generate_report.py --check  exit 1 when a report is missing or stale (CI, tests)

The scan runs from the repository root on ``examples/portfolio`` without the cache and
without user data sources (an OSV export, network access), so the text only changes when
the rules, the portfolio or the report itself change.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from optimus.analyze.engine import ScanOptions, scan
from optimus.report.analysis import build_portfolio
from optimus.report.analysis.markdown import render as render_markdown
from optimus.report.html import render as render_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def reports() -> dict[Path, str]:
    """Every generated report and its content."""
    for name in ("OPTIMUS_OSV_DIR", "OPTIMUS_NETWORK"):
        os.environ.pop(name, None)
    os.chdir(ROOT)
    result = scan(["examples/portfolio"], ScanOptions(use_cache=False))
    report = build_portfolio(result)
    return {
        EXAMPLES / "portfolio-report.md": render_markdown(report),
        EXAMPLES / "portfolio-report.html": render_html(report),
    }


def main() -> int:
    """Write or check the reports."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    stale = []
    for path, content in reports().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != content:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(p.name for p in stale)
        print(
            f"stale example reports: {names}; run python scripts/generate_report.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
