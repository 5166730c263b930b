"""Identity, the device capability document and the pre-login surface.

Field order and default values follow the DeviceInfo / DeviceCap documents of a
DS-2CD2386G2-IU (IPC) and a DS-7608NXI-I2 (NVR) in maciej-or/hikvision_next's fixtures.
"""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET

from device_simulators.isapi import caps, status
from device_simulators.isapi.model import Ctx
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse


def build(ctx: Ctx) -> str:
    """``build YYMMDD``: how firmwareReleasedDate encodes the build date."""
    return "build " + ctx.view.profile.identity.build_date.strftime("%y%m%d")


def device_info(ctx: Ctx) -> SimResponse:
    view, ident = ctx.view, ctx.view.profile.identity
    section = view.profile.isapi
    root = document("DeviceInfo", view.namespace)
    leaves(root, [
        ("deviceName", ident.name),
        ("deviceID", str(uuid.uuid5(uuid.NAMESPACE_OID, ident.serial))),   # (unverified) derivation
    ])
    if not view.is_nvr:
        leaves(root, [("deviceDescription", view.device_type), ("deviceLocation", "hangzhou"),
                      ("systemContact", "Hikvision.China")])
    leaves(root, [
        ("model", ident.model), ("serialNumber", ident.serial), ("macAddress", ident.mac),
        ("firmwareVersion", ident.firmware), ("firmwareReleasedDate", build(ctx)),
        ("encoderVersion", "V5.0" if view.is_nvr else "V7.3"), ("encoderReleasedDate", build(ctx)),
    ])
    if not view.is_nvr:
        leaves(root, [("bootVersion", "V1.3.4"), ("bootReleasedDate", "100316")])
    leaves(root, [("hardwareVersion", ident.hardware_version or "0x0"), ("deviceType", view.device_type),
                  ("telecontrolID", "255" if view.is_nvr else "88")])
    if view.is_nvr:
        leaves(root, [("decordChannelNums", len(view.channels)), ("VGANums", 1), ("USBNums", 2),
                      ("auxoutNums", 0)])
    else:
        leaves(root, [("supportBeep", False), ("supportVideoLoss", False)])
    if section.get("manufacturer_field"):
        add(root, "manufacturer", section["manufacturer_field"])
    if not view.is_nvr:
        add(root, "subSerialNumber", ident.serial[-9:])
    if section.get("oem_code"):
        add(root, "OEMCode", section["oem_code"])
    return xml_response(root)


def capabilities(ctx: Ctx) -> SimResponse:
    view, profile = ctx.view, ctx.view.profile
    keys = view.event_keys()
    remote = profile.remote_access
    root = document("DeviceCap", view.namespace)
    sys_cap = add(root, "SysCap")
    add(sys_cap, "isSupportDst", True)
    net = add(sys_cap, "NetworkCap")
    leaves(net, [
        ("isSupportWireless", False), ("isSupportPPPoE", True),
        ("isSupportNtp", "ntp" in remote), ("isSupportFtp", "ftp" in remote),
        ("isSupportUpnp", "upnp" in remote), ("isSupportDdns", "ddns" in remote),
        ("isSupportHttps", profile.services.https is not None), ("isSupportIPFilter", True),
        ("isSupportEZVIZ", "hik_connect" in remote),
    ])
    if not view.is_nvr:
        # IPC firmware keeps the ISUP flag in NetworkCap; the NVR document has it at top level.
        add(net, "isSupportEhome", "isup" in remote)
    leaves(net, [("isSupportPlatformAccess", False), ("isSupportWebSocket", True),
                 ("isSupportEmailEncrypt", "email" in remote)])
    leaves(add(sys_cap, "IOCap"), [("IOInputPortNums", 4 if view.is_nvr else 1),
                                   ("IOOutputPortNums", 1)])
    video = add(sys_cap, "VideoCap")
    leaves(video, [("videoInputPortNums", len(view.analog_channels)),
                   ("videoOutputPortNums", 3 if view.is_nvr else 0)])
    caps.add_flags(video, caps.VIDEO_FLAGS, keys)
    leaves(add(sys_cap, "AudioCap"), [("audioInputNums", 1), ("audioOutputNums", 1 if view.is_nvr else 0)])
    add(sys_cap, "isSupportSubscribeEvent", True)
    leaves(root, [("voicetalkNums", 2 if view.is_nvr else 0), ("isSupportSnapshot", True)])
    _security_cap(ctx, root)
    caps.event_cap(root, view)
    _racm_cap(ctx, root)
    caps.smart_cap(root, view)
    caps.add_flags(add(root, "WLAlarmCap"), caps.WLALARM_FLAGS, keys)
    if caps.has_thermal(view):
        caps.add_flags(add(root, "ThermalCap"), caps.THERMAL_FLAGS, keys)
    test = add(root, "TestCap")
    leaves(test, [("isSupportFTPTest", "ftp" in remote), ("isSupportNTPTest", "ntp" in remote),
                  ("isSupportEmailTest", "email" in remote)])
    if view.is_nvr:
        add(root, "isSupportEhome", "isup" in remote)
        add(root, "isSupportIntelligentAnalysisEngines",
            bool(keys & {"faceContrast", "faceSnap", "PersonDensityDetection", "safetyHelmetDetection",
                         "humanRecognition", "PersonQueueDetection"}))
    leaves(root, [("isSupportFaceCaptureStatistics", "faceSnap" in keys),
                  ("isSupportChannelEventCap", True)])
    if "objectsThrownDetection" in keys:
        add(root, "isSupportObjectsThrownDetection", True)     # top level on DS-7608NXI-I2
    caps.apply_overrides(root, view.capability_overrides)
    return xml_response(root)


