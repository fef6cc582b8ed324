"""Safe Dockerfile fixes inside one RUN: pip/uv without a cache, apt without extras and lists.

- docker-pip-cache: ``--no-cache-dir`` after each ``pip install`` (``python -m pip install``)
  and ``--no-cache`` after each caching uv subcommand of the reported RUN, shell or exec form.
- docker-apt-hygiene: ``--no-install-recommends`` after each ``apt-get install`` (``apt
  install``), and ``&& rm -rf /var/lib/apt/lists/*`` appended to a shell-form RUN that runs
  ``apt-get update`` without deleting the lists or mounting a cache over them.

Both only add options or a trailing clean-up to the reported instruction: whatever the
image installs stays the same, and the rest of the file is untouched.
"""

from __future__ import annotations

import re

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _dockerfile as df
from optimus.fix.codemods._recheck import still_reported
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding

_PATH_WORD = r"(?<![\w./-])(?:[\w./-]*/)?"
_PIP_INSTALL = re.compile(
    r"(?<!uv )(?<!uv\t)"
    + _PATH_WORD
    + rf"(?:python[\d.]*{df.WS}-m{df.WS}pip|pip[\d.]*){df.WS}install\b"
)
_PIP_EXEC = re.compile(
    r'"(?:[\w./-]*/)?(?:pip[\d.]*"|python[\d.]*"\s*,\s*"-m"\s*,\s*"pip")'
    r'\s*,\s*"install"'
)
_PIP_NO_CACHE = re.compile(r"--no-cache")
_UV_INSTALL = re.compile(
    _PATH_WORD
    + rf"uv(?:{df.WS}--?[\w-]+(?:=\S+)?)*{df.WS}"
    + rf"(?:pip{df.WS}install|pip{df.WS}sync|tool{df.WS}install|sync|add)\b"
)
_UV_NO_CACHE = re.compile(r"--no-cache\b|(?<!\S)-n(?!\S)")
_APT_INSTALL = re.compile(
    rf"(?<![\w./-])(?:[\w./-]*/)?apt(?:-get)?(?:{df.WS}-[^\s\\]+)*{df.WS}install\b"
)
_NO_RECOMMENDS = re.compile(r"--no-install-recommends|Install-Recommends=(?:false|0|no)")
_APT_UPDATE = re.compile(
    rf"(?<![\w./-])(?:[\w./-]*/)?apt(?:-get)?(?:{df.WS}-[^\s\\]+)*"
    rf"{df.WS}update\b"
)
_LISTS_REMOVED = re.compile(r"\brm\b[^&|;\n]*/var/lib/apt/lists")
_CLEAN_UP = "rm -rf /var/lib/apt/lists/*"


@fixer("docker-pip-cache", Applicability.SAFE)
def fix_pip_cache(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Turn off pip's and uv's download cache in the reported RUN."""
    text = ctx.read_text(finding.path)
    if text is None or not still_reported(finding, text, "dockerfile"):
        return None  # a stale line could name another RUN (a builder stage's, say)
    ins = df.instruction_at(df.parse(text), finding.line, "RUN")
    if ins is None:
        return None
    body = df.raw(text, ins)
    if ins.exec_form is not None:
        if "--no-cache" in ins.args:
            return None
        new_body = _PIP_EXEC.sub(lambda m: m.group() + ', "--no-cache-dir"', body)
    else:
        new_body = df.insert_option(body, _PIP_INSTALL, "--no-cache-dir", _PIP_NO_CACHE)
        new_body = df.insert_option(new_body, _UV_INSTALL, "--no-cache", _UV_NO_CACHE)
    return single_change(
        finding,
        Applicability.SAFE,
        f"install without keeping pip's/uv's download cache in the image layer (line {ins.line})",
        text,
        df.replace(text, ins, new_body),
    )


@fixer("docker-apt-hygiene", Applicability.SAFE)
def fix_apt_hygiene(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Add --no-install-recommends and delete apt's package lists in the reported RUN."""
    text = ctx.read_text(finding.path)
    if text is None:
        return None
    ins = df.instruction_at(df.parse(text), finding.line, "RUN")
    if ins is None or ins.exec_form is not None:
        return None
    body = df.insert_option(
        df.raw(text, ins), _APT_INSTALL, "--no-install-recommends", _NO_RECOMMENDS
    )
    new = df.replace(text, ins, body)
    ins = df.instruction_at(df.parse(new), finding.line, "RUN")
    if ins is None:
        return None
    lists_cached = "/var/lib/apt/lists" in ins.flags.get("mount", "")
    if (
        _APT_UPDATE.search(df.raw(new, ins))
        and not _LISTS_REMOVED.search(df.raw(new, ins))
        and not lists_cached
    ):
        if ins.heredocs:
            return None  # the script's last line is inside the heredoc: left to the author
        new = df.append_command(new, ins, _CLEAN_UP)
    return single_change(
        finding,
        Applicability.SAFE,
        "install apt packages without recommended extras and delete the package lists in the "
        f"same RUN (line {ins.line})",
        text,
        new,
    )
