"""The protocol gate: what the unauthenticated answers say about each API family, and who points at it.

Real firmware makes unauthenticated answers ambiguous. Much Hikvision firmware answers `401 Digest`
to every path, known or not, so a challenge on `/ISAPI/` proves nothing; yet its realm
(`IP Camera(C2183)`, `DVRNVRDVS`, the model on recorders), its Server header, SADP and the MAC
OUI all say Hikvision (PROTOCOLS.md "Real firmware varies"). So each family gets one of:

- proven: an answer only that family gives (an open DeviceInfo, a challenge on /ISAPI/ while an
  unknown page is not challenged, Dahua's `Login to <serial>` realm on magicBox.cgi);
- absent: a definite "no": the identity path answers 404 while the device answers other paths
  differently, or answers 200 without a login with a document of another kind (a login would
  get the same answer, since nothing asked for one);
- ambiguous: everything else (401 everywhere, 404 everywhere, 403, 5xx, timeouts).

An ambiguous family is never ruled out. It is tried with credentials only when a maker signal
points at it (`pointers`): Hikvision signals point at isapi, Dahua signals at dahua_cgi. That is
probes/fingerprint/confirm.py's job; nothing here sends a login.
"""

from __future__ import annotations

import re

from probes.base import FamilyGate, IdentitySignal, Target
from probes.fingerprint.matchers import DEVICE_INFO, MAGIC_BOX, Hit
from probes.http import HttpAnswer

FAMILY_MAKER = {"isapi": "Hikvision", "dahua_cgi": "Dahua"}
IDENTITY_PATH = {"isapi": DEVICE_INFO, "dahua_cgi": MAGIC_BOX}
SHORT_PATH = {"isapi": DEVICE_INFO, "dahua_cgi": "/cgi-bin/magicBox.cgi"}
# Names that make a maker or vendor signal point at a family. EZVIZ and OEM builds (LTS, Annke,
# TruVision) keep ISAPI; Amcrest, Lorex and Honeywell Performance keep Dahua CGI (quirk 10), but
# they only point here through behaviour (realm, SADP/DHIP, OUI), not through their own names.
_MAKER_NAME = {"isapi": re.compile(r"hikvision|ezviz", re.IGNORECASE),
               "dahua_cgi": re.compile(r"dahua", re.IGNORECASE)}
# Discovery protocols only one maker's firmware answers (PROTOCOLS.md d).
DISCOVERY_FAMILY = {"sadp": "isapi", "dhip": "dahua_cgi"}
_LABEL = {"sadp": "SADP", "dhip": "DHIP", "ws_discovery": "WS-Discovery", "onvif": "ONVIF"}


def describe(signal: IdentitySignal) -> str:
    """A maker signal as a short pointer: `realm "IP Camera(C2183)"`, `Server App-webs/`."""
    ev = signal.evidence
    if signal.source == "realm":
        realm = re.search(r'realm="([^"]*)"', ev.excerpt)
        return f'realm "{realm[1]}"' if realm else "digest realm"
    if signal.source == "http-header":
        return f"Server {ev.excerpt}" if ev.excerpt else "Server header"
    if signal.source == "http-body":
        return "401 body <userCheck>"
    if signal.source == "oui":
        return f"MAC OUI {ev.source[:8]} ({signal.value})"
    label = _LABEL.get(signal.source, signal.source)
    if signal.source == "onvif":
        return f"ONVIF Manufacturer {signal.value}"
    if signal.field == "manufacturer" and signal.source in _LABEL:
        return f"{label} reply"
    return f"{label} names {signal.value}"


def pointers(target: Target, signals: list[IdentitySignal]) -> dict[str, list[str]]:
    """For each family, the maker signals (from discovery hints and the fingerprint) pointing at it."""
    found: dict[str, list[str]] = {"isapi": [], "dahua_cgi": [], "onvif": []}

    def add(family: str, text: str) -> None:
        if text not in found[family]:
            found[family].append(text)

    for protocol, family in DISCOVERY_FAMILY.items():
        if protocol in target.found_by:
            add(family, f"{_LABEL[protocol]} reply")
    for s in (*target.hints, *signals):
        if s.field not in ("manufacturer", "vendor") or s.source in FAMILY_MAKER:
            continue        # the family's own answers prove it; they are not pointers
        for family, pattern in _MAKER_NAME.items():
            if pattern.search(s.value):
                add(family, describe(s))
    for family in FAMILY_MAKER:
        found[family].sort(key=_rank)
    if target.onvif_xaddr or "ws_discovery" in target.found_by:
        add("onvif", "WS-Discovery XAddr")
    for family, maker in FAMILY_MAKER.items():
        if found[family]:
            add("onvif", f"{maker} signals")
    return found


def _rank(text: str) -> int:
    """Behaviour first (realm, Server header, OUI), then what discovery replies say."""
    for i, start in enumerate(("realm", "Server", "401 body", "MAC OUI", "SADP reply", "DHIP reply")):
        if text.startswith(start):
            return i
    return 9


def _redirected(answer: HttpAnswer, path: str) -> bool:
    return not answer.url.split("?", 1)[0].endswith(path.split("?", 1)[0])


def verdict(family: str, answers: dict[str, HttpAnswer], control: HttpAnswer | None,
            hits: list[Hit]) -> FamilyGate:
    """The unauthenticated verdict on `family` (isapi | dahua_cgi) from the fingerprint's GETs."""
    where = SHORT_PATH[family]
    proof = next((h for h in hits if h.matcher.protocol == family), None)
    if proof is not None:
        return FamilyGate("proven", _proof_text(proof, control))
    path = IDENTITY_PATH[family]
    answer = answers.get(path)
    if answer is None:
        return FamilyGate("ambiguous", f"{where} could not be read")
    others = [a for p, a in answers.items() if p != path] + ([control] if control is not None else [])
    status = answer.status
    if status == 404:
        if any(a.status != 404 for a in others):
            return FamilyGate("absent", f"{where} answered 404")
        return FamilyGate("ambiguous", f"{where} answered 404 like every path tried")
    if status == 401:
        if control is not None and control.status == 401:
            return FamilyGate("ambiguous", f"{where} asked for a login, as every path does (an unknown page too)")
        return FamilyGate("ambiguous", f"{where} asked for a login")
    if 200 <= status < 300 and not _redirected(answer, path):
        return FamilyGate("absent", f"{where} answered {status} without a login, and not as {FAMILY_MAKER[family]} "
                                    "firmware does")
    return FamilyGate("ambiguous", f"{where} answered HTTP {status}")


def _proof_text(hit: Hit, control: HttpAnswer | None) -> str:
    a, name = hit.answer, hit.matcher.name
    path = "/" + a.url.split("://", 1)[-1].partition("/")[2]
    if a.status == 401 and hit.matcher.specific and control is not None:
        return f"{path.split('?', 1)[0]} asked for a login while an unknown page answered {control.status}"
    if a.status == 401:
        realm = re.search(r'realm="([^"]*)"', a.header("www-authenticate") or "")
        return f'{path.split("?", 1)[0]} asked for a login, realm "{realm[1] if realm else ""}"'
    return f"{path.split('?', 1)[0]} answered {a.status} without a login ({name})"
