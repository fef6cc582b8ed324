"""The analysis as one self-contained HTML file: inline CSS, inline SVG charts, no network.

Jinja2 renders report/templates/report.html.j2 with autoescaping on; chart geometry is
computed here so the templates only place shapes. The page prints cleanly (print styles
in the same file), and every chart has a text equivalent (a title and the tables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from optimus.report.analysis.build import issues_by_category
from optimus.report.analysis.model import PortfolioReport, ProjectReport
from optimus.report.analysis.text import duration, sentence

RATING_COLORS = {"A": "#1a7f37", "B": "#4d9221", "C": "#9a6700", "D": "#c4520a", "E": "#cf222e"}
SEVERITY_COLORS = {
    "critical": "#82071e",
    "high": "#cf222e",
    "medium": "#c4520a",
    "low": "#9a6700",
    "info": "#57606a",
}
CATEGORY_COLORS = {
    "performance": "#0969da",
    "cost": "#8250df",
    "reliability": "#bf3989",
    "security": "#cf222e",
    "maintainability": "#1a7f37",
    "dependencies": "#9a6700",
}
GAUGE_RADIUS = 40


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in SVG user units."""

    label: str
    value: int
    y: int
    width: float
    color: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: title, bars and the SVG viewport size."""

    title: str
    bars: tuple[Bar, ...]
    height: int
    label_width: int = 130
    max_width: int = 300
    width: int = 480
    row: int = 26


def bar_chart(title: str, counts: dict[str, int], colors: dict[str, str]) -> BarChart:
    """Bars for every key of ``counts`` (zeros included, so charts compare across projects)."""
    top = max(counts.values(), default=0) or 1
    chart = BarChart(title, (), 0)
    bars = tuple(
        Bar(label, value, i * chart.row, chart.max_width * value / top, colors[label])
        for i, (label, value) in enumerate(counts.items())
    )
    return BarChart(title, bars, len(bars) * chart.row + 4)


def gauge(score: int, rating: str) -> dict[str, Any]:
    """The dash lengths of a ring whose filled part is the score out of 100."""
    circumference = 2 * math.pi * GAUGE_RADIUS
    filled = circumference * max(0, min(score, 100)) / 100
    return {
        "radius": GAUGE_RADIUS,
        "filled": round(filled, 2),
        "rest": round(circumference - filled, 2),
        "color": RATING_COLORS[rating],
        "score": score,
        "rating": rating,
    }


def codespans(text: str) -> Markup:
    """Text whose `backtick` spans become <code>, everything escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: show it literally
        return Markup(escape(text))
    html = "".join(
        f"<code>{escape(p)}</code>" if i % 2 else str(escape(p)) for i, p in enumerate(parts)
    )
    return Markup(html)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("optimus.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["codespans"] = codespans
    env.filters["duration"] = duration
    env.filters["sentence"] = sentence
    env.filters["anchor"] = anchor
    return env


def anchor(p: ProjectReport) -> str:
    """The id of a project's section."""
    return "project-" + "".join(c if c.isalnum() else "-" for c in p.path.lower())


def _project_view(p: ProjectReport) -> dict[str, Any]:
    return {
        "report": p,
        "anchor": anchor(p),
        "gauge": gauge(p.score.score, p.score.rating),
        "by_category": bar_chart("Findings by category", p.by_category, CATEGORY_COLORS),
        "by_severity": bar_chart("Findings by severity", p.by_severity, SEVERITY_COLORS),
        "opportunities": issues_by_category(p.issues),
        "critical": [i for i in p.issues if i.severity in ("critical", "high")],
    }


def render(report: PortfolioReport) -> str:
    """The whole report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    single = len(report.projects) == 1
    return template.render(
        report=report,
        single=single,
        title=report.projects[0].name if single else report.root,
        projects=[_project_view(p) for p in report.projects],
        by_category=bar_chart("Findings by category", report.by_category, CATEGORY_COLORS),
        by_severity=bar_chart("Findings by severity", report.by_severity, SEVERITY_COLORS),
        rating_colors=RATING_COLORS,
        levels=("high", "medium", "low"),
    )
