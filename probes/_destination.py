"""One way to write where a device sends data: `scheme://host[:port]/path` or `host[:port]`.

Configured URLs can carry user info (`http://user:pass@host/`) or tokens in the query string;
both are dropped here so no probe can record a credential in a destination (quirk 13).
"""

from __future__ import annotations

from urllib.parse import urlsplit

UNSET_HOSTS = frozenset({"", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"})


def clean_path(url: str | None) -> str:
    """The path of a configured URL or path, without user info, query or fragment."""
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "x://h" + ("" if url.startswith("/") else "/") + url
    return urlsplit(url).path


def destination(host: str | None, port: str | int | None = None, scheme: str | None = None,
                path: str | None = None) -> str | None:
    """`scheme://host:port/path` when a scheme is known, else `host:port`; None for an unset host."""
    host = (host or "").strip()
    if host in UNSET_HOSTS:
        return None
    port_text = str(port).strip() if port is not None else ""
    port_text = port_text if port_text.isdigit() and port_text != "0" else ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port_text}" if port_text else "")
    if scheme:
        return f"{scheme.lower()}://{netloc}{clean_path(path)}"
    return netloc
