#!/usr/bin/env python3
"""Time Optimus (cold, warm, one file touched) next to ``ruff check`` on one tree.

Usage:  python3 bench/scan_bench.py [TREE] [-n 3] [--jobs N] [--touch REL/PATH.py]

TREE defaults to bench/.corpus (build it with bench/build_corpus.py). Each round runs, in
this order: ruff once per --ruff-formats entry, Optimus cold (a fresh, empty
OPTIMUS_CACHE_DIR), Optimus warm (same cache, tree unchanged), and Optimus after touching one
file (a comment line appended; the file's bytes and mtime are restored right after). Every
run records wall time, the exit status, and peak memory in three ways (see README.md). The
Markdown report is printed and written to bench/results/scan-<date>.md (plus a .json twin).

Linux only (reads /proc). Stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
PAGE = os.sysconf("SC_PAGE_SIZE")
CODE_EXT = {".py", ".pyi", ".rs", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"}
DEFAULT_TOUCH = "python/django/db/models/query.py"
TOUCH_LINE = b"# touched by bench/scan_bench.py\n"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- measuring one run -----------------------------------------------------------------------


def _children(pid: int) -> list[int] | None:
    """The children of pid from /proc/<pid>/task/*/children; None where the kernel lacks it."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    out: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out += [int(x) for x in fh.read().split()]
        except FileNotFoundError:
            return None  # no CONFIG_PROC_CHILDREN: fall back to reading every process
        except (OSError, ValueError):
            continue
    return out


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _tree(root: int) -> list[int]:
    # Asking each process of the tree for its children costs a few reads; listing every
    # process on the machine (the fallback) costs hundreds, 20 times a second, beside the
    # run being timed.
    kids: dict[int, list[int]] | None = None
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        found = _children(pid) if kids is None else kids.get(pid, [])
        if found is None:
            kids = _children_map()
            found = kids.get(pid, [])
        todo += found
    return out


def _rss_pss(pid: int) -> tuple[int, int]:
    """RSS and PSS of one process in bytes (0, 0 once it is gone)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            rss = int(fh.read().split()[1]) * PAGE
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    """Polls the process tree under a pid; keeps the peak of the summed RSS and PSS."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = self.peak_procs = self.samples = 0

    def run(self) -> None:
        while not self.stop.is_set():
            pids = _tree(self.pid)
            rss = pss = 0
            for pid in pids:
                r, p = _rss_pss(pid)
                rss += r
                pss += p
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(pids))
            self.samples += 1
            self.stop.wait(self.interval)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_counters() -> tuple[float, float]:
    """Seconds of CPU the whole machine spent busy, and in steal, since boot (/proc/stat)."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    # user nice system idle iowait irq softirq steal (guest time is inside user already)
    busy = sum(fields[i] for i in (0, 1, 2, 5, 6, 7) if i < len(fields))
    steal = fields[7] if len(fields) > 7 else 0
    return busy / CLK_TCK, steal / CLK_TCK


def _self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def wait_for_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """Wait until the machine is (nearly) idle: 2 s with < threshold cores busy. Seconds waited."""
    start = time.perf_counter()
    while True:
        busy0, _ = cpu_counters()
        own0 = _self_cpu()
        time.sleep(2)
        busy1, _ = cpu_counters()
        load = (busy1 - busy0 - (_self_cpu() - own0)) / 2
        waited = time.perf_counter() - start
        if load < threshold or waited >= max_wait:
            return round(waited - 2, 1)


def measure(cmd: list[str], env: dict[str, str] | None, interval: float) -> dict:
    """Run cmd (stdout to /dev/null); wall time, exit status, stderr and peak memory."""
    with tempfile.TemporaryFile() as err:
        busy0, steal0 = cpu_counters()
        own0 = _self_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        # wait4: the rusage of this child and of the descendants it waited for; on Linux its
        # ru_maxrss is the largest RSS of any ONE of those processes (not a sum). This is the
        # number `/usr/bin/time -v` prints as "Maximum resident set size".
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
        busy1, steal1 = cpu_counters()
        own = _self_cpu() - own0  # this script's sampler thread
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # CPU the rest of the machine used meanwhile: total busy minus the run's own processes
    # (rusage of the child and its waited-for descendants) minus this script.
    foreign = busy1 - busy0 - (usage.ru_utime + usage.ru_stime) - own
    return {
        "wall_s": round(wall, 3),
        "rc": proc.returncode,
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        "max_single_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mib": round(sampler.peak_rss / 2**20, 1),
        "peak_tree_pss_mib": round(sampler.peak_pss / 2**20, 1),
        "peak_procs": sampler.peak_procs,
        "samples": sampler.samples,
        "other_load_cores": round(max(0.0, foreign) / wall, 2),
        "steal_cores": round((steal1 - steal0) / wall, 2),
        "stderr": stderr.strip(),
    }


# --- facts -----------------------------------------------------------------------------------


def _out(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _interpreter(optimus: str) -> str | None:
    """The Python that runs the optimus script (from its shebang), or None."""
    try:
        with open(optimus, "rb") as fh:
            first = fh.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    return first[2:].strip() or None if first.startswith("#!") else None


def optimus_package(optimus: str) -> tuple[str, str | None]:
    """Optimus's version string and the folder of the package it runs."""
    version = _out([optimus, "--version"])
    folder = None
    py = _interpreter(optimus)
    if py:
        got = _out(
            [
                py,
                "-c",
                "import optimus, os; print(optimus.__version__); "
                "print(os.path.dirname(optimus.__file__))",
            ]
        ).splitlines()
        if len(got) == 2:
            folder = got[1]
            if not version:
                # `optimus --version` exits 2 ("Missing command.") in some builds.
                version = f"optimus {got[0]} (`optimus --version` failed; read from the package)"
    return version or "unknown", folder


def code_digest(folder: str | None) -> str | None:
    """A hash of every .py file of the Optimus package: tells whether it changed mid-run."""
    if not folder:
        return None
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*.py")):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def machine_facts(optimus: str, ruff: str) -> dict:
    version, folder = optimus_package(optimus)
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kib / 2**20:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    commit = _out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _out(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"])
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "optimus": version,
        "optimus_package": folder,
        "optimus_code_digest": code_digest(folder),
        "optimus_path": optimus,
        "ruff": _out([ruff, "--version"]) or "unknown",
        "repo_commit": commit + (" (src/ has uncommitted changes)" if dirty else ""),
    }


def count_lines(path: str) -> int:
    with open(path, "rb") as fh:
        data = fh.read()
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def ruff_files(ruff: str, tree: Path) -> list[str]:
    out = _out([ruff, "check", "--isolated", "--select", "ALL", "--show-files", str(tree)])
    return [p for p in out.splitlines() if p.strip()]


def warm_page_cache(tree: Path) -> tuple[int, int]:
    """Read every code file once (untimed), so no run pays for the first disk read."""
    files = lines = 0
    for folder, _, names in os.walk(tree):
        for name in names:
            if os.path.splitext(name)[1].lower() in CODE_EXT:
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    files += 1
                    lines += count_lines(path)
    return files, lines


# --- the benchmark ---------------------------------------------------------------------------


def pick_touch(tree: Path, given: str | None, python_files: list[str]) -> Path:
    if given:
        path = (tree / given).resolve()
        if not path.is_file():
            sys.exit(f"--touch: no such file: {path}")
        return path
    if (tree / DEFAULT_TOUCH).is_file():
        return tree / DEFAULT_TOUCH
    pys = sorted(p for p in python_files if p.endswith(".py"))
    if not pys:
        sys.exit("no .py file to touch in the tree; pass --touch")
    return Path(pys[len(pys) // 2])


def touched(path: Path):
    """Context manager: append a comment line; restore bytes and mtime afterwards."""

    class _Touch:
        def __enter__(self):
            self.data = path.read_bytes()
            self.st = path.stat()
            extra = TOUCH_LINE if self.data.endswith(b"\n") or not self.data else b"\n" + TOUCH_LINE
            path.write_bytes(self.data + extra)
            return self

        def __exit__(self, *exc):
            path.write_bytes(self.data)
            os.utime(path, ns=(self.st.st_atime_ns, self.st.st_mtime_ns))
            return False

    return _Touch()


def optimus_cmd(
    optimus: str, tree: Path, out: Path, jobs: int | None, extra: list[str]
) -> list[str]:
    cmd = [optimus, "scan", str(tree), "--format", "json", "--output", str(out), "--exit-zero"]
    return cmd + (["--jobs", str(jobs)] if jobs else []) + extra


RUFF_FORMATS = {
    # label suffix, extra args
    "concise": ["--output-format", "concise"],
    "full": [],  # ruff's default output format: every diagnostic with its source context
    "json": ["--output-format", "json"],
}


def ruff_cmd(ruff: str, tree: Path, fmt: str) -> list[str]:
    # --isolated: ignore every pyproject.toml/ruff.toml (the repo's own, and those shipped
    # inside packages, e.g. pandas/pyproject.toml, which says `fix = true`); --no-fix: never
    # edit the corpus.
    return [
        ruff,
        "check",
        "--isolated",
        "--no-fix",
        "--select",
        "ALL",
        "--no-cache",
        "--exit-zero",
        "--quiet",
        *RUFF_FORMATS[fmt],
        str(tree),
    ]


def read_stats(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def bench(args) -> dict:
    tree = Path(args.tree).resolve()
    if not tree.is_dir():
        sys.exit(f"no such folder: {tree} (build it: python3 bench/build_corpus.py)")
    facts = machine_facts(args.optimus, args.ruff)
    log(
        f"machine: {facts['cpu_model']}, {facts['nproc']} cpus; {facts['optimus']}; {facts['ruff']}"
    )

    log("listing the files ruff sees (ruff --show-files) ...")
    rfiles = ruff_files(args.ruff, tree)
    rpy = [p for p in rfiles if p.endswith((".py", ".pyi"))]
    ruff_seen = {
        "files": len(rpy),
        "lines": sum(count_lines(p) for p in rpy),
        "other_files": sorted(
            os.path.relpath(p, tree) for p in rfiles if not p.endswith((".py", ".pyi"))
        ),
    }
    log("warming the page cache (reading every code file once) ...")
    all_files, all_lines = warm_page_cache(tree)
    touch = pick_touch(tree, args.touch, rpy)
    log(f"touch target: {touch.relative_to(tree) if touch.is_relative_to(tree) else touch}")

    runs: dict[str, list[dict]] = {}
    WORK.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="scan-bench-", dir=WORK))
    empty = scratch / "empty"
    empty.mkdir()

    def record(label: str, cmd: list[str], env=None, out: Path | None = None) -> dict:
        waited = wait_for_quiet(args.wait_quiet) if args.wait_quiet > 0 else 0.0
        result = measure(cmd, env, args.sample)
        result["waited_for_quiet_s"] = waited
        if out is not None:
            doc = read_stats(out)
            if doc is not None:
                result["stats"] = doc["stats"]
                result["findings"] = len(doc["findings"])
                result["diagnostics"] = len(doc["diagnostics"])
        runs.setdefault(label, []).append(result)
        extra = ""
        if "stats" in result:
            s = result["stats"]
            extra = f" analyzed={s['files_analyzed']} cached={s['files_cached']}"
        log(
            f"  {label:34} {result['wall_s']:7.2f} s  rc={result['rc']}  "
            f"tree RSS {result['peak_tree_rss_mib']:.0f} MiB{extra}  "
            f"other load {result['other_load_cores']:.2f} cores"
        )
        if result["stderr"]:
            log("    stderr: " + result["stderr"][:500].replace("\n", "\n    "))
        return result

    last_doc_path = None
    precompile(args.optimus)
    try:
        for rnd in range(1, args.repeat + 1):
            log(f"round {rnd}/{args.repeat}")
            if not args.no_ruff:
                for fmt in args.ruff_formats:
                    record(f"ruff ({fmt} output)", ruff_cmd(args.ruff, tree, fmt))
            cache = scratch / f"cache-{rnd}"
            cache.mkdir()
            # Bytecode as an installed Optimus has it: with PYTHONDONTWRITEBYTECODE set (some
            # CI images and sandboxes set it), every start would compile ~350 modules anew.
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["OPTIMUS_CACHE_DIR"] = str(cache)
            out = scratch / f"round-{rnd}"
            out.mkdir()
            record(
                "optimus cold",
                optimus_cmd(args.optimus, tree, out / "cold.json", args.jobs, args.optimus_args),
                env,
                out / "cold.json",
            )
            record(
                "optimus warm",
                optimus_cmd(args.optimus, tree, out / "warm.json", args.jobs, args.optimus_args),
                env,
                out / "warm.json",
            )
            with touched(touch):
                record(
                    "optimus warm, 1 file touched",
                    optimus_cmd(
                        args.optimus, tree, out / "touch.json", args.jobs, args.optimus_args
                    ),
                    env,
                    out / "touch.json",
                )
            record(
                "optimus scan of an empty folder",
                optimus_cmd(args.optimus, empty, out / "empty.json", args.jobs, args.optimus_args),
                {**env, "OPTIMUS_CACHE_DIR": str(scratch / "cache-empty")},
                out / "empty.json",
            )
            last_doc_path = out / "warm.json"
        doc = read_stats(last_doc_path) if last_doc_path else None
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    facts["optimus_code_digest_end"] = code_digest(facts["optimus_package"])
    facts["repo_commit_end"] = _out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    return {
        "facts": facts,
        "optimus_args": args.optimus_args,
        "tree": str(tree),
        "repeat": args.repeat,
        "jobs": args.jobs,
        "touch": str(touch.relative_to(tree)) if touch.is_relative_to(tree) else str(touch),
        "corpus": {"code_files": all_files, "code_lines": all_lines},
        "ruff_seen": ruff_seen,
        "optimus_seen": optimus_summary(doc) if doc else None,
        "runs": runs,
        "manifest": read_stats(tree / "manifest.json"),
    }


def optimus_summary(doc: dict) -> dict:
    langs: dict[str, dict[str, int]] = {}
    for project in doc["projects"]:
        for name, row in project["stacks"]["languages"].items():
            slot = langs.setdefault(name, {"files": 0, "lines": 0})
            slot["files"] += row["files"]
            slot["lines"] += row["lines"]
    return {
        "stats": doc["stats"],
        "projects": len(doc["projects"]),
        "languages": dict(sorted(langs.items(), key=lambda kv: -kv[1]["lines"])),
        "findings": len(doc["findings"]),
        "findings_by_rule": dict(Counter(f["rule"] for f in doc["findings"]).most_common()),
        "diagnostics": len(doc["diagnostics"]),
        "diagnostic_samples": [f"{d['path']}: {d['message']}" for d in doc["diagnostics"][:20]],
        "diagnostic_kinds": dict(
            Counter(d["message"][:70] for d in doc["diagnostics"]).most_common(10)
        ),
    }


# --- the report ------------------------------------------------------------------------------


_EXPECTED_ANALYSED = {"optimus warm": 0, "optimus warm, 1 file touched": 1}


def valid(label: str, r: dict) -> bool:
    """Exited 0 and (warm/touched runs) used the cache as intended."""
    if r["rc"] != 0:
        return False
    want = _EXPECTED_ANALYSED.get(label)
    return want is None or (r.get("stats") or {}).get("files_analyzed") == want


def quiet(r: dict) -> bool:
    """No more than a little other work on the machine during the run."""
    return r.get("other_load_cores", 0) <= 0.25 and r.get("steal_cores", 0) <= 0.1


def usable(runs: dict[str, list[dict]]) -> dict[str, tuple[list[dict], str]]:
    """Per run label: the rows the summary uses, and a note on what was left out.

    Valid runs only (see ``valid``); of those, the quiet ones when there is any.
    """
    out = {}
    for label, rows in runs.items():
        ok = [r for r in rows if valid(label, r)]
        calm = [r for r in ok if quiet(r)]
        use = calm or ok
        note = ""
        if len(use) < len(rows):
            why = "valid and quiet" if calm else "valid (none quiet)"
            note = f" ({len(use)} of {len(rows)} runs: {why})"
        if use:
            out[label] = (use, note)
    return out


def _med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(res: dict) -> str:
    f = res["facts"]
    runs = res["runs"]
    lines = [
        f"# Scan benchmark, {f['date'][:10]}",
        "",
        f"- Machine: {f['cpu_model']}, {f['nproc']} CPUs ({f['cpus_usable']} usable), "
        f"{f['memory']} RAM, Linux {f['kernel']}",
        f"- Python {f['python']} (runner); {f['optimus']} at `{f['optimus_path']}`; {f['ruff']}",
        f"- Repository commit: {f['repo_commit']}; Optimus code digest "
        f"{f.get('optimus_code_digest')} (package `{f.get('optimus_package')}`)",
        f"- Extra optimus arguments: `{' '.join(res.get('optimus_args') or []) or 'none'}`",
        f"- Tree: `{res['tree']}`; {res['repeat']} rounds; Optimus jobs: "
        f"{res['jobs'] or 'default (all cores)'}; touched file: `{res['touch']}`",
        "",
    ]
    man = res.get("manifest")
    if man:
        lines += [
            "## Corpus",
            "",
            "| part | language | files | lines | of which in folders "
            "Optimus skips (files / lines) |",
            "|---|---|--:|--:|--:|",
        ]
        for part, langs in man["parts"].items():
            for lang, row in sorted(langs.items()):
                lines.append(
                    f"| {part} | {lang} | {row['files']:,} | {row['lines']:,} | "
                    f"{row['skipped_files']:,} / {row['skipped_lines']:,} |"
                )
        t = man["total"]
        lines += [f"| **total** | | **{t['files']:,}** | **{t['lines']:,}** | |", ""]
    rs = res["ruff_seen"]
    lines += [
        "## What each tool reads",
        "",
        f"- ruff (`--show-files`, `--isolated`): {rs['files']:,} Python files, "
        f"{rs['lines']:,} lines"
        + (f"; also {', '.join(rs['other_files'][:5])}" if rs["other_files"] else ""),
    ]
    os_ = res["optimus_seen"]
    if os_:
        st = os_["stats"]
        langs = ", ".join(
            f"{k} {v['files']:,} files / {v['lines']:,} lines" for k, v in os_["languages"].items()
        )
        lines += [
            f"- Optimus (JSON `stats`): {st['files']:,} files, {st['lines']:,} lines "
            f"(code files analysed or cached: {st['files_analyzed'] + st['files_cached']:,}); "
            f"{os_['projects']} projects",
            f"- Optimus by language: {langs}",
            f"- Optimus output: {os_['findings']:,} findings "
            f"({', '.join(f'{k} {v}' for k, v in os_['findings_by_rule'].items())}); "
            f"{os_['diagnostics']:,} diagnostics",
        ]
        for kind, n in os_["diagnostic_kinds"].items():
            lines.append(f"  - {n} x `{kind}`")
    lines += [
        "",
        "## Timings",
        "",
        f"Wall time over {res['repeat']} rounds, from the valid runs (exit 0; warm runs "
        "analysed 0 files, touched runs 1) and, where there are any, only the quiet ones "
        "(other processes used <= 0.25 cores; see *Every run*). "
        "Memory: *tree RSS/PSS* = peak of the summed "
        "RSS/PSS of the process and all its descendants, sampled every "
        f"{res.get('sample', 0.05)} s; *max single RSS* = `ru_maxrss` from wait4 (what "
        "`/usr/bin/time -v` reports: the largest single process, workers included, not a sum).",
        "",
        "| run | median s | min s | user+sys s (median) | peak tree RSS MiB | "
        "peak tree PSS MiB | max single RSS MiB | processes |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    used = usable(runs)
    for label in runs:
        if label not in used:
            lines.append(f"| {label} (no valid run) | | | | | | | |")
            continue
        rows, note = used[label]
        label = label + note
        walls = [r["wall_s"] for r in rows]
        cpu = statistics.median(r["user_s"] + r["sys_s"] for r in rows)
        lines.append(
            f"| {label} | {statistics.median(walls):.2f} | {min(walls):.2f} | {cpu:.1f} | "
            f"{max(r['peak_tree_rss_mib'] for r in rows):.0f} | "
            f"{max(r['peak_tree_pss_mib'] for r in rows):.0f} | "
            f"{max(r['max_single_rss_mib'] for r in rows):.0f} | "
            f"{max(r['peak_procs'] for r in rows)} |"
        )
    lines += ["", "## Goals (measured, not asserted; from the runs the table uses)", ""]
    all_runs = runs
    runs = {k: rows for k, (rows, _) in used.items()}
    cold, warm = runs.get("optimus cold"), runs.get("optimus warm")
    touch = runs.get("optimus warm, 1 file touched")
    ruff_key = next((k for k in runs if k.startswith("ruff (concise")), None) or next(
        (k for k in runs if k.startswith("ruff")), None
    )
    if cold and ruff_key:
        c, r = _med(cold, "wall_s"), _med(runs[ruff_key], "wall_s")
        lines.append(
            f"- Cold scan no slower than {ruff_key}: {c:.2f} s vs {r:.2f} s "
            f"(ratio {c / r:.2f}) -> {'met' if c <= r else 'NOT met'}"
        )
        for k in runs:
            if k.startswith("ruff") and k != ruff_key:
                r2 = _med(runs[k], "wall_s")
                lines.append(f"  - against {k}: {r2:.2f} s (ratio {c / r2:.2f})")
    if cold and warm:
        c, w = _med(cold, "wall_s"), _med(warm, "wall_s")
        lines.append(
            f"- Warm rescan >= 20x faster than cold: {c:.2f} s / {w:.2f} s = "
            f"{c / w:.1f}x -> {'met' if c / w >= 20 else 'NOT met'}"
        )
    if warm and touch:
        w, t = _med(warm, "wall_s"), _med(touch, "wall_s")
        lines.append(
            f"- Touching one file costs well under 1 s more than warm: {t - w:+.2f} s "
            f"-> {'met' if t - w < 1 else 'NOT met'}"
        )
    empty = runs.get("optimus scan of an empty folder")
    if empty:
        lines.append(
            f"  - fixed cost (scan of an empty folder: start-up, imports): "
            f"{_med(empty, 'wall_s'):.2f} s"
        )
    # Memory: every Optimus run that exited 0 (other work on the machine does not change it).
    opt_rows = [
        r for k, v in all_runs.items() if k.startswith("optimus") for r in v if r["rc"] == 0
    ]
    if opt_rows:
        # The sampler can miss a short peak; wait4's single-process maximum cannot.
        rss = max(max(r["peak_tree_rss_mib"], r["max_single_rss_mib"]) for r in opt_rows)
        pss = max(r["peak_tree_pss_mib"] for r in opt_rows)
        lines.append(
            f"- Peak memory (all Optimus processes together) under 1 GB: "
            f"{rss:.0f} MiB RSS (PSS {pss:.0f} MiB) -> "
            f"{'met' if rss * 2**20 < 1e9 else 'NOT met'}"
        )
    runs = all_runs
    checks = []
    if f.get("optimus_code_digest") != f.get("optimus_code_digest_end"):
        checks.append(
            f"- **Optimus's code changed during the run** (digest {f.get('optimus_code_digest')} "
            f"-> {f.get('optimus_code_digest_end')}, commit {f['repo_commit']} -> "
            f"{f.get('repo_commit_end')}): rounds measured different code; rerun"
        )
    for label, want in (("optimus warm", 0), ("optimus warm, 1 file touched", 1)):
        for i, r in enumerate(runs.get(label, []), 1):
            s = r.get("stats")
            if s is None:
                checks.append(f"- round {i}, {label}: no JSON output (rc {r['rc']})")
            elif s["files_analyzed"] != want:
                checks.append(
                    f"- round {i}, {label}: files_analyzed = {s['files_analyzed']} "
                    f"(expected {want}); was src/ edited during the run? "
                    "(the cache is keyed on a hash of Optimus's code)"
                )
    errs = [
        (k, i, r)
        for k, v in runs.items()
        for i, r in enumerate(v, 1)
        if r["rc"] != 0 or r["stderr"]
    ]
    for label, i, r in errs:
        err = " / ".join(r["stderr"].splitlines())[:300]
        checks.append(f"- round {i}, {label}: exit {r['rc']}; stderr: `{err}`")
    busy = [
        (k, i, r)
        for k, v in runs.items()
        for i, r in enumerate(v, 1)
        if r.get("other_load_cores", 0) > 0.25 or r.get("steal_cores", 0) > 0.1
    ]
    for label, i, r in busy:
        checks.append(
            f"- round {i}, {label}: the machine was busy with other work during the run "
            f"({r['other_load_cores']:.2f} cores used by other processes, "
            f"{r['steal_cores']:.2f} cores stolen by the hypervisor): its time is inflated"
        )
    lines += ["", "## Checks", ""] + (
        checks
        or ["- all runs exited 0 with empty stderr; warm runs analysed 0 files, touched runs 1"]
    )
    lines += [
        "",
        "## Every run",
        "",
        "| run | round | wall s | user s | sys s | tree RSS MiB | "
        "tree PSS MiB | max single RSS MiB | analysed / cached | other load (cores) | "
        "steal (cores) | waited for quiet s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, rows in runs.items():
        for i, r in enumerate(rows, 1):
            s = r.get("stats")
            ac = f"{s['files_analyzed']} / {s['files_cached']}" if s else ""
            lines.append(
                f"| {label} | {i} | {r['wall_s']:.2f} | {r['user_s']:.1f} | "
                f"{r['sys_s']:.1f} | {r['peak_tree_rss_mib']:.0f} | "
                f"{r['peak_tree_pss_mib']:.0f} | {r['max_single_rss_mib']:.0f} | "
                f"{ac} | {r.get('other_load_cores', '')} | {r.get('steal_cores', '')} | "
                f"{r.get('waited_for_quiet_s', '')} |"
            )
    return "\n".join(lines) + "\n"


def default_tool(name: str) -> str:
    local = REPO / ".venv" / "bin" / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found; pass --{name} PATH")
    return found


def precompile(optimus: str) -> None:
    """Byte-compile the Optimus package the runs use, as pip does when it installs one, so no
    timed run pays for compiling modules (an editable install compiles on first import)."""
    python = Path(optimus).with_name("python")
    code = (
        "import compileall, os, optimus; "
        "compileall.compile_dir(os.path.dirname(optimus.__file__), quiet=1)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(python), "-c", code], check=False, env=env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree", nargs="?", default=str(BENCH / ".corpus"))
    ap.add_argument("-n", "--repeat", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--jobs", type=int, help="pass --jobs N to optimus (default: its own)")
    ap.add_argument("--touch", help=f"file to touch, relative to the tree ({DEFAULT_TOUCH})")
    ap.add_argument("--optimus", default=None, help="optimus executable (.venv/bin/optimus)")
    ap.add_argument("--ruff", default=None, help="ruff executable (.venv/bin/ruff)")
    ap.add_argument(
        "--ruff-formats",
        default="concise,full",
        help="ruff output formats to time, comma-separated: concise, full "
        "(ruff's default), json (default: concise,full)",
    )
    ap.add_argument("--no-ruff", action="store_true", help="time Optimus only")
    ap.add_argument(
        "--optimus-args",
        default="",
        help="extra arguments for every optimus scan, one string; write it with '=' since "
        "it starts with a dash: --optimus-args=--no-engines",
    )
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=120,
        help="before each run, wait up to this many seconds for the machine to be idle "
        "(other processes using < 0.25 cores over 2 s); 0: don't wait (default 120)",
    )
    ap.add_argument("--sample", type=float, default=0.05, help="memory sampling interval, s")
    ap.add_argument("--results", default=str(BENCH / "results"), help="report folder")
    ap.add_argument("--keep", action="store_true", help="keep caches and JSON outputs")
    args = ap.parse_args()
    args.optimus = args.optimus or default_tool("optimus")
    args.ruff = args.ruff or default_tool("ruff")
    args.optimus_args = shlex.split(args.optimus_args)
    args.ruff_formats = [f.strip() for f in args.ruff_formats.split(",") if f.strip()]
    bad = [f for f in args.ruff_formats if f not in RUFF_FORMATS]
    if bad:
        sys.exit(f"unknown ruff format(s): {bad}")
    res = bench(args)
    res["sample"] = args.sample
    text = report(res)
    print(text)
    folder = Path(args.results)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"scan-{dt.date.today().isoformat()}"
    if (folder / f"{stem}.md").exists():
        stem += dt.datetime.now().strftime("-%H%M%S")
    (folder / f"{stem}.md").write_text(text)
    (folder / f"{stem}.json").write_text(json.dumps(res, indent=1) + "\n")
    log(f"wrote {folder / stem}.md and .json")


if __name__ == "__main__":
    main()
