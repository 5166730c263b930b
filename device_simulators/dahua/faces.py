"""Face databases: `faceRecognitionServer.cgi` findGroup and getGroup.

Shapes follow the DAHUA HTTP API V3.98 text of section 9.2 (S37): findGroup answers
`GroupList[i].groupID / groupName / groupDetail / groupSize / channels[] / similarity[] /
groupType / TimeSection[day][slot]` in that order (no `table.` prefix, not sorted: it is a
query result, not a config table); getGroup answers `groupID[i]` and `similary[i]` (Dahua's
spelling) and an empty 200 for a channel with no group deployed. Firmware without face
recognition (no `face_groups` in the profile) answers the Dahua error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from device_simulators.dahua import kv
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

_ALL_DAY = "1 00:00:00-23:59:59"
_UNUSED = "0 00:00:00-23:59:59"
_DEFAULT_SIMILARITY = 80


def _groups(device: SimDevice) -> list[dict[str, Any]] | None:
    groups = device.profile.dahua.get("face_groups")
    return None if groups is None else list(groups)


def _channels(group: dict[str, Any]) -> list[int]:
    # Deployed to channel 1 unless the profile says otherwise (the V3.98 example uses 1-based).
    return [int(c) for c in group.get("channels", [1])]


def _group_pairs(index: int, group: dict[str, Any]) -> kv.Pairs:
    prefix = f"GroupList[{index}]"
    channels = _channels(group)
    pairs: kv.Pairs = [
        (f"{prefix}.groupID", str(group.get("id", index + 1))),
        (f"{prefix}.groupName", str(group.get("name", ""))),
        (f"{prefix}.groupDetail", str(group.get("detail", ""))),
        (f"{prefix}.groupSize", str(int(group.get("size", 0)))),
    ]
    pairs += [(f"{prefix}.channels[{i}]", str(c)) for i, c in enumerate(channels)]
    similarity = int(group.get("similarity", _DEFAULT_SIMILARITY))
    pairs += [(f"{prefix}.similarity[{i}]", str(similarity)) for i in range(len(channels))]
    if group.get("type"):
        pairs.append((f"{prefix}.groupType", str(group["type"])))
    for day in range(7):
        for slot in range(6):
            pairs.append((f"{prefix}.TimeSection[{day}][{slot}]", _ALL_DAY if slot == 0 else _UNUSED))
    return pairs


def face_recognition(device: SimDevice, request: SimRequest) -> SimResponse:
    groups = _groups(device)
    if groups is None:
        return kv.error()
    action = request.arg("action")
    if action == "findGroup":
        wanted = request.arg("groupID")
        pairs: kv.Pairs = []
        shown = [g for g in groups if wanted is None or str(g.get("id")) == wanted]
        for index, group in enumerate(shown):
            pairs += _group_pairs(index, group)
        return kv.text(pairs)
    if action == "getGroup":
        try:
            channel = int(request.arg("channel") or "")
        except ValueError:
            return kv.error()
        deployed = [g for g in groups if channel in _channels(g)]
        pairs = [(f"groupID[{i}]", str(g.get("id"))) for i, g in enumerate(deployed)]
        pairs += [(f"similary[{i}]", str(int(g.get("similarity", _DEFAULT_SIMILARITY))))
                  for i, g in enumerate(deployed)]
        return kv.text(pairs)
    if action == "createGroup":
        # Answered as firmware does (a new groupID) but nothing is stored: the request log
        # is how a test catches an auditor that writes.
        return kv.text([("groupID", str(10000 + len(groups)))])
    if action in ("modifyGroup", "deleteGroup", "setGroup"):
        return kv.ok()
    return kv.error()
