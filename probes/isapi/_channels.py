"""Which video channels a device has: its own inputs (IPC, DVR) and proxied cameras (NVR).

IP cameras list `/ISAPI/System/Video/inputs/channels`; NVRs answer that with notSupport and
list their cameras under `/ISAPI/ContentMgmt/InputProxy/channels` (+ `/status` for online),
where NVR channel ids are the ones Smart/Event paths use (quirk 18) [S1]. Turbo HD DVRs
(iDS-7204HUHI-M1, iDS-7208HQHI-M1, deviceType DVR) list their analog inputs under
System/Video/inputs and answer an empty InputProxyChannelList; their smart events use the
analog ids. Hybrid recorders have both, so a recorder reads both lists: analog channels keep
the IPC paths, proxied ones the InputProxy paths. When nothing answers, the capability
document's `videoInputPortNums` or a single channel 1 is used, and the evidence says so. The
walk never exceeds `ctx.settings.max_channels`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from probes._xml import children, descendants, find, flag, text
from probes.base import Evidence
from probes.context import ProbeContext
from probes.errors import UNANSWERED, AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi._caps import SYSTEM
from probes.isapi._status import PROTOCOL, IsapiDoc, shared_doc, with_excerpt

DEVICE_INFO = "/ISAPI/System/deviceInfo"
VIDEO_INPUTS = "/ISAPI/System/Video/inputs/channels"
PROXY = "/ISAPI/ContentMgmt/InputProxy/channels"
PROXY_STATUS = "/ISAPI/ContentMgmt/InputProxy/channels/status"
# DeviceInfo/deviceType values of recorders: NVR (DS-76xx), DVR (Turbo HD iDS-72xx) [S1];
# hybrid HVR/XVR and Hikvision's "HybirdNVR" spelling are (unverified).
_RECORDER = re.compile(r"^(NVR|DVR|HVR|XVR|Hyb[ir]{2}dNVR)", re.IGNORECASE)


@dataclass(frozen=True)
class Channel:
    id: int
    name: str | None = None
    online: bool | None = None            # NVR: is the proxied camera reachable (None: unknown / IPC)
    source_address: str | None = None
    source_model: str | None = None
    proxied: bool = False                 # a camera behind a recorder: config under ContentMgmt/InputProxy


@dataclass(frozen=True)
class ChannelMap:
    nvr: bool
    channels: tuple[Channel, ...]
    evidence: Evidence


def is_recorder(device_type: str | None) -> bool:
    return bool(device_type and _RECORDER.match(device_type.strip()))


def parse_video_inputs(root: Element) -> list[Channel]:
    out = []
    for node in descendants(root, "VideoInputChannel"):
        number = text(node, "id")
        if number and number.isdigit():
            out.append(Channel(int(number), text(node, "name")))
    return out


def parse_proxy_channels(proxy: Element, status: Element | None) -> list[Channel]:
    """InputProxyChannelList (+ InputProxyChannelStatusList) -> channels (pure)."""
    online: dict[str, bool | None] = {}
    for node in descendants(status, "InputProxyChannelStatus") if status is not None else ():
        state = flag(node, "online")
        if state is None and text(node, "chanDetectResult"):
            state = text(node, "chanDetectResult") == "connect"
        online[text(node, "id") or ""] = state
    out = []
    for node in children(proxy, "InputProxyChannel"):
        number = text(node, "id")
        if not (number and number.isdigit()):
            continue
        source = find(node, "sourceInputPortDescriptor")
        out.append(Channel(int(number), text(node, "name"), online.get(number),
                           text(source, "ipAddress") or text(source, "hostName"), text(source, "model"),
                           proxied=True))
    return out


def device_type(ctx: ProbeContext) -> str | None:
    """DeviceInfo/deviceType, or None when deviceInfo answered without one (or refused); an unanswered
    read is raised."""
    try:
        return text(shared_doc(ctx, DEVICE_INFO).root, "deviceType")
    except AuthProblem:
        raise
    except ProbeError as exc:
        if type(exc).__name__ in UNANSWERED:     # recorder or camera decides which lists count: unknown
            raise
        return None


def _try(read):  # type: ignore[no-untyped-def]
    """The document, or the device's answer about it (NotSupported, a refusal, a broken body). A list
    that got no answer at all (UNANSWERED: a timeout, a reset, the device's budget spent) says nothing
    about how many channels there are: it is raised, so the channel walk fails and its analytics stay
    unknown, never "off" on the one channel a fallback would assume (issue 15)."""
    try:
        return read()
    except (AuthProblem, Unreachable):
        raise
    except ProbeError as exc:
        if type(exc).__name__ in UNANSWERED:
            raise
        return exc


def _build(ctx: ProbeContext) -> ChannelMap:
    kind = device_type(ctx)
    recorder = is_recorder(kind) if kind else None
    analog: list[Channel] = []
    inputs = _try(lambda: shared_doc(ctx, VIDEO_INPUTS))
    if isinstance(inputs, IsapiDoc):
        analog = parse_video_inputs(inputs.root)
    if recorder is not True:
        if analog:
            return ChannelMap(False, tuple(analog), with_excerpt(inputs.evidence, f"{len(analog)} video inputs"))
        if recorder is False or not isinstance(inputs, NotSupported):
            return _fallback(ctx, False)
    proxied: list[Channel] = []
    found = _try(lambda: shared_doc(ctx, PROXY))
    if isinstance(found, IsapiDoc):
        try:   # without the status list every channel is still there, online unknown
            status: IsapiDoc | None = shared_doc(ctx, PROXY_STATUS)
        except (AuthProblem, Unreachable):
            raise
        except ProbeError:
            status = None
        proxied = parse_proxy_channels(found.root, status.root if status is not None else None)
    if not (analog or proxied):
        return _fallback(ctx, bool(recorder))
    known = {c.id for c in analog}
    chans = analog + [c for c in proxied if c.id not in known]
    offline = [c.id for c in proxied if c.online is False]
    note = ", ".join(part for part in (f"{len(analog)} analog inputs" if analog else "",
                                       f"{len(proxied)} proxied cameras" if proxied else "",
                                       f"offline: {offline}" if offline else "") if part)
    evidence = found.evidence if proxied and isinstance(found, IsapiDoc) else inputs.evidence  # type: ignore[union-attr]
    return ChannelMap(True, tuple(sorted(chans, key=lambda c: c.id)), with_excerpt(evidence, note))


def _fallback(ctx: ProbeContext, nvr: bool) -> ChannelMap:
    count = 1
    source = "no channel list answered; assumed channel 1"
    found = _try(lambda: shared_doc(ctx, SYSTEM))
    if not nvr and isinstance(found, IsapiDoc):
        ports = text(find(found.root, "SysCap/VideoCap"), "videoInputPortNums")
        if ports and ports.isdigit() and int(ports) > 0:
            count, source = int(ports), f"no channel list answered; videoInputPortNums={ports}"
    return ChannelMap(nvr, tuple(Channel(i, proxied=nvr) for i in range(1, count + 1)),
                      Evidence(PROTOCOL, VIDEO_INPUTS if not nvr else PROXY, "fallback", source))


def channel_map(ctx: ProbeContext) -> ChannelMap:
    """The device's channels (memoised), capped at ctx.settings.max_channels."""
    def compute() -> ChannelMap:
        found = _build(ctx)
        limit = max(1, ctx.settings.max_channels)
        if len(found.channels) <= limit:
            return found
        evidence = with_excerpt(found.evidence, f"{found.evidence.excerpt}; only the first {limit} walked")
        return ChannelMap(found.nvr, found.channels[:limit], evidence)
    return ctx.memo("isapi:channels", compute)
