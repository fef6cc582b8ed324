"""compose-no-healthcheck: dependencies without healthchecks, services without restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.testing.harness import assert_rule_matches

RULE = "compose-no-healthcheck"
FIXTURES = Path(__file__).parent / "compose_no_healthcheck"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == [
        "alternatives",
        "app",
        "balanced",
        "built_elsewhere",
        "debug_setup",
        "dev_services",
        "docstash",
        "instant_cache",
        "labelled",
        "laptop",
        "laptop_limits",
        "plain_depends",
        "split_files",
        "traefik",
        "waiting",
    ]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_one_finding_per_service_and_problem() -> None:
    result = assert_rule_matches(str(FIXTURES / "app"), RULE)
    # only the deployed compose file: not the override, dev or devcontainer files
    assert {f.path for f in result.findings} == {"docker-compose.yml"}
    db = [f for f in result.findings if "`db`" in f.message]
    assert len(db) == 2
    [health] = [f for f in db if "`healthcheck`" in f.message]
    [restart] = [f for f in db if f is not health]
    assert "no `restart:` policy" in restart.message and "dependency of `api`" in restart.message
    assert restart.severity.value == "low"
    assert "condition: service_healthy" in health.message and "`api` waits" in health.message
    assert "docker compose up` fails" in health.message
    assert health.severity.value == "medium" and health.code == "DC001"
    assert len({f.fingerprint for f in result.findings}) == len(result.findings)
    [admin] = [f for f in result.findings if "`admin`" in f.message]
    assert "publishes ports" in admin.message and "healthcheck" not in admin.message


def test_plain_depends_on_is_low() -> None:
    result = assert_rule_matches(str(FIXTURES / "plain_depends"), RULE)
    [finding] = result.findings
    assert finding.severity.value == "low"
    assert "only waits for its container to start" in finding.message
    assert "`web` depends on it" in finding.message


def test_only_files_compose_layers_by_itself_are_merged() -> None:
    # compose.prod.yaml is passed with -f, which Compose does not do by itself: compose.yaml
    # is judged alone (its db has no healthcheck, so `docker compose up` fails), and
    # compose.prod.yaml alone has nothing to report.
    result = assert_rule_matches(str(FIXTURES / "split_files"), RULE)
    [finding] = result.findings
    assert (
        finding.path == "compose.yaml" and "service `db` (image `postgres:16`)" in finding.message
    )
    assert finding.severity.value == "medium"


def test_alternative_compose_files_stand_alone() -> None:
    # Paperless-style alternatives in one folder: each is a complete setup of its own, so a
    # service is not given the healthcheck or the image of its namesake in the other file.
    result = assert_rule_matches(str(FIXTURES / "alternatives"), RULE)
    by_path = {f.path: f for f in result.findings}
    assert sorted(by_path) == ["docker-compose.mariadb.yml", "docker-compose.postgres.yml"]
    maria = by_path["docker-compose.mariadb.yml"].message
    assert "service `db` (image `docker.io/library/mariadb:12`)" in maria
    assert "postgres" not in maria
    assert "service `broker` (image `docker.io/library/redis:8`)" in (
        by_path["docker-compose.postgres.yml"].message
    )


def test_compose_layers_keys() -> None:
    from optimus.rules.deploy.compose_no_healthcheck import compose_layers

    assert compose_layers("a/docker-compose.yml") == compose_layers(
        "a/docker-compose.override.yaml"
    )
    assert compose_layers("compose.yaml") == compose_layers("compose.override.yml")
    assert compose_layers("a/docker-compose.yml") != compose_layers("a/compose.yaml")
    assert compose_layers("a/docker-compose.postgres.yml") != compose_layers("a/docker-compose.yml")
    assert compose_layers("a/compose.prod.yaml") != compose_layers("a/compose.yaml")


def test_restart_is_not_demanded_of_a_local_setup() -> None:
    result = assert_rule_matches(str(FIXTURES / "laptop"), RULE)
    [finding] = result.findings
    assert "`mongo`" in finding.message and "healthcheck" in finding.message


def test_dependents_that_wait_by_themselves_are_not_reported() -> None:
    # the image's ENTRYPOINT script (COPY ./entrypoint.prod.sh .; app/ is a project of its
    # own, read from disk), a compose command with wait-for-it, an inline pg_isready loop and
    # dockerize -wait: db and redis are waited for by every dependent, so not reported.
    result = assert_rule_matches(str(FIXTURES / "waiting"), RULE)
    by_service = {f.message.split("`")[1]: f for f in result.findings}
    assert sorted(by_service) == ["cache", "mq", "search"]
    assert [p.path for p in result.projects] == [".", "app"]
    # consumer waits for db, not for search; admin's `entrypoint:` replaces the image's
    # script; chat's variable-host pg_isready is a wait for the database, not for the cache
    for name in ("search", "mq", "cache"):
        assert by_service[name].severity.value == "low"
        assert "first requests to it can fail" in by_service[name].message


def test_instant_caches_behind_a_dependent_that_first_waits_for_a_database() -> None:
    # app waits for db in its entrypoint script (pg_isready, then migrations): memcached,
    # Redis (with persistence), Valkey and Dragonfly that only app uses are not reported.
    # Reported: the database (worker starts at once), RabbitMQ (not an instant cache), a
    # cache that worker also uses, a cache behind a dependent whose only wait is for another
    # cache, and a cache a dependent waits for with `condition: service_healthy`.
    result = assert_rule_matches(str(FIXTURES / "instant_cache"), RULE)
    by_service = {f.message.split("`")[1]: f for f in result.findings}
    assert sorted(by_service) == ["db", "keydb", "locks", "mq", "sessions", "shared"]
    assert by_service["locks"].severity.value == "medium"
    assert "`app`, `worker` depend on it" in by_service["shared"].message


def test_instant_cache_images() -> None:
    from optimus.rules.deploy.compose_no_healthcheck import instant_cache

    for image in (
        "memcached:alpine",
        "redis:alpine",
        "docker.io/library/redis:8",
        "bitnami/redis:7.4",
        "valkey/valkey:8",
        "eqalpha/keydb",
        "docker.dragonflydb.io/dragonflydb/dragonfly:v1.25",
    ):
        assert instant_cache({"image": image}), image
    for image in ("rabbitmq:4", "postgres:16", "hazelcast/hazelcast:5.5", "redis-commander"):
        assert not instant_cache({"image": image}), image
    assert not instant_cache({"build": "./redis"})


def test_debug_and_ci_compose_files_are_not_deployments() -> None:
    # Both files would be reported by name alone: the debug setting and the ci/ folder
    # are what mark them as development and CI setups.
    assert not assert_rule_matches(str(FIXTURES / "debug_setup"), RULE).findings


def test_waits_inside_the_projects_own_published_image() -> None:
    # Paperless-style: the webserver runs ghcr.io/docstash/docstash (the project's name) by
    # `image:`; its Dockerfile copies docker/rootfs to /, whose s6 init steps wait for Redis
    # (through a Python ping script) and for the database (pg_isready, mariadb-admin ping).
    result = assert_rule_matches(str(FIXTURES / "docstash"), RULE)
    by_file = {(f.path.rsplit("/", 1)[-1], f.message.split("`")[1]) for f in result.findings}
    assert by_file == {
        ("docker-compose.postgres.yml", "search"),  # wait-for-search.sh is never run
        ("docker-compose.thirdparty.yml", "broker"),  # another image: its waits are unknown
        ("docker-compose.thirdparty.yml", "db"),
        ("docker-compose.sqlite-converters.yml", "objects"),  # storage, not a converter
        ("docker-compose.converter-at-start.yml", "tika"),  # used in the start command
        ("docker-compose.converter-at-start.yml", "gotenberg"),  # no endpoint setting
    }


def test_on_demand_converters_reached_by_an_endpoint_setting_are_not_reported() -> None:
    result = assert_rule_matches(str(FIXTURES / "docstash"), RULE)
    converters = [f for f in result.findings if f.path.endswith("sqlite-converters.yml")]
    assert [f.message.split("`")[1] for f in converters] == ["objects"]


def test_own_image_found_by_source_label_and_by_compose_build() -> None:
    labelled = assert_rule_matches(str(FIXTURES / "labelled"), RULE)
    assert [f.message.split("`")[1] for f in labelled.findings] == ["queue"]
    built = assert_rule_matches(str(FIXTURES / "built_elsewhere"), RULE)
    assert [f.message.split("`")[1] for f in built.findings] == ["cache"]


def test_python_retry_loops_are_waits_and_plain_loops_are_not() -> None:
    from optimus.rules.deploy._image_waits import python_waits

    waits = python_waits(
        "while True:\n    try:\n        c.ping()\n        break\n"
        "    except Exception:\n        time.sleep(1)\nprint('up')\n"
    )
    assert len(waits) == 1 and "c.ping()" in waits[0] and "print" not in waits[0]
    # a loop that connects once per item without sleeping is no wait
    assert not python_waits("for n in names:\n    c = connect(url)\n    c.declare(n)\n")


def test_services_behind_an_nginx_upstream_of_several_servers_are_not_reported() -> None:
    result = assert_rule_matches(str(FIXTURES / "balanced"), RULE)
    reported = sorted(f.message.split("`")[1] for f in result.findings)
    # web1/web2: one upstream of two (mounted config); search: two servers in the copied
    # config; api and cache are the only server of theirs.
    assert reported == ["api", "cache"]


def test_development_targets_and_live_source_folders_are_not_deployments() -> None:
    # target: development and ./frontend/src mounted from build ./frontend mark development
    # services; a production target, ./data beside a build of `.` and a single mounted
    # config file do not, and their dependencies are still reported.
    result = assert_rule_matches(str(FIXTURES / "dev_services"), RULE)
    assert sorted(f.path.split("/")[0] for f in result.findings) == [
        "config_file",
        "data_mount",
        "prod_target",
    ]
