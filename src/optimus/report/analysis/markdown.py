"""The analysis as GitHub-flavoured Markdown, fit for a pull request, an issue or a wiki page.

Every section is built from the analysis; one that would be empty is either left out or
replaced by a sentence saying why there is nothing in it.
"""

from __future__ import annotations

from optimus.registry import get_rule
from optimus.report.analysis.build import issues_by_category
from optimus.report.analysis.issues import DOCS_URL
from optimus.report.analysis.model import Issue, Phase, PortfolioReport, ProjectReport
from optimus.report.analysis.text import duration, sentence
from optimus.report.markdown import code, escape, message

LEVELS = ("high", "medium", "low")
MAX_LOCATIONS = 6
DOCS = "https://github.com/optimus-bot/optimus/blob/main/docs/reports.md"


def render(report: PortfolioReport) -> str:
    """The whole report: portfolio sections when there are several projects, then each one."""
    single = len(report.projects) == 1
    title = report.projects[0].name if single else report.root
    out = [f"# Optimization report: {escape(title)}", ""]
    out.append(
        f"_Written by optimus {report.tool_version} from a scan of {code(report.root)}. "
        f"How the score and the plan are computed: [docs/reports.md]({DOCS})._"
    )
    out.append("")
    if not single:
        out += _portfolio(report)
    for project in report.projects:
        out += _project(project)
    if report.diagnostics:
        out += ["## Files not analysed", ""]
        out += [f"- {code(p)}: {escape(m)}" for p, m in report.diagnostics]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _portfolio(r: PortfolioReport) -> list[str]:
    out = ["## Executive summary", "", " ".join(r.summary), ""]
    if not r.projects:
        return out
    out += [
        "## Projects by health",
        "",
        "Lowest score first: the projects that need attention most.",
        "",
        "| Project | Score | Rating | Findings | High or critical | Remediation | Stack |",
        "| --- | ---: | :---: | ---: | ---: | ---: | --- |",
    ]
    for p in r.by_health:
        urgent = p.by_severity["critical"] + p.by_severity["high"]
        out.append(
            f"| [{escape(p.name)}](#{_anchor(p)}) | {p.score.score} | {p.score.rating} | "
            f"{p.findings} | {urgent} | {_debt(p.score.debt_minutes)} | {escape(p.stack)} |"
        )
    out.append("")
    gaining = [p for p in r.by_gain if p.gain.points > 0]
    out += ["## Projects by gain on offer", ""]
    if gaining:
        out += [
            "Score points that phases 1 and 2 of each project's plan would win, "
            "for the hand effort they take.",
            "",
            "| Project | Score now | After phases 1-2 | Gain | Effort |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for p in gaining:
            out.append(
                f"| {escape(p.name)} | {p.score.score} ({p.score.rating}) | "
                f"{p.gain.score_after} ({p.gain.rating_after}) | +{p.gain.points} | "
                f"{duration(p.gain.effort_minutes)} |"
            )
    else:
        out.append(
            "No project's score would rise from phases 1 and 2: they have no critical, "
            "performance or cost finding, or none that weighs on the score."
        )
    out.append("")
    if r.findings:
        out += ["## Findings across the portfolio", ""]
        out += [*_counts_table("Severity", r.by_severity), ""]
        out += [*_counts_table("Category", r.by_category), ""]
        shared = [c for c in r.common_rules if c[2] > 1]
        if shared:
            out += ["Problems found in more than one project:", ""]
            out += ["| Rule | Findings | Projects |", "| --- | ---: | ---: |"]
            out += [f"| {_rule(rule)} | {n} | {k} |" for rule, n, k in shared]
            out.append("")
    return out


def _debt(minutes: int) -> str:
    return duration(minutes) if minutes else "none"


def _counts_table(label: str, counts: dict[str, int]) -> list[str]:
    present = {k: v for k, v in counts.items() if v}
    head = "| " + label + " | " + " | ".join(present) + " |"
    rule = "| --- |" + " ---: |" * len(present)
    row = "| Findings | " + " | ".join(str(v) for v in present.values()) + " |"
    return [head, rule, row]


def _anchor(p: ProjectReport) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens."""
    text = _heading(p).lower()
    return "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")


def _rule(rule: str) -> str:
    """The rule name, linked to its documentation when it is a catalogue rule."""
    if get_rule(rule) is None:
        return code(rule)
    return f"[{code(rule)}]({DOCS_URL.format(rule)})"


def _heading(p: ProjectReport) -> str:
    return f"{p.name} {p.score.score}/100 ({p.score.rating})"


def _project(p: ProjectReport) -> list[str]:
    h = "##"
    out = [f"{h} {escape(_heading(p))}", ""]
    out += [f"{h}# Summary", ""]
    for para in p.summary:
        out += [para, ""]
    out += _score_table(p, h)
    if not p.issues:
        return out + _kpis(p, h) + _phase4_only(p, h)
    out += _critical(p, h)
    out += _opportunities(p, h)
    out += _matrix(p, h)
    out += _plan(p, h)
    out += _kpis(p, h)
    return out


def _score_table(p: ProjectReport, h: str) -> list[str]:
    out = [
        f"{h}# Score by category",
        "",
        "| Category | Score | Rating | Findings | Remediation |",
        "| --- | ---: | :---: | ---: | ---: |",
    ]
    for name, c in p.score.by_category.items():
        debt = _debt(c.debt_minutes)
        out.append(f"| {name} | {c.score} | {c.rating} | {c.findings} | {debt} |")
    return [*out, ""]


def _critical(p: ProjectReport, h: str) -> list[str]:
    urgent = [i for i in p.issues if i.severity in ("critical", "high")]
    out = [f"{h}# Critical issues", ""]
    if not urgent:
        return [*out, "No critical or high-severity finding.", ""]
    out += ["Findings of critical or high severity, each with what Optimus says about it.", ""]
    for i in urgent:
        line = f"- **{escape(i.headline)}** ({i.severity}, {i.category}): "
        line += message(sentence(i.example))
        if i.findings > 1:
            line += f" All locations: {_locations(i)}."
        out.append(line)
    return [*out, ""]


def _locations(i: Issue) -> str:
    shown = [code(loc) for loc in i.locations[:MAX_LOCATIONS]]
    more = len(i.locations) - MAX_LOCATIONS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _opportunities(p: ProjectReport, h: str) -> list[str]:
    out = [f"{h}# Opportunities by category", ""]
    for category, issues in issues_by_category(p.issues).items():
        out += [
            f"{h}## {category.capitalize()}",
            "",
            "| Rule | Severity | Findings | Where | Effort | Auto-fix | Claimed gain |",
            "| --- | --- | ---: | --- | ---: | ---: | --- |",
        ]
        for i in issues:
            n = str(i.findings)
            if i.instances is not None and i.instance_unit:
                n += f" ({i.instances} {escape(i.instance_unit)})"
            out.append(
                f"| {_rule(i.rule)} | {i.severity} | {n} | {_locations(i)} | "
                f"{duration(i.effort_minutes)} | {i.fixable} | {_evidence(i)} |"
            )
        out.append("")
    return out


def _evidence(i: Issue) -> str:
    e = i.evidence
    if not e.measured:
        return "not measured"
    claim = escape(e.claim or "")
    if e.bench:
        return f"{claim} (our benchmark: {code(e.bench)})"
    if e.source_url:
        return f"{claim} ([{escape(e.source_title or 'source')}]({e.source_url}))"
    return claim


def _matrix(p: ProjectReport, h: str) -> list[str]:
    out = [
        f"{h}# Impact and effort",
        "",
        "Impact is the finding's severity (critical and high count as high); effort is the "
        "hand effort of all its findings (low: up to 30 minutes, medium: up to 2 hours). "
        "Start top left.",
        "",
        "| Impact \\ Effort | Low | Medium | High |",
        "| --- | --- | --- | --- |",
    ]
    for impact in LEVELS:
        cells = []
        for effort in ("low", "medium", "high"):
            rules = [i.rule for i in p.matrix if i.impact == impact and i.effort == effort]
            cells.append(", ".join(code(r) for r in rules) if rules else "-")
        out.append(f"| **{impact}** | " + " | ".join(cells) + " |")
    return [*out, ""]


def _plan(p: ProjectReport, h: str) -> list[str]:
    out = [f"{h}# Implementation plan", ""]
    for phase in p.phases:
        out += _phase(phase, h)
    return out


def _phase(phase: Phase, h: str) -> list[str]:
    head = f"{h}## Phase {phase.number}: {phase.title}"
    if phase.issues:
        fix = f", {phase.fixable} auto-fixable" if phase.fixable else ", none auto-fixable"
        head += f" (about {duration(phase.effort_minutes)}{fix})"
    out = [head, "", phase.goal, ""]
    if phase.actions:
        out += [f"- [ ] {a}" for a in phase.actions]
    elif phase.issues:
        for i in phase.issues:
            fixable = f"; {i.fixable} auto-fixable" if i.fixable else ""
            out.append(
                f"- [ ] {_rule(i.rule)} ({i.severity}): {message(i.summary)}. "
                f"{_locations(i)} ({duration(i.effort_minutes)}{fixable})"
            )
    else:
        out.append(f"Nothing in this phase: {phase.empty_reason}")
    return [*out, ""]


def _phase4_only(p: ProjectReport, h: str) -> list[str]:
    last = p.phases[-1]
    out = [f"{h}# Keeping it healthy", ""]
    return out + [f"- [ ] {a}" for a in last.actions] + [""]


def _kpis(p: ProjectReport, h: str) -> list[str]:
    if not p.kpis:
        return [
            f"{h}# KPIs to watch",
            "",
            "None derived: Optimus detected no service, container, database or build "
            "setup in this project to measure.",
            "",
        ]
    intro = (
        "Measure each before phase 1, so every phase is judged on figures."
        if p.issues
        else "Measure each now, so a regression shows against a baseline."
    )
    out = [f"{h}# KPIs to watch", "", intro, ""]
    out += ["| KPI | Why here | How to measure |", "| --- | --- | --- |"]
    out += [f"| {escape(k.name)} | {message(k.why)} | {message(k.how)} |" for k in p.kpis]
    return [*out, ""]
