"""Reading a file's text the way Python would: BOM and PEP 263 coding cookie honoured."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass


class UnreadableSource(Exception):
    """Bytes that are not Python source; `reason` is a short machine-readable tag."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Source:
    text: str
    encoding: str


def looks_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB: the same test git and grep use."""
    return b"\x00" in data[:8192]


def decode(data: bytes) -> Source:
    """Decode file bytes as the interpreter would, or raise `UnreadableSource`."""
    if looks_binary(data):
        raise UnreadableSource("binary-file", "file is binary (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise UnreadableSource("bad-encoding", f"bad coding cookie: {exc}") from exc
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableSource(
            "bad-encoding",
            f"not valid {encoding} at byte {exc.start}"
            + ("" if encoding != "utf-8" else " (add a PEP 263 coding cookie?)"),
        ) from exc
    except LookupError as exc:
        raise UnreadableSource("bad-encoding", f"unknown encoding {encoding}") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(text=text, encoding=encoding)
