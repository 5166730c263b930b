"""How every Dahua probe asks: one GET under /cgi-bin/, the status checked, the body parsed.

Auth and transport outcomes come from `ctx.http` as probes.errors and are left to propagate:
the orchestrator records them for the device. What one endpoint answers about itself
(`Error` / `Bad Request!`, 403, 404) is raised as NotSupported/Forbidden so each probe can turn
it into an observation or skip that part and keep the rest of its findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from probes._redact import redact
from probes.base import Evidence, FeatureObservation
from probes.context import ProbeContext
from probes.dahua._kv import KvDoc, Node, parse_kv, raise_for_error, value
from probes.errors import UNANSWERED, BadResponse, Forbidden, NotSupported, ProbeError, UnexpectedAnswer

PROTOCOL = "dahua_cgi"
CGI = "/cgi-bin/"

# Keys whose values never go into evidence, even when a caller asks for them by mistake:
# Dahua returns Email/NAS/DDNS passwords in clear (network.py captures, PROTOCOLS.md quirk 13).
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|key|verif|cipher|encrypt", re.IGNORECASE)
EXCERPT_LIMIT = 160
# What one endpoint may answer about itself. Probes catch these per call so one refused config
# name does not cost the rest of their findings; auth and transport errors always propagate.
ENDPOINT_REFUSALS = (NotSupported, Forbidden, BadResponse, UnexpectedAnswer)


@dataclass(frozen=True)
class CgiAnswer:
    """A parsed 200 answer and where it came from."""

    doc: KvDoc
    source: str
    status: int
    elapsed_ms: int

    def evidence(self, excerpt: str = "", limit: int = EXCERPT_LIMIT) -> Evidence:
        result = f"HTTP {self.status}"
        if self.doc.notes:
            result += " (" + "; ".join(self.doc.notes) + ")"
        return Evidence(PROTOCOL, self.source, result, clip(redact(excerpt), limit), self.elapsed_ms)


def source_of(script: str, params: list[tuple[str, str]]) -> str:
    return f"{CGI}{script}?{urlencode(params, safe='[].')}" if params else f"{CGI}{script}"


def call(ctx: ProbeContext, script: str, **params: str) -> CgiAnswer:
    """GET /cgi-bin/<script>?<params> and parse the key=value answer.

    Raises:
        NotSupported: the Dahua `Error`/`Bad Request!` answer or HTTP 404.
        Forbidden: HTTP 403 (the account may not read this).
        UnexpectedAnswer, MalformedResponse: anything else unusable.
        AuthProblem and transport errors from ctx.http, unchanged.
    Whatever it raises is recorded on the device's problem list (ProbeContext.record).
    """
    with ctx.recording():
        return _call(ctx, script, params)


def _call(ctx: ProbeContext, script: str, params: dict[str, str]) -> CgiAnswer:
    query = list(params.items())
    source = source_of(script, query)
    answer = ctx.http.get(CGI + script, params=query)
    if answer.status == 403:
        raise Forbidden(f"{source}: the account may not read this (HTTP 403)")
    if answer.status == 404:
        raise NotSupported(f"{source}: no such CGI on this firmware (HTTP 404)")
    if not 200 <= answer.status < 300:
        raise_for_error(answer.body, source)
        raise UnexpectedAnswer(f"{source}: HTTP {answer.status}")
    return CgiAnswer(parse_kv(answer.body, source), source, answer.status, answer.elapsed_ms)


def get_config(ctx: ProbeContext, name: str) -> CgiAnswer:
    """configManager getConfig for one name, asked once per device whichever probe wants it."""
    return ctx.memo(f"{PROTOCOL}:config:{name}",
                    lambda: call(ctx, "configManager.cgi", action="getConfig", name=name))


def config_source(name: str) -> str:
    return source_of("configManager.cgi", [("action", "getConfig"), ("name", name)])


def failure_evidence(source: str, exc: ProbeError) -> Evidence:
    """Evidence for an endpoint that answered with a refusal rather than data."""
    if isinstance(exc, NotSupported):
        result = ("HTTP 404 (no such CGI on this firmware)" if "HTTP 404" in exc.reason
                  else "Error: Bad Request! (no such item on this firmware)")
    elif isinstance(exc, Forbidden):
        result = "HTTP 403 (the account may not read this)"
    else:
        result = type(exc).__name__
    return Evidence(PROTOCOL, source, result, clip(redact(exc.reason)))


def unanswered(exc: ProbeError) -> bool:
    """A call that got no answer (timed out, reset, the device's budget spent): it says nothing about the
    device, so what it would have read stays unknown, never "no" (issue 15)."""
    return type(exc).__name__ in UNANSWERED


def unread(name: str, source: str, exc: ProbeError, channel: int | None = None) -> FeatureObservation:
    """The observation for an analytic whose read got no answer: supported and enabled unknown, with the
    failure as evidence, so the judge keeps it unknown even where a listing (getCaps) would close it."""
    return FeatureObservation(PROTOCOL, name, None, None, failure_evidence(source, exc), channel)


def summary(tree: Node | None, keys: Iterable[str]) -> str:
    """`Key=value` for the named, non-secret keys that are present, for an evidence excerpt."""
    parts = []
    for key in keys:
        if _SECRET_KEY.search(key):
            continue
        found = value(tree, key)
        if found is not None:
            parts.append(f"{key}={found}")
    return " ".join(parts)


def clip(text: str, limit: int = EXCERPT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["ENDPOINT_REFUSALS", "CgiAnswer", "call", "clip", "config_source", "failure_evidence", "get_config",
           "summary", "unanswered", "unread"]
