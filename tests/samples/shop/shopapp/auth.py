"""Password hashing and signed access tokens (a tiny JWT look-alike)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from shopapp import clock
from shopapp.config import get_settings

ITERATIONS = 1_000  # kept low on purpose: this is a sample service


class InvalidToken(Exception):
    pass


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"{salt.hex()}${digest.hex()}"


def verify_password(password: str, hashed: str) -> bool:
    salt_hex, _, _ = hashed.partition("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)), hashed)


def _sign(payload: bytes) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def create_access_token(user_id: int, role: str, ttl: int | None = None) -> str:
    settings = get_settings()
    expires = clock.now().timestamp() + (ttl if ttl is not None else settings.token_ttl_seconds)
    payload = json.dumps({"sub": user_id, "role": role, "exp": expires}).encode()
    body = base64.urlsafe_b64encode(payload).decode()
    return f"{body}.{_sign(payload)}"


def decode_access_token(token: str) -> dict[str, object]:
    try:
        body, signature = token.split(".")
        payload = base64.urlsafe_b64decode(body.encode())
    except ValueError as exc:
        raise InvalidToken("malformed token") from exc
    if not hmac.compare_digest(_sign(payload), signature):
        raise InvalidToken("bad signature")
    claims = json.loads(payload)
    if claims["exp"] < clock.now().timestamp():
        raise InvalidToken("token expired")
    return claims
