"""Where a Dahua alarm sends its output: the rule's `EventHandler` and the storage points.

Every Dahua alarm config (IVS rules, MotionDetect) carries an `EventHandler` block with
`MailEnable`, `RecordEnable`, `SnapshotEnable` [S31]. Pictures go wherever
`RecordStoragePoint[ch].<Kind>SnapShot` points; `FTP=true` there means to the NAS/FTP server
(Dahua API 8.2.3). Which snapshot kind an IVS rule uses is not in any public capture, so any
snapshot kind stored to FTP on that channel counts (unverified, deliberately broad).
"""

from __future__ import annotations

from collections.abc import Callable

from probes.context import ProbeContext
from probes.dahua._cgi import ENDPOINT_REFUSALS, get_config
from probes.dahua._kv import Node, elements, flag, node


def ftp_snapshot_channels(ctx: ProbeContext) -> set[int] | None:
    """1-based channels whose snapshots are stored to FTP; None when the table cannot be read."""
    try:
        answer = get_config(ctx, "RecordStoragePoint")
    except ENDPOINT_REFUSALS:
        return None
    channels = set()
    for index, point in elements(node(answer.doc.tree, ("table", "RecordStoragePoint"))):
        if isinstance(point, dict) and any(
                str(kind).endswith("SnapShot") and flag(target, "FTP") for kind, target in point.items()):
            channels.add(index + 1)
    return channels


def sends_to(alarm: Node | None, channel: int, ftp_channels: Callable[[], set[int] | None]) -> tuple[str, ...]:
    """camaudit route words for one alarm config: email, record, ftp (storage points read only if needed)."""
    routes = []
    if flag(alarm, "EventHandler.MailEnable"):
        routes.append("email")
    if flag(alarm, "EventHandler.RecordEnable"):
        routes.append("record")
    if flag(alarm, "EventHandler.SnapshotEnable") and channel in (ftp_channels() or ()):
        routes.append("ftp")
    return tuple(routes)
