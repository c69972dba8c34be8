"""Well-known pytest plugins and the fixtures they provide, and which distributions an
environment has installed (from its metadata folders, nothing imported).

When a plugin is not installed in the environment test-auditor reads, its fixtures cannot
be read from source; this table says which requested names it would have provided. The
table holds the fixtures each plugin defines under a fixed name; plugins that make
fixtures from factories (pytest-postgresql, pytest-redis, pytest-factoryboy) list their
default ones only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from auditor.model.declared import normalize
from auditor.model.environment import SuiteEnvironment
from auditor.model.suite import FixtureDef

KNOWN_PLUGINS: dict[str, tuple[str, ...]] = {
    "pytest-mock": (
        "mocker",
        "class_mocker",
        "module_mocker",
        "package_mocker",
        "session_mocker",
    ),
    "pytest-benchmark": ("benchmark", "benchmark_weave"),
    "pytest-codspeed": ("benchmark",),
    "anyio": (
        "anyio_backend",
        "anyio_backend_name",
        "anyio_backend_options",
        "free_tcp_port",
        "free_tcp_port_factory",
        "free_udp_port",
        "free_udp_port_factory",
    ),
    "pytest-asyncio": (
        "event_loop",
        "event_loop_policy",
        "unused_tcp_port",
        "unused_tcp_port_factory",
        "unused_udp_port",
        "unused_udp_port_factory",
    ),
    "pytest-trio": ("nursery", "autojump_clock", "mock_clock"),
    "pytest-aiohttp": (
        "aiohttp_client",
        "aiohttp_server",
        "aiohttp_raw_server",
        "aiohttp_unused_port",
        "aiohttp_client_cls",
    ),
    "pytest-xprocess": ("xprocess",),
    "pytest-docker": (
        "docker_services",
        "docker_ip",
        "docker_compose_file",
        "docker_compose_project_name",
        "docker_compose_command",
        "docker_setup",
        "docker_cleanup",
    ),
    "lovely-pytest-docker": ("docker_services",),
    "pytest-check": ("check",),
    "pytest-httpserver": (
        "httpserver",
        "httpserver_ssl_context",
        "httpserver_listen_address",
        "make_httpserver",
    ),
    "pytest-localserver": ("httpserver", "httpsserver", "smtpserver"),
    "pytest-httpbin": ("httpbin", "httpbin_secure", "httpbin_both", "httpbin_ca_bundle"),
    "pytest-httpx": ("httpx_mock",),
    "respx": ("respx_mock",),
    "requests-mock": ("requests_mock",),
    "pytest-responses": ("responses",),
    "pytest-recording": ("vcr", "vcr_config", "vcr_cassette_dir", "default_cassette_name"),
    "pytest-vcr": ("vcr", "vcr_config", "vcr_cassette_dir", "vcr_cassette_name"),
    "pytest-xdist": ("worker_id", "testrun_uid"),
    "pytest-subtests": ("subtests",),
    "pytest-cov": ("cov", "no_cover"),
    "pytest-datadir": ("datadir", "shared_datadir", "original_datadir"),
    "pytest-regressions": (
        "data_regression",
        "file_regression",
        "num_regression",
        "dataframe_regression",
        "image_regression",
        "ndarrays_regression",
    ),
    "syrupy": ("snapshot",),
    "pytest-snapshot": ("snapshot",),
    "pyfakefs": ("fs", "fs_class", "fs_module", "fs_session"),
    "time-machine": ("time_machine",),
    "pytest-freezer": ("freezer",),
    "pytest-freezegun": ("freezer",),
    "faker": ("faker",),
    "pytest-socket": ("socket_disabled", "socket_enabled"),
    "pytest-qt": ("qtbot", "qapp", "qapp_args", "qapp_cls", "qtlog", "qtmodeltester"),
    "pytest-console-scripts": ("script_runner",),
    "pytest-postgresql": ("postgresql", "postgresql_proc", "postgresql_noproc"),
    "pytest-redis": ("redisdb", "redis_proc", "redis_nooproc"),
    "pytest-mysql": ("mysql", "mysql_proc", "mysql_noproc"),
    "pytest-examples": ("eval_example",),
    # fixtures with names a suite often defines itself: only when the project declares it
    "pytest-django": (
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "django_db_setup",
        "django_db_blocker",
        "client",
        "async_client",
        "admin_client",
        "admin_user",
        "rf",
        "async_rf",
        "settings",
        "live_server",
        "django_user_model",
        "django_username_field",
        "django_assert_num_queries",
        "django_assert_max_num_queries",
        "django_capture_on_commit_callbacks",
        "mailoutbox",
    ),
    "pytest-flask": ("client", "client_class", "config", "live_server", "accept_json"),
    "pytest-base-url": ("base_url",),
    "pytest-playwright": ("page", "browser", "context", "browser_name", "browser_type"),
    "pytest-selenium": ("selenium", "driver"),
    "pytest-celery": ("celery_app", "celery_worker", "celery_config"),
}

NEEDS_DECLARATION = frozenset(
    {
        "pytest-django",
        "pytest-flask",
        "pytest-base-url",
        "pytest-playwright",
        "pytest-selenium",
        "pytest-celery",
        "pytest-localserver",
        "faker",
    }
)
"""Plugins whose fixture names suites often use for fixtures of their own: a name of
theirs counts as theirs only when the project declares the plugin."""


def plugins_providing(name: str) -> tuple[str, ...]:
    """The well-known plugins (distribution names) that provide fixture `name`."""
    return tuple(plugin for plugin, names in KNOWN_PLUGINS.items() if name in names)


def looks_like_plugin(distribution: str) -> bool:
    """A declared distribution that may well be a pytest plugin (its fixtures unknown)."""
    return distribution in KNOWN_PLUGINS or bool(re.match(r"^pytest-|-pytest(-|$)", distribution))


PLUGIN_PARAMS: dict[tuple[str, str], Callable[[frozenset[str]], int]] = {
    # anyio's `@pytest.fixture(params=get_available_backends())`: asyncio, and trio when
    # trio can be imported; every test of an anyio suite runs once per backend
    ("anyio/pytest_plugin.py", "anyio_backend"): lambda installed: 2 if "trio" in installed else 1,
}
"""Fixtures of well-known plugins whose params are computed, not literal: how many there
are, from the distributions the environment has (keyed by the plugin file as the model
shows it, relative to its site-packages, and the fixture's name)."""


def with_plugin_params(
    fixtures: Iterable[FixtureDef], environment: SuiteEnvironment
) -> tuple[FixtureDef, ...]:
    """`fixtures`, with the params of `PLUGIN_PARAMS` fixtures counted for `environment`,
    so that items are counted as pytest counts them (anyio's two backends)."""
    installed: frozenset[str] | None = None
    counted: list[FixtureDef] = []
    for definition in fixtures:
        count = PLUGIN_PARAMS.get((definition.path, definition.name))
        if count is not None and definition.has_params and definition.params_count is None:
            if installed is None:
                installed = installed_distributions(environment)
            definition = replace(definition, params_count=count(installed))
        counted.append(definition)
    return tuple(counted)


def installed_distributions(environment: SuiteEnvironment) -> frozenset[str]:
    """Normalized names of the distributions installed in `environment`, from the
    ``*.dist-info``/``*.egg-info`` folders of its search roots."""
    return frozenset(_names(environment.search_roots))


def _names(roots: Iterable[Path]) -> Iterable[str]:
    for root in roots:
        try:
            entries = list(root.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.suffix in (".dist-info", ".egg-info"):
                yield normalize(entry.name[: -len(entry.suffix)].split("-")[0])
