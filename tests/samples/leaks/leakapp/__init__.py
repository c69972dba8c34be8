"""leakapp: the storefront API."""

__version__ = "0.7.2"
