"""VCA / DeepinView resources: /ISAPI/Intelligent/*, including the face libraries.

FDLibBaseCfgList (id, 32-hex FDID, name, faceLibType) is as NVR firmware returns it. Face
counts: the documented XML way is ``POST /ISAPI/Intelligent/FDLib/FDSearch``, which the request
log rightly treats as a write, so a read-only auditor cannot use it. The read-only choice is
``GET /ISAPI/Intelligent/FDLib/Count?format=json`` (FDRecordDataInfo / recordDataNumber),
documented for Hikvision access-control firmware; that NVR and DeepinView firmware answer it
too is (unverified). FDSearch is still answered here so a client that does POST sees what
firmware would say.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from device_simulators.isapi import caps, status
from device_simulators.isapi.model import Ctx, FaceLibrary, channel_event, reachable_channel
from device_simulators.isapi.xml import add, document, leaves, parse_untrusted, xml_response
from device_simulators.runtime.http import SimResponse

# path segment -> (profile event key, root element). faceCapture is the simulator's config
# path for face capture (faceSnap); that path name is (unverified).
CHANNEL_RESOURCES: dict[str, tuple[str, str]] = {
    "faceContrast": ("faceContrast", "FaceContrast"),
    "PersonDensityDetection": ("PersonDensityDetection", "PersonDensityDetection"),
    "PersonQueueDetection": ("PersonQueueDetection", "PersonQueueDetection"),
    "safetyHelmetDetection": ("safetyHelmetDetection", "SafetyHelmetDetection"),
    "humanRecognition": ("humanRecognition", "HumanRecognition"),
    "faceCapture": ("faceSnap", "FaceCapture"),
}


def _intelli_cap(ctx: Ctx, keys: set[str]) -> SimResponse:
    root = document("IntelliCap", ctx.view.namespace)
    caps.intelli_flags(root, keys, ctx.view.face_libraries is not None)
    overrides = ctx.view.capability_overrides.get("IntelliCap")
    if overrides:
        caps.apply_overrides(root, {"IntelliCap": overrides})
    return xml_response(root)


def capabilities(ctx: Ctx) -> SimResponse:
    """Device-wide VCA capabilities (the web UI asks for /Intelligent/Capabilities)."""
    return _intelli_cap(ctx, ctx.view.event_keys())


def channel_capabilities(ctx: Ctx, channel_id: str) -> SimResponse:
    channel = reachable_channel(ctx, channel_id)
    if isinstance(channel, SimResponse):
        return channel
    return _intelli_cap(ctx, set(channel.events))


def channel_resource(ctx: Ctx, channel_id: str, segment: str) -> SimResponse:
    key, tag = CHANNEL_RESOURCES[segment]
    found = channel_event(ctx, channel_id, key)
    if isinstance(found, SimResponse):
        return found
    channel, event = found
    root = leaves(document(tag, ctx.view.namespace), [("id", channel.id), ("enabled", event.enabled)])
    if segment == "faceContrast":
        libs = add(root, "FaceContrastLibList")
        for lib in ctx.view.face_libraries or ():
            leaves(add(libs, "FaceContrastLib"), [("FDID", lib.fdid), ("thresholdValue", 70)])
    elif segment == "faceCapture":
        # Attribute switches (age, gender, glasses, mask, ...) of face capture; (unverified) names.
        attrs = add(root, "FaceAttributeList")
        for name, on in sorted(event.attributes.items()):
            leaves(add(attrs, "FaceAttribute"), [("type", name), ("enabled", on)])
    elif event.targets:
        add(root, "detectionTarget", ",".join(event.targets))
    return xml_response(root)


# -- face libraries ---------------------------------------------------------------------
def _lib_cfg(parent: ET.Element, lib: FaceLibrary) -> ET.Element:
    return leaves(add(parent, "FDLibBaseCfg"), [("id", lib.id), ("FDID", lib.fdid), ("name", lib.name),
                                                ("thresholdValue", 70), ("customInfo", None),
                                                ("faceLibType", lib.type)])


def fdlib_list(ctx: Ctx) -> SimResponse:
    if ctx.view.face_libraries is None:
        return status.not_support(ctx)
    root = document("FDLibBaseCfgList", ctx.view.namespace)
    for lib in ctx.view.face_libraries:
        _lib_cfg(root, lib)
    return xml_response(root)


def fdlib_one(ctx: Ctx, fdid: str) -> SimResponse:
    lib = next((x for x in ctx.view.face_libraries or () if x.fdid == fdid.upper()), None)
    if lib is None:
        return status.not_support(ctx)
    root = document("FDLibBaseCfg", ctx.view.namespace)
    for child in _lib_cfg(ET.Element("x"), lib):
        root.append(child)
    return xml_response(root)


def fdlib_capabilities(ctx: Ctx) -> SimResponse:
    """XML_CAB_FDLibCap in outline; the element set is (unverified)."""
    if ctx.view.face_libraries is None:
        return status.not_support(ctx)
    root = document("FDLibCap", ctx.view.namespace)
    create = add(add(root, "CreateFDLibList", size=16), "CreateFDLib")
    add(create, "id", min=1, max=16)
    add(create, "name", min=1, max=48)
    add(create, "thresholdValue", min=0, max=100)
    add(create, "customInfo", min=0, max=32)
    add(create, "faceLibType", opt="ordinary,stranger")
    leaves(root, [("isSupportFDSearch", True), ("isSupportFCSearch", True)])
    return xml_response(root)


def fdlib_count(ctx: Ctx) -> SimResponse:
    if ctx.view.face_libraries is None:
        return status.not_support(ctx)
    if ctx.request.arg("format") != "json":
        return status.bad_parameters(ctx)    # (unverified) how XML clients are refused
    wanted, kind = ctx.request.arg("FDID"), ctx.request.arg("faceLibType")
    rows = [{"FDID": lib.fdid, "faceLibType": lib.type, "name": lib.name, "recordDataNumber": lib.faces}
            for lib in ctx.view.face_libraries
            if (not wanted or lib.fdid == wanted.upper()) and (not kind or lib.type == kind)]
    return status.json_response({"FDRecordDataInfo": rows})


def fd_search(ctx: Ctx) -> SimResponse:
    """POST search by library: counts only, no pictures (FDSearchResult layout (unverified))."""
    if ctx.view.face_libraries is None:
        return status.not_support(ctx)
    body = parse_untrusted(ctx.request.body)
    if body is None:
        return status.bad_xml_format(ctx)
    fdid = next((e.text or "" for e in body.iter() if e.tag.rsplit("}", 1)[-1] == "FDID"), "")
    libs = [lib for lib in ctx.view.face_libraries if not fdid or lib.fdid == fdid.upper()]
    total = sum(lib.faces for lib in libs)
    search_id = next((e.text for e in body.iter() if e.tag.rsplit("}", 1)[-1] == "searchID"), None)
    root = document("FDSearchResult", ctx.view.namespace)
    leaves(root, [("searchID", search_id), ("responseStatus", True),
                  ("responseStatusStrg", "MORE" if total else "NO MATCH"),
                  ("numOfMatches", 0), ("totalMatches", total)])
    add(root, "MatchList")
    return xml_response(root)
