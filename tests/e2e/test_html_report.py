"""The HTML report in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, which `.ci/run` installs) driven by Selenium opens the report of the
README's sample (`scan tests/samples/shop --format html`) and of the leak sample with its
`leaks` JSON (`scan --leaks`), and checks what a person would: the pyramid's counts, a
fixture search listing the tests that get the fixture, the findings filtered by rule, a
leak pair's reproduce command, and no error in the browser's console. A screenshot of each
view is saved under the test's temporary folder."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import SAMPLES, run_process

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "chromium and chromedriver are not installed (apt-get install chromium "
        "chromium-driver; .ci/run installs them where apt works)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')"
)
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chromium.webdriver import ChromiumDriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromiumDriver]:
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The README's sample as HTML, and its scan JSON to compare with."""
    folder = tmp_path_factory.mktemp("shop-report")
    page = folder / "report.html"
    cache = ("--cache-dir", str(folder / "cache"))
    html = run_process("scan", "--format", "html", "-o", page, *cache, cwd=SAMPLES / "shop")
    assert html.code in (0, 1), html.err
    scan = run_process("scan", "--format", "json", *cache, cwd=SAMPLES / "shop")
    assert scan.code in (0, 1), scan.err
    return page, scan.json()


@pytest.fixture(scope="module")
def leak_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The leak sample hunted once (a copy of it), then scanned with its leaks JSON."""
    suite = tmp_path_factory.mktemp("leaks") / "leaks"
    shutil.copytree(SAMPLES / "leaks", suite, ignore=shutil.ignore_patterns("*.db", "*.csv"))
    leaks_json = suite.parent / "leaks.json"
    hunt = run_process(
        "leaks", "--seed", "1", "--format", "json", "-o", leaks_json, cwd=suite, timeout=900
    )
    assert hunt.code in (0, 1), hunt.err
    page = suite.parent / "report.html"
    html = run_process(
        "scan", "--no-cache", "--format", "html", "--leaks", leaks_json, "-o", page, cwd=suite
    )
    assert html.code in (0, 1), html.err
    return page, json.loads(leaks_json.read_text(encoding="utf-8"))


def open_page(browser: WebDriver, page: Path) -> None:
    browser.get(page.as_uri())
    WebDriverWait(browser, 20).until(
        lambda driver: driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
    )


def show(browser: WebDriver, view: str) -> WebElement:
    browser.find_element(By.CSS_SELECTOR, f'nav button[data-view="{view}"]').click()
    section = browser.find_element(By.ID, f"view-{view}")
    assert section.is_displayed()
    return section


def type_into(browser: WebDriver, box: WebElement, text: str) -> None:
    """Type as a person would, then wait until the page has applied the filter (its inputs
    are debounced: ``body[data-pending]`` counts the ones not applied yet)."""
    box.send_keys(text)
    WebDriverWait(browser, 10).until(
        lambda driver: (
            driver.find_element(By.TAG_NAME, "body").get_attribute("data-pending") in (None, "0")
        )
    )


def console_problems(browser: ChromiumDriver) -> list[str]:
    """Errors and warnings the page logged (CSP violations, exceptions, failed loads)."""
    return [
        entry["message"]
        for entry in browser.get_log("browser")  # type: ignore[no-untyped-call]
        if entry["level"] in ("SEVERE", "WARNING")
    ]


def screenshot(browser: WebDriver, folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(folder / f"{name}.png"))


def test_scan_report_shows_what_the_json_says(
    browser: ChromiumDriver, shop: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    page, scan = shop
    shots = tmp_path / "screenshots"
    open_page(browser, page)

    # the pyramid: one band per tier with the JSON's count, and the folders' table
    show(browser, "overview")
    bands = browser.find_elements(By.CSS_SELECTOR, "#pyramid g[data-tier]")
    shown = {band.get_attribute("data-tier"): band.get_attribute("data-count") for band in bands}
    assert shown == {tier: str(n) for tier, n in scan["tiers"]["counts"].items()}
    labels = {band.get_attribute("data-tier"): band.text for band in bands}
    for tier, count in scan["tiers"]["counts"].items():
        assert labels[tier].startswith(f"{tier}{count} (") or str(count) in labels[tier]
    assert sum(scan["tiers"]["counts"].values()) == len(scan["tests"])
    folders = browser.find_elements(By.CSS_SELECTOR, "#tier-folders tbody tr")
    assert {row.get_attribute("data-key") for row in folders} == set(scan["tiers"]["folders"])
    card = browser.find_element(By.CSS_SELECTOR, '[data-card="tests"] b')
    assert card.text == str(len(scan["tests"]))
    screenshot(browser, shots, "1-pyramid")

    # a test's tier with its evidence on demand
    tests = show(browser, "tests")
    integration = next(t for t in scan["tests"] if t["evidence"])
    type_into(browser, tests.find_element(By.ID, "test-filter"), integration["nodeid"])
    row = tests.find_element(
        By.CSS_SELECTOR, f'details.test[data-nodeid="{integration["nodeid"]}"]'
    )
    row.find_element(By.TAG_NAME, "summary").click()
    with contextlib.suppress(TimeoutException):  # filled by the `toggle` event, a task later
        WebDriverWait(browser, 10).until(lambda _: integration["evidence"][0] in row.text)
    assert integration["evidence"][0] in row.text
    screenshot(browser, shots, "2-tests")

    # the fixture explorer: searching a fixture lists the tests that get it
    explorer = show(browser, "fixtures")
    fixture = next(f for f in scan["fixtures"] if f["name"] == "user_factory")
    type_into(browser, explorer.find_element(By.ID, "graph-search"), "user_factory")
    explorer.find_element(
        By.CSS_SELECTOR, '#graph-results button[data-fixture="user_factory"]'
    ).click()
    detail = browser.find_element(By.ID, "graph-detail")
    assert f"{fixture['path']}:{fixture['line']}" in detail.text
    expected_users = {t["nodeid"] for t in scan["tests"] if "user_factory" in t["fixtures"]}
    for folder in detail.find_elements(By.CSS_SELECTOR, "#fixture-users details:not([open])"):
        folder.find_element(By.TAG_NAME, "summary").click()

    def shown_users() -> set[str | None]:
        hits = detail.find_elements(By.CSS_SELECTOR, "#fixture-users li.hit")
        return {li.get_attribute("data-nodeid") for li in hits}

    # A folder's list is filled by its `toggle` event, a task after the click returns.
    with contextlib.suppress(TimeoutException):
        WebDriverWait(browser, 10).until(lambda _: len(shown_users()) >= len(expected_users))
    users = shown_users()
    assert users == expected_users
    assert len(users) == fixture["used_by"]
    assert "db_session" in detail.text  # its closure
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, shots, "3-fixture-graph")

    # findings filtered by one rule show that rule only
    findings = show(browser, "findings")
    rules = {f["rule"] for f in scan["findings"]}
    rule = "TA204" if "TA204" in rules else sorted(rules)[0]
    Select(findings.find_element(By.ID, "finding-rule")).select_by_value(rule)
    rows = findings.find_elements(By.CSS_SELECTOR, "#finding-rows tr")
    assert {r.get_attribute("data-rule") for r in rows} == {rule}
    assert len(rows) == sum(1 for f in scan["findings"] if f["rule"] == rule)
    rows[0].find_element(By.CSS_SELECTOR, "button.rule-link").click()
    assert browser.find_element(By.ID, f"rule-{rule}").get_attribute("open") is not None
    screenshot(browser, shots, "4-findings")

    # duplicates: every group, the members' code side by side
    duplicates = show(browser, "duplicates")
    groups = duplicates.find_elements(By.CSS_SELECTOR, ".group")
    assert len(groups) == len(scan["duplicates"])
    assert groups[0].find_elements(By.CSS_SELECTOR, ".member pre")
    screenshot(browser, shots, "5-duplicates")

    assert console_problems(browser) == []


def test_leaks_in_the_report_show_each_pair_with_its_reproduce_command(
    browser: ChromiumDriver, leak_page: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    page, leaks = leak_page
    open_page(browser, page)
    view = show(browser, "leaks")
    assert leaks["pairs"], "the leak sample has pairs"
    pair = leaks["pairs"][0]
    rows = view.find_elements(By.CSS_SELECTOR, "#pair-table tr.pair")
    assert len(rows) == len(leaks["pairs"])
    row = next(r for r in rows if r.get_attribute("data-victim") == pair["victim"])
    assert row.find_element(By.CSS_SELECTOR, "code.reproduce").text == pair["reproduce"]
    type_into(browser, view.find_element(By.ID, "pair-filter"), pair["victim"])
    victims = view.find_elements(By.CSS_SELECTOR, "#pair-table tr.pair")
    assert {r.get_attribute("data-victim") for r in victims} == {pair["victim"]}
    if leaks["brittle"]:
        assert leaks["brittle"][0]["nodeid"] in view.find_element(By.ID, "brittle").text
    if leaks["flaky"]:
        assert leaks["flaky"][0]["nodeid"] in view.find_element(By.ID, "flaky").text
    screenshot(browser, tmp_path / "screenshots", "6-leaks")
    assert console_problems(browser) == []


SCRIPT = "</script><script>window.pwned = 1</script>"


def test_user_strings_are_text_not_markup(browser: ChromiumDriver, tmp_path: Path) -> None:
    """A finding's message and code line, and duplicate tests' code, that hold
    `</script><script>...` show as written and run nothing."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "conftest.py").write_text(f"import os\n\nos.environ[{SCRIPT!r}] = '<b>x</b>'\n")
    body = (
        "    value = {'<img src=x onerror=window.pwned=2>': 1, 'a': [1, 2, 3]}\n"
        f"    text = {SCRIPT!r} + str(value) + 'and some more words here'\n"
        "    assert len(text) > 10 and value['a'] == [1, 2, 3] and text.startswith('<')\n"
    )
    (suite / "test_x.py").write_text(f"def test_one():\n{body}\n\ndef test_two():\n{body}")
    page = tmp_path / "report.html"
    result = run_process("scan", "--no-cache", "--format", "html", "-o", page, cwd=suite)
    assert result.code in (0, 1), result.err
    open_page(browser, page)
    findings = show(browser, "findings")
    assert SCRIPT in findings.find_element(By.ID, "finding-rows").text
    duplicates = show(browser, "duplicates")
    assert SCRIPT in duplicates.find_element(By.CSS_SELECTOR, ".member pre").text
    assert browser.execute_script("return window.pwned === undefined")
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 2
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
    screenshot(browser, tmp_path / "screenshots", "7-escaping")
    assert console_problems(browser) == []
