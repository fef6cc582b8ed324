import pytest

from cleanlib import slugify, truncate


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Big Mug", "big-mug"),
        ("  Crème brûlée — 2 pack ", "creme-brulee-2-pack"),
        ("***", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_slugify_respects_max_length():
    assert slugify("a very long product name", max_length=10) == "a-very-lon"


def test_truncate_keeps_short_text():
    assert truncate("short", 10) == "short"


def test_truncate_cuts_on_word_boundary():
    assert truncate("the quick brown fox jumps", 16) == "the quick brown…"


def test_truncate_backs_off_to_previous_word():
    assert truncate("the quick brown fox jumps", 14) == "the quick…"
