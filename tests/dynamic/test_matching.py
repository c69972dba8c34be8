"""Which leaked state a failing test reads: specific names count, generic ones do not."""

from __future__ import annotations

from auditor.dynamic.matching import change_words, score, words_of_test
from auditor.dynamic.probes import Change


def test_the_variable_name_is_the_specific_word_of_an_environment_change():
    words = change_words(Change("environ", "os.environ['APP_MODE']", None, "'beta'"))
    assert words["APP_MODE"] == 3
    assert "environ" not in words
    assert "os" not in words
    assert words["beta"] == 1


def test_a_global_is_matched_by_its_own_name_not_by_its_module():
    change = Change("globals", "shop.config.RATE", "1.0", "2.0")
    assert score([change], {"RATE", "total"})[0] >= 3
    assert score([change], {"config", "shop"}) == (0, [])


def test_lru_cache_and_defaults_are_matched_by_the_function_name():
    cache = Change(
        "globals", "shop.settings.get_settings.cache_info()", "'currsize=0'", "'currsize=1'"
    )
    defaults = Change("globals", "shop.basket.add_item.__defaults__", "x", "y")
    assert score([cache], {"get_settings"})[1] == [cache]
    assert score([defaults], {"add_item"})[1] == [defaults]


def test_state_without_a_name_is_matched_by_the_calls_that_read_it():
    cwd = Change("cwd", "os.getcwd()", "'.'", "'/tmp/x'")
    zone = Change("timezone", "time.tzname", "('UTC', 'UTC')", "('JST', 'JST')")
    assert score([cwd], {"open", "read_text"})[0] > 0
    assert score([zone], {"strftime", "localtime"})[0] > 0
    assert score([zone], {"open"}) == (0, [])


def test_failure_text_and_dotted_names_give_words():
    words = words_of_test(["leakapp.plugins_optional"], "assert 'report.csv' not in listing")
    assert {"plugins_optional", "report.csv", "listing"} <= words
    change = Change("files", "file report.csv", None, "file")
    assert score([change], words)[0] >= 3
