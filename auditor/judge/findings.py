"""Findings: short, severity-ranked statements a DPO can act on, derived from a DeviceAudit.

Each rule is a small function over the audit (and, where it needs to know where events go,
the raw feature observations). Rules never probe and never guess: a rule about something
unknown says it is unknown or does not fire.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from auditor.judge.advisories.findings import advisory_findings
from auditor.judge.exposure import exposure_findings
from auditor.judge.taxonomy import features_for
from models.audit import DeviceAudit, Finding
from models.features import FEATURE_INFO, severity_rank
from probes.base import FeatureObservation

Rule = Callable[[DeviceAudit, list[FeatureObservation]], Iterable[Finding]]
RULES: list[Rule] = []

def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _on(audit: DeviceAudit, fid: str) -> bool:
    return audit.features[fid].enabled is True


def _ev(audit: DeviceAudit, *fids: str) -> list[str]:
    return [line for fid in fids for line in audit.features[fid].evidence][:6]


def destination_host(destination: str) -> str:
    """The host of `host`, `host:port`, `[v6]:port` or `scheme://host:port/path`."""
    text = destination.strip()
    if "://" in text:
        text = text.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def is_external(destination: str | None) -> bool | None:
    """True for a public address or a DNS name (names are resolved outside the site), None if unknown."""
    if not destination:
        return None
    host = destination_host(destination)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified)


@rule
def biometric_identification(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    if _on(audit, "face_recognition"):
        yield Finding("face-recognition-enabled", "critical",
                      "Face recognition is enabled: people are identified by their faces, which is "
                      "special-category biometric data (UK GDPR Article 9).",
                      _ev(audit, "face_recognition", "face_library"),
                      "Confirm an Article 9 condition and a DPIA cover this camera, or switch face recognition off.")
    if audit.features["face_library"].enabled is True:
        yield Finding("face-library-present", "high",
                      "The device stores a face library of enrolled people.", _ev(audit, "face_library"),
                      "List who is enrolled and why; delete libraries that have no lawful basis.")


ROUTE_SETTING = {"ftp": "ftp", "email": "email"}
ROUTE_LABEL = {"ftp": "FTP", "email": "e-mail", "cloud": "a cloud service", "http": "HTTP upload"}


@rule
def face_capture(audit: DeviceAudit, observations: list[FeatureObservation]) -> Iterable[Finding]:
    if not _on(audit, "face_capture"):
        return
    capture = [o for o in observations if o.enabled and "face_capture" in (features_for(o.protocol, o.name) or ())]
    routes = sorted({route for o in capture for route in o.sends_to if route in ROUTE_LABEL})
    # A route counts unless the device says that channel (FTP, e-mail) is switched off.
    leaving = [r for r in routes
               if r not in ROUTE_SETTING or audit.remote_access[ROUTE_SETTING[r]].enabled is not False]
    if not leaving:
        yield Finding("face-capture-enabled", "high",
                      "Face capture is enabled: the device crops and keeps a picture of every face it sees.",
                      _ev(audit, "face_capture"), "Switch face capture off unless a DPIA covers it.")
        return
    channel_evidence = [line for r in leaving if r in ROUTE_SETTING
                        for line in audit.remote_access[ROUTE_SETTING[r]].evidence[:1]]
    yield Finding("face-images-leave-device", "critical",
                  f"Face capture is enabled and face images leave the device by "
                  f"{' and '.join(ROUTE_LABEL[r] for r in leaving)}.",
                  _ev(audit, "face_capture") + channel_evidence,
                  "Check where the pictures go, how long they are kept and who sees them; "
                  "stop uploads that are not needed.")


FACE_ATTRIBUTES = ("age_gender", "emotion", "face_attributes", "mask_detection")


@rule
def other_biometrics(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    attributes = [fid for fid in FACE_ATTRIBUTES if _on(audit, fid)]
    if attributes:
        labels = ", ".join(FEATURE_INFO[fid].label.lower() for fid in attributes)
        yield Finding("face-attributes-enabled", "high",
                      f"The device derives personal characteristics from faces: {labels}.",
                      _ev(audit, *attributes), "Confirm each is needed and covered by the DPIA, or switch it off.")
    # Face detection on its own matters only when nothing stronger about faces was reported.
    if _on(audit, "face_detection") and not (_on(audit, "face_capture") or _on(audit, "face_recognition")):
        yield Finding("face-detection-enabled", "medium",
                      "Face detection is enabled: the device looks for faces in the picture.",
                      _ev(audit, "face_detection"), "Confirm it is needed; it is often the first step to face capture.")
    if _on(audit, "thermal_screening"):
        yield Finding("thermal-screening-enabled", "high",
                      "Thermal screening is enabled: the device measures people's temperature, which is health data.",
                      _ev(audit, "thermal_screening"),
                      "If screening is no longer needed (it was often installed for COVID-19), switch it off.")


@rule
def footfall(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    for fid in ("people_counting", "heat_map", "crowd_detection", "queue_detection"):
        if _on(audit, fid):
            yield Finding(f"{fid.replace('_', '-')}-enabled", "low", f"{FEATURE_INFO[fid].label} is enabled.",
                          _ev(audit, fid), "Record the purpose in the DPIA.")


CLOUD = {
    "hik_connect": ("hik-connect-enabled", "high", "Hik-Connect cloud is enabled"),
    "dahua_p2p": ("dahua-p2p-enabled", "high", "Dahua P2P cloud access is enabled"),
    "isup": ("isup-platform-enabled", "high", "The device registers with a remote ISUP platform"),
    "auto_register": ("auto-register-enabled", "high", "The device auto-registers with a remote platform"),
    "ddns": ("ddns-enabled", "medium", "Dynamic DNS is enabled, publishing the device's address on the internet"),
    "upnp": ("upnp-enabled", "medium", "UPnP is enabled and can open ports on the site router"),
}


@rule
def remote_access(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    for rid, (fid, severity, text) in CLOUD.items():
        verdict = audit.remote_access[rid]
        if verdict.enabled is True:
            where = f" ({verdict.destination})" if verdict.destination else ""
            yield Finding(fid, severity, f"{text}{where}.", verdict.evidence[:4],
                          "Switch it off unless remote access through it is approved and recorded.")
    for rid, label in (("email", "Alarm e-mails"), ("ftp", "FTP uploads")):
        verdict = audit.remote_access[rid]
        if verdict.enabled is True and is_external(verdict.destination):
            yield Finding(f"{rid}-external", "medium",
                          f"{label} go to a server outside the site ({verdict.destination}).",
                          verdict.evidence[:4], "Check what is sent, to whom, and whether it leaves the UK.")


FLOW_EVIDENCE = 6


def _flows(audit: DeviceAudit, kind: str) -> list:
    return [f for f in audit.data_flows if f.kind == kind and f.enabled is True]


def _flow_lines(flows: list) -> list[str]:
    return [line for f in flows for line in f.evidence[:2]][:FLOW_EVIDENCE]


def _where(flows: list) -> str:
    return ", ".join(sorted({f.destination for f in flows if f.destination}))


@rule
def data_flows(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    """Where the configuration sends events, pictures, recordings and sound (issue 9 item 7)."""
    pushes = _flows(audit, "http_push")
    outside = [f for f in pushes if is_external(f.destination)]
    inside = [f for f in pushes if f not in outside]
    if outside:
        yield Finding("http-push-external", "high",
                      f"Alarm events and pictures are pushed to a server outside the site ({_where(outside)}).",
                      _flow_lines(outside),
                      "Find out who runs this server and what it receives; make sure a contract covers it and "
                      "whether the data leaves the UK; remove hosts that are no longer used.")
    if inside:
        yield Finding("http-push-configured", "low",
                      f"Alarm events and pictures are pushed to a server on the site ({_where(inside)}).",
                      _flow_lines(inside), "Record the receiving system, its retention and who can see it.")
    nas = _flows(audit, "nas")
    if nas:
        away = [f for f in nas if is_external(f.destination)]
        yield Finding("nas-recording", "high" if away else "medium",
                      f"Recordings are written to network storage ({_where(nas)})"
                      + (", outside the site." if away else "."), _flow_lines(nas),
                      "Include the storage in the retention schedule, access control and DPIA; check it is not "
                      "reachable from outside and that deletion happens there too.")
    cloud = _flows(audit, "cloud_storage")
    if cloud:
        where = f" ({_where(cloud)})" if _where(cloud) else ""
        yield Finding("cloud-storage-enabled", "high", f"Recordings or pictures are stored in the cloud{where}.",
                      _flow_lines(cloud), "Check the provider, the contract, where the data is kept and for how long.")
    audio = _flows(audit, "audio_recording")
    if audio:
        channels = sorted({f.channel for f in audio if f.channel is not None})
        on = f" on channel{'s' if len(channels) > 1 else ''} {', '.join(map(str, channels))}" if channels else ""
        yield Finding("audio-recording-enabled", "high",
                      f"The microphone is on: sound, including conversations, is recorded with the video{on}.",
                      _flow_lines(audio),
                      "Audio recording is rarely justified for CCTV (ICO guidance): switch audio off unless the DPIA "
                      "shows why it is needed, and tell people it is recorded.")


@rule
def access_control(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    if audit.auth == "not-required":
        yield Finding("no-authentication", "critical",
                      "The device answers without any password: anyone on the network can view and change it.",
                      ["answered without a login: " + ", ".join(audit.services.get("answered_without_login", []))],
                      "Set a strong admin password now.")
    if audit.auth == "locked":
        yield Finding("account-locked", "high",
                      "The device reports the audit account as locked; nothing more was read.",
                      [], "Unlock the account on the device, then re-run the audit.")
    if audit.auth == "failed":
        yield Finding("login-failed", "info", "camaudit could not log in, so what this device does is unknown.",
                      [], "Provide working read-only credentials for this device and re-run the audit.")
    if audit.services.get("telnet") is True:
        yield Finding("telnet-enabled", "high", "Telnet is enabled: a clear-text remote shell.",
                      [], "Disable telnet on the device.")


@rule
def firmware(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    """Advisories as data (auditor/judge/advisories/*.toml), matched by firmware version only, never tested."""
    yield from advisory_findings(audit)


@rule
def exposure(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    """SSH on, HTTPS off, firmware years old: from what was read, never from silence."""
    yield from exposure_findings(audit)


@rule
def rebadged(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    if audit.oem and audit.brand and audit.manufacturer:
        yield Finding("oem-rebadged", "medium", f"Device sold as {audit.brand} is made by {audit.manufacturer}.",
                      [e for e in audit.identity_evidence if e.startswith(("made by", "sold as"))],
                      f"Apply {audit.manufacturer}'s security advisories and any procurement policy on "
                      f"{audit.manufacturer} equipment to this device.")


@rule
def protocol_family_conflict(audit: DeviceAudit, _: list[FeatureObservation]) -> Iterable[Finding]:
    """Issue 10: a device answering both ISAPI (Hikvision) and Dahua CGI is not quietly "sold as Dahua,
    made by Hikvision": the conflict is stated with both families' evidence, and the maker left unknown."""
    if not {"isapi", "dahua_cgi"} <= set(audit.protocols):
        return
    evidence = [f"{family}: {audit.protocol_status[family]}" for family in ("isapi", "dahua_cgi")
                if family in audit.protocol_status]
    said = ("maker unknown", "manufacturer signal from isapi", "manufacturer signal from dahua_cgi")
    evidence += [e for e in audit.identity_evidence if e.startswith(said)]
    yield Finding("protocol-family-conflict", "low",
                  "The device answers both Hikvision ISAPI and Dahua CGI, so who made it is unknown.",
                  evidence[:8],
                  "Check the device's label and firmware by hand; a gateway, honeypot or multi-protocol "
                  "recorder can answer both, and each family's findings describe what that API said.")


def derive_findings(audit: DeviceAudit, observations: list[FeatureObservation]) -> list[Finding]:
    found = [f for r in RULES for f in r(audit, observations)]
    return sorted(found, key=lambda f: (severity_rank(f.severity), f.id))
