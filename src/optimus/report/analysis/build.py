"""From a scan to the analysis: score, issues, plan, KPIs and the summary a reader starts with.

The report never scans by itself: it reads a :class:`~optimus.model.ScanResult` that
``optimus.analyze.engine.scan`` produced, so its counts are the scan's counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from optimus import __version__
from optimus.errors import UsageError
from optimus.model import Category, Finding, Project, ScanResult
from optimus.report.analysis.issues import group_issues
from optimus.report.analysis.kpis import kpis_for
from optimus.report.analysis.model import (
    SEVERITY_ORDER,
    Issue,
    PortfolioReport,
    ProjectReport,
    matrix_key,
)
from optimus.report.analysis.plan import build_phases, gain_of_plan
from optimus.report.analysis.text import (
    count_phrase,
    duration,
    joined,
    score_reason,
    severity_phrase,
)
from optimus.report.score import (
    ScoreSettings,
    project_lines,
    rule_efforts,
    score_project,
)

SEVERITIES = tuple(SEVERITY_ORDER)
CATEGORIES = tuple(c.value for c in Category)


def _target(root: str, project: Project) -> str:
    if project.path in ("", "."):
        return root
    return f"{root.rstrip('/')}/{project.path}"


def _stack_line(project: Project) -> str:
    stack = project.stack
    languages = sorted(stack.languages, key=lambda n: (-stack.languages[n].lines, n))
    parts = languages[:3] + stack.frameworks[:5] + stack.infrastructure[:4]
    return ", ".join(parts) if parts else "no detected stack"


def build_project(
    project: Project,
    findings: Sequence[Finding],
    root: str,
    efforts: Mapping[str, int],
    settings: ScoreSettings | None = None,
) -> ProjectReport:
    """The report of one project from its findings."""
    lines = project_lines(project)
    files = sum(s.files for s in project.stack.languages.values())
    score = score_project(findings, lines, efforts, settings)
    issues = group_issues(findings, project.path, efforts)
    kpis = kpis_for(project, issues)
    target = _target(root, project)
    phases = build_phases(issues, project, kpis, target)
    gain = gain_of_plan(findings, phases, lines, efforts, settings, score.score)
    sev = Counter(f.severity.value for f in findings)
    cat = Counter(f.category.value for f in findings)
    reason = score_reason(score, findings, settings or ScoreSettings())
    report = ProjectReport(
        name=project.name,
        path=project.path,
        stack=_stack_line(project),
        languages={
            n: s.lines
            for n, s in sorted(project.stack.languages.items(), key=lambda t: (-t[1].lines, t[0]))
        },
        frameworks=list(project.stack.frameworks),
        infrastructure=list(project.stack.infrastructure),
        files=files,
        lines=lines,
        score=score,
        score_reason=reason,
        summary=[],
        issues=issues,
        by_severity={s: sev.get(s, 0) for s in SEVERITIES},
        by_category={c: cat.get(c, 0) for c in CATEGORIES},
        phases=phases,
        kpis=kpis,
        gain=gain,
    )
    report.summary = project_summary(report, settings or ScoreSettings())
    return report


def project_summary(r: ProjectReport, settings: ScoreSettings) -> list[str]:
    """The executive summary of a project: a few sentences with real counts."""
    langs = list(r.languages)
    extra = r.frameworks + r.infrastructure
    kind = f"{joined(langs)} project" if langs else "project"
    kind += f" ({', '.join(extra)})" if extra else ""
    if r.lines:
        size = f"{count_phrase(r.lines, 'line')} of code in {count_phrase(r.files, 'file')}"
        if len(langs) > 1:
            size += " (" + ", ".join(f"{n} {v:,}" for n, v in r.languages.items()) + ")"
        first = f"{r.name} is a {kind}: {size}."
    else:
        first = f"{r.name} is a {kind} with no source lines Optimus counts, only configuration."
    out = [first, f"Health {r.score.score}/100, rating {r.score.rating}. {r.score_reason}"]
    if not r.issues:
        out.append(
            "Optimus reports no findings: none of the rules that apply to this stack "
            "found anything to change."
        )
        return out
    if r.fixable:
        fix = f"{r.fixable} of them {'has' if r.fixable == 1 else 'have'} an automatic fix"
    else:
        fix = "none has an automatic fix yet, so each is a change by hand"
    out.append(
        f"Optimus reports {count_phrase(r.findings, 'finding')} from "
        f"{count_phrase(len(r.issues), 'rule')} ({severity_phrase(r.by_severity)}), about "
        f"{duration(r.score.debt_minutes)} of work by hand; {fix}."
    )
    for i in r.issues:
        if i.instances is not None and i.instance_unit:
            files = joined(i.files[:5]) + (
                f" and {len(i.files) - 5} more" if len(i.files) > 5 else ""
            )
            out.append(
                f"Counted across the code: {i.instances} {i.instance_unit} in "
                f"{count_phrase(len(i.files), 'file')} ({files})."
            )
    top = sorted(r.issues, key=matrix_key)[:3]
    out.append("Most pressing: " + "; ".join(f"{i.headline} ({i.severity})" for i in top) + ".")
    early = [i for p in r.phases[:2] for i in p.issues]
    if r.gain.points > 0:
        out.append(
            f"Phases 1 and 2 of the plan (about {duration(r.gain.effort_minutes)}) would "
            f"raise the score from {r.score.score} to {r.gain.score_after} "
            f"({r.score.rating} to {r.gain.rating_after})."
        )
    elif early:
        holding = sorted(
            i.rule
            for i in r.phases[2].issues
            if i.category in settings.capped_categories
            and settings.severity_caps.get(i.severity) == r.gain.rating_after
        )
        why = (
            f"the {r.gain.rating_after} rating is held by findings of phase 3 "
            f"({', '.join(holding)})"
            if holding
            else "their debt is small against the size of the code"
        )
        out.append(
            f"Phases 1 and 2 (about {duration(r.gain.effort_minutes)}) remove "
            f"{count_phrase(sum(i.findings for i in early), 'finding')} but leave the score at "
            f"{r.score.score}: {why}."
        )
    return out


def build_portfolio(
    result: ScanResult,
    project: str | None = None,
    settings: ScoreSettings | None = None,
) -> PortfolioReport:
    """The portfolio report (every project, or the one named by ``project``).

    A ``project`` that names no project of the scan (by name or path) is a UsageError.
    """
    efforts = rule_efforts()
    groups: dict[str, list[Finding]] = {p.path: [] for p in result.projects}
    for f in result.findings:
        groups.setdefault(f.project, []).append(f)
    chosen = [p for p in result.projects if project is None or project in (p.name, p.path)]
    if project is not None and not chosen:
        found = ", ".join(sorted(p.name for p in result.projects)) or "none"
        raise UsageError(f"--project: no project named {project!r} was found (found: {found})")
    reports = [build_project(p, groups[p.path], result.root, efforts, settings) for p in chosen]
    findings = [f for p in chosen for f in groups[p.path]]
    sev = Counter(f.severity.value for f in findings)
    cat = Counter(f.category.value for f in findings)
    per_rule: dict[str, list[str]] = {}
    for rep in reports:
        for issue in rep.issues:
            per_rule.setdefault(issue.rule, []).append(rep.path)
    counts = Counter(f.rule for f in findings)
    common = sorted(
        ((rule, counts[rule], len(paths)) for rule, paths in per_rule.items()),
        key=lambda t: (-t[2], -t[1], t[0]),
    )
    portfolio = PortfolioReport(
        root=result.root,
        tool_version=__version__,
        projects=reports,
        summary=[],
        by_severity={s: sev.get(s, 0) for s in SEVERITIES},
        by_category={c: cat.get(c, 0) for c in CATEGORIES},
        common_rules=common,
        diagnostics=[(d.path, d.message) for d in result.diagnostics],
        settings=_settings_dict(settings or ScoreSettings()),
    )
    portfolio.summary = portfolio_summary(portfolio)
    return portfolio


def _settings_dict(settings: ScoreSettings) -> dict[str, object]:
    data = asdict(settings)
    data["grid"] = list(settings.grid)
    data["capped_categories"] = list(settings.capped_categories)
    return data


def portfolio_summary(r: PortfolioReport) -> list[str]:
    """The executive summary over every project."""
    if not r.projects:
        return [f"Optimus found no project under {r.root}: there is nothing to report on."]
    lines = sum(p.lines for p in r.projects)
    files = sum(p.files for p in r.projects)
    out = [
        f"Optimus scanned {count_phrase(len(r.projects), 'project')} under {r.root}: "
        f"{count_phrase(lines, 'line')} of code in {count_phrase(files, 'file')}."
    ]
    if r.findings:
        fixable = sum(p.fixable for p in r.projects)
        fix = f"{fixable} with an automatic fix" if fixable else "none with an automatic fix yet"
        out.append(
            f"They hold {count_phrase(r.findings, 'finding')} ({severity_phrase(r.by_severity)})"
            f", about {duration(r.debt_minutes)} of work by hand, {fix}."
        )
    else:
        out.append("No project has a finding.")
    if len(r.projects) > 1:
        worst, best = r.by_health[0], r.by_health[-1]
        out.append(
            f"Most in need: {worst.name} ({worst.score.score}/100, {worst.score.rating}); "
            f"healthiest: {best.name} ({best.score.score}/100, {best.score.rating})."
        )
    top = r.by_gain[0]
    if top.gain.points > 0:
        out.append(
            f"Biggest gain on offer: {top.name}, where phases 1 and 2 (about "
            f"{duration(top.gain.effort_minutes)}) raise the score from {top.score.score} to "
            f"{top.gain.score_after}."
        )
    shared = [c for c in r.common_rules if c[2] > 1]
    if shared:
        rule, n, k = shared[0]
        out.append(
            f"The most widespread problem is {rule}: {count_phrase(n, 'finding')} in {k} projects."
        )
    if r.diagnostics:
        out.append(
            f"{count_phrase(len(r.diagnostics), 'file')} could not be analysed (listed at the "
            "end); their findings, if any, are missing from this report."
        )
    return out


def issues_by_category(issues: Sequence[Issue]) -> dict[str, list[Issue]]:
    """Issues per category, in the fixed category order, empty categories left out."""
    out: dict[str, list[Issue]] = {}
    for category in CATEGORIES:
        mine = [i for i in issues if i.category == category]
        if mine:
            out[category] = mine
    return out
