"""isapi.nvr-channels: which camera sits behind each NVR channel, and whether it is online.

`/ISAPI/ContentMgmt/InputProxy/channels` gives each channel's `sourceInputPortDescriptor`
(proxied camera address and, while it is reachable, model) and `/channels/status` its `online`
state [S1]; the walk shared with the analytics probes reads them once (probes/isapi/_channels.py).
IP cameras have no proxied channels and get no observations here.
"""

from __future__ import annotations

from probes.base import ChannelObservation, Observation
from probes.context import ProbeContext
from probes.isapi._channels import channel_map
from probes.isapi._status import PROTOCOL, with_excerpt


class NvrChannels:
    id = "isapi.nvr-channels"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        cmap = channel_map(ctx)
        if not cmap.nvr or cmap.evidence.result == "fallback":
            return []          # an IPC, or an NVR whose channel list could not be read
        out: list[Observation] = []
        for ch in (c for c in cmap.channels if c.proxied):     # a DVR's analog inputs name no camera
            state = {True: "online", False: "offline", None: "online state unknown"}[ch.online]
            summary = (f"channel {ch.id} {ch.name or ''}: {ch.source_address or 'no address'}, "
                       f"{ch.source_model or 'model not reported'}, {state}")
            out.append(ChannelObservation(ch.id, ch.name, ch.online, ch.source_address, ch.source_model,
                                          with_excerpt(cmap.evidence, summary)))
        return out


PROBE = NvrChannels()
