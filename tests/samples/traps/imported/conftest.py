"""imported/ is a package (it has __init__.py), so a relative import works."""

from .helpers.fx import thing  # noqa: F401  (re-exported fixture)
