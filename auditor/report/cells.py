"""User text in rich output: node ids, paths, messages and leaked values are shown as they
are, never read as rich markup (``test_get[two words]`` would lose its brackets, a
message quoting ``[/x]`` would stop the report)."""

from __future__ import annotations

from rich.text import Text


def plain(*values: object) -> list[Text]:
    """Table cells for ``table.add_row(*plain(...))``."""
    return [Text(str(value)) for value in values]
