"""Watch an interface live: pyshark's LiveCapture on a worker thread with its own loop.

`start()` returns at once; `snapshot()` gives the devices so far (for a live table);
`stop()` may be called from any thread (Ctrl-C, the TUI's stop button) and is idempotent;
`wait()` blocks until the capture ends (duration reached or stopped) and returns the result.
Errors found when the capture starts (no permission, no such interface) are raised by
`wait()` on the caller's thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

from pyshark.capture.capture import TSharkCrashException
from pyshark.capture.live_capture import UnknownInterfaceException
from pyshark.tshark.tshark import TSharkNotFoundException

from probes.egress.errors import EgressCaptureError, InterfaceMissing, TsharkMissing
from probes.egress.flows import FlowTable
from probes.egress.networks import SiteNetworks
from probes.egress.reader import _live_problem, _result, list_interfaces
from probes.egress.traffic import CaptureResult, DeviceTraffic
from probes.egress.tshark import INSTALL_HINT, SummaryLiveCapture, tshark_path

POLL_S = 0.2
DRAIN_S = 10.0      # how long tshark may take to dissect what dumpcap had captured


class LiveWatch:
    """One live capture on `interface`, for `duration` seconds or until `stop()`."""

    def __init__(self, interface: str, site: SiteNetworks, *, duration: float | None = None) -> None:
        self.interface = interface
        self.site = site
        self.duration = duration
        self.table = FlowTable(site)
        self.started: dt.datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._stderr: list[str] = []
        self.ready = threading.Event()     # set once dumpcap and tshark are running

    def check(self) -> None:
        """Raise now if tshark is missing or the interface does not exist."""
        tshark_path()
        names = list_interfaces()
        if names and self.interface not in names:
            raise InterfaceMissing(f"There is no interface {self.interface}.", names)

    def start(self) -> LiveWatch:
        self.check()
        self.started = dt.datetime.now(dt.UTC)
        self._thread = threading.Thread(target=self._run, name=f"egress-watch-{self.interface}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def snapshot(self) -> list[DeviceTraffic]:
        return self.table.snapshot()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def frames(self) -> int:
        return self.table.frames

    def wait(self, timeout: float | None = None) -> CaptureResult:
        """Block until the capture has ended; the result even if it was stopped early."""
        assert self._thread is not None, "start() first"
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.stop()
            self._thread.join()
        if self._error is not None:
            raise self._error
        return _result("live", (self.interface,), self.table, None, [])

    # -- the worker -----------------------------------------------------------------------
    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._capture(loop))
        except TSharkNotFoundException:
            self._error = TsharkMissing(INSTALL_HINT.replace("tshark is", "tshark (or its dumpcap) is"))
        except EgressCaptureError as exc:
            self._error = exc
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread by wait()
            self._error = exc
        finally:
            loop.close()

    async def _capture(self, loop: asyncio.AbstractEventLoop) -> None:
        capture = SummaryLiveCapture(self.interface, bpf_filter=self.site.capture_filter(),
                                     display_filter=self.site.display_filter(), eventloop=loop)
        task = loop.create_task(capture.packets_from_tshark(self.table.add))
        deadline = None if self.duration is None else time.monotonic() + self.duration
        early = False
        try:
            while not task.done():
                if self._stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                    break
                if getattr(capture, "dumpcap", None) is not None:
                    self.ready.set()
                    if capture.exited_early():
                        early = True
                        break
                await asyncio.wait({task}, timeout=POLL_S)
        finally:
            if not task.done() and not early:
                capture.stop_capturing()            # tshark drains the pipe, then the stream ends
                await asyncio.wait({task}, timeout=DRAIN_S)
            if not task.done():
                task.cancel()
            results = await asyncio.gather(task, return_exceptions=True)
            self.ready.set()
        if isinstance(results[0], TSharkCrashException):
            early = True
        elif isinstance(results[0], UnknownInterfaceException):
            raise InterfaceMissing(f"There is no interface {self.interface}.", list_interfaces())
        elif isinstance(results[0], BaseException) and not isinstance(results[0], asyncio.CancelledError):
            raise results[0]
        if early and not self.table.frames:
            raise _live_problem(self.interface, capture.stderr_lines)
