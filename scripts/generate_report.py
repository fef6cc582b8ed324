"""Generate the example reports of examples/portfolio in docs/examples/ (Markdown and HTML).

python scripts/generate_report.py          write the reports
python scripts/generate_report.py --check  exit 1 when a report is missing or stale (CI, tests)

The scan runs from the repository root on ``examples/portfolio`` without the cache and
without user data sources (an OSV export, network access), so the text only changes when
the rules, the portfolio or the report itself change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import _generated as generated

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
    return generated.main(
        (__doc__ or "").splitlines()[0], reports, "example reports", "generate_report.py"
    )


if __name__ == "__main__":
    sys.exit(main())
