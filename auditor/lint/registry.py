"""Loading rules: the built-in catalog under ``auditor.rules`` (one rule per module, in
category folders; modules starting with ``_`` are helpers) and third-party rules that
register under the ``test_auditor.rules`` entry point group (a module or a class)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType

from auditor.api import Rule

ENTRY_POINT_GROUP = "test_auditor.rules"


class RuleLoadError(Exception):
    """A rule module or entry point that cannot be loaded; exit code 2."""


def rules_in(module: ModuleType) -> list[type[Rule]]:
    """The Rule subclasses defined in `module` itself."""
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, Rule)
        and value is not Rule
        and value.__module__ == module.__name__
        and not inspect.isabstract(value)
    ]


def builtin_rules() -> list[type[Rule]]:
    package = importlib.import_module("auditor.rules")  # rules/, shipped as auditor.rules
    found: list[type[Rule]] = []
    for category in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not category.ispkg:
            continue
        sub = importlib.import_module(category.name)
        for info in pkgutil.iter_modules(sub.__path__, sub.__name__ + "."):
            if info.ispkg or info.name.rsplit(".", 1)[-1].startswith("_"):
                continue
            module = importlib.import_module(info.name)
            rules = rules_in(module)
            if len(rules) != 1:
                raise RuleLoadError(f"{info.name}: expected one rule, found {len(rules)}")
            found.extend(rules)
    return found


def plugin_rules() -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception as exc:  # a broken plugin: report it, exit 2
            raise RuleLoadError(f"entry point {entry.name} = {entry.value}: {exc!r}") from exc
        if isinstance(loaded, ModuleType):
            found.extend(rules_in(loaded))
        elif inspect.isclass(loaded) and issubclass(loaded, Rule):
            found.append(loaded)
        else:
            raise RuleLoadError(
                f"entry point {entry.name} = {entry.value}: not a Rule subclass or module"
            )
    return found


def all_rules() -> list[type[Rule]]:
    """Every rule, sorted by code; codes must be unique."""
    rules = sorted([*builtin_rules(), *plugin_rules()], key=lambda r: r.code)
    _check_unique(rules)
    return rules


def _check_unique(rules: Iterable[type[Rule]]) -> None:
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        other = seen.setdefault(rule.code, rule)
        if other is not rule:
            raise RuleLoadError(
                f"rule code {rule.code} is used by both {other.__module__} and {rule.__module__}"
            )
