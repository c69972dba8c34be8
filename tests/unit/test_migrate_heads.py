"""A tier marker added from the module's head alone (`migrate.heads`, `migrate.marks`)
gives the bytes that marking the whole module gives, and the summary made from the head
(`migrate.head_summary`) is the one a parse of the marked module gives."""

from __future__ import annotations

import libcst as cst
import pytest

from auditor.migrate import marks
from auditor.migrate.head_summary import head_summary
from auditor.migrate.heads import head_of
from auditor.parse.run import parse_bytes
from auditor.parse.summary import ModuleSummary

FIRST_PARTY = frozenset({"shop", "helpers"})

FAST = {
    "imports pytest": b"import os\n\nimport pytest\n\n\n@pytest.fixture\ndef a():\n"
    b"    return os.sep\n\n\ndef test_a(a):\n    assert a\n",
    "no import": b'"""Doc."""\n\nfrom shop import price\n\n\ndef test_price():\n'
    b"    assert price(1) == 1\n",
    "no import at all": b"def test_x():\n    assert True\n",
    "comment before the def": b"import functools\n# about the tests\n"
    b"@functools.lru_cache\ndef test_x():\n    assert functools\n",
    "crlf": b"import os\r\n\r\n\r\nclass TestX:\r\n    def test_x(self):\r\n        assert os\r\n",
    "latin-1": "# -*- coding: latin-1 -*-\nimport os\nNAME = 'é'\n\n\ndef test_x():\n"
    "    assert NAME\n".encode("latin-1"),
    "bom": b"\xef\xbb\xbfimport os\nX = 1\ndef test_x():\n    assert X\n",
    "wrapped import": b"from shop import (\n    price,\n    tax,\n)\nimport sys\n"
    b"if sys.platform:\n    pass\n\n\ndef test_x():\n    assert price and tax\n",
    "no final newline": b"import os\n\n\ndef test_x():\n    assert os",
    "tabs": b"import os\n\nclass TestX:\n\tdef test_x(self):\n\t\tassert os\n",
    "future and helpers": b"from __future__ import annotations\n\nimport helpers\n"
    b"from . import conftest\n\nVALUE = helpers.X\n\n\ndef test_x():\n    assert VALUE\n",
}
WHOLE = {
    # libcst drops the last newline of such a module: the stand-in shows it
    "lone cr": b"import os\r\rdef test_x():\r    assert os\r",
    "shares a line": b"import os; X = 1\n\n\ndef test_x():\n    assert X\n",
    "pytestmark": b"import pytest\n\npytestmark = [pytest.mark.slow]\n\n\ndef test_x():\n"
    b"    pass\n",
    "joined docstring": b'"a" "b"\nimport os\n\n\ndef test_x():\n    assert os\n',
    "only imports": b"import os\nimport sys\n",
}


def whole(source: bytes, marker: str) -> bytes:
    module = cst.parse_module(source)
    return marks._marked(module, marker, FIRST_PARTY, marks._binds_pytest(module)).bytes


@pytest.mark.parametrize("name", sorted(FAST))
def test_the_head_alone_marks_as_the_whole_module_does(name: str) -> None:
    source = FAST[name]
    fast = marks._marked_head(source, "unit", FIRST_PARTY)
    assert fast is not None
    assert fast == whole(source, "unit")
    assert marks.mark_module(source, "unit", FIRST_PARTY) == fast


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_other_modules_are_marked_whole(name: str) -> None:
    source = WHOLE[name]
    assert marks._marked_head(source, "unit", FIRST_PARTY) is None
    assert marks.mark_module(source, "unit", FIRST_PARTY) == whole(source, "unit")


@pytest.mark.parametrize("name", sorted(FAST))
def test_the_summary_from_the_head_is_the_parsed_one(name: str) -> None:
    source = FAST[name]
    marked = marks.mark_module(source, "unit", FIRST_PARTY)
    before = parse_bytes("tests/test_x.py", source)
    assert isinstance(before, ModuleSummary)
    made = head_summary(before, source, marked, "tests/unit/test_x.py")
    assert made is not None
    assert made == parse_bytes("tests/unit/test_x.py", marked)


def test_a_module_with_its_own_pytest_name_is_parsed() -> None:
    # `pytest` comes from a star import: an added `import pytest` rebinds it
    source = b"from helpers import *\n\n\n@pytest.fixture\ndef a():\n    return 1\n"
    marked = marks.mark_module(source, "unit", FIRST_PARTY)
    assert b"import pytest" in marked
    before = parse_bytes("tests/test_x.py", source)
    assert isinstance(before, ModuleSummary)
    assert head_summary(before, source, marked, "tests/test_x.py") is None


def test_a_change_beyond_the_head_is_parsed() -> None:
    source = FAST["imports pytest"]
    changed = marks.mark_module(source, "unit", FIRST_PARTY).replace(b"os.sep", b"os.name")
    before = parse_bytes("tests/test_x.py", source)
    assert isinstance(before, ModuleSummary)
    assert head_summary(before, source, changed, "tests/test_x.py") is None


def test_the_head_ends_before_the_first_other_statement() -> None:
    head = head_of(FAST["comment before the def"])
    assert head is not None
    assert head.line == 3  # the decorator's line; the comment belongs to the head
    assert head.offset == len(b"import functools\n# about the tests\n")
    assert not head.binds_pytest
    assert not head.names_pytest
    star = head_of(b"from helpers import *\n\n\n@pytest.fixture\ndef a():\n    return 1\n")
    assert star is not None
    assert star.names_pytest
