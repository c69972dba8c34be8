"""The tracer behind ``--ta-touch``: the names of the code each test ran, test by test."""

from __future__ import annotations

import sys

import pytest

from auditor.dynamic.plugin.touch import MonitoringTracer, ProfileTracer, tracer

SECRET_SETTING = "TA_TOUCH_SETTING"


def reads_the_rate(config: object) -> object:
    return config.RATE_LIMIT  # type: ignore[attr-defined]


def reads_the_setting() -> str:
    return SECRET_SETTING


class Config:
    RATE_LIMIT = 3


@pytest.fixture
def traced():
    chosen = tracer()
    yield chosen
    chosen.close()


def test_each_test_gets_the_names_its_own_code_used(traced):
    traced.start()
    reads_the_rate(Config)
    traced.stop()
    assert "RATE_LIMIT" in traced.names()
    traced.start()  # the next test: a function the last one ran counts again when run again
    reads_the_setting()
    reads_the_rate(Config)
    traced.stop()
    names = traced.names()
    assert {"SECRET_SETTING", "RATE_LIMIT"} <= set(names)
    traced.start()
    traced.stop()
    assert "RATE_LIMIT" not in traced.names()


def test_code_run_after_the_test_is_not_its_own(traced):
    traced.start()
    traced.stop()
    reads_the_rate(Config)
    assert "RATE_LIMIT" not in traced.names()


@pytest.mark.skipif(not hasattr(sys, "monitoring"), reason="sys.monitoring is 3.12+")
def test_from_3_12_the_tracer_is_sys_monitoring_and_gives_its_slot_back():
    first = tracer()
    assert isinstance(first, MonitoringTracer)
    first.close()
    second = tracer()
    assert isinstance(second, MonitoringTracer)
    assert second.tool == first.tool
    second.close()


@pytest.mark.skipif(hasattr(sys, "monitoring"), reason="before 3.12 only")
def test_before_3_12_the_tracer_is_a_profile_function():
    assert isinstance(tracer(), ProfileTracer)
