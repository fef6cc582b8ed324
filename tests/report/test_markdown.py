"""The Markdown report: content a reader of a PR comment relies on, and safe escaping."""

from __future__ import annotations

import re

from optimus.model import (
    Category,
    Confidence,
    Diagnostic,
    Finding,
    LanguageStats,
    Project,
    ScanResult,
    ScanStats,
    Severity,
    Stack,
)
from optimus.report import markdown
from optimus.report.base import renderer

DOCS = "https://github.com/optimus-bot/optimus/blob/main/docs/rules/"
#: A "|" that splits table cells (not escaped by a backslash).
CELL_PIPE = re.compile(r"(?<!\\)\|")


def finding(
    rule: str = "large-file",
    code: str = "MT001",
    *,
    severity: Severity = Severity.LOW,
    path: str = "api/app.py",
    line: int | None = None,
    message: str = "1200 lines of code (limit 1000): split this file by responsibility",
    project: str = "api",
    fingerprint: str = "0123456789abcdef",
) -> Finding:
    return Finding(
        rule=rule,
        code=code,
        category=Category.MAINTAINABILITY,
        severity=severity,
        confidence=Confidence.HIGH,
        message=message,
        path=path,
        line=line,
        end_line=None,
        project=project,
        fingerprint=fingerprint,
    )


def projects() -> list[Project]:
    api = Project(
        "api",
        "api",
        Stack(
            languages={"Python": LanguageStats(12, 2400)},
            frameworks=["FastAPI"],
            infrastructure=["Docker"],
        ),
    )
    core = Project("core", "core", Stack(languages={"Rust": LanguageStats(3, 900)}))
    return [api, core]


def scan(findings: list[Finding], diagnostics: list[Diagnostic] | None = None) -> ScanResult:
    return ScanResult(
        root="/srv/portfolio",
        projects=projects(),
        findings=findings,
        diagnostics=diagnostics or [],
        stats=ScanStats(files=15, lines=3300),
    )


def sample() -> ScanResult:
    return scan(
        [
            finding(),
            finding(
                "blocking-call-in-async",
                "PY001",
                severity=Severity.HIGH,
                path="api/handlers.py",
                line=42,
                message="`requests.get` in `async def fetch` blocks the event loop | use httpx",
                fingerprint="1111111111111111",
            ),
            finding(
                "unwrap-density",
                "RS002",
                severity=Severity.LOW,
                path="api/worker.py",
                line=3,
                message="unwrap everywhere",
                fingerprint="2222222222222222",
            ),
        ],
        [Diagnostic("core/src/bad.rs", "could not parse <unexpected token>")],
    )


def rows(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("|")]


def test_title_and_summary() -> None:
    text = markdown.render(sample())
    lines = text.splitlines()
    assert lines[0] == "# Optimus report"
    summary = lines[2]
    assert "2 projects" in summary
    assert "3 findings (1 high, 2 low)" in summary
    assert "15 files and 3,300 lines scanned" in summary


def test_portfolio_table() -> None:
    text = markdown.render(sample())
    assert "## Portfolio" in text
    table = [r for r in rows(text) if "Critical" in r or "Python" in r or "Rust" in r]
    assert table[0] == "| Project | Stack | Critical | High | Medium | Low | Info |"
    assert "| `api` | Python, FastAPI, Docker | - | 1 | - | 2 | - |" in table
    assert "| `core` | Rust | - | - | - | - | - |" in table


def test_findings_grouped_by_severity_then_rule() -> None:
    text = markdown.render(sample())
    assert "## `api`: 3 findings" in text
    # core has no findings, so it gets a portfolio row but no section.
    assert "## `core`" not in text
    high, low = text.index("### High (1)"), text.index("### Low (2)")
    assert high < low
    low_rows = [r for r in rows(text[low:]) if r.startswith("| `")]
    # Within a severity, rows are ordered by rule name.
    assert "[large-file]" in low_rows[0]
    assert "[unwrap-density]" in low_rows[1]
    assert low_rows[1] == (
        f"| `api/worker.py:3` | [unwrap-density]({DOCS}unwrap-density.md) (RS002) "
        "| unwrap everywhere |"
    )


def test_file_level_finding_shows_the_path_alone() -> None:
    text = markdown.render(scan([finding()]))
    assert f"| `api/app.py` | [large-file]({DOCS}large-file.md) (MT001) |" in text


def test_pipes_are_escaped_and_code_spans_kept() -> None:
    text = markdown.render(sample())
    (row,) = [r for r in rows(text) if "handlers.py" in r]
    # Exactly four cell borders: the message's own pipe must not open a fourth column.
    assert len(CELL_PIPE.findall(row)) == 4
    assert "`requests.get` in `async def fetch` blocks the event loop \\| use httpx" in row


def test_unmatched_backtick_and_markup_in_messages_are_literal() -> None:
    assert markdown.message("a ` b <script>") == "a \\` b \\<script\\>"
    assert markdown.message("use `x|y` *now*") == "use `x\\|y` \\*now\\*"


def test_pipe_in_a_path_does_not_split_the_cell() -> None:
    text = markdown.render(scan([finding(path="api/a|b.py", line=2)]))
    (row,) = [r for r in rows(text) if "a\\|b.py" in r]
    assert len(CELL_PIPE.findall(row)) == 4


def test_newline_in_message_stays_in_one_row() -> None:
    text = markdown.render(scan([finding(message="first line\nsecond line")]))
    (row,) = [r for r in rows(text) if "first line" in r]
    assert row.endswith("| first line second line |")


def test_no_findings() -> None:
    text = markdown.render(scan([]))
    assert "No findings." in text
    assert "0 findings" in text
    assert "###" not in text
    assert "| `api` | Python, FastAPI, Docker | - | - | - | - | - |" in text


def test_diagnostics_are_collapsed() -> None:
    text = markdown.render(sample())
    start = text.index("<details>")
    block = text[start : text.index("</details>") + len("</details>")]
    assert "<summary>1 diagnostic: files Optimus could not read or parse</summary>\n\n" in block
    assert r"| `core/src/bad.rs` | could not parse \<unexpected token\> |" in block
    assert "<details>" not in markdown.render(scan([finding()]))


def test_other_engine_rules_are_not_linked() -> None:
    external = finding("E501", "RUFF-E501", path="api/x.py", line=1)
    external.engine = "ruff"
    text = markdown.render(scan([external]))
    assert "| `api/x.py:1` | E501 (RUFF-E501) |" in text
    assert DOCS not in text


def test_output_is_deterministic() -> None:
    result = sample()
    shuffled = scan(list(reversed(result.findings)), list(result.diagnostics))
    assert markdown.render(result) == markdown.render(shuffled)


def test_escape() -> None:
    assert markdown.escape("a|b `c` <d> *e*") == r"a\|b \`c\` \<d\> \*e\*"
    assert markdown.code("x|y") == r"`x\|y`"
    assert markdown.code("x`y") == r"x\`y"


def test_registered_as_the_markdown_format() -> None:
    assert renderer("markdown") is markdown.render
