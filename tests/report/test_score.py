"""The health score: edge cases, the grid, severity caps, configuration and stability."""

from __future__ import annotations

import random

import pytest

from optimus.errors import ConfigError
from optimus.model import Category, Confidence, Finding, LanguageStats, Project, Severity, Stack
from optimus.report.score import (
    BANDS,
    DEFAULT_EFFORT,
    ScoreSettings,
    project_lines,
    ratio_rating,
    ratio_score,
    rule_efforts,
    score_project,
    score_projects,
)

EFFORTS = {"slow": 30, "leak": 60, "note": 10, "style": 5}


def finding(
    rule: str = "slow",
    severity: Severity = Severity.MEDIUM,
    category: Category = Category.PERFORMANCE,
    n: int = 0,
    project: str = "p",
) -> Finding:
    return Finding(
        rule=rule,
        code="X001",
        category=category,
        severity=severity,
        confidence=Confidence.HIGH,
        message="m",
        path=f"f{n}.py",
        line=n + 1,
        end_line=None,
        project=project,
        fingerprint=f"{rule}{n:04d}",
    )


def test_empty_project_with_no_findings_is_perfect() -> None:
    s = score_project([], 0, EFFORTS)
    assert (s.score, s.rating, s.debt_minutes, s.findings) == (100, "A", 0, 0)
    assert set(s.by_category) == {c.value for c in Category}
    assert all(c.score == 100 and c.rating == "A" for c in s.by_category.values())


def test_empty_project_with_a_finding_is_costed_as_one_line() -> None:
    # 30 weighted minutes against 1 line x 30 minutes: a ratio of 1.0, the score's floor.
    s = score_project([finding()], 0, EFFORTS)
    assert s.debt_ratio == pytest.approx(1.0)
    assert (s.score, s.rating) == (0, "E")


def test_no_findings_on_real_code_is_perfect() -> None:
    s = score_project([], 12_000, EFFORTS)
    assert (s.score, s.rating, s.debt_minutes, s.debt_ratio) == (100, "A", 0, 0.0)


def test_only_info_findings_cost_time_but_keep_the_score() -> None:
    infos = [finding("note", Severity.INFO, Category.RELIABILITY, n) for n in range(7)]
    s = score_project(infos, 100, EFFORTS)
    assert (s.score, s.rating) == (100, "A")
    assert s.debt_minutes == 70  # the plain effort still shows in the technical debt
    assert s.by_category["reliability"].findings == 7
    assert s.by_category["reliability"].rating == "A"  # info carries no severity cap


def test_a_very_large_project_dilutes_debt_but_never_overflows() -> None:
    many = [finding("leak", Severity.LOW, Category.MAINTAINABILITY, n) for n in range(5000)]
    s = score_project(many, 50_000_000, EFFORTS)
    assert s.debt_minutes == 300_000
    assert s.rating == "A" and 99 <= s.score <= 100
    assert s.debt_hours == 5000.0


def test_heavy_debt_on_small_code_bottoms_out_at_zero() -> None:
    many = [finding("leak", Severity.HIGH, Category.PERFORMANCE, n) for n in range(1000)]
    s = score_project(many, 10, EFFORTS)
    assert (s.score, s.rating) == (0, "E")


def test_score_follows_the_grid_and_stays_in_its_band() -> None:
    settings = ScoreSettings()
    for ratio, rating, score in [
        (0.0, "A", 100),
        (0.025, "A", 90),
        (0.05, "A", 80),
        (0.075, "B", 70),
        (0.10, "B", 60),
        (0.15, "C", 50),
        (0.35, "D", 30),
        (0.75, "E", 10),
        (1.0, "E", 0),
        (7.0, "E", 0),
    ]:
        assert ratio_rating(ratio, settings) == rating
        assert ratio_score(ratio, settings) == pytest.approx(score)
    # Just over a limit drops a rating, and the rounded score stays inside the new band.
    s = score_project([finding("slow", Severity.MEDIUM)], 19, EFFORTS)  # 30 / 570 = 5.26%
    assert s.rating == "B"
    assert BANDS["B"][0] <= s.score <= BANDS["B"][1]


