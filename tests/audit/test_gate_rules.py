"""The gate's rules as pure functions: which unauthenticated answers are definite, which maker
signals point at which family, and the identity rules that go with them (placeholders are no
brand, DVR and PTZ are their own types, an ISAPI + Dahua CGI device has no known maker)."""

from __future__ import annotations

import pytest

from auditor.judge.findings import derive_findings
from auditor.judge.identity import resolve_identity
from models.audit import DeviceAudit, ProtocolStatus
from models.identity import DeviceIdentity
from probes.base import Evidence, IdentitySignal, Target
from probes.fingerprint.gate import pointers, verdict
from probes.fingerprint.matchers import CONTROL, DEVICE_INFO, MAGIC_BOX, MATCHERS, evaluate
from probes.http import HttpAnswer

HIK_REALM = {"www-authenticate": 'Digest realm="IP Camera(C2183)", qop="auth", nonce="n"'}


def answer(path: str, status: int, body: bytes = b"", url: str | None = None, **headers: str) -> HttpAnswer:
    return HttpAnswer(url=url or f"http://192.0.2.1{path}", status=status, headers=headers, body=body,
                      elapsed_ms=1, tls=False)


def gates(answers: dict[str, HttpAnswer], control: HttpAnswer | None = None) -> dict[str, tuple[str, str]]:
    hits = evaluate(MATCHERS, answers, control)
    return {f: (g.state, g.reason) for f in ("isapi", "dahua_cgi") for g in [verdict(f, answers, control, hits)]}


def test_a_401_on_every_path_rules_nothing_out():
    answers = {DEVICE_INFO: answer(DEVICE_INFO, 401, **HIK_REALM), MAGIC_BOX: answer(MAGIC_BOX, 401, **HIK_REALM)}
    got = gates(answers, answer(CONTROL, 401, **HIK_REALM))
    assert got["isapi"][0] == got["dahua_cgi"][0] == "ambiguous"
    assert "every path" in got["isapi"][1]


def test_a_404_is_definite_only_where_other_paths_answer_otherwise():
    answers = {DEVICE_INFO: answer(DEVICE_INFO, 401, **HIK_REALM), MAGIC_BOX: answer(MAGIC_BOX, 404)}
    got = gates(answers, answer(CONTROL, 404))
    assert got["isapi"][0] == "proven" and "unknown page answered 404" in got["isapi"][1]
    assert got["dahua_cgi"] == ("absent", "/cgi-bin/magicBox.cgi answered 404")
    everything_404 = {DEVICE_INFO: answer(DEVICE_INFO, 404), MAGIC_BOX: answer(MAGIC_BOX, 404)}
    assert {s for s, _ in gates(everything_404).values()} == {"ambiguous"}


def test_a_200_of_another_kind_without_a_login_is_definite_unless_redirected():
    page = b"<html><body>Welcome</body></html>"
    answers = {DEVICE_INFO: answer(DEVICE_INFO, 200, page), MAGIC_BOX: answer(MAGIC_BOX, 200, page)}
    assert {s for s, _ in gates(answers).values()} == {"absent"}
    moved = {DEVICE_INFO: answer(DEVICE_INFO, 200, page, url="http://192.0.2.1/doc/page/login.asp"),
             MAGIC_BOX: answer(MAGIC_BOX, 200, page, url="http://192.0.2.1/doc/page/login.asp")}
    assert {s for s, _ in gates(moved).values()} == {"ambiguous"}


def test_403_and_5xx_are_ambiguous():
    answers = {DEVICE_INFO: answer(DEVICE_INFO, 403), MAGIC_BOX: answer(MAGIC_BOX, 500)}
    assert gates(answers) == {"isapi": ("ambiguous", "/ISAPI/System/deviceInfo answered HTTP 403"),
                              "dahua_cgi": ("ambiguous", "/cgi-bin/magicBox.cgi answered HTTP 500")}


def sig(field: str, value: str, source: str, excerpt: str = "", where: str = "/") -> IdentitySignal:
    return IdentitySignal(field, value, source, Evidence("http", where, "HTTP 401", excerpt))


