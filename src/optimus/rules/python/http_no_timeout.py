"""http-no-timeout: an HTTP call with requests or httpx that can wait forever.

Engine-backed: Ruff's S113 (``request-without-timeout``) finds the calls and the ruff
engine (optimus.engines.ruff) maps them onto this rule. The rule has no detector of its own;
it exists so the check can be selected, ignored, suppressed and explained like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Reference, Rule

if TYPE_CHECKING:
    pass


@rule
class HttpNoTimeout(Rule):
    name = "http-no-timeout"
    code = "PY020"
    category = Category.RELIABILITY
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 5
    kinds = frozenset({"python"})
    scope = "engine"
    #: The external analyzer that finds this rule's problems (Ruff S113).
    engine = "ruff"
    summary = "An HTTP request with requests or httpx is made without a timeout."
    doc = {
        "What it finds": (
            "Calls of the `requests` module functions (`requests.get`, `post`, `put`, "
            "`patch`, `delete`, `head`, `options`, `request`) without a `timeout=` argument "
            "or with `timeout=None`, and `httpx` functions and clients given "
            "`timeout=None`. Found by Ruff's S113 (`request-without-timeout`), run as an "
            "engine; the project's Ruff configuration and `# noqa: S113` comments apply. "
            "Calls through a `requests.Session` object are not seen. In pytest modules "
            "(`test_*.py`, `*_test.py`, `conftest.py`), `requests` calls without `timeout=` "
            "are not reported when a `conftest.py` in their folder or a folder above, up to "
            "the project root, gives requests a default timeout as pytest loads it: it "
            "replaces `requests.sessions.Session` (the class `requests.get` and the other "
            "module functions create on every call) with a subclass whose `request` or `send` "
            "sets a default timeout or whose `__init__` mounts such an adapter for `http://` "
            "and `https://`, or patches `Session.request` or `HTTPAdapter.send` with one "
            "(at module level, in `pytest_configure` or in an autouse fixture). The conftest "
            "is parsed, never imported. Needs Ruff "
            "(`pip install ruff`); without it the scan says so once and goes on."
        ),
        "Why": (
            "requests has no default timeout: its documentation says that without one "
            '"your code may hang for minutes or more", and a server that accepts the '
            "connection but never answers holds the call forever. In a web worker, a queue "
            "consumer or a cron job, that is a request slot, a thread or a whole process "
            "stuck until someone restarts it, and retries pile up behind it. httpx has a "
            "5-second default, which `timeout=None` turns off."
        ),
        "Example": (
            '```python\nimport requests\n\nresp = requests.get("https://api.example.com/items")\n```'
        ),
        "Instead": (
            "```python\nimport requests\n\n"
            'resp = requests.get("https://api.example.com/items", timeout=(3.05, 10))\n```\n\n'
            "Pass a timeout in seconds: one number, or `(connect, read)`. With a "
            "`requests.Session`, pass it on every call (sessions have no default timeout)."
        ),
        "When not to": (
            "Streaming downloads or long polls that are meant to run as long as the server "
            "sends data, and that are bounded some other way (a watchdog, a task deadline): "
            "suppress the line with a reason. Tests whose `conftest.py` installs a default "
            "timeout for requests (TGI's integration tests replace `requests.sessions.Session` "
            "with a subclass whose `request` defaults `timeout` to 120 s) are not reported; a "
            "bound set in other ways (a plugin, `pytest-timeout` ending the whole test, a "
            "patch applied from a helper module) is not seen: suppress those lines or the "
            "folder. A conftest that only rebinds `requests.Session` changes nothing for "
            "`requests.get`, which looks up `requests.sessions.Session`, and stays reported. "
            "Helper modules that tests import are still reported, since scripts can import "
            "them too, and so is `timeout=None`, which can turn such a default off."
        ),
    }
    references = (
        Reference(
            "Requests documentation: Advanced Usage, Timeouts",
            "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts",
        ),
        Reference(
            "Ruff: request-without-timeout (S113)",
            "https://docs.astral.sh/ruff/rules/request-without-timeout/",
        ),
    )
