"""ci-no-dependency-cache: turn on the setup action's own dependency cache.

The reported step is the ``uses: actions/setup-*`` line; the fix adds ``cache: <manager>``
under its ``with:`` (creating ``with:`` right after ``uses:`` when there is none), through
ruamel.yaml's round trip so the workflow keeps its comments, quotes and indentation. The
manager is the one the rule found installing (``pip``, ``pipenv``, ``npm``, ``yarn``,
``maven``, ``gradle``; ``true`` for setup-go before v4). Refused for installers whose cache
needs more than one input (poetry and pnpm must be installed before the setup step, uv and
PDM use their own actions), for v1 actions (no ``cache`` input) and for workflows that
ruamel.yaml would reformat.
"""

from __future__ import annotations

import re
from typing import Any

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _yaml
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding

_ADVICE = re.compile(r"Add `with: cache: (\w+)` on the setup step(?: \(|$)")
_SIMPLE = frozenset({"pip", "pipenv", "npm", "yarn", "maven", "gradle", "true"})


def _cache_value(finding: Finding) -> str | None:
    if "v1 has no `cache` input" in finding.message:
        return None
    match = _ADVICE.search(finding.message)
    if match is None or match.group(1) not in _SIMPLE:
        return None
    return match.group(1)


def _step_at(documents: list[Any], line: int) -> Any:
    """The workflow step whose ``uses:`` key is on ``line``."""
    for doc in documents:
        jobs = doc.get("jobs") if isinstance(doc, dict) else None
        if not isinstance(jobs, dict):
            continue
        for job in jobs.values():
            steps = job.get("steps") if isinstance(job, dict) else None
            for step in steps if isinstance(steps, list) else []:
                if _yaml.key_line(step, "uses") == line:
                    return step
    return None


@fixer("ci-no-dependency-cache", Applicability.SAFE)
def fix_ci_cache(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Add ``cache:`` to the setup step's ``with:``."""
    value = _cache_value(finding)
    text = ctx.read_text(finding.path)
    if value is None or text is None or finding.line is None:
        return None
    loaded = _yaml.load(text)
    if loaded is None:
        return None
    step = _step_at(loaded.documents, finding.line)
    if step is None:
        return None
    with_ = step.get("with")
    if with_ is None:
        with_ = _yaml.CommentedMap()
        _yaml.add_key(step, "with", with_, list(step).index("uses") + 1)
    elif not isinstance(with_, dict):
        return None
    if "cache" in with_:
        return None
    _yaml.add_key(with_, "cache", True if value == "true" else value)
    return single_change(
        finding,
        Applicability.SAFE,
        f"cache the dependencies with the setup action's own cache (`cache: {value}`)",
        text,
        loaded.dump(),
    )
