"""Requested fixtures that a plugin absent from the environment read would provide.

test-auditor reads the pytest plugins installed in the suite's environment
(`auditor.model.environment`). When it could not find that environment (it read its own),
or found one that lacks a plugin the project declares, a fixture of such a plugin is
"unknown" to the model but not to the suite's maintainer. For each unknown name that no
definition anywhere in the suite has (a definition elsewhere means a visibility
problem, which stays an error), this module decides:

- *provided*: a plugin of the well-known table (`auditor.model.known_plugins`) provides
  it, that plugin is not installed in the environment read, and either the project
  declares it (`auditor.model.declared`) or the environment read is test-auditor's own
  and the plugin's names are distinctive. TA203 does not report it; the report says
  once which plugins were not read.
- *maybe*: the project declares pytest plugins that are not installed and whose
  fixtures the table does not know: TA203 reports the name as a warning naming them.
- otherwise an error, as before (with the plugin named when the table knows one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditor.analysis.resolution import UnknownFixture
from auditor.model.declared import declared_distributions
from auditor.model.environment import SuiteEnvironment, own_environment
from auditor.model.known_plugins import (
    KNOWN_PLUGINS,
    NEEDS_DECLARATION,
    installed_distributions,
    looks_like_plugin,
    plugins_providing,
)
from auditor.model.suite import Suite


@dataclass(frozen=True, slots=True)
class AbsentPlugin:
    """A plugin not installed in the environment read whose fixtures tests request."""

    distribution: str
    names: tuple[str, ...]
    """The requested fixture names it provides."""
    declared_in: tuple[str, ...]
    """The project's files declaring it (empty: known from the table only)."""
    tests: int


@dataclass(frozen=True, slots=True)
class AbsentPlugins:
    environment: str
    """Whose plugins were read (`SuiteEnvironment.describe`)."""
    own: bool
    """Whether that is test-auditor's own environment (the suite's was not found)."""
    plugins: tuple[AbsentPlugin, ...] = ()
    provided: tuple[tuple[str, str], ...] = ()
    """(fixture name, plugin) for the names TA203 leaves out."""
    unread: tuple[str, ...] = ()
    """Declared, not installed plugins whose fixtures the table does not know (listed
    when some unknown name has no known provider: it may be theirs)."""
    unprovided: tuple[str, ...] = ()
    """Unknown names defined nowhere in the suite that no known plugin provides (maybe
    one of `unread`'s)."""
    missing: tuple[tuple[str, str], ...] = ()
    """(fixture name, plugin) for names a plugin would provide that the suite's own
    environment lacks and the project does not declare: still errors."""

    def provider(self, name: str) -> str | None:
        return dict(self.provided).get(name)

    def hint(self, name: str) -> str | None:
        return dict(self.missing).get(name)

    def note(self) -> str | None:
        """One line for the report: the plugins not read, and how to read them."""
        if not self.plugins and not self.unread:
            return None
        parts = []
        for plugin in self.plugins:
            names = ", ".join(f"`{n}`" for n in plugin.names)
            where = (
                f"declared in {', '.join(plugin.declared_in)}"
                if plugin.declared_in
                else "not declared by the project"
            )
            tests = f"{plugin.tests} test{'s' if plugin.tests != 1 else ''}"
            parts.append(f"{plugin.distribution} ({names}; {where}; {tests})")
        text = f"plugins not installed in {self.environment}, their fixtures not read: "
        if self.unread:
            parts.append(f"{', '.join(self.unread)} (declared; fixtures unknown)")
        text += "; ".join(parts)
        text += (
            ". TA203 does not report the fixtures they provide"
            if self.plugins
            else ". TA203 reports the fixtures nothing defines as warnings"
        )
        if self.own:
            text += (
                "; point test-auditor at the suite's environment with --python "
                "(its interpreter or virtualenv folder), or activate it (VIRTUAL_ENV)"
            )
        else:
            text += "; install them there, or name another environment with --python"
        return text + "."


def absent_plugins(suite: Suite, unknown: Iterable[UnknownFixture]) -> AbsentPlugins:
    """What the unknown fixture names of `suite` say about plugins not read."""
    environment: SuiteEnvironment = suite.environment or own_environment()
    result = AbsentPlugins(environment.describe(), environment.own)
    unknown = list(unknown)
    defined = {f.name for f in suite.fixtures}
    names = sorted({u.name for u in unknown if u.name not in defined})
    if not names:
        return result
    installed = installed_distributions(environment)
    declared = declared_distributions(Path(suite.rootdir))
    provided: dict[str, str] = {}
    missing: dict[str, str] = {}
    for name in names:
        candidates = [p for p in plugins_providing(name) if p not in installed]
        chosen = [p for p in candidates if p in declared]
        if not chosen and environment.own:
            chosen = [p for p in candidates if p not in NEEDS_DECLARATION]
        if chosen:
            provided[name] = chosen[0]
        elif candidates:
            missing[name] = candidates[0]
    tests: dict[str, set[str]] = {}
    for item in unknown:
        if item.name in provided:
            tests.setdefault(provided[item.name], set()).update(item.tests)
    plugins = tuple(
        AbsentPlugin(
            plugin,
            tuple(n for n in names if provided.get(n) == plugin),
            declared.get(plugin, ()),
            len(tests.get(plugin, ())),
        )
        for plugin in sorted(set(provided.values()))
    )
    unprovided = [n for n in names if n not in provided and n not in missing]
    unread = tuple(
        d
        for d in sorted(declared)
        if unprovided and d not in installed and d not in KNOWN_PLUGINS and looks_like_plugin(d)
    )
    return AbsentPlugins(
        result.environment,
        result.own,
        plugins,
        tuple(sorted(provided.items())),
        unread,
        tuple(unprovided) if unread else (),
        tuple(sorted(missing.items())),
    )
