"""Device-wide exposure probes: what any client on the network can get without a login.

Not tied to one API family: RTSP answers on 554 and a certificate is served on 443 whatever the
maker. They run once per reachable device, after the family probes (probes/registry.py "device"),
and send only what a video player or a browser sends first: an RTSP DESCRIBE (the stream's
description, no media) and a TLS handshake (the certificate is read, never trusted or used).
"""

from __future__ import annotations

from probes.base import Probe
from probes.exposure import certificate, rtsp

PROBES: tuple[Probe, ...] = (rtsp.PROBE, certificate.PROBE)

__all__ = ["PROBES"]