def test_maker_signals_point_at_their_family_and_onvif():
    target = Target("192.0.2.1", found_by=("sadp",))
    got = pointers(target, [sig("manufacturer", "Hikvision", "realm", 'Digest realm="IP Camera(C2183)"'),
                            sig("manufacturer", "Hikvision", "http-header", "App-webs/"),
                            sig("manufacturer", "Zhejiang Dahua Technology Co., Ltd.", "oui", where="3c:ef:8c")])
    assert got["isapi"] == ['realm "IP Camera(C2183)"', "Server App-webs/", "SADP reply"]
    assert got["dahua_cgi"] == ["MAC OUI 3c:ef:8c (Zhejiang Dahua Technology Co., Ltd.)"]
    assert got["onvif"] == ["Hikvision signals", "Dahua signals"]


def test_oem_names_and_other_makers_point_nowhere():
    target = Target("192.0.2.1", found_by=("ws_discovery",), onvif_xaddr="http://192.0.2.1/onvif/device_service")
    got = pointers(target, [sig("vendor", "Honeywell", "ws_discovery"), sig("manufacturer", "Axis", "realm"),
                            sig("manufacturer", "Hikvision", "isapi")])        # a family's own answer is proof
    assert got == {"isapi": [], "dahua_cgi": [], "onvif": ["WS-Discovery XAddr"]}


@pytest.mark.parametrize("placeholder", ["N/A", "n/a", "", " none ", "NULL", "unknown", "-"])
def test_placeholders_are_not_a_brand(placeholder):
    signals = [sig("vendor", placeholder, "isapi"), sig("manufacturer", "Hikvision", "isapi"),
               sig("manufacturer", "Hikvision", "realm"), sig("model", placeholder, "isapi")]
    got = resolve_identity(signals)
    assert got.brand == "Hikvision" and got.oem is False and got.model is None


@pytest.mark.parametrize(("values", "kind"), [
    ({"dvr"}, "dvr"), ({"XVR"}, "dvr"), ({"nvr", "hybrid"}, "dvr"), ({"nvr"}, "nvr"),
    ({"ptz"}, "ptz"), ({"camera", "ptz"}, "ptz"), ({"Speed Dome"}, "ptz"), ({"thermal", "ptz"}, "thermal"),
    ({"camera"}, "camera"), (set(), None),
])
def test_device_types(values, kind):
    assert resolve_identity([sig("device_type", v, "isapi") for v in values]).device_type == kind


def test_isapi_and_dahua_cgi_together_leave_the_maker_unknown_and_raise_a_finding():
    signals = [sig("manufacturer", "Hikvision", "isapi"), sig("manufacturer", "Dahua", "dahua_cgi"),
               sig("manufacturer", "Dahua", "realm"), sig("vendor", "Dahua", "dahua_cgi")]
    got = resolve_identity(signals)
    assert got.manufacturer is None and got.oem is None and got.brand == "Dahua"
    assert any(e.startswith("maker unknown: two API families") for e in got.evidence), got.evidence
    assert not any(e.startswith("sold as") for e in got.evidence)
    a = DeviceAudit(address="192.0.2.1", port=80, protocols=["dahua_cgi", "isapi"],
                    identity=DeviceIdentity(evidence=got.evidence),
                    protocol_status={"isapi": ProtocolStatus("probed", "deviceInfo answered"),
                                     "dahua_cgi": ProtocolStatus("probed", "magicBox answered")})
    conflict = [f for f in derive_findings(a, []) if f.id == "protocol-family-conflict"]
    assert len(conflict) == 1 and conflict[0].severity == "low"
    assert "isapi: probed: deviceInfo answered" in conflict[0].evidence
    assert "dahua_cgi: probed: magicBox answered" in conflict[0].evidence
    one = DeviceAudit(address="192.0.2.1", port=80, protocols=["isapi", "onvif"])
    assert not [f for f in derive_findings(one, []) if f.id == "protocol-family-conflict"]
