"""Small phrase builders, so every report states counts, durations and scores the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimus.model import Finding
from optimus.report.score import ProjectScore, ScoreSettings, ratio_rating


def count_phrase(n: int, noun: str) -> str:
    """ "1 file", "3,442 lines" (regular plurals only)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def duration(minutes: float) -> str:
    """A hand effort for a reader: "45 minutes", "1 hour", "5.4 hours"."""
    if minutes < 60:
        return count_phrase(round(minutes), "minute")
    hours = round(minutes / 60, 1)
    if hours == int(hours):
        return count_phrase(int(hours), "hour")
    return f"{hours:,} hours"


def sentence(text: str) -> str:
    """Text ending with a full stop (unless it already ends with punctuation)."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?:" else text + "."


def joined(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def severity_phrase(by_severity: Mapping[str, int]) -> str:
    """ "6 high, 9 medium and 9 low" (severities with no finding left out)."""
    return joined([f"{n} {sev}" for sev, n in by_severity.items() if n])


def percent(ratio: float) -> str:
    """A debt ratio as a percentage with one decimal ("<0.1%" for tiny non-zero ones)."""
    if 0 < ratio < 0.0005:
        return "<0.1%"
    return f"{ratio * 100:.1f}%"


def score_reason(score: ProjectScore, findings: Sequence[Finding], settings: ScoreSettings) -> str:
    """Why the project has its rating, in one or two sentences."""
    if not findings:
        return "There is nothing to remediate."
    if score.weighted_debt_minutes == 0 and score.rating == "A":
        return "Its only findings are informational, which the score does not weigh."
    by_ratio = ratio_rating(score.debt_ratio, settings)
    cost = (
        f"weighted by severity, it is {percent(score.debt_ratio)} of the estimated cost of "
        f"writing the code ({score.lines:,} lines at {settings.minutes_per_line:g} minutes a "
        "line)"
    )
    if by_ratio == score.rating:
        limit = dict(zip("ABCD", settings.grid, strict=True)).get(score.rating)
        grid = f"up to {percent(limit)} rates {score.rating}" if limit else "above D's limit"
        return f"The remediation effort rates {score.rating}: {cost}; {grid}."
    capped = settings.capped_categories
    causes = sorted(
        {
            (f.severity.value, f.category.value, f.rule)
            for f in findings
            if f.category.value in capped
            and settings.severity_caps.get(f.severity.value) == score.rating
        }
    )
    kinds = joined(sorted({f"{sev}-severity {cat}" for sev, cat, _ in causes}))
    rules = ", ".join(sorted({rule for *_, rule in causes}))
    return (
        f"The remediation effort alone would rate {by_ratio}: {cost}. But a {kinds} finding "
        f"caps the rating at {score.rating}, as in SonarQube's reliability and security "
        f"ratings ({rules})."
    )
