"""Exceptions, configuration and error handling."""


class RegulatoryError(Exception):
    code = "regulatory_error"


class NotFound(RegulatoryError):
    code = "not_found"


class InvalidProject(RegulatoryError):
    code = "invalid_project"


DEFAULTS = {"environment": "production", "max_predicates": 5, "fda_timeout": 30.0}


def load_config(overrides=None, environ=None):
    config = dict(DEFAULTS)
    for key, value in (environ or {}).items():
        if key.startswith("MEDAPP_"):
            config[key[len("MEDAPP_") :].lower()] = value
    config.update(overrides or {})
    return config


def error_response(exc):
    status = 404 if isinstance(exc, NotFound) else 400
    return status, {"error": exc.code, "detail": str(exc)}
