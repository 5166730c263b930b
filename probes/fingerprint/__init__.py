"""Fingerprint: which protocol families a device answers, and who made it, before any login.

    fingerprint(target, http, *, onvif=True) -> Fingerprint

Unauthenticated checks only, so nothing here can count towards a lockout:
- GET /ISAPI/System/deviceInfo (401 Digest challenge, or 200 DeviceInfo) -> isapi;
- GET /cgi-bin/magicBox.cgi?action=getDeviceType (401 realm "Login to <serial>", or 200 type=) -> dahua_cgi,
  plus the realm and serial signals;
- POST GetSystemDateAndTime to the ONVIF device service (the one Get* ONVIF answers without
  login) -> onvif and the clock offset; a GET on the service goes first only when nothing points
  at ONVIF, and its 404 never rules ONVIF out when something does;
- the HTTP Server header of every answer (App-webs/, DNVRS-Webs, Hikvision-Webs -> Hikvision);
- the MAC OUI (probes/oui.py) of a MAC discovery hinted at, or an open DeviceInfo showed.

Ambiguous answers (firmware that challenges every path) never rule a family out: each family
gets a gate verdict with the maker signals pointing at it (gate.py), and a pointed-at family is
confirmed later with the device's one login (confirm.py, run by the orchestrator).

The discovery protocols a Target was found by (sadp, dhip, ws_discovery) are added to
`protocols`; the discovery hints themselves stay on the Target, so the identity to resolve is
`target.hints + fingerprint.signals + probe observations`. Per-device failures (timeouts, resets,
hostile XML) never raise: they become `notes`, and what did answer is still reported.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from probes.base import Evidence, FamilyGate, Fingerprint, IdentitySignal, Target
from probes.discovery.reply import DISCOVERY_PROTOCOLS
from probes.errors import NotSupported, ProbeError, TimedOut, Unreachable
from probes.fingerprint.gate import pointers, verdict
from probes.fingerprint.matchers import ANY, CONTROL, MATCHERS, Matcher, evaluate, signals_for
from probes.fingerprint.onvif_clock import DEVICE_SERVICE, get_system_date_and_time
from probes.http import DeviceHttp, HttpAnswer
from probes.oui import normalise_mac, organisation

__all__ = ["MATCHERS", "FamilyGate", "Matcher", "fingerprint", "onvif_url"]


def onvif_url(target: Target) -> str:
    """The device-service URL: WS-Discovery's XAddr when it points at this device, else the default path."""
    xaddr = target.onvif_xaddr
    if xaddr and urlsplit(xaddr).hostname == target.address.split("%", 1)[0]:
        return xaddr
    return target.base_url + DEVICE_SERVICE


def _fetch(http: DeviceHttp, paths: list[str], fp: Fingerprint) -> tuple[dict[str, HttpAnswer], bool]:
    """GET each path without credentials: (answers, whether anything listens at the base URL)."""
    answers: dict[str, HttpAnswer] = {}
    timeouts = 0
    for path in paths:
        try:
            answers[path] = http.get(path, authenticate=False)
            timeouts = 0
        except Unreachable as exc:
            fp.notes.append(f"HTTP: {exc.reason}")
            return answers, False                   # nothing listens: later paths cannot answer
        except TimedOut as exc:
            fp.notes.append(f"{path}: {exc.reason}")
            timeouts += 1
            if timeouts == 2:
                fp.notes.append("HTTP checks stopped after two timeouts in a row")
                break
        except ProbeError as exc:
            fp.notes.append(f"{path}: {exc.reason}")
    return answers, True


def _add(fp: Fingerprint, signals: list[IdentitySignal]) -> None:
    have = {(s.field, s.value, s.source) for s in fp.signals}
    for s in signals:
        if (s.field, s.value, s.source) not in have:
            have.add((s.field, s.value, s.source))
            fp.signals.append(s)


