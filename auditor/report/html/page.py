"""One self-contained HTML file: the page's CSS and script inline, its data as one JSON
block, nothing fetched (a Content-Security-Policy forbids every load and lets only the
page's own script and style run, by their hashes).

The data is escaped for a ``<script type="application/json">`` block (``<``, ``>`` and
``&`` as ``\\u003c`` ...), so a test named ``</script><script>...`` stays text; the script
puts every user string into the page as text nodes, never as markup."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from auditor import __version__

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


@cache
def _asset(name: str) -> str:
    return files("auditor.report.html").joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def embed_json(data: Mapping[str, Any]) -> str:
    """``data`` as JSON that cannot end or open an HTML element."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).translate(_JSON_ESCAPES)


def render_page(data: Mapping[str, Any], title: str) -> str:
    """The whole HTML document."""
    style, script = _asset("report.css"), _asset("report.js")
    policy = (
        "default-src 'none'; img-src data:; "
        f"style-src {_sha256(style)}; script-src {_sha256(script)}"
    )
    payload = embed_json({**data, "generator": f"test-auditor {__version__}"})
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        '<header><h1>test-auditor</h1><p id="ta-subtitle"></p>'
        '<nav id="ta-tabs" aria-label="Views"></nav></header>\n'
        '<main id="ta-main"><noscript>This report needs JavaScript to show its data '
        "(it loads nothing from the network).</noscript></main>\n"
        f'<script type="application/json" id="ta-data">{payload}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )
