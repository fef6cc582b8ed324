"""The shared editors: Dockerfile spans, YAML round trips, line endings, Python positions."""

from __future__ import annotations

import re

import libcst as cst
from hypothesis import given
from hypothesis import strategies as st

from optimus.fix.codemods import _dockerfile as df
from optimus.fix.codemods import _python as py
from optimus.fix.codemods import _yaml
from optimus.fix.codemods._text import keep_newlines, newline_of

_INSTALL = re.compile(r"\binstall\b")
_OPTION = re.compile(r"--opt\b")
_WORDS = st.sampled_from(["pip", "install", "flask", "--opt", "&&", ";", "|", "-r", "x.txt"])


@given(st.lists(st.lists(_WORDS, min_size=1, max_size=6), min_size=1, max_size=5))
def test_insert_option_only_adds_the_option(lines: list[list[str]]) -> None:
    body = "RUN " + " \\\n    ".join(" ".join(words) for words in lines) + "\n"
    new = df.insert_option(body, _INSTALL, "--opt", _OPTION)
    # removing what was inserted gives the original back, byte for byte
    assert _remove_inserted(body, new) == body
    # and a second pass inserts nothing: each command now has the option
    assert df.insert_option(new, _INSTALL, "--opt", _OPTION) == new


def _remove_inserted(body: str, new: str) -> str:
    out, i, j = [], 0, 0
    while j < len(new):
        if new.startswith(" --opt", j) and not body.startswith(" --opt", i):
            j += len(" --opt")
            continue
        out.append(new[j])
        i, j = i + 1, j + 1
    return "".join(out)


def test_command_segment_spans_continuations_but_not_operators() -> None:
    body = "RUN pip \\\n    install a && pip install b; echo c\n"
    start = body.index("install a")
    assert df.command_segment(body, start) == "RUN pip \\\n    install a "
    assert df.command_segment(body, body.index("install b")) == " pip install b"


def test_append_command_keeps_indent_and_crlf() -> None:
    text = "FROM debian\r\nRUN apt-get update \\\r\n\t&& apt-get install -y curl\r\nCMD x\r\n"
    ins = df.instruction_at(df.parse(text), 2, "RUN")
    assert ins is not None
    assert df.append_command(text, ins, "rm -rf /x") == text.replace(
        "curl\r\n", "curl \\\r\n\t&& rm -rf /x\r\n"
    )


def test_insert_after_a_last_line_without_newline() -> None:
    text = "FROM debian\nCMD x"
    ins = df.instruction_at(df.parse(text), 2)
    assert ins is not None
    assert df.insert_after(text, ins, ["USER 1"]) == "FROM debian\nCMD x\nUSER 1\n"


def test_yaml_round_trip_styles_and_refusal() -> None:
    for text in (
        "a:\n  b:\n    - c: 1\n      d: 2\n",
        "a:\n    b:\n    -   c: 1\n",
        "---\nkind: A\n---\nkind: B  # second\n",
        "# head\nx: 'quoted'\ny: \"double\"\r\n".replace("\r\n", "\n").replace("\n", "\r\n"),
    ):
        loaded = _yaml.load(text)
        assert loaded is not None, text
        assert loaded.dump() == text
    assert _yaml.load("a: [{b: 1}]\n") is None  # ruamel would rewrite the flow style
    assert _yaml.load("a: [\n") is None


def test_keep_newlines() -> None:
    assert newline_of("a\r\nb\n") == "\r\n"
    assert newline_of("a\nb\r\n") == "\n"
    assert keep_newlines("x\r\n", "a\r\nb\nc\n") == "a\r\nb\r\nc\r\n"
    assert keep_newlines("x\n", "a\nb\n") == "a\nb\n"


def test_char_column_counts_characters_not_bytes() -> None:
    text = 'x = "é"; time.sleep(1)\n'
    tree, module = py.parse_both(text) or (None, None)
    assert tree is not None and module is not None
    call = tree.body[1].value  # type: ignore[attr-defined]
    assert call.col_offset == 10  # bytes: "é" is two
    column = py.char_column(text, 1, call.col_offset)
    assert column == 9
    new = py.replace_at(module, cst.Call, 1, column, lambda n: cst.Name("done"))
    assert new is not None and new.code == 'x = "é"; done\n'


def test_name_is_free() -> None:
    tree, _ = py.parse_both("import asyncio\nimport os as asyncio2\n") or (None, None)
    assert tree is not None and py.name_is_free(tree, "asyncio", "asyncio")
    for text in ("from x import asyncio\n", "asyncio = 1\n", "def f(asyncio): pass\n"):
        tree, _ = py.parse_both(text) or (None, None)
        assert tree is not None and not py.name_is_free(tree, "asyncio", "asyncio"), text
