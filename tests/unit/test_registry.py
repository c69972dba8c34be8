"""Loading rules: the built-in catalog (one rule per module, helpers skipped) and
third-party rules from the `test_auditor.rules` entry point group."""

from __future__ import annotations

import importlib
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.api import Rule
from auditor.lint.registry import (
    ENTRY_POINT_GROUP,
    RuleLoadError,
    all_rules,
    builtin_rules,
    plugin_rules,
    rules_in,
)

RULES_PACKAGE = Path(importlib.import_module("auditor.rules").__path__[0])

PLUGIN = """\
from auditor.api import Rule
from auditor.lint.registry import rules_in  # an import: not a rule of this module


class First(Rule):
    code = "ACME001"
    name = "first"
    category = "acme"


class Second(Rule):
    code = "ACME002"
    name = "second"
    category = "acme"


def helper():
    pass
"""

SINGLE = """\
from auditor.api import Rule


class Single(Rule):
    code = "ACME010"
    name = "single"
    category = "acme"
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path to install fake distributions into; the modules imported
    from it are forgotten afterwards."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("acme_"):
            del sys.modules[name]


def install(site: Path, entry_points: str, modules: dict[str, str]) -> None:
    """A distribution named acme-rules with `entry_points` in the rules group."""
    for name, source in modules.items():
        (site / f"{name}.py").write_text(source, encoding="utf-8")
    info = site / "acme_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{textwrap.dedent(entry_points)}", encoding="utf-8"
    )
    importlib.invalidate_caches()


def test_builtin_rules_one_per_catalog_module() -> None:
    rules = builtin_rules()
    expected = sorted(
        f"auditor.rules.{path.parent.name}.{path.stem}"
        for path in RULES_PACKAGE.glob("*/*.py")
        if not path.name.startswith("_")
    )
    assert sorted(rule.__module__ for rule in rules) == expected
    assert len(expected) >= 25
    assert Rule not in rules
    assert len({rule.code for rule in rules}) == len(rules)


def test_rules_in_takes_only_the_concrete_rules_defined_in_the_module() -> None:
    module = types.ModuleType("acme_fake")
    exec(
        "import abc\n"
        "from auditor.api import Rule\n"
        "from auditor.lint.engine import RunResult\n"
        "class Mine(Rule):\n"
        "    code = 'ACME100'\n"
        "class Abstract(Rule, abc.ABC):\n"
        "    @abc.abstractmethod\n"
        "    def extra(self): ...\n"
        "class NotARule:\n"
        "    pass\n"
        "Imported = type('Imported', (Rule,), {'__module__': 'elsewhere'})\n",
        module.__dict__,
    )
    assert [rule.__name__ for rule in rules_in(module)] == ["Mine"]


def test_no_entry_points_no_plugin_rules(site: Path) -> None:
    assert plugin_rules() == []


def test_plugin_rules_from_a_module_and_from_a_class(site: Path) -> None:
    install(
        site,
        "acme = acme_plugin\nsingle = acme_single:Single\n",
        {"acme_plugin": PLUGIN, "acme_single": SINGLE},
    )
    assert sorted(rule.code for rule in plugin_rules()) == ["ACME001", "ACME002", "ACME010"]
    codes = [rule.code for rule in all_rules()]
    assert codes == sorted(codes)
    assert {"ACME001", "ACME002", "ACME010"} <= set(codes)
    assert len(codes) == len(builtin_rules()) + 3


def test_an_entry_point_that_cannot_be_imported(site: Path) -> None:
    install(site, "broken = acme_missing_module\n", {})
    with pytest.raises(RuleLoadError, match="entry point broken = acme_missing_module: "):
        plugin_rules()


def test_an_entry_point_whose_module_raises(site: Path) -> None:
    install(site, "raises = acme_raises\n", {"acme_raises": "raise RuntimeError('no')\n"})
    with pytest.raises(RuleLoadError, match=r"RuntimeError\('no'\)"):
        plugin_rules()


def test_an_entry_point_that_is_not_a_rule(site: Path) -> None:
    install(site, "helper = acme_plugin:helper\n", {"acme_plugin": PLUGIN})
    with pytest.raises(RuleLoadError, match="not a Rule subclass or module"):
        plugin_rules()


def test_a_code_used_twice_is_an_error(site: Path) -> None:
    clash = SINGLE.replace("ACME010", "TA101")
    install(site, "clash = acme_clash:Single\n", {"acme_clash": clash})
    with pytest.raises(RuleLoadError, match=r"rule code TA101 is used by both \S+ and acme_clash"):
        all_rules()


@pytest.fixture
def fake_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`auditor.rules` pointed at an empty folder to fill; what was imported from it
    is forgotten afterwards."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    package = importlib.import_module("auditor.rules")
    monkeypatch.setattr(package, "__path__", [str(folder)])
    yield folder
    for name in list(sys.modules):
        if name.startswith("auditor.rules.acme"):
            del sys.modules[name]


def test_the_catalog_skips_helpers_and_top_level_modules(fake_catalog: Path) -> None:
    category = fake_catalog / "acmecat"
    category.mkdir()
    (category / "__init__.py").write_text("", encoding="utf-8")
    (category / "single.py").write_text(SINGLE, encoding="utf-8")
    (category / "_helpers.py").write_text(PLUGIN, encoding="utf-8")  # two rules, skipped
    (fake_catalog / "acme_loose.py").write_text(PLUGIN, encoding="utf-8")  # not a category
    assert [rule.code for rule in builtin_rules()] == ["ACME010"]


def test_a_catalog_module_with_two_rules_is_an_error(fake_catalog: Path) -> None:
    category = fake_catalog / "acmecat2"
    category.mkdir()
    (category / "__init__.py").write_text("", encoding="utf-8")
    (category / "two.py").write_text(PLUGIN, encoding="utf-8")
    with pytest.raises(RuleLoadError, match=r"auditor\.rules\.acmecat2\.two: expected one rule"):
        builtin_rules()
