"""isapi.face-library: the face libraries a device holds, and how many faces each has.

`GET /ISAPI/Intelligent/FDLib` lists `FDLibBaseCfgList/FDLibBaseCfg{id, FDID, name, faceLibType}`
[S2][S13][S14]. Counting faces the documented XML way is `POST .../FDLib/FDSearch`, which camaudit
never sends (a POST is a write as far as the device and its log are concerned). The read-only way
is `GET /ISAPI/Intelligent/FDLib/Count?format=json` (`FDRecordDataInfo[{FDID, recordDataNumber}]`),
documented for Hikvision access-control firmware; where it does not answer, counts stay unknown.
Enabled = at least one library holds faces, or libraries exist when counts are unknown.
"""

from __future__ import annotations

import json
from typing import Any

from probes._xml import descendants, excerpt, parse_xml, text
from probes.base import Evidence, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import AuthProblem, MalformedResponse, NotSupported, ProbeError, Unreachable
from probes.isapi._status import (
    OK,
    PROTOCOL,
    IsapiFailed,
    IsapiForbidden,
    IsapiNotSupported,
    ResponseStatus,
    body_is_xml,
    evidence_for,
    get_doc,
    outcome,
    parse_response_status,
    with_excerpt,
)

FDLIB = "/ISAPI/Intelligent/FDLib"
COUNT = "/ISAPI/Intelligent/FDLib/Count"


def get_json(ctx: ProbeContext, path: str, params: dict[str, str]) -> tuple[Any, Evidence]:
    """GET a `?format=json` resource; ResponseStatus-style errors are recognised as for XML.
    Whatever it raises is recorded on the device's problem list (ProbeContext.record)."""
    with ctx.recording():
        return _get_json(ctx, path, params)


def _get_json(ctx: ProbeContext, path: str, params: dict[str, str]) -> tuple[Any, Evidence]:
    source = f"{path}?{'&'.join(sorted(params))}"
    answer = ctx.http.get(path, params=params)
    evidence = Evidence(PROTOCOL, source, f"HTTP {answer.status}", excerpt(answer.body, 160),
                        answer.elapsed_ms)
    try:
        data = json.loads(answer.body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):      # not JSON, or nested deeper than any real answer
        data = None
    status = None
    if isinstance(data, dict) and "statusCode" in data:
        code = data.get("statusCode")
        status = ResponseStatus(code if isinstance(code, int) else None, data.get("statusString"),
                                data.get("subStatusCode"))
        if status.status_code == OK:
            status = None          # JSON answers may carry statusCode 1 beside their data
    elif data is None and body_is_xml(answer.body):
        try:
            status = parse_response_status(parse_xml(answer.body, source).root)
        except MalformedResponse as exc:
            ctx.record(exc)
            status = None
    verdict = outcome(answer.status, status)
    if verdict == "not-supported":
        raise IsapiNotSupported(f"{source}: not supported by this firmware", evidence)
    if verdict == "forbidden":
        raise IsapiForbidden(f"{source}: the account may not read this", evidence)
    if verdict != "ok" or data is None:
        raise IsapiFailed(f"{source}: no usable JSON answer (HTTP {answer.status})", evidence)
    return data, evidence


def parse_counts(data: Any) -> dict[str, int]:
    """FDID (upper case) -> number of faces, from the Count JSON (pure)."""
    rows = data.get("FDRecordDataInfo") if isinstance(data, dict) else None
    if isinstance(rows, dict):
        rows = [rows]
    counts: dict[str, int] = {}
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, dict):
            continue
        fdid, number = row.get("FDID"), row.get("recordDataNumber")
        if isinstance(fdid, str) and isinstance(number, int | str) and str(number).isdigit():
            counts[fdid.upper()] = int(number)
    return counts


class FaceLibrary:
    id = "isapi.face-library"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        try:
            doc = get_doc(ctx, FDLIB, roots=("FDLibBaseCfgList",))
        except NotSupported as exc:
            return [FeatureObservation(PROTOCOL, "FDLib", False, False, evidence_for(exc, FDLIB))]
        libraries = [(text(n, "FDID") or "", text(n, "name") or "(unnamed)", text(n, "faceLibType") or "?")
                     for n in descendants(doc.root, "FDLibBaseCfg")]
        counts: dict[str, int] | None = None
        if libraries:
            try:
                data, _ = get_json(ctx, COUNT, {"format": "json"})
                counts = parse_counts(data) or None
            except (AuthProblem, Unreachable):
                raise
            except ProbeError:
                counts = None
        described = []
        faces = 0
        for fdid, name, kind in libraries:
            number = counts.get(fdid.upper()) if counts is not None else None
            faces += number or 0
            described.append(f"'{name}' ({kind}, {'? faces' if number is None else f'{number} faces'})")
        if not libraries:
            enabled, summary = False, "no face library configured"
        elif counts is None:
            enabled = True
            summary = f"{len(libraries)} libraries, face counts not readable without a search: " + ", ".join(described)
        else:
            enabled = faces > 0
            summary = f"{len(libraries)} libraries, {faces} faces: " + ", ".join(described)
        return [FeatureObservation(PROTOCOL, "FDLib", True, enabled, with_excerpt(doc.evidence, summary))]


PROBE = FaceLibrary()
