"""Hand-built audits of realistic devices, and the run options every store test uses."""

from __future__ import annotations

import datetime as dt

from models.audit import (
    DataFlow,
    DeviceAudit,
    FeatureVerdict,
    Finding,
    ProbeRecord,
    ProtocolStatus,
    RemoteAccessVerdict,
    empty_features,
    empty_remote_access,
)
from models.identity import DeviceIdentity
from models.tables import RunOptions

OPTIONS = RunOptions(concurrency=8, timeout_s=5.0, target_count=3)
T0 = dt.datetime(2026, 11, 20, 9, 30, 1, 250_000, tzinfo=dt.UTC)


def hik_face_camera(*, address: str = "10.20.0.11", serial: str | None = "DS-2CD7A46G0P-IZHS20220614AAWRG1234",
                    mac: str | None = "44:19:b6:12:34:56", firmware: str = "V5.7.3") -> DeviceAudit:
    """A Hikvision DeepinView camera with face capture switched on and Hik-Connect enabled."""
    features = empty_features()
    features["face_detection"] = FeatureVerdict(True, False, [
        "GET /ISAPI/Smart/capabilities: isSupportFaceDetect=true"])
    features["face_capture"] = FeatureVerdict(True, True, [
        "GET /ISAPI/Smart/FaceCapture/1 200: <enabled>true</enabled>", "snapTimes=3"])
    features["face_recognition"] = FeatureVerdict(False, None, ["GET /ISAPI/Intelligent/FDLib 403 notSupport"])
    features["motion_detection"] = FeatureVerdict(True, True, [])
    remote = empty_remote_access()
    remote["hik_connect"] = RemoteAccessVerdict(True, "litedev.hik-connect.com", ["EZVIZ enabled=true"], True)
    remote["ntp"] = RemoteAccessVerdict(True, "pool.ntp.org", [], True)
    remote["upnp"] = RemoteAccessVerdict(False, None, ["UPnP enabled=false"], True)
    remote["ddns"] = RemoteAccessVerdict(None, None, ["NetworkCap isSupportDdns=true", "DDNS: HTTP 403"], True)
    return DeviceAudit(
        address=address, port=80, reachable=True, auth="ok",
        identity=DeviceIdentity(
            brand="Hikvision", manufacturer="Hikvision", oem=False, model="iDS-2CD7A46G0/P-IZHS",
            device_type="camera", firmware=firmware, firmware_date=dt.date(2022, 6, 14), serial=serial, mac=mac,
            name="Reception",
            evidence=("GET /ISAPI/System/deviceInfo 200", "ONVIF GetDeviceInformation: Manufacturer=HIKVISION")),
        protocols=["isapi", "onvif", "rtsp"],
        features=features, channels={}, remote_access=remote,
        data_flows=[DataFlow("http_push", True, "203.0.113.7:8080", "HTTP, pictures", None,
                             ["GET /ISAPI/Event/notification/httpHosts: addressingFormatType=ipaddress"]),
                    DataFlow("audio_recording", None, None, "stream 101", 1, [])],
        protocol_status={"isapi": ProtocolStatus("probed", 'realm "IP Camera(12345678)"'),
                         "dahua_cgi": ProtocolStatus("not-tried", "/cgi-bin/ answered 404")},
        services={"telnet": False, "ssh": {"enabled": False, "port": 22}, "open_ports": [80, 443, 554, 8000],
                  "no_auth": []},
        findings=[
            Finding("face-capture-enabled", "high", "Face capture is switched on and stores pictures of faces.",
                    ["GET /ISAPI/Smart/FaceCapture/1"], "Switch it off unless a DPIA covers it."),
            Finding("hik-connect-enabled", "medium", "The camera is registered with the Hik-Connect cloud.",
                    [], ""),
        ],
        errors=[],
        probes=[ProbeRecord("isapi.smart-events", "ok", "", 142),
                ProbeRecord("isapi.face-library", "unsupported", "notSupport", 31)],
        started=T0, finished=T0 + dt.timedelta(seconds=4, microseconds=17),
    )


def dahua_nvr(*, address: str = "10.20.0.50") -> DeviceAudit:
    """A Dahua NVR whose channels have their own verdicts, one channel with none at all."""
    features = empty_features()
    features["face_recognition"] = FeatureVerdict(True, True, ["channel 1 FaceRecognition Enable=true"])
    remote = empty_remote_access()
    remote["dahua_p2p"] = RemoteAccessVerdict(True, "www.easy4ipcloud.com", ["T2UServer.Enable=true"])
    remote["auto_register"] = RemoteAccessVerdict(None, None, ["configManager.cgi RegisterServer: Error"])
    return DeviceAudit(
        address=address, port=80, reachable=True, auth="ok",
        identity=DeviceIdentity(
            brand="Dahua", manufacturer="Dahua", oem=False, model="DHI-NVR5216-16P-I", device_type="nvr",
            firmware="V4.001.0000000.3.R", firmware_date=None, serial="7J0A1B2PAZ12345", mac="3C-EF-8C-01-02-03",
            name="NVR server room", evidence=("magicBox.cgi?action=getSerialNo",)),
        protocols=["dahua-http"], features=features,
        channels={
            1: {"face_recognition": FeatureVerdict(True, True, ["VideoAnalyseRule[0][1].Type=FaceRecognition"])},
            2: {"line_crossing": FeatureVerdict(True, False, []), "intrusion": FeatureVerdict(True, None, [])},
            16: {},
        },
        remote_access=remote, services={"telnet": True},
        findings=[Finding("telnet-open", "critical", "Telnet is open on the recorder.", ["tcp/23 open"], "Close it.")],
        errors=["channel 3: RPC2 timeout after 5.0 s"],
        probes=[ProbeRecord("dahua.analytics", "error", "timeout", None)],
        started=T0, finished=None,
    )


def unknown_device(*, address: str = "10.20.0.99", port: int = 8080) -> DeviceAudit:
    """An OEM-branded camera that refused our credentials: almost everything is unknown."""
    return DeviceAudit(address=address, port=port, reachable=True, auth="failed",
                       identity=DeviceIdentity(brand="Annke", manufacturer=None, oem=None),
                       errors=["401 Digest realm=\"IP Camera\" after 3 attempts"],
                       probes=[ProbeRecord("isapi.device-info", "auth-failed", "401", 12)])
