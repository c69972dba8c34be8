"""`leakapp init`: scaffold a store directory in the current directory."""

from pathlib import Path

TEMPLATE = """[project]
name = "{name}"
currency = "EUR"
"""


def init_project(name):
    Path("leakapp.toml").write_text(TEMPLATE.format(name=name))
    Path("exports").mkdir(exist_ok=True)
    return Path.cwd()
