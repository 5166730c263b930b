"""Pure readers for the ISAPI documents that say where data leaves the device.

* `/ISAPI/Event/notification/httpHosts` -> `HttpHostNotificationList/HttpHostNotification{id, url,
  protocolType, parameterFormatType, addressingFormatType, ipAddress|hostName, portNo, userName,
  httpAuthenticationMethod, httpBroken}`. Firmware keeps three slots on IPCs and one on NVRs; an
  unused slot holds `0.0.0.0` (hikvision_next fixtures `Event.notification.httpHosts/ipc_list.xml`,
  `nvr_single_item.xml`, devices `DS-2CD2386G2-IU.json`, `DS-7608NXI-I2.json`).
* `/ISAPI/ContentMgmt/Storage` -> `storage{hddList, nasList/nas{id, addressingFormatType, ipAddress,
  portNo, nasType, path, status, mountType, userName}}`. `mountType` is what is mounted: a
  DS-2CD2386G2-IU reports nasType NFS with mountType SMB/CIFS (fixture `ContentMgmt.Storage/hdd1_nas1.xml`);
  a DS-2CD2146G2-ISU reports an NFS share with status `offline`.
* `/ISAPI/Streaming/channels` -> `StreamingChannelList/StreamingChannel{id, Video/videoInputChannelID,
  Audio{enabled, audioCompressionType}}`; stream 104 of a DS-7608NXI-I2 has no Audio element at all.

Destinations never carry credentials: user info, query strings and fragments are dropped from URLs,
`userName`/`password` are never read (quirk 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from probes._destination import destination as where
from probes._xml import descendants, find, flag, text
from probes.isapi._remote import SECRETS, host_of

PUSH_SCHEMES = {"HTTP": "http", "HTTPS": "https"}


@dataclass(frozen=True)
class Flow:
    enabled: bool | None
    destination: str | None
    detail: str
    summary: str                  # non-secret values for the evidence excerpt
    channel: int | None = None


def _credentials_set(node: Element) -> bool:
    return any((n.text or "").strip() for n in node.iter() if n.tag.rsplit("}", 1)[-1] in ("userName", *SECRETS))


def parse_http_hosts(root: Element) -> list[Flow]:
    """One Flow per HTTP(S) host with a server set; unused slots (0.0.0.0) are left out."""
    flows = []
    for node in descendants(root, "HttpHostNotification"):
        host = host_of(node)
        if host is None:
            continue
        kind = (text(node, "protocolType") or "HTTP").upper()
        destination = where(host, text(node, "portNo"), PUSH_SCHEMES.get(kind), text(node, "url"))
        fmt = text(node, "parameterFormatType")
        auth = text(node, "httpAuthenticationMethod")
        detail = ", ".join(p for p in (kind, f"{fmt} events" if fmt else "", f"auth {auth}" if auth else "") if p)
        summary = (f"HttpHostNotification id={text(node, 'id')} {kind} {destination}"
                   + (" httpBroken=true" if flag(node, "httpBroken") else "")
                   + ("; credentials set (not recorded)" if _credentials_set(node) else ""))
        flows.append(Flow(True, destination, detail, summary))
    return flows


def parse_nas(root: Element) -> list[Flow]:
    """One Flow per network share in `nasList` with an address set."""
    flows = []
    for node in descendants(root, "nas"):
        host = host_of(node)
        if host is None:
            continue
        mount = text(node, "mountType") or text(node, "nasType") or "network storage"
        destination = where(host, text(node, "portNo"))
        path, status = text(node, "path") or "", text(node, "status") or "unknown"
        detail = f"{mount} {path}".strip() + f", status {status}"
        summary = (f"nas id={text(node, 'id')} {mount} {destination} path={path or '-'} status={status}"
                   + ("; credentials set (not recorded)" if _credentials_set(node) else ""))
        flows.append(Flow(True, destination, detail, summary))
    return flows


def parse_cloud_storage(root: Element) -> Flow | None:
    """`/ISAPI/ContentMgmt/Storage/cloud`: element names follow the other ISAPI servers (unverified)."""
    on = flag(root, "enabled")
    host = host_of(root) or host_of(find(root, "CloudStorageServer"))
    if on is None and host is None:
        return None
    kind = text(root, "cloudType") or text(root, "type") or "cloud storage"
    return Flow(on, host, kind, f"enabled={'unknown' if on is None else str(on).lower()} server={host} type={kind}")


@dataclass(frozen=True)
class Stream:
    id: str
    channel: int | None
    audio: bool | None               # None: the stream has no Audio element
    codec: str | None


def parse_streams(root: Element) -> list[Stream]:
    streams = []
    for node in descendants(root, "StreamingChannel"):
        sid = text(node, "id") or "?"
        raw = text(node, "Video/videoInputChannelID") or (sid[:-2] if sid.isdigit() and len(sid) > 2 else None)
        channel = int(raw) if raw and raw.isdigit() else None
        audio = find(node, "Audio")
        streams.append(Stream(sid, channel, flag(audio, "enabled") if audio is not None else None,
                              text(audio, "audioCompressionType") if audio is not None else None))
    return streams


def audio_per_channel(streams: list[Stream]) -> list[Flow]:
    """Per video channel: audio on when any of its streams carries it, off when every stream says off."""
    by_channel: dict[int | None, list[Stream]] = {}
    for stream in streams:
        by_channel.setdefault(stream.channel, []).append(stream)
    flows = []
    for channel, group in by_channel.items():
        states = [s.audio for s in group]
        on = True if True in states else (False if False in states else None)
        carrying = [s for s in group if s.audio]
        if carrying:
            codecs = sorted({s.codec for s in carrying if s.codec})
            detail = "streams " + ", ".join(s.id for s in carrying) + (f" ({', '.join(codecs)})" if codecs else "")
        elif on is False:
            detail = "audio off on streams " + ", ".join(s.id for s in group)
        else:
            detail = "no Audio element in streams " + ", ".join(s.id for s in group)
        summary = " ".join(f"{s.id}:audio={'none' if s.audio is None else str(s.audio).lower()}"
                           + (f"/{s.codec}" if s.audio and s.codec else "") for s in group)
        flows.append(Flow(on, None, detail, summary, channel))
    return flows
