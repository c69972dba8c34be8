"""Which leaked state a failing test reads: specific names count, generic ones do not."""

from __future__ import annotations

import pytest

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.matching import NO_MATCH, _empty, change_words, score, words_of_test


def test_the_variable_name_is_the_specific_word_of_an_environment_change():
    words = change_words(Change("environ", "os.environ['APP_MODE']", None, "'beta'"))
    assert words["APP_MODE"] == 3
    assert "environ" not in words
    assert "os" not in words
    assert words["beta"] == 1


def test_a_global_is_matched_by_its_own_name_not_by_its_module():
    change = Change("globals", "shop.config.RATE", "1.0", "2.0")
    match = score([change], {"RATE", "total"})
    assert match.strength >= 3
    assert match.named
    assert score([change], {"config", "shop"}) == NO_MATCH


def test_lru_cache_and_defaults_are_matched_by_the_function_name():
    cache = Change(
        "globals", "shop.settings.get_settings.cache_info()", "'currsize=0'", "'currsize=1'"
    )
    defaults = Change("globals", "shop.basket.add_item.__defaults__", "x", "y")
    assert score([cache], {"get_settings"}).changes == (cache,)
    assert score([defaults], {"add_item"}).changes == (defaults,)


def test_state_without_a_name_is_matched_by_the_calls_that_read_it():
    cwd = Change("cwd", "os.getcwd()", "'.'", "'/tmp/x'")
    zone = Change("timezone", "time.tzname", "('UTC', 'UTC')", "('JST', 'JST')")
    assert score([cwd], {"open", "read_text"}).strength > 0
    assert score([zone], {"strftime", "localtime"}).strength > 0
    assert score([zone], {"open"}) == NO_MATCH


def test_a_match_through_reader_calls_only_is_weak_however_many_calls_it_made():
    """``now``, ``strftime`` and ``tzinfo`` are one reading of the time zone: a patched
    ``clock.now`` the test names must outrank it."""
    zone = Change("timezone", "time.tzname", "('UTC', 'UTC')", "('JST', 'JST')")
    patched = Change("mocks", "mock.patch('leakapp.clock.now')", None, "'started'")
    names = {"now", "strftime", "tzinfo", "localtime", "clock"}
    by_readers = score([zone], names)
    by_name = score([patched], names)
    assert not by_readers.named
    assert by_name.named
    assert by_name.strength > by_readers.strength


def test_context_words_count_only_beside_a_specific_word():
    """A temporary path's words (``tmp``, ``root``) in a cwd change prove nothing."""
    cwd = Change("cwd", "os.getcwd()", "'/src'", "'/tmp/pytest-of-root/pytest-1/x0'")
    assert score([cwd], {"abspath", "tmp", "root", "x0"}).strength == 2
    rate = Change("globals", "shop.config.RATE", "1.0", "2.0")
    assert score([rate], {"RATE", "config", "shop"}).strength == 5


def test_common_state_still_matches_but_below_any_rare_state_and_is_never_named():
    counter = Change("globals", "app.metrics.REQUESTS", "41", "42")
    rare = Change("globals", "app.registry.PROVIDERS", "{}", "{'stripe': 1}")
    names = {"REQUESTS", "PROVIDERS"}
    common = {counter.where}
    demoted = score([counter], names, common)
    assert demoted.strength == 1
    assert not demoted.named
    both = score([counter, rare], names, common)
    assert both.changes == (rare, counter)
    assert both.named


@pytest.mark.parametrize(
    "value",
    [
        "OrderedDict()#1a2b3c4d",
        "deque([])#00ff00ff",
        "WeakSet(len=0)",
        "collections.OrderedDict()",
        "{}#cbbec2a6",
        "set()#0",
        None,
    ],
)
def test_empty_containers_of_any_type_are_empty(value):
    assert _empty(value)


@pytest.mark.parametrize("value", ["OrderedDict(len=2)#1a2b", "deque([1])", "'x'", "0"])
def test_non_empty_values_are_not_empty(value):
    assert not _empty(value)


def test_a_change_that_empties_state_ranks_below_one_that_fills_it():
    filled = Change("globals", "shop.pricing._quote_cache", "OrderedDict()", "OrderedDict(len=1)")
    emptied = Change("globals", "shop.pricing._quote_cache", "OrderedDict(len=1)", "OrderedDict()")
    names = {"_quote_cache"}
    assert score([filled], names).strength > score([emptied], names).strength


def test_failure_text_and_dotted_names_give_words():
    words = words_of_test(["leakapp.plugins_optional"], "assert 'report.csv' not in listing")
    assert {"plugins_optional", "report.csv", "listing"} <= words
    change = Change("files", "file report.csv", None, "file")
    assert score([change], words).strength >= 3


def test_an_environment_variable_read_through_a_library_call_matches_weakly():
    change = Change("environ", "os.environ['FLASK_SQLALCHEMY_ECHO']", None, "'true'")
    match = score([change], {"app", "from_prefixed_env"})
    assert match.strength == 2
    assert not match.named


def test_a_file_is_named_by_its_path_or_name_and_its_folders_are_context():
    opened = change_words(Change("descriptors", "open file /tmp/x/instance/app.db", None, "open"))
    assert opened["app.db"] == 3
    assert opened["instance"] == 1
    rows = change_words(
        Change("sqlite", "sqlite dev.sqlite table 'note' rows", "'0 rows'", "'1 row'")
    )
    assert rows["dev.sqlite"] == 3
    assert rows["note"] == 3
    row = Change("sqlite", "sqlite dev.sqlite table 'note' rows", "'0 rows'", "'1 row'")
    assert score([row], {"dev.sqlite"}).named


def test_a_logger_is_named_by_its_dotted_name_in_full_not_by_its_module_names():
    level = Change("logging", "logging.getLogger('app.billing').level", None, "'DEBUG'")
    assert not score([level], {"app", "billing", "getLogger"}).named
    match = score([level], {"app.billing", "isEnabledFor"})
    assert match.named
    assert match.strength >= 3
    top = Change("logging", "logging.getLogger('app').level", None, "'DEBUG'")
    assert not score([top], {"app", "isEnabledFor"}).named
