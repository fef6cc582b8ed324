"""The analysis as JSON: the same content as the Markdown and HTML reports, as data.

The format is documented in docs/reports.md; ``report_version`` says which version of it
a file follows.
"""

from __future__ import annotations

import json

from optimus.report.analysis.model import PortfolioReport


def render(report: PortfolioReport) -> str:
    """The report as indented JSON (keys in a stable order, so equal scans give equal text)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
