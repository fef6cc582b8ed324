#!/usr/bin/env python3
"""Draw the 40 findings of an Optimus precision review (method of docs/precision-review.md).

Inputs: the three JSON scans
(`optimus scan <corpus> --no-cache --format json -o <file> --exit-zero`) of /tmp/real,
/usr/share/cargo/registry and /tmp/realcode/lib/python3.11/site-packages, and the review
document whose "The 40 findings" tables list the findings already reviewed.

Method (first to ninth reviews):
1. pool the findings of the three corpora, sorted by (corpus, path, line, rule, fingerprint);
2. remove the findings that match a row of the earlier reviews' tables: same rule (the table's
   "(deptry)", "(hadolint DL3015)", "(preview)" notes dropped), same line (a row without ":line"
   matches a finding without a line), and the finding's path ends with the row's path at a folder
   boundary (`...` in a row's path stands for any run of folders; "same file" is the previous row's
   path);
3. group by rule; one random.Random(seed) draws, per rule in name order, sample(pool, min(3, n));
4. every rule gets its first pick, then second picks go to the largest pools, then third picks to
   the next largest (ties by rule name), until 40.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

CORPORA = ("real", "cargo", "site")
DEFAULT_DOC = str(Path(__file__).resolve().parents[2] / "docs" / "precision-review.md")
ROW = re.compile(r"^\|\s*\d+\s*\|")
TABLE_HEADING = re.compile(r"^#+\s+The 40 findings")


def load_findings(corpus: str, path: str) -> list[dict]:
    """The findings of one scan, each tagged with its corpus label."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    findings = data["findings"]
    for f in findings:
        f["corpus"] = corpus
    return findings


def sort_key(f: dict) -> tuple:
    """(corpus, path, line, rule, fingerprint); a missing line sorts first."""
    line = f["line"] if f["line"] is not None else -1
    return (f["corpus"], f["path"], line, f["rule"], f["fingerprint"])


def reviewed_rows(doc: str, tables: int | None) -> list[dict]:
    """The rows of the document's "The 40 findings" tables (the first `tables` of them, or all)."""
    rows: list[dict] = []
    table_no = 0
    inside = False
    previous_path = None
    for number, text in enumerate(Path(doc).read_text(encoding="utf-8").splitlines(), 1):
        if TABLE_HEADING.match(text):
            table_no += 1
            inside = tables is None or table_no <= tables
            previous_path = None
            continue
        if text.startswith("#"):
            inside = False
            continue
        if not inside or not ROW.match(text):
            continue
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        if len(cells) != 6:
            sys.exit(f"{doc}:{number}: a table row without 6 cells: {text}")
        where, rule = cells[2], re.sub(r"\s*\(.*\)\s*$", "", cells[3])
        m = re.fullmatch(r"(.*?)(?::(\d+))?", where)
        path, line = m.group(1), (int(m.group(2)) if m.group(2) else None)
        if path == "same file":
            if previous_path is None:
                sys.exit(f"{doc}:{number}: 'same file' with no row above it")
            path = previous_path
        previous_path = path
        pattern = ".*".join(re.escape(part) for part in path.split("..."))
        rows.append(
            {
                "table": table_no,
                "doc_line": number,
                "rule": rule,
                "line": line,
                "path": path,
                "regex": re.compile(r"(?:^|/)" + pattern + r"$"),
            }
        )
    return rows


def matches(row: dict, f: dict) -> bool:
    """Whether a finding is the one a table row reviewed."""
    return (
        row["rule"] == f["rule"]
        and row["line"] == f["line"]
        and bool(row["regex"].search(f["path"]))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True, help="seed of random.Random")
    parser.add_argument("--real", required=True, help="JSON scan of /tmp/real")
    parser.add_argument("--cargo", required=True, help="JSON scan of /usr/share/cargo/registry")
    parser.add_argument(
        "--site", required=True, help="JSON scan of /tmp/realcode/.../site-packages"
    )
    parser.add_argument(
        "--doc", default=DEFAULT_DOC, help=f"review document (default {DEFAULT_DOC})"
    )
    parser.add_argument(
        "--tables",
        type=int,
        default=None,
        help="use only the first N 'The 40 findings' tables (default: all of them)",
    )
    parser.add_argument("--size", type=int, default=40, help="picks in all (default 40)")
    parser.add_argument("--per-rule", type=int, default=3, help="picks drawn per rule (default 3)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the removed findings")
    args = parser.parse_args()

    pooled: list[dict] = []
    for corpus, path in zip(CORPORA, (args.real, args.cargo, args.site), strict=True):
        pooled += load_findings(corpus, path)
    pooled.sort(key=sort_key)

    rows = reviewed_rows(args.doc, args.tables)
    tables = len({r["table"] for r in rows})
    kept: list[dict] = []
    removed: list[tuple[dict, dict]] = []
    for f in pooled:
        row = next((r for r in rows if matches(r, f)), None)
        if row is None:
            kept.append(f)
        else:
            removed.append((f, row))
    unmatched = [r for r in rows if not any(r is row for _, row in removed)]

    pools: dict[str, list[dict]] = defaultdict(list)
    for f in kept:
        pools[f["rule"]].append(f)

    rng = random.Random(args.seed)
    drawn = {
        rule: rng.sample(pools[rule], min(args.per_rule, len(pools[rule])))
        for rule in sorted(pools)
    }
    by_size = sorted(pools, key=lambda rule: (-len(pools[rule]), rule))
    chosen: list[dict] = []
    per_round: list[int] = []
    for round_no in range(args.per_rule):
        before = len(chosen)
        for rule in by_size:
            if len(chosen) >= args.size:
                break
            if len(drawn[rule]) > round_no:
                chosen.append(drawn[rule][round_no])
        per_round.append(len(chosen) - before)

    counts = {c: sum(1 for f in pooled if f["corpus"] == c) for c in CORPORA}
    print(
        f"pooled {len(pooled)} findings ("
        + ", ".join(f"{c} {n}" for c, n in counts.items())
        + f"); {len(rows)} rows of {tables} tables in {args.doc}; "
        f"removed {len(removed)}, left {len(kept)} in {len(pools)} rules"
    )
    print(
        f"seed {args.seed}; picks per round: "
        + ", ".join(str(n) for n in per_round)
        + f"; total {len(chosen)}"
    )
    if len(chosen) < args.size:
        print(
            f"WARNING: only {len(chosen)} picks: {len(pools)} rules x at most {args.per_rule} each;"
            f" --per-rule {args.per_rule + 1} would allow more"
        )
    print()
    for number, f in enumerate(sorted(chosen, key=lambda f: (f["rule"], sort_key(f))), 1):
        where = f["path"] + (f":{f['line']}" if f["line"] is not None else "")
        engine = "" if f.get("engine", "optimus") == "optimus" else f" [{f['engine']}]"
        message = " ".join(f["message"].split())
        print(f"{number:2d}. {f['corpus']:5s} {where}  {f['rule']}{engine}\n    {message}")
    print()
    print("Pool sizes: " + ", ".join(f"{rule} {len(pools[rule])}" for rule in by_size))
    if args.verbose:
        print()
        print("Removed (finding <- table row):")
        for f, row in removed:
            print(
                f"  {f['corpus']} {f['path']}:{f['line']} {f['rule']} <- doc line {row['doc_line']}"
            )
        print(f"Rows that matched no finding: {len(unmatched)}")
        for r in unmatched:
            print(f"  doc line {r['doc_line']}: {r['path']}:{r['line']} {r['rule']}")


if __name__ == "__main__":
    main()
