"""TA505 overlapping-test-files."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import DuplicateGroup, Finding, Invalid, Member, Rule, Severity, SuiteView, Valid

from ._common import percent

USAGE = """\
from metering.usage import aggregate, record


def test_aggregate_usage_by_day(meter):
    record(meter, "2024-05-01T10:00", units=3)
    record(meter, "2024-05-01T18:00", units=2)
    assert aggregate(meter, by="day") == {"2024-05-01": 5}


def test_usage_of_unknown_meter_is_empty(meters):
    assert aggregate(meters.get("missing"), by="day") == {}


def test_record_rejects_negative_units(meter):
    with pytest.raises(ValueError, match="units"):
        record(meter, "2024-05-01T10:00", units=-1)
"""

REPORTS = """\
import pytest

from metering.usage import aggregate, record


def test_daily_usage_rollup(meter):
    record(meter, "2024-05-01T10:00", units=3)

    record(meter, "2024-05-01T18:00", units=2)  # same day
    assert aggregate(meter, by="day") == {"2024-05-01": 5}


def test_negative_units_are_refused(meter):
    with pytest.raises(ValueError, match="units"):
        record(meter, "2024-05-01T10:00", units=-1)
"""

PLANS_V1 = """\
def test_list_plans(client):
    response = client.get("/v1/plans")
    assert response.status_code == 200


def test_unknown_plan_is_404(client):
    assert client.get("/v1/plans/nope").status_code == 404


def test_create_plan_needs_auth(client):
    response = client.post("/v1/plans", json={"name": "pro"})
    assert response.status_code == 401
"""


RANGES = """\
import pytest

from ranges import {column}


@pytest.fixture
def Booking():
    class Booking:
        during = Column({column})

    return Booking


def test_empty_range(session, Booking):
    session.add(Booking(during=[]))
    session.commit()
    assert session.query(Booking).first().during.lower is None


def test_null_range(session, Booking):
    session.add(Booking(during=None))
    session.commit()
    assert session.query(Booking).first().during is None
"""


class OverlappingTestFiles(Rule):
    """
    ## What it does
    Finds a test file most of whose tests (half or more, and two at least) are copies,
    renamed copies or near copies of tests in one other file. It is reported at the top
    of the file that repeats the other, with the share of its tests that do.

    A test counts only where its clone works on the same subject: the same modules of
    the project imported or reloaded (a module written again for another Python
    version, `tutorial001_py310`, is the same one), and fixtures over the same objects
    of the project. Files running the same steps over other docs modules, or over
    file-local models of other column types, test other things and do not overlap;
    nor do files each named for the object its copies read (`test_source_json.py` over
    `JsonSource`, `test_source_yaml.py` over `YamlSource`): one module per subject.

    ## Why is this bad?
    A file copied to start a new one (a v2 of an API, a "reports" module that re-tests
    the usage module) doubles the run time of those checks and the work of changing
    them, and the two files drift apart. Delete the copies, or merge the two files into
    one whose tests are parametrized over what differs (the API version, the backend).

    ## Example
    ```python
    # tests/api/test_plans_v1.py and tests/api/test_plans_v2.py
    def test_list_plans(client):
        assert client.get("/v1/plans").status_code == 200
    ```
    Use instead:
    ```python
    # tests/api/test_plans.py
    @pytest.mark.parametrize("version", ["v1", "v2"])
    def test_list_plans(client, version):
        assert client.get(f"/{version}/plans").status_code == 200
    ```

    ## Options
    - `duplicate-similarity` (`[tool.test-auditor]`, a number in (0, 1]; default `0.7`):
      the similarity from which a test is a near copy of another (as in
      `near-duplicate-test`, TA504). Lower counts more of a file's tests as copies;
      exact and renamed copies do not depend on it.

    ## References
    - pytest, "How to parametrize fixtures and test functions":
      <https://docs.pytest.org/en/stable/how-to/parametrize.html>
    """

    code = "TA505"
    name = "overlapping-test-files"
    category = "duplicates"
    severity = Severity.INFO
    whole_suite = True

    VALID = (
        # one copied test of three: a copy (TA501), but the files are not copies
        Valid(
            files={
                "tests/unit/test_usage.py": "import pytest\n\n" + USAGE,
                "tests/test_reports.py": REPORTS.split("\n\n\ndef test_negative")[0]
                + "\n\n\ndef test_monthly_report(meter, reports):\n"
                '    assert reports.monthly(meter).title == "May 2024"\n\n\n'
                "def test_report_is_pdf(meter, reports):\n"
                '    assert reports.monthly(meter).render().startswith(b"%PDF")\n',
            }
        ),
        # the same endpoints, other checks: two files on one subject, not copies
        Valid(
            files={
                "tests/api/test_plans_read.py": PLANS_V1,
                "tests/api/test_plans_write.py": PLANS_V1.replace(
                    'client.get("/v1/plans")', 'client.put("/v1/plans", json={})'
                )
                .replace("client.get(", "client.delete(")
                .replace('client.post("/v1/plans"', 'client.patch("/v1/plans/pro"'),
            }
        ),
        # the same steps over file-local models of two of the project's column types
        Valid(
            files={
                "ranges/__init__.py": "DateRange = DateTimeRange = object\n",
                "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef session():\n"
                "    return None\n",
                "tests/test_date_range.py": RANGES.format(column="DateRange"),
                "tests/test_datetime_range.py": RANGES.format(column="DateTimeRange"),
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/conftest.py": "",
                "tests/unit/test_usage.py": "import pytest\n\n" + USAGE,
                "tests/test_reports.py": REPORTS,
            },
            at=("tests/test_reports.py:1:1",),
            message="`tests/test_reports.py` overlaps `tests/unit/test_usage.py` (100% of "
            "its tests are clones): 2 of 2 tests in tests/test_reports.py have clones in "
            "tests/unit/test_usage.py (2 identical)",
        ),
        Invalid(
            files={
                "tests/api/test_plans_v1.py": PLANS_V1,
                "tests/api/test_plans_v2.py": PLANS_V1.replace("/v1/", "/v2/")
                + '\n\ndef test_plans_have_prices(client):\n    assert client.get("/v2/'
                'plans").json()[0]["price"]\n',
            },
            at=("tests/api/test_plans_v1.py:1:1",),
            message="(100% of its tests are clones): 3 of 3 tests in "
            "tests/api/test_plans_v1.py have clones in tests/api/test_plans_v2.py "
            "(0 identical): merge the files",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for group in suite.duplicates:
            if group.kind != "file" or len(group.members) != 2:
                continue
            source, target = _direction(group)
            yield self.finding(
                source.path,
                1,
                0,
                f"`{source.path}` overlaps `{target.path}` ({percent(group.similarity)} "
                f"of its tests are clones): {group.suggestion}",
            )


def _direction(group: DuplicateGroup) -> tuple[Member, Member]:
    """(the file whose tests are mostly clones, the other): the suggestion names it."""
    first, second = group.members
    if f" tests in {second.path} have clones in " in group.suggestion:
        return second, first
    return first, second
