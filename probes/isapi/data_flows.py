"""isapi.data-flows: where the configuration says data leaves the device (issue 9 item 7).

Alarm and picture push to HTTP(S) hosts, recordings on network storage (NFS, SMB/CIFS), cloud
storage, and audio recorded with the video (a microphone capturing speech). Readers and
sources are in probes/isapi/_flows.py. For each resource:
- a document: one observation per configured destination, or one "off" observation when no
  destination is set (the slots hold 0.0.0.0, the NAS list is empty, every stream has audio off);
- notSupport: the firmware has no such function: off (cloud storage: nothing to report, most
  firmware has none);
- a 403 or any other failure: unknown (quirk 4), with the answer as evidence.
"""

from __future__ import annotations

from collections.abc import Callable

from probes.base import DataFlowObservation, Evidence, Observation
from probes.context import ProbeContext
from probes.errors import AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi import _flows
from probes.isapi._status import PROTOCOL, IsapiDoc, evidence_for, get_doc, with_excerpt

HTTP_HOSTS = "/ISAPI/Event/notification/httpHosts"
STORAGE = "/ISAPI/ContentMgmt/Storage"
CLOUD = "/ISAPI/ContentMgmt/Storage/cloud"
STREAMS = "/ISAPI/Streaming/channels"


def _read(ctx: ProbeContext, path: str) -> IsapiDoc | ProbeError:
    try:
        return get_doc(ctx, path)
    except (AuthProblem, Unreachable):
        raise
    except ProbeError as exc:
        return exc


def _unread(kind: str, exc: ProbeError, path: str, absent: str) -> list[Observation]:
    evidence = evidence_for(exc, path)
    if isinstance(exc, NotSupported):
        return [DataFlowObservation(kind, False, None, with_excerpt(evidence, absent), detail="not on this firmware")]
    return [DataFlowObservation(kind, None, None, evidence, detail="could not be read")]


def _observe(kind: str, flows: list[_flows.Flow], evidence: Evidence, none_set: str) -> list[Observation]:
    if not flows:
        return [DataFlowObservation(kind, False, None, with_excerpt(evidence, none_set), detail=none_set)]
    return [DataFlowObservation(kind, f.enabled, f.destination, with_excerpt(evidence, f.summary), f.channel,
                                f.detail) for f in flows]


class DataFlows:
    id = "isapi.data-flows"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        steps: list[tuple[str, str, Callable[[IsapiDoc], list[Observation]], str]] = [
            ("http_push", HTTP_HOSTS, lambda d: _observe("http_push", _flows.parse_http_hosts(d.root), d.evidence,
                                                         "no HTTP(S) host set"),
             "the firmware has no HTTP host notification (notSupport)"),
            ("nas", STORAGE, lambda d: _observe("nas", _flows.parse_nas(d.root), d.evidence,
                                                "no network storage set"),
             "the firmware has no storage configuration (notSupport)"),
            ("audio_recording", STREAMS, self._audio, "the firmware has no streaming configuration (notSupport)"),
        ]
        for kind, path, observe, absent in steps:
            found = _read(ctx, path)
            out += observe(found) if isinstance(found, IsapiDoc) else _unread(kind, found, path, absent)
        out += self._cloud(ctx)
        return out

    @staticmethod
    def _audio(doc: IsapiDoc) -> list[Observation]:
        flows = _flows.audio_per_channel(_flows.parse_streams(doc.root))
        return _observe("audio_recording", flows, doc.evidence, "no stream listed")

    @staticmethod
    def _cloud(ctx: ProbeContext) -> list[Observation]:
        found = _read(ctx, CLOUD)
        if isinstance(found, NotSupported):
            return []
        if not isinstance(found, IsapiDoc):
            return _unread("cloud_storage", found, CLOUD, "")
        flow = _flows.parse_cloud_storage(found.root)
        if flow is None:
            return [DataFlowObservation("cloud_storage", None, None,
                                        with_excerpt(found.evidence, "no enabled switch or server in the answer"),
                                        detail="not understood")]
        return _observe("cloud_storage", [flow], found.evidence, "")


PROBE = DataFlows()
