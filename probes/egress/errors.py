"""Why a capture could not be read at all. The orchestrator maps these onto `models.errors`.

    EgressCaptureError              message is one full sentence for the user
    ├── TsharkMissing               tshark (or dumpcap, for live capture) is not installed
    ├── CapturePermissionDenied     no right to capture on the interface, or to read the file
    ├── InterfaceMissing            no such interface; `interfaces` lists the ones there are
    ├── NotACaptureFile             the file is empty or not in a format tshark reads
    └── CaptureFailed               tshark stopped for another reason (its own words included)

A file that is damaged part-way is *not* an error: what was read before the damage is
returned, marked partial, with tshark's explanation (`CaptureResult.summary.problems`).
"""

from __future__ import annotations


class EgressCaptureError(Exception):
    """Base class: `message` is a full sentence a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TsharkMissing(EgressCaptureError):
    pass


class CapturePermissionDenied(EgressCaptureError):
    pass


class InterfaceMissing(EgressCaptureError):
    def __init__(self, message: str, interfaces: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.interfaces = interfaces


class NotACaptureFile(EgressCaptureError):
    pass


class CaptureFailed(EgressCaptureError):
    pass
