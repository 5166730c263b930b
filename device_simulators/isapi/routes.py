"""The routing table: which ISAPI resource answers which path, and how writes are met.

The simulator never changes state. A PUT to a writable resource is checked the way firmware
checks it (well-formed XML whose root matches the resource) and answered OK, so a client
that writes cannot tell the difference; the request log still records the write, which is
how tests prove the auditor never sends one. POST and DELETE get methodNotAllowed except
where firmware accepts them (face-library search, create and delete).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from device_simulators.isapi import dataflows, events, intelligent, network, nvr, security, smart, status, system, video
from device_simulators.isapi.model import Ctx
from device_simulators.isapi.xml import local_name, parse_untrusted
from device_simulators.runtime.http import SimResponse

Params = dict[str, str]
Handler = Callable[[Ctx, Params], SimResponse]

INPUT_RESOURCES = frozenset({"motionDetection", "tamperDetection", "counting", "heatMap"})
PROXY_RESOURCES = frozenset({"motionDetection", "tamperDetection"})
# Settings a Viewer account may not read (403 lowPrivilege, PROTOCOLS.md quirk 4).
ADMIN_ONLY = ("/ISAPI/Security/users", "/ISAPI/Security/adminAccesses", "/ISAPI/Security/illegalLoginLock",
              "/ISAPI/System/Network/")


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    get: Handler | None
    writable: bool = True            # firmware accepts PUT (answered, never applied)
    post: Handler | None = None
    deletable: bool = False


def _route(path: str, get: Handler | None, *, writable: bool = True, post: Handler | None = None,
           deletable: bool = False) -> Route:
    regex = re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", re.escape(path).replace(r"\<", "<").replace(r"\>", ">"))
    return Route(re.compile(f"^{regex}$"), get, writable, post, deletable)


def _only(names: frozenset[str] | tuple[str, ...], key: str, handler: Handler) -> Handler:
    """Guard a route whose last segment is a resource name."""
    return lambda c, p: handler(c, p) if p[key] in names else status.not_support(c)


def _accept(ctx: Ctx, _: Params) -> SimResponse:
    body = parse_untrusted(ctx.request.body)
    return status.bad_xml_format(ctx) if body is None else status.ok(ctx)


RO = {"writable": False}

ROUTES: list[Route] = [
    # pre-login surface
    _route("/SDK/activateStatus", lambda c, p: system.activate_status(c), **RO),
    _route("/SDK/language", lambda c, p: system.language(c), **RO),
    _route("/ISAPI/Security/sessionLogin/capabilities", lambda c, p: system.session_login_capabilities(c), **RO),
    # system and security
    _route("/ISAPI/System/deviceInfo", lambda c, p: system.device_info(c)),
    _route("/ISAPI/System/capabilities", lambda c, p: system.capabilities(c), **RO),
    _route("/ISAPI/System/time", lambda c, p: network.time(c)),
    _route("/ISAPI/System/time/ntpServers", lambda c, p: network.ntp_servers(c)),
    _route("/ISAPI/System/time/ntpServers/<id>", lambda c, p: network.ntp_server(c, p["id"])),
    _route("/ISAPI/System/Video/inputs/channels", lambda c, p: system.video_inputs(c), **RO),
    _route("/ISAPI/System/Video/inputs/channels/<ch>", lambda c, p: video.video_input(c, p["ch"])),
    _route("/ISAPI/System/Video/inputs/channels/<ch>/<name>",
           _only(INPUT_RESOURCES, "name", lambda c, p: video.input_resource(c, p["ch"], p["name"]))),
    _route("/ISAPI/Security/users", lambda c, p: security.users(c)),
    _route("/ISAPI/Security/adminAccesses", lambda c, p: security.admin_accesses(c)),
    _route("/ISAPI/Security/illegalLoginLock", lambda c, p: security.illegal_login_lock(c)),
    _route("/ISAPI/Security/userCheck", lambda c, p: security.user_check(c), **RO),
    # cloud, platforms, network services
    _route("/ISAPI/System/Network/EZVIZ", lambda c, p: network.ezviz(c)),
    _route("/ISAPI/System/Network/EZVIZ/capabilities", lambda c, p: network.ezviz_capabilities(c), **RO),
    _route("/ISAPI/System/Network/Ehome", lambda c, p: network.ehome(c)),
    _route("/ISAPI/System/Network/DDNS", lambda c, p: network.ddns_list(c)),
    _route("/ISAPI/System/Network/DDNS/<id>", lambda c, p: network.ddns_one(c, p["id"])),
    _route("/ISAPI/System/Network/UPnP", lambda c, p: network.upnp(c)),
    _route("/ISAPI/System/Network/UPnP/ports", lambda c, p: network.upnp_ports(c)),
    _route("/ISAPI/System/Network/mailing", lambda c, p: network.mailing(c)),
    _route("/ISAPI/System/Network/ftp", lambda c, p: network.ftp(c)),
    _route("/ISAPI/System/Network/telnetd", lambda c, p: network.shell_service(c, "telnet")),
    _route("/ISAPI/System/Network/ssh", lambda c, p: network.shell_service(c, "ssh")),
    # smart events
    _route("/ISAPI/Smart/capabilities", lambda c, p: smart.capabilities(c), **RO),
    _route("/ISAPI/Smart/AudioDetection/channels/<ch>", lambda c, p: smart.audio_detection(c, p["ch"])),
    _route("/ISAPI/Smart/<name>/<ch>",
           _only(smart.SMART_RESOURCES, "name", lambda c, p: smart.rule(c, p["name"], p["ch"]))),
    _route("/ISAPI/Smart/<name>/<ch>/capabilities",
           _only(smart.SMART_RESOURCES, "name", lambda c, p: smart.rule_capabilities(c, p["name"], p["ch"])),
           **RO),
    # VCA and face libraries
    _route("/ISAPI/Intelligent/capabilities", lambda c, p: intelligent.capabilities(c), **RO),
    _route("/ISAPI/Intelligent/Capabilities", lambda c, p: intelligent.capabilities(c), **RO),
    _route("/ISAPI/Intelligent/channels/<ch>/capabilities",
           lambda c, p: intelligent.channel_capabilities(c, p["ch"]), **RO),
    _route("/ISAPI/Intelligent/channels/<ch>/<name>",
           _only(tuple(intelligent.CHANNEL_RESOURCES), "name",
                 lambda c, p: intelligent.channel_resource(c, p["ch"], p["name"]))),
    _route("/ISAPI/Intelligent/FDLib", lambda c, p: intelligent.fdlib_list(c), post=_accept),
    _route("/ISAPI/Intelligent/FDLib/capabilities", lambda c, p: intelligent.fdlib_capabilities(c), **RO),
    _route("/ISAPI/Intelligent/FDLib/Count", lambda c, p: intelligent.fdlib_count(c), **RO),
    _route("/ISAPI/Intelligent/FDLib/FDSearch", None, post=lambda c, p: intelligent.fd_search(c), **RO),
    _route("/ISAPI/Intelligent/FDLib/<fdid>", lambda c, p: intelligent.fdlib_one(c, p["fdid"]),
           deletable=True),
    # linkage
    _route("/ISAPI/Event/triggers", lambda c, p: events.triggers(c)),
    _route("/ISAPI/Event/triggers/<id>", lambda c, p: events.trigger(c, p["id"])),
    _route("/ISAPI/Event/channels/<ch>/capabilities", lambda c, p: events.channel_capabilities(c, p["ch"]),
           **RO),
    # NVR proxied cameras
    _route("/ISAPI/ContentMgmt/InputProxy/channels", lambda c, p: nvr.channels(c)),
    _route("/ISAPI/ContentMgmt/InputProxy/channels/status", lambda c, p: nvr.channels_status(c), **RO),
    _route("/ISAPI/ContentMgmt/InputProxy/channels/<ch>", lambda c, p: nvr.channel(c, p["ch"], False)),
    _route("/ISAPI/ContentMgmt/InputProxy/channels/<ch>/status", lambda c, p: nvr.channel(c, p["ch"], True),
           **RO),
    _route("/ISAPI/ContentMgmt/InputProxy/channels/<ch>/video/<name>",
           _only(PROXY_RESOURCES, "name", lambda c, p: nvr.video_resource(c, p["ch"], p["name"]))),
    # where data leaves the device: push hosts, storage, streams (device_simulators/isapi/dataflows.py)
    _route("/ISAPI/Event/notification/httpHosts", lambda c, p: dataflows.http_hosts(c)),
    _route("/ISAPI/Event/notification/httpHosts/<id>", lambda c, p: dataflows.http_host(c, p["id"])),
    _route("/ISAPI/ContentMgmt/Storage", lambda c, p: dataflows.storage(c), **RO),
    _route("/ISAPI/ContentMgmt/Storage/cloud", lambda c, p: dataflows.cloud_storage(c)),
    _route("/ISAPI/Streaming/channels", lambda c, p: dataflows.streaming_channels(c)),
    _route("/ISAPI/Streaming/channels/<id>", lambda c, p: dataflows.streaming_channel(c, p["id"])),
    # number-plate (traffic) firmware
    _route("/ISAPI/ITC/capability", lambda c, p: video.itc_capability(c), **RO),
    _route("/ISAPI/Traffic/channels/<ch>/vehicleDetect", lambda c, p: video.vehicle_detect(c, p["ch"])),
    # thermal
    _route("/ISAPI/Thermal/capabilities", lambda c, p: video.thermal_capabilities(c), **RO),
    _route("/ISAPI/Thermal/channels/<ch>/fireDetection", lambda c, p: video.fire_detection(c, p["ch"])),
    _route("/ISAPI/Thermal/channels/<ch>/faceThermometry", lambda c, p: video.face_thermometry(c, p["ch"])),
    # The profile schema's event key spelling; some documents write the path this way too.
    _route("/ISAPI/Thermal/channels/<ch>/FaceThermometry", lambda c, p: video.face_thermometry(c, p["ch"])),
]


def find(path: str) -> tuple[Route, Params] | None:
    for route in ROUTES:
        match = route.pattern.match(path)
        if match:
            return route, match.groupdict()
    return None


def _privileged(ctx: Ctx) -> bool:
    account = ctx.auth.account
    if account is None or account.role != "viewer":
        return True
    return ctx.request.method in ("GET", "HEAD") and not ctx.request.path.startswith(ADMIN_ONLY)


def _write(ctx: Ctx, route: Route, params: Params) -> SimResponse:
    """PUT: validate like firmware, answer OK, change nothing."""
    if not route.writable or route.get is None:
        return status.method_not_allowed(ctx)
    current = route.get(ctx, params)
    if current.status != 200:
        return current
    body = parse_untrusted(ctx.request.body)
    if body is None:
        return status.bad_xml_format(ctx)
    ours = parse_untrusted(current.body)
    if ours is None or local_name(body.tag) != local_name(ours.tag):
        return status.bad_xml_content(ctx)
    return status.ok(ctx)


def dispatch(ctx: Ctx) -> SimResponse:
    found = find(ctx.request.path)
    if found is None:
        return status.not_support(ctx)
    route, params = found
    if not _privileged(ctx):
        return status.low_privilege(ctx)
    method = ctx.request.method
    if method in ("GET", "HEAD"):
        return route.get(ctx, params) if route.get else status.method_not_allowed(ctx)
    if method == "PUT":
        return _write(ctx, route, params)
    if method == "POST" and route.post is not None:
        return route.post(ctx, params)
    if method == "DELETE" and route.deletable and route.get is not None:
        current = route.get(ctx, params)
        return current if current.status != 200 else status.ok(ctx)
    return status.method_not_allowed(ctx)
