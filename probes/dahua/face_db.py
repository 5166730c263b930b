"""dahua.face-db: the face databases a recognition camera or NVR holds, with their sizes.

`faceRecognitionServer.cgi?action=findGroup` answers `GroupList[i].{groupID, groupName,
groupDetail, groupSize, channels[], similarity[], groupType}` (Dahua HTTP API V3.98, 9.2
[S37]); an empty 200 body means the module exists and holds no group (quirk 9). Firmware
without face recognition answers the Dahua `Error`, which this probe reports as its outcome.
How many faces each database holds is what a DPO needs, so the evidence names every group.
"""

from __future__ import annotations

from probes.base import FeatureObservation, Observation
from probes.context import ProbeContext
from probes.dahua._cgi import PROTOCOL, call, source_of, unanswered, unread
from probes.dahua._kv import Node, elements, node, strings, value
from probes.errors import ProbeError

_EXCERPT_LIMIT = 400     # group names and sizes are the point of this evidence; allow more


def describe_group(group: Node) -> tuple[str, int | None]:
    """`Members (WhiteListDB, id 1, channels 1): 1840 faces` and the face count if stated."""
    name = value(group, "groupName") or "(unnamed)"
    size_text = (value(group, "groupSize") or "").strip()
    size = int(size_text) if size_text.isdigit() else None
    details = []
    if kind := value(group, "groupType"):
        details.append(kind)
    if group_id := value(group, "groupID"):
        details.append(f"id {group_id}")
    channels = strings(node(group, "channels"))
    if channels:
        details.append("channels " + ",".join(channels))
    faces = f"{size} faces" if size is not None else "size not stated"
    return (f"{name} ({', '.join(details)}): {faces}" if details else f"{name}: {faces}"), size


def holds_faces(sizes: list[int | None]) -> bool | None:
    """True when any database holds a face; unknown when none does but a size was not stated."""
    if any(s for s in sizes if s):
        return True
    return None if None in sizes else False


class DahuaFaceDb:
    id = "dahua.face-db"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        try:
            answer = call(ctx, "faceRecognitionServer.cgi", action="findGroup")
        except ProbeError as exc:
            # No answer in time (a Dahua NVR's face module is slow under load: dahua-nvr profile) says
            # nothing about the libraries: unknown, never "no library" where getCaps would close it.
            if unanswered(exc):
                return [unread("FaceGroup", source_of("faceRecognitionServer.cgi", [("action", "findGroup")]), exc)]
            raise
        described = [describe_group(group) for _, group in elements(node(answer.doc.tree, "GroupList"))]
        sizes = [size for _, size in described]
        if described:
            total = sum(s for s in sizes if s)
            text = f"{len(described)} face database(s), {total} faces: " + "; ".join(d for d, _ in described)
        else:
            text = "no face database is defined"
        # A database with faces in it is biometric data held on the device: that is "enabled".
        evidence = answer.evidence(text, limit=_EXCERPT_LIMIT)
        return [FeatureObservation(PROTOCOL, "FaceGroup", True, holds_faces(sizes), evidence)]


PROBE = DahuaFaceDb()
