"""``optimus rules`` lists the catalogue; ``optimus explain`` prints one rule's documentation."""

from __future__ import annotations

import json

import typer

from optimus.errors import UsageError
from optimus.registry import all_engines, all_rules, get_rule
from optimus.rules.base import Rule

DOC_SECTIONS = ("What it finds", "Why", "Example", "Instead", "When not to", "Fix safety")


def rule_markdown(rule: Rule) -> str:
    """A rule's documentation page (docs/rules/NAME.md is generated from this)."""
    out = [f"# {rule.name} ({rule.code})", "", rule.summary, ""]
    out.append(
        f"Category: {rule.category.value} · Severity: {rule.severity.value} · "
        f"Confidence: {rule.confidence.value} · Effort: {rule.effort} min · "
        f"Fixable: {'yes' if rule.fixable else 'no'} · Engine: {rule.engine}"
        + (" · Preview" if rule.preview else "")
    )
    out.append("")
    for title in DOC_SECTIONS:
        body = rule.doc.get(title)
        if body:
            out += [f"## {title}", "", body.strip(), ""]
    if rule.references:
        out += ["## References", ""]
        out += [f"- [{ref.title}]({ref.url})" for ref in rule.references]
        out.append("")
    return "\n".join(out)


def rule_dict(rule: Rule) -> dict[str, object]:
    """A rule's metadata as plain data."""
    return {
        "name": rule.name,
        "code": rule.code,
        "category": rule.category.value,
        "severity": rule.severity.value,
        "confidence": rule.confidence.value,
        "effort": rule.effort,
        "fixable": rule.fixable,
        "preview": rule.preview,
        "engine": rule.engine,
        "summary": rule.summary,
    }


def register(app: typer.Typer) -> None:
    """Add the rules and explain commands to the app."""

    @app.command("rules")
    def rules_command(
        as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON."),
    ) -> None:
        """List every rule: name, code, category, severity, confidence, fixable, engine."""
        rules = all_rules()
        if as_json:
            typer.echo(json.dumps([rule_dict(r) for r in rules], indent=2))
            return
        # Rich is imported by the commands that print with it, not when the app starts.
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for col in ("code", "name", "category", "severity", "confidence", "fixable", "engine"):
            table.add_column(col, no_wrap=True)
        for r in rules:
            table.add_row(
                r.code,
                r.name + (" (preview)" if r.preview else ""),
                r.category.value,
                r.severity.value,
                r.confidence.value,
                "yes" if r.fixable else "no",
                r.engine,
            )
        console = Console()
        if not console.is_terminal:
            console.width = 120  # a pipe or a file: no terminal width to fit
        console.print(table)

    @app.command("explain")
    def explain_command(
        rule: str = typer.Argument(..., help="A rule name or code, e.g. large-file or MT001."),
    ) -> None:
        """Print a rule's documentation: what it finds, why, examples, sources."""
        found = get_rule(rule)
        engine, _, engine_code = rule.partition(":")
        if found is None and engine_code and engine in {e.name for e in all_engines()}:
            # An engine's own id: its documentation is the engine's.
            hint = f"`ruff rule {engine_code}`" if engine == "ruff" else f"{engine}'s documentation"
            typer.echo(
                f"{rule} is reported by the {engine} engine, not by an Optimus rule; "
                f"see {hint} (docs/engines.md lists what Optimus asks each engine for)."
            )
            return
        if found is None:
            raise UsageError(f"no rule named {rule!r}; `optimus rules` lists them")
        from rich.console import Console
        from rich.markdown import Markdown  # imported here: only explain renders Markdown

        Console().print(Markdown(rule_markdown(found)))
