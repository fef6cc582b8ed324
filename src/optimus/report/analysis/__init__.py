"""The optimization analysis: a reviewer's report on each project and on the portfolio.

``build_portfolio(result)`` turns a scan into a :class:`PortfolioReport`; the writers turn
that into Markdown (``markdown.render``), JSON (``json_report.render``) or one HTML file
(``optimus.report.html.render``). docs/reports.md describes what a report holds.
"""

from optimus.report.analysis.build import build_portfolio, build_project
from optimus.report.analysis.model import REPORT_VERSION, PortfolioReport, ProjectReport

__all__ = ["REPORT_VERSION", "PortfolioReport", "ProjectReport", "build_portfolio", "build_project"]
