"""dahua.data-flows: where the configuration says data leaves a Dahua (or OEM) device.

| kind            | config name        | keys read (never Password/UserName)                              |
|-----------------|--------------------|------------------------------------------------------------------|
| http_push       | PictureHttpUpload  | Enable, UploadServerList[i].{Address, Port, HttpsEnable, Uploadpath} |
| http_push       | EventHttpUpload    | the same shape (unverified; most firmware answers the Error)     |
| nas             | NAS                | [i].{Enable, Protocol NFS/SMB/ISCSI, Address, Port, Directory}   |
| audio_recording | Encode             | [ch].MainFormat[0].AudioEnable, ExtraFormat[0].AudioEnable, Audio.Compression |

Sources: PictureHttpUpload keys from access-control/event-server client code and a getConfig
fixture (`table.PictureHttpUpload.Enable=false`); Encode keys from setConfig batches and readers of
Dahua cameras (`table.Encode[0].MainFormat[0].AudioEnable=true`); NAS from the Dahua API NAS table
(FTP entries are the `ftp` remote-access setting, probes/dahua/remote_access.py). The Dahua `Error`
means the firmware has no such table: off. A 403 is unknown (quirk 4). Upload paths lose any query
string (tokens) and user info on the way to a destination.
"""

from __future__ import annotations

from probes._destination import destination
from probes.base import DataFlowObservation, Observation
from probes.context import ProbeContext
from probes.dahua._cgi import (
    ENDPOINT_REFUSALS,
    PROTOCOL,
    CgiAnswer,
    config_source,
    failure_evidence,
    get_config,
    summary,
)
from probes.dahua._kv import Node, elements, flag, node, value
from probes.errors import NotSupported, ProbeError

UPLOADS = ("PictureHttpUpload", "EventHttpUpload")
FTP_PROTOCOLS = frozenset({"FTP", "SFTP"})
NAS_LABEL = {"NFS": "NFS", "SMB": "SMB/CIFS", "CIFS": "SMB/CIFS", "ISCSI": "iSCSI"}


def _read(ctx: ProbeContext, name: str) -> CgiAnswer | ProbeError:
    try:
        return get_config(ctx, name)
    except ENDPOINT_REFUSALS as exc:
        return exc


def _unread(kind: str, name: str, exc: ProbeError) -> DataFlowObservation:
    evidence = failure_evidence(config_source(name), exc)
    if isinstance(exc, NotSupported):
        return DataFlowObservation(kind, False, None, evidence, detail=f"no {name} on this firmware")
    return DataFlowObservation(kind, None, None, evidence, detail="could not be read")


def read_uploads(name: str, table: Node | None) -> list[tuple[bool | None, str, str, str]]:
    """(enabled, destination, detail, excerpt) per upload server with an address (pure)."""
    switch = flag(table, "Enable")
    found = []
    for index, server in elements(node(table, "UploadServerList")):
        https = flag(server, "HttpsEnable")
        target = destination(value(server, "Address"), value(server, "Port"), "https" if https else "http",
                             value(server, "Uploadpath"))
        if target is None:
            continue
        detail = f"{name} ({'HTTPS' if https else 'HTTP'})"
        excerpt = f"Enable={value(table, 'Enable')} UploadServerList[{index}] {target}"
        found.append((switch, target, detail, excerpt))
    return found


def read_shares(table: Node | None) -> list[tuple[bool | None, str, str, str]]:
    """(enabled, destination, detail, excerpt) per NAS entry that is not FTP and has an address (pure)."""
    found = []
    for index, entry in elements(table):
        protocol = (value(entry, "Protocol") or "").strip().upper()
        target = destination(value(entry, "Address"), value(entry, "Port"))
        if protocol in FTP_PROTOCOLS or target is None:
            continue
        label = NAS_LABEL.get(protocol, protocol or "network storage")
        directory = value(entry, "Directory") or ""
        excerpt = f"NAS[{index}] " + summary(entry, ("Protocol", "Enable", "Address", "Port", "Directory"))
        found.append((flag(entry, "Enable"), target, f"{label} {directory}".strip(), excerpt))
    return found


def read_audio(table: Node | None) -> list[tuple[int, bool | None, str, str]]:
    """(channel, enabled, detail, excerpt) per Encode channel, 1-based like the rest of camaudit (pure)."""
    found = []
    for index, channel in elements(table):
        streams = [(kind, fmt) for kind in ("MainFormat", "ExtraFormat")
                   for _, fmt in elements(node(channel, kind))[:1]]
        states = [flag(fmt, "AudioEnable") for _, fmt in streams]
        on = True if True in states else (False if False in states else None)
        carrying = [(k, f) for k, f in streams if flag(f, "AudioEnable")]
        codecs = sorted({c for _, f in carrying if (c := value(f, "Audio.Compression"))})
        detail = ("audio in " + ", ".join(k for k, _ in carrying) + (f" ({', '.join(codecs)})" if codecs else "")
                  if carrying else "audio off" if on is False else "no AudioEnable key")
        excerpt = " ".join(f"Encode[{index}].{k}[0].AudioEnable={value(f, 'AudioEnable')}" for k, f in streams)
        found.append((index + 1, on, detail, excerpt))
    return found


class DahuaDataFlows:
    id = "dahua.data-flows"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        return self._uploads(ctx) + self._nas(ctx) + self._audio(ctx)

    def _uploads(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        empty: list[tuple[CgiAnswer, str]] = []          # tables read that name no server
        for name in UPLOADS:
            answer = _read(ctx, name)
            if not isinstance(answer, CgiAnswer):
                # EventHttpUpload is missing on most firmware: only PictureHttpUpload's absence is said.
                if name == UPLOADS[0] or not isinstance(answer, NotSupported):
                    out.append(_unread("http_push", name, answer))
                continue
            table = node(answer.doc.tree, ("table", name))
            servers = read_uploads(name, table)
            out += [DataFlowObservation("http_push", on, target, answer.evidence(text), detail=detail)
                    for on, target, detail, text in servers]
            if not servers:
                empty.append((answer, f"{name}.Enable={value(table, 'Enable')}"))
        if empty and not out:
            switches = " ".join(text for _, text in empty)
            out.append(DataFlowObservation("http_push", False, None,
                                           empty[0][0].evidence(f"no upload server set: {switches}"),
                                           detail="no HTTP upload server set"))
        return out

    def _nas(self, ctx: ProbeContext) -> list[Observation]:
        answer = _read(ctx, "NAS")
        if not isinstance(answer, CgiAnswer):
            return [_unread("nas", "NAS", answer)]
        shares = read_shares(node(answer.doc.tree, ("table", "NAS")))
        if not shares:
            return [DataFlowObservation("nas", False, None, answer.evidence("no NFS/SMB/iSCSI entry in NAS"),
                                        detail="no network storage set")]
        return [DataFlowObservation("nas", on, target, answer.evidence(text), detail=detail)
                for on, target, detail, text in shares]

    def _audio(self, ctx: ProbeContext) -> list[Observation]:
        answer = _read(ctx, "Encode")
        if not isinstance(answer, CgiAnswer):
            return [_unread("audio_recording", "Encode", answer)]
        return [DataFlowObservation("audio_recording", on, None, answer.evidence(text), channel, detail)
                for channel, on, detail, text in read_audio(node(answer.doc.tree, ("table", "Encode")))]


PROBE = DahuaDataFlows()