def test_severity_weights_the_effort() -> None:
    low = score_project([finding(severity=Severity.LOW)], 100, EFFORTS)
    crit = score_project([finding(severity=Severity.CRITICAL)], 100, EFFORTS)
    assert low.debt_minutes == crit.debt_minutes == 30
    assert low.weighted_debt_minutes == 15 and crit.weighted_debt_minutes == 60
    assert crit.score < low.score


def test_reliability_and_security_cap_the_rating_by_their_worst_severity() -> None:
    # A tiny debt ratio would rate A; a high-severity reliability finding caps it at D.
    s = score_project([finding("style", Severity.HIGH, Category.RELIABILITY)], 10_000, EFFORTS)
    assert s.rating == "D" and BANDS["D"][0] <= s.score <= BANDS["D"][1]
    assert s.by_category["reliability"].rating == "D"
    assert s.by_category["performance"].rating == "A"
    # The same finding in performance is not capped.
    p = score_project([finding("style", Severity.HIGH, Category.PERFORMANCE)], 10_000, EFFORTS)
    assert p.rating == "A"


def test_capped_projects_still_rank_by_debt() -> None:
    cap = finding("style", Severity.HIGH, Category.SECURITY, 0)
    light = score_project([cap], 1000, EFFORTS)
    heavy_findings = [cap] + [finding("leak", Severity.MEDIUM, n=n) for n in range(1, 20)]
    heavy = score_project(heavy_findings, 1000, EFFORTS)
    assert light.rating == heavy.rating == "D"
    assert heavy.score < light.score


def test_unknown_rules_cost_the_default_effort() -> None:
    s = score_project([finding("ruff:E501", Severity.MEDIUM)], 100, {})
    assert s.debt_minutes == DEFAULT_EFFORT


def test_category_scores_count_their_own_findings() -> None:
    fs = [
        finding("slow", Severity.MEDIUM, Category.PERFORMANCE, 0),
        finding("slow", Severity.MEDIUM, Category.PERFORMANCE, 1),
        finding("leak", Severity.LOW, Category.COST, 2),
    ]
    s = score_project(fs, 200, EFFORTS)
    assert s.by_category["performance"].findings == 2
    assert s.by_category["performance"].debt_minutes == 60
    assert s.by_category["cost"].debt_minutes == 60
    assert s.by_category["security"].findings == 0
    assert s.debt_minutes == sum(c.debt_minutes for c in s.by_category.values())


def test_same_input_same_score_in_any_order() -> None:
    rng = random.Random(4)
    sevs = list(Severity)
    cats = list(Category)
    fs = [
        finding(rng.choice(list(EFFORTS)), rng.choice(sevs), rng.choice(cats), n)
        for n in range(300)
    ]
    first = score_project(fs, 4321, EFFORTS).to_dict()
    for _ in range(5):
        shuffled = fs[:]
        rng.shuffle(shuffled)
        assert score_project(shuffled, 4321, EFFORTS).to_dict() == first


def test_to_dict_is_plain_data_in_a_fixed_order() -> None:
    d = score_project([finding()], 1000, EFFORTS).to_dict()
    assert list(d["by_category"]) == [c.value for c in Category]
    assert d["debt_minutes"] == 30 and d["debt_hours"] == 0.5
    assert set(d["by_category"]["performance"]) == {
        "score",
        "rating",
        "debt_minutes",
        "findings",
        "debt_ratio",
    }


def test_per_line_cost_and_grid_are_configurable() -> None:
    fs = [finding()]
    default = score_project(fs, 100, EFFORTS)  # 30 / 3000 = 1% -> A
    costly = score_project(fs, 100, EFFORTS, ScoreSettings(minutes_per_line=1.0))  # 30%
    assert default.rating == "A" and costly.rating == "D"
    strict = ScoreSettings(grid=(0.001, 0.002, 0.005, 0.008))
    assert score_project(fs, 100, EFFORTS, strict).rating == "E"


