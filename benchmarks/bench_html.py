"""Size of `scan --format html` on a generated suite of 10,000+ tests, and how long the page
takes to open and become usable in headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by Selenium).

    python benchmarks/bench_html.py [--out DIR] [--folders 50] [--files 4] [--tests 50]

The suite: FOLDERS folders, each with a conftest.py of six fixtures (a chain
``settings -> engine -> db -> repo``, a factory and one nothing uses) and FILES test files of
TESTS tests that request one to three of them; every tenth test is a copy of its neighbour
(duplicate findings). The page is opened from a file:// URL; "usable" is the moment its
script has rendered the first view (``body[data-ready]``), measured from navigation start
with the browser's own clock. Then each view is opened, a fixture searched and the findings
filtered, each timed in the page. Timings on a shared 2-core machine are noisy: run twice.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFTEST = """import pytest


@pytest.fixture(scope="session")
def settings_{n}():
    return {{"url": "sqlite://"}}


@pytest.fixture
def engine_{n}(settings_{n}):
    return settings_{n}["url"]


@pytest.fixture
def db_{n}(engine_{n}):
    yield engine_{n}


@pytest.fixture
def repo_{n}(db_{n}):
    return [db_{n}]


@pytest.fixture
def make_item_{n}():
    return lambda value: {{"value": value}}


@pytest.fixture
def never_used_{n}():
    return None
"""
TEST = """def test_case_{i}({args}):
    item = {{"value": {i}, "name": "case {i}"}}
    assert item["value"] == {i}


"""
COPY = """def test_copy_{i}({args}):
    item = {{"value": {i}, "name": "case {i}"}}
    assert item["value"] == {i}


"""
FIXTURE_SETS = ("repo_{n}", "make_item_{n}", "db_{n}, make_item_{n}", "", "settings_{n}")


def generate(root: Path, folders: int, files: int, tests: int) -> int:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    count = 0
    for n in range(folders):
        folder = root / "tests" / f"area_{n:03}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "conftest.py").write_text(CONFTEST.format(n=n))
        for f in range(files):
            body = []
            for t in range(tests):
                args = FIXTURE_SETS[(count + t) % len(FIXTURE_SETS)].format(n=n)
                template = COPY if t % 10 == 9 else TEST
                body.append(template.format(i=count + t - (t % 10 == 9), args=args))
            count += tests
            (folder / f"test_part_{f:02}.py").write_text("".join(body))
    return count


def scan_html(root: Path, output: Path) -> float:
    started = time.monotonic()
    command = [sys.executable, "-m", "auditor", "scan", "--no-cache", "--format", "html"]
    result = subprocess.run(
        [*command, "--output", str(output)], cwd=root, capture_output=True, text=True, check=False
    )
    if result.returncode not in (0, 1):
        sys.exit(f"scan failed ({result.returncode}): {result.stderr}")
    return time.monotonic() - started


def browse(page: Path, fixture: str = "db_7") -> dict[str, float]:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    figures: dict[str, float] = {}
    try:
        started = time.monotonic()
        driver.get(page.as_uri())
        WebDriverWait(driver, 60).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
        )
        figures["wall: get() until usable"] = time.monotonic() - started
        timing = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd];"
        )
        figures["browser: file read (responseEnd)"] = timing[0] / 1000
        figures["browser: DOMContentLoaded (parsed, rendered first view)"] = timing[1] / 1000
        figures["browser: load event"] = timing[2] / 1000

        def timed(label: str, script: str) -> None:
            start = time.monotonic()
            driver.execute_script(script)
            driver.execute_script("return document.body.offsetHeight")  # layout done
            figures[label] = time.monotonic() - start

        for view in ("tests", "findings", "duplicates", "fixtures", "overview"):
            timed(f"open view {view}", f"window.taShow('{view}')")
        driver.execute_script("window.taShow('fixtures')")
        box = driver.find_element(By.ID, "graph-search")
        start = time.monotonic()
        box.send_keys(fixture)
        found = f'#graph-results [data-fixture="{fixture}"]'
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, found))
        driver.find_element(By.CSS_SELECTOR, found).click()
        figures["search a fixture and show its users"] = time.monotonic() - start
        driver.execute_script("window.taShow('findings')")
        start = time.monotonic()
        Select(driver.find_element(By.ID, "finding-rule")).select_by_index(1)
        driver.execute_script("return document.body.offsetHeight")
        figures["filter findings by a rule"] = time.monotonic() - start
        logged = driver.get_log("browser")  # type: ignore[no-untyped-call]
        errors = [e for e in logged if e["level"] == "SEVERE"]
        if errors:
            print(f"browser errors: {errors}", file=sys.stderr)
    finally:
        driver.quit()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to generate the suite (default: temp)")
    parser.add_argument("--folders", type=int, default=50)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--tests", type=int, default=50, help="tests per file")
    parser.add_argument("--suite", type=Path, help="scan this suite instead of generating one")
    parser.add_argument("--fixture", default="db_7", help="the fixture to search for")
    args = parser.parse_args()
    base = args.out or Path(tempfile.mkdtemp(prefix="bench-html-"))
    if args.suite:
        root = args.suite.resolve()
    else:
        root = base / "suite"
        if root.exists():
            shutil.rmtree(root)
        tests = generate(root, args.folders, args.files, args.tests)
    page = base / "report.html"
    seconds = scan_html(root, page)
    if args.suite:
        print(f"suite: {root}")
    else:
        print(f"suite: {tests:,} tests in {args.folders * args.files} files ({root})")
    print(f"scan --format html: {seconds:.1f} s, {page.stat().st_size / 1e6:.2f} MB ({page})")
    for label, value in browse(page, args.fixture).items():
        print(f"{label}: {value:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
