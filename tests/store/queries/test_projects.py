"""Project queries on both backends: filters, sorts with unscored projects, detail."""

from __future__ import annotations

import pytest

from optimus.errors import UsageError
from optimus.store.db import Database
from optimus.store.errors import NotFound
from optimus.store.models import Project
from optimus.store.queries.projects import ProjectFilter, get_project, list_projects


@pytest.fixture
def projects(database: Database) -> Database:
    rows = [
        ("alpha", 90.0, "A", 1, {"languages": {"Python": {}}, "frameworks": ["FastAPI"]}),
        ("beta_100%", 40.0, "C", 7, {"languages": {"Rust": {}}, "package_managers": ["cargo"]}),
        ("gamma", None, None, 0, None),
    ]
    with database.session() as s:
        for name, score, rating, count, stack in rows:
            s.add(
                Project(
                    root="/p",
                    path=name,
                    name=name,
                    score=score,
                    rating=rating,
                    open_findings=count,
                    stack=stack,
                )
            )
    return database


def names(db: Database, filters: ProjectFilter | None = None, **kw) -> list[str]:
    with db.session() as s:
        return [p.name for p in list_projects(s, filters or ProjectFilter(), **kw).items]


def test_unscored_projects_sort_last_both_ways(projects: Database) -> None:
    assert names(projects, sort="score") == ["beta_100%", "alpha", "gamma"]
    assert names(projects, sort="-score") == ["alpha", "beta_100%", "gamma"]
    assert names(projects, sort="-findings") == ["beta_100%", "alpha", "gamma"]


def test_like_wildcards_are_literal(projects: Database) -> None:
    assert names(projects, ProjectFilter(name="_100%")) == ["beta_100%"]
    assert names(projects, ProjectFilter(name="%")) == ["beta_100%"]
    assert names(projects, ProjectFilter(name="a_p")) == []


def test_stack_matches_names_in_any_list_any_case(projects: Database) -> None:
    assert names(projects, ProjectFilter(stack="fastapi")) == ["alpha"]
    assert names(projects, ProjectFilter(stack="CARGO")) == ["beta_100%"]
    assert names(projects, ProjectFilter(stack="rus")) == []


def test_score_bounds_exclude_unscored(projects: Database) -> None:
    assert names(projects, ProjectFilter(min_score=0)) == ["alpha", "beta_100%"]
    assert names(projects, ProjectFilter(max_score=50, rating=("c",))) == ["beta_100%"]


def test_total_counts_beyond_the_page(projects: Database) -> None:
    with projects.session() as s:
        page = list_projects(s, ProjectFilter(), limit=1, offset=1)
    assert (page.total, [p.name for p in page.items]) == (3, ["beta_100%"])


def test_a_page_past_the_end_still_counts_the_matches(projects: Database) -> None:
    with projects.read() as connection:
        past = list_projects(connection, ProjectFilter(min_score=0), offset=5)
        empty = list_projects(connection, ProjectFilter(name="nobody"))
    assert (past.items, past.total) == ([], 2)
    assert (empty.items, empty.total) == ([], 0)


def test_rows_hold_the_columns_asked_for_then_the_total(projects: Database) -> None:
    with projects.read() as connection:
        page = list_projects(connection, ProjectFilter(), columns=("id", "name", "stack"))
    first = page.items[0]
    assert (first.name, first.stack, first[-1]) == (
        "alpha",
        {"languages": {"Python": {}}, "frameworks": ["FastAPI"]},
        3,
    )
    with projects.read() as connection, pytest.raises(UsageError, match="no such project"):
        list_projects(connection, ProjectFilter(), columns=("id", "password"))


def test_bad_sort_and_missing_project(projects: Database) -> None:
    with projects.session() as s:
        with pytest.raises(UsageError, match="unknown sort"):
            list_projects(s, ProjectFilter(), sort="size")
        with pytest.raises(NotFound):
            get_project(s, 404)