def _security_cap(ctx: Ctx, root: ET.Element) -> None:
    profile = ctx.view.profile
    sec = add(root, "SecurityCap")
    leaves(sec, [("supportUserNums", 32), ("userBondIpNums", 0), ("userBondMacNums", 0),
                 ("isSupCertificate", True)])
    lockout = profile.quirk("lockout")
    add(sec, "issupIllegalLoginLock", lockout is not None)
    add(sec, "isSupportOnlineUser", True)
    add(sec, "isSupportUserCheck", True)
    add(sec, "isSupportONVIFUserManagement", True)
    web = add(sec, "WebCertificateCap")
    add(web, "CertificateType", "digest/basic" if profile.auth_scheme == "basic" else "digest",
        opt="digest,digest/basic")
    add(add(web, "SecurityAlgorithm"), "algorithmType", opt="MD5,SHA256,MD5/SHA256")
    if lockout is not None:
        # The documents give min/max/def as attributes; the configured value as text is
        # the simulator's way to expose the profile's lockout quirk (unverified).
        add(sec, "maxIllegalLoginTimes", int(lockout.params.get("max_failures", 7)),
            **{"min": 3, "max": 20, "def": 7})
        add(sec, "maxIllegalLoginLockTime", max(1, int(float(lockout.params.get("lock_seconds", 1800)) // 60)),
            **{"min": 1, "max": 120, "def": 30})


def _racm_cap(ctx: Ctx, root: ET.Element) -> None:
    view = ctx.view
    keys = view.event_keys()
    searchable = [k for k in ("LineDetection", "FieldDetection", "regionEntrance", "regionExiting",
                              "fireDetection", "vehicleDetection") if k in keys]
    racm = add(root, "RacmCap")
    if view.is_nvr:
        # (unverified) proxy capacity: the 8-channel models of this NVR family say 8.
        add(racm, "inputProxyNums", max(8, len(view.channels)))
    add(racm, "nasNums", 8)
    add(racm, "pictureSearchType", opt=",".join(["allPic", "CMR", "MOTION", *searchable]))
    add(racm, "recordSearchType", opt=",".join(["CMR", "MOTION", "EDR", *searchable, "AllEvent"]))


def video_inputs(ctx: Ctx) -> SimResponse:
    """The device's own inputs: an IPC's sensor, a DVR's analog inputs (iDS-7204HUHI-M1 lists 4);
    an NVR without analog inputs answers notSupport (DS-7608NXI-I2 fixture: 403)."""
    if ctx.view.is_nvr and not ctx.view.analog_channels:
        return status.not_support(ctx)
    root = document("VideoInputChannelList", ctx.view.namespace)
    for ch in ctx.view.analog_channels:
        leaves(add(root, "VideoInputChannel"), [("id", ch.id), ("inputPort", ch.id), ("name", ch.name),
                                                ("videoFormat", "PAL")])
    return xml_response(root)


# -- pre-login surface ------------------------------------------------------------------
def activate_status(ctx: Ctx) -> SimResponse:
    """Called by the login page before any credentials (element names (unverified))."""
    return xml_response(leaves(document("ActivateStatus", ctx.view.namespace), [("Activated", True)]))


def language(ctx: Ctx) -> SimResponse:
    return xml_response(leaves(document("Language", ctx.view.namespace), [("type", "English")]))


def session_login_capabilities(ctx: Ctx) -> SimResponse:
    """Salt and challenge for the web UI's session login; never derived from a password."""
    serial = ctx.view.profile.identity.serial
    user = ctx.request.arg("username", "") or ""
    nonce = hashlib.sha256(f"{serial}|{ctx.device.clock().isoformat()}".encode()).hexdigest()
    root = document("SessionLoginCap", ctx.view.namespace)
    leaves(root, [
        ("sessionID", nonce[:32]), ("challenge", nonce[32:]), ("iterations", 100),
        ("isSupportRTSPWithSession", True), ("isIrreversible", True), ("sessionIDVersion", "2.1"),
        ("salt", hashlib.sha256(f"{user}{serial}".encode()).hexdigest()),   # (unverified) derivation
    ])
    return xml_response(root)
