"""Messages the TUI posts, named as the events they report."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from models.errors import CamauditError
from models.store_version import StoreVersion
from tui.data.fleet import FleetIndex
from tui.services import AuditResult, EgressResult


class FleetLoaded(Message):
    """Read number `ask` of the fleet-wide lists came back, read at `version`; `index` is None when the
    read failed."""

    def __init__(self, ask: int, index: FleetIndex | None, version: StoreVersion | None) -> None:
        super().__init__()
        self.ask = ask
        self.index = index
        self.version = version


class StoreChanged(Message):
    """The periodic look at the store's version came back (None: the look failed)."""

    def __init__(self, version: StoreVersion | None) -> None:
        super().__init__()
        self.version = version


class DeviceSelected(Message):
    """The user asked to open one device."""

    def __init__(self, device_id: int) -> None:
        super().__init__()
        self.device_id = device_id


class AuditPlanned(Message):
    def __init__(self, targets: tuple[str, ...], count: int) -> None:
        super().__init__()
        self.targets = targets
        self.count = count


class DeviceAudited(Message):
    """One device finished and is in the store."""

    def __init__(self, address: str, reachable: bool) -> None:
        super().__init__()
        self.address = address
        self.reachable = reachable


class AuditCompleted(Message):
    """The audit ended: `result` is None when it failed before recording anything."""

    def __init__(self, result: AuditResult | None) -> None:
        super().__init__()
        self.result = result


class EgressProgressed(Message):
    """A live egress watch has seen this much so far."""

    def __init__(self, frames: int, devices: int) -> None:
        super().__init__()
        self.frames = frames
        self.devices = devices


class EgressAnalysed(Message):
    """The egress analysis ended: `result` is None when it failed."""

    def __init__(self, result: EgressResult | None) -> None:
        super().__init__()
        self.result = result


class WorkFailed(Message):
    """An action ended with an error the user should read (shown in the error modal)."""

    def __init__(self, error: CamauditError) -> None:
        super().__init__()
        self.error = error


class ExportWritten(Message):
    def __init__(self, path: Path, rows: int) -> None:
        super().__init__()
        self.path = path
        self.rows = rows
