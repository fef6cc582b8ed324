#!/usr/bin/env python3
"""The latest hand verdict of every current finding that some precision review judged.

Usage: python3 scripts/precision/census.py REAL.json CARGO.json SITE.json [--doc DOC]

A finding is matched to the rows of docs/precision-review.md's "The 40 findings" tables as
sample.py matches them (rule, line, path suffix), and the row's corpus/repository column must
also name the finding's top folder, so that a bare `Cargo.toml` row of one repository does not
claim another repository's file. The most specific row (longest path), then the latest review,
gives the verdict. Prints one Markdown row per rule: findings now, judged, C / W / D, not yet
judged. A verdict was given on the rule as it was at that review; the location is the same.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample  # the sampler beside this script


def _rows(doc: str) -> list[dict]:
    rows = sample.reviewed_rows(doc, None)
    lines = Path(doc).read_text(encoding="utf-8").splitlines()
    for row in rows:
        cells = [c.strip() for c in lines[row["doc_line"] - 1].strip().strip("|").split("|")]
        row["verdict"] = cells[4].strip("* ")
        where = cells[1].split("/", 1)
        names = where[1] if len(where) > 1 else ""
        row["hints"] = [t.lower() for t in re.split(r"[\s/]+", names) if len(t) >= 4]
    return rows


def _same_repository(row: dict, finding: dict) -> bool:
    top = finding["path"].split("/")[0].lower()
    if not row["hints"] or finding["corpus"] == "site":
        return True
    return any(h in top or top in h for h in row["hints"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real")
    parser.add_argument("cargo")
    parser.add_argument("site")
    parser.add_argument("--doc", default=sample.DEFAULT_DOC)
    args = parser.parse_args()
    rows = _rows(args.doc)
    findings: list[dict] = []
    for corpus, path in zip(sample.CORPORA, (args.real, args.cargo, args.site), strict=True):
        findings += sample.load_findings(corpus, path)
    per: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        found = [r for r in rows if sample.matches(r, finding) and _same_repository(r, finding)]
        if not found:
            per[finding["rule"]]["unjudged"] += 1
            continue
        best = max(found, key=lambda r: (len(r["path"]), r["table"], r["doc_line"]))
        per[finding["rule"]][best["verdict"]] += 1
    total: Counter = Counter()
    print("| rule | findings now | judged in some review | C | W | D | not yet judged |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for rule in sorted(per):
        c = per[rule]
        n = sum(c.values())
        total.update(c)
        print(
            f"| {rule} | {n} | {n - c['unjudged']} | {c['C']} | {c['W']} | {c['D']} "
            f"| {c['unjudged']} |"
        )
    n = sum(total.values())
    print(
        f"| **all** | {n} | {n - total['unjudged']} | {total['C']} | {total['W']} "
        f"| {total['D']} | {total['unjudged']} |"
    )


if __name__ == "__main__":
    main()
