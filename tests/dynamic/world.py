"""A simulated suite for the hunt's tests: state, who sets it, who reads it, who is flaky.

Runs like pytest would in one process: state starts empty, each test reads then writes, a
reader fails when the state it reads is not what it expects. It counts executions exactly as
the real driver does, so the hunt's cost can be checked without starting pytest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.dynamic.probes import Change
from auditor.dynamic.record import SessionRecord, TestRecord
from auditor.dynamic.runner.driver import Budget, Run


@dataclass
class World:
    tests: list[str]
    writes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """test -> {state key: value it leaves (None: removes it)}."""
    reads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """test -> {state key: value it needs to pass}."""
    hidden: set[str] = field(default_factory=set)
    """State keys the probes do not see."""
    names: dict[str, set[str]] = field(default_factory=dict)
    """test -> names its code refers to besides the state it reads (recorded by touch)."""
    setup_names: dict[str, set[str]] = field(default_factory=dict)
    """test -> names recorded when it runs first in its process (the session's fixtures
    are set up for it then)."""
    probes: dict[str, str] = field(default_factory=dict)
    """state key -> the probe that sees it (default ``globals``)."""
    unnamed_reads: set[str] = field(default_factory=set)
    """Tests whose code reads their state where touch does not see its name."""
    flaky: dict[str, float] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    budget: Budget = field(default_factory=Budget)
    executions: int = 0
    processes: int = 0
    runs: list[str] = field(default_factory=list)
    round_seconds: float = 0.0
    """What each whole-suite run reports it took."""
    traced: list[bool] = field(default_factory=list)
    """Per run: whether failed tests' names were asked for (``touch`` or ``touch_failed``)."""
    monitoring: bool | None = None
    """What the runs' session records say of ``sys.monitoring`` (None: nothing)."""
    watched: list[list[str] | None] = field(default_factory=list)
    """Per probed run: the globals keys the probe was told to watch (``None``: all)."""

    def run(
        self,
        order: Sequence[str] | None,
        *,
        label: str,
        probes: bool = False,
        touch: bool = False,
        touch_failed: bool = False,
        profile: bool = False,
        expected: int | None = None,
        watch: Sequence[str] | None = None,
    ) -> Run:
        self.budget.check(self.executions, len(self.tests if order is None else order))
        state: dict[str, str | None] = {}
        records = []
        for position, nodeid in enumerate(self.tests if order is None else order):
            record = TestRecord(nodeid)
            needs = self.reads.get(nodeid, {})
            if any(state.get(key) != value for key, value in needs.items()):
                record.outcome, record.failure = (
                    "failed",
                    "AssertionError: assert value == expected",
                )
            if self.rng.random() < self.flaky.get(nodeid, 0.0):
                record.outcome, record.failure = "failed", "AssertionError: bad luck"
            if touch or (touch_failed and record.failed):
                hidden = nodeid in self.unnamed_reads
                record.touched = [] if hidden else [key.rsplit(".", 1)[-1] for key in needs]
                record.touched += sorted(self.names.get(nodeid, ()))
                if position == 0:
                    record.touched += sorted(self.setup_names.get(nodeid, ()))
            for key, value in self.writes.get(nodeid, {}).items():
                probe = self.probes.get(key, "globals")
                unwatched = probe == "globals" and watch is not None and key not in watch
                seen = probes and key not in self.hidden and not unwatched
                if state.get(key) != value and seen:
                    before = _shown(state.get(key))
                    record.leaked.append(Change(probe, key, before, _shown(value)))
                state[key] = value
            records.append(record)
        self.executions += len(records)
        self.processes += 1
        self.runs.append(label)
        self.traced.append(touch or touch_failed)
        if probes:
            self.watched.append(None if watch is None else list(watch))
        seconds = self.round_seconds if order is None else 0.0
        session = SessionRecord(monitoring=self.monitoring)
        return Run(label, [r.nodeid for r in records], records, session, 0, seconds)


def _shown(value: str | None) -> str | None:
    return None if value is None else repr(value)


SAMPLE = """
admin::test_admin_stats_requires_login          reads overrides
admin::test_admin_stats_visible_to_admins       writes overrides
api::test_health_ok
api::test_list_products
api::test_unknown_route_returns_404
api::test_cors_closed_by_default                reads middleware
api::test_errors_hide_internals                 reads debug
basket::test_basket_total_without_coupon        reads defaults
basket::test_welcome_coupon_takes_ten_percent_off   writes defaults
basket::test_empty_basket_costs_nothing
catalog::test_seed_catalog_matches_products     reads cwd
checkout::test_default_mode_is_standard         reads APP_MODE
checkout::test_order_total
checkout::test_legacy_totals_still_supported    reads warning_filters
checkout::test_order_history_starts_empty       reads orders
checkout::test_receipt_is_dated_today           reads now
deprecations::test_checkout_path_is_free_of_legacy_calls    writes warning_filters
error_pages::test_debug_mode_shows_traceback    writes debug
logging::test_sql_echo_is_off_by_default        reads log_level
logging::test_verbose_flag_enables_debug_logging    writes log_level
middleware::test_cors_allows_any_origin_when_enabled    writes middleware
money::test_prices_render_in_euros              reads get_settings
money::test_currency_can_be_configured          writes get_settings
orders::test_insert_order_roundtrip
orders::test_place_order_persists               writes orders
payments::test_register_stripe_provider         writes PROVIDERS
pricing_cache::test_quotes_are_cached           writes quotes
pricing_cache::test_invalidate_drops_a_quote    clears quotes
pricing_cache::test_price_change_is_quoted      reads quotes
ratelimit::test_burst_of_ten_requests_is_allowed    reads RATE_LIMIT
ratelimit::test_requests_over_the_limit_are_rejected    writes RATE_LIMIT
receipts::test_receipt_number_uses_issue_date   writes now
refunds::test_refund_through_stripe             needs PROVIDERS
reports::test_no_reports_pending_on_a_fresh_install     reads report_csv
reports::test_export_daily_report_writes_csv    writes report_csv
retry::test_base_delay_grows_exponentially
retry::test_backoff_stays_within_budget         flaky
scaffold::test_init_creates_project_skeleton    writes cwd
serializers::test_falls_back_to_stdlib_json     reads ujson
serializers::test_prefers_ujson_when_installed  writes ujson
settings::test_enable_beta_features             writes APP_MODE
text::test_slugify_product_names
timefmt::test_stamps_use_server_timezone        reads TZ
timefmt::test_tokyo_store_shows_local_time      writes TZ
"""
"""The leak sample (tests/samples/leaks) in its default order: 16 pairs (one with a cleaner
between its tests), a brittle test and its setter, a flaky test, innocent tests."""


def sample_like(rng: random.Random, flaky_rate: float = 0.4) -> World:
    """A world shaped like the leak sample, its tests named ``tests/test_<module>.py::...``."""
    world = World([], rng=rng)
    for line in SAMPLE.strip().splitlines():
        name, *what = line.split()
        nodeid = "tests/test_{}.py::{}".format(*name.split("::"))
        world.tests.append(nodeid)
        if not what:
            continue
        verb, key = [*what, ""][:2]
        state = f"app.state.{key}"
        if verb == "writes":
            world.writes[nodeid] = {state: "changed"}
        elif verb == "clears":
            world.writes[nodeid] = {state: None}
        elif verb == "reads":
            world.reads[nodeid] = {state: None}
        elif verb == "needs":
            world.reads[nodeid] = {state: "changed"}
        elif verb == "flaky":
            world.flaky[nodeid] = flaky_rate
    return world