def _onvif(target: Target, http: DeviceHttp, fp: Fingerprint, matchers: tuple[Matcher, ...],
           http_reachable: bool, pointed: list[str]) -> FamilyGate:
    url = onvif_url(target)
    path = urlsplit(url).path
    same_port = url.startswith(target.base_url + "/")
    if not http_reachable and same_port:
        return FamilyGate("ambiguous", "nothing listens on the HTTP port")
    # Real firmware (Hikvision, Dahua) may answer a GET on the device service with 404 and still
    # serve the SOAP POST, so the GET is only asked when nothing points at ONVIF: it spares a SOAP
    # POST to a web server that has nothing to do with ONVIF, and decides nothing else.
    if not pointed and same_port and not _device_service_exists(http, path, fp):
        return FamilyGate("ambiguous", f"GET {path} answered 404 and nothing pointed at ONVIF")
    try:
        clock = get_system_date_and_time(url, http.settings)
    except NotSupported as exc:
        fp.notes.append(f"ONVIF {path}: {exc.reason}")
        definite = "(HTTP 404)" in exc.reason or "(HTTP 405)" in exc.reason
        return FamilyGate("absent" if definite else "ambiguous", f"POST GetSystemDateAndTime: {exc.reason}")
    except ProbeError as exc:
        fp.notes.append(f"ONVIF {path}: {exc.reason}")
        return FamilyGate("ambiguous", f"POST GetSystemDateAndTime: {exc.reason}")
    fp.protocols.add("onvif")
    fp.onvif_xaddr = url
    if clock.fault:
        fp.notes.append(f"ONVIF GetSystemDateAndTime answered with SOAP fault {clock.fault}")
    fp.clock_offset = clock.offset
    # Header matchers (Server) apply to the SOAP answer too.
    answer = HttpAnswer(url=url, status=200, headers=clock.headers, body=b"", elapsed_ms=0, tls=url.startswith("https"))
    for hit in evaluate(tuple(m for m in matchers if m.path == ANY), {"onvif": answer}, None):
        _add(fp, signals_for(hit))
    return FamilyGate("proven", f"{path} answered GetSystemDateAndTime without a login")


def _device_service_exists(http: DeviceHttp, path: str, fp: Fingerprint) -> bool:
    """A GET first when nothing pointed at ONVIF: an ONVIF service usually answers it (405, 400, a
    fault, 401); a 404 here is only taken as "no" because nothing else suggested ONVIF."""
    try:
        answer = http.get(path, authenticate=False)
    except ProbeError as exc:
        fp.notes.append(f"ONVIF {path}: {exc.reason}")
        return False
    if answer.status == 404:
        fp.notes.append(f"ONVIF: no device service at {path} (HTTP 404)")
        return False
    return True


def _oui(target: Target, fp: Fingerprint) -> None:
    macs = dict.fromkeys(m for s in (*target.hints, *fp.signals) if s.field == "mac"
                         and (m := normalise_mac(s.value)))
    for mac in macs:
        org = organisation(mac)
        if org:
            _add(fp, [IdentitySignal("manufacturer", org, "oui", Evidence("oui", mac[:8], org))])
        else:
            fp.notes.append(f"MAC {mac}: the OUI {mac[:8]} is not in the Wireshark manuf table")


def _unknown_servers(fp: Fingerprint, answers: dict[str, HttpAnswer], hits_sources: set[str]) -> None:
    servers = dict.fromkeys(v for a in answers.values() if (v := a.header("server")))
    if servers and "http-header" not in hits_sources:
        fp.notes.append("HTTP Server header " + ", ".join(repr(s) for s in servers)
                        + " names no known maker")


def fingerprint(target: Target, http: DeviceHttp, *, onvif: bool = True,
                matchers: tuple[Matcher, ...] = MATCHERS) -> Fingerprint:
    """Unauthenticated protocol and maker checks against one device; never raises ProbeError.

    Args:
        target: the device (base URL, discovery hints, ONVIF XAddr).
        http: a DeviceHttp on target.base_url; only `get(..., authenticate=False)` is used.
        onvif: also POST GetSystemDateAndTime (the only POST, a Get* operation).
        matchers: the matcher table (tests and callers may pass their own).

    `fp.families` holds the gate verdict per API family (probes/fingerprint/gate.py): proven,
    absent or ambiguous, with the maker signals that point at it.
    """
    fp = Fingerprint(protocols={p for p in target.found_by if p in DISCOVERY_PROTOCOLS},
                     onvif_xaddr=target.onvif_xaddr)
    answers, reachable = _fetch(http, list(dict.fromkeys(m.path for m in matchers if m.path != ANY)), fp)
    control = None
    if any(a.status == 401 for a in answers.values()):
        control = _fetch(http, [CONTROL], fp)[0].get(CONTROL)
    hits = evaluate(matchers, answers, control)
    for hit in hits:
        if hit.matcher.protocol:
            fp.protocols.add(hit.matcher.protocol)
        _add(fp, signals_for(hit))
    _oui(target, fp)
    pointed = pointers(target, fp.signals)
    for family in ("isapi", "dahua_cgi"):
        gate = verdict(family, answers, control, hits) if reachable or answers else \
            FamilyGate("ambiguous", "nothing listens on the HTTP port")
        gate.pointers = pointed[family]
        fp.families[family] = gate
    if onvif:
        fp.families["onvif"] = _onvif(target, http, fp, matchers, reachable, pointed["onvif"])
        fp.families["onvif"].pointers = pointed["onvif"]
    _unknown_servers(fp, answers, {h.matcher.source or "" for h in hits})
    return fp