def test_settings_from_mapping() -> None:
    s = ScoreSettings.from_mapping({"minutes-per-line": 10, "grid": [0.01, 0.02, 0.03, 0.04]})
    assert s.minutes_per_line == 10 and s.grid == (0.01, 0.02, 0.03, 0.04)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"minutes-per-line": 0}, "minutes-per-line"),
        ({"grid": [0.1, 0.05, 0.2, 0.5]}, "grid"),
        ({"grid": [0.1, 0.2]}, "grid"),
        ({"grid": "A"}, "grid"),
        ({"zero-at": 0.3}, "zero-at"),
        ({"severity-caps": {"high": "F"}}, "severity-caps"),
        ({"severity-weights": {"urgent": 1}}, "severity-weights"),
        ({"per-line": 3}, "per-line"),
    ],
)
def test_bad_settings_name_the_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        ScoreSettings.from_mapping(table, "optimus.toml")


def test_negative_lines_are_a_bug() -> None:
    with pytest.raises(ValueError, match="lines"):
        score_project([], -1, EFFORTS)


def test_efforts_default_to_the_catalogue() -> None:
    efforts = rule_efforts()
    assert efforts["large-file"] == 120
    s = score_project([finding("large-file", Severity.LOW, Category.MAINTAINABILITY)], 10_000)
    assert s.debt_minutes == 120


def test_score_projects_groups_by_project_and_counts_lines() -> None:
    api = Project("api", "api", Stack(languages={"Python": LanguageStats(3, 400)}))
    lib = Project(
        "lib",
        "lib",
        Stack(languages={"Python": LanguageStats(1, 50), "Rust": LanguageStats(2, 150)}),
    )
    assert project_lines(lib) == 200
    scores = score_projects([api, lib], [finding("large-file", project="api")])
    assert scores["api"].findings == 1 and scores["api"].lines == 400
    assert scores["lib"].findings == 0 and scores["lib"].score == 100


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FINDINGS = st.lists(
    st.tuples(
        st.sampled_from(list(EFFORTS)),
        st.sampled_from(list(Severity)),
        st.sampled_from(list(Category)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_FINDINGS, st.integers(min_value=0, max_value=2_000), _FINDINGS)
def test_more_findings_never_raise_the_score(
    base: list[tuple[str, Severity, Category]],
    lines: int,
    extra: list[tuple[str, Severity, Category]],
) -> None:
    before_list = [finding(r, s, c, n) for n, (r, s, c) in enumerate(base)]
    after_list = before_list + [finding(r, s, c, 1000 + n) for n, (r, s, c) in enumerate(extra)]
    before = score_project(before_list, lines, EFFORTS)
    after = score_project(after_list, lines, EFFORTS)
    assert after.score <= before.score
    assert after.rating >= before.rating
    for s in (before, after):
        low, high = BANDS[s.rating]
        assert low <= s.score <= high
        for c in s.by_category.values():
            assert BANDS[c.rating][0] <= c.score <= BANDS[c.rating][1]


def test_crossing_into_the_capped_band_does_not_raise_the_score() -> None:
    # A high reliability finding caps at D. With one more medium finding the ratio itself
    # moves from C (12.5%) into D (22.5%): the score must still go down.
    cap = finding("style", Severity.HIGH, Category.RELIABILITY, 0)
    one = score_project([cap, finding("slow", n=1)], 10, EFFORTS)
    two = score_project([cap, finding("slow", n=1), finding("slow", n=2)], 10, EFFORTS)
    assert one.rating == two.rating == "D"
    assert two.score < one.score


def test_a_small_capping_finding_does_not_raise_the_score() -> None:
    base = [finding("slow", n=n) for n in range(3)]
    before = score_project(base, 11 * 3, EFFORTS)
    after = score_project(
        [*base, finding("style", Severity.LOW, Category.RELIABILITY, 9)], 33, EFFORTS
    )
    assert after.score <= before.score
