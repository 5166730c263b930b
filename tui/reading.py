"""Reading the store off the UI thread: the fleet-wide lists every screen shows, re-read when the
app's own work changed them and when another process (a second collector, a scheduled audit) did.

Every read is a `@work(thread=True)` worker; the UI thread never waits on the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from textual import work
from textual.app import App
from textual.signal import Signal
from textual.worker import get_current_worker

from models.db import Store
from models.errors import CamauditError, as_user_error
from models.store_version import StoreVersion, get_store_version
from tui.data.fleet import FleetIndex, load_fleet
from tui.data.live import STORE_POLL_S, change_notice
from tui.messages import FleetLoaded, StoreChanged, WorkFailed


def user_error_or_raise(exc: Exception) -> CamauditError:
    """The same sentence the CLI would print (models.errors.as_user_error); a bug is re-raised."""
    error = as_user_error(exc)
    if error is None:
        raise exc
    return error


class ReadingApp(App[None]):
    """The store, the fleet read from it, and the look for other processes' runs; `tui.jobs.WorkingApp`
    adds the app's own work."""

    site: str | None = None   # show only this site's devices (camaudit tui --site); None: every site

    def __init__(self, store: Store, now: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self.store = store
        self.now = now
        self.fleet: FleetIndex | None = None
        self.fleet_changed: Signal[FleetIndex] = Signal(self, "fleet-changed")
        # Nothing new was written, but runs are unfinished: one whose process died now reads as interrupted.
        self.runs_aged: Signal[StoreVersion] = Signal(self, "runs-aged")
        self.poll_s = STORE_POLL_S          # how often to look for runs other processes wrote (0: never)
        self.store_version: StoreVersion | None = None   # what the lists on screen were read from
        self._load_asked = self._load_done = 0   # fleet reads asked for, and the last one finished
        self._polling = False
        self._notice: str | None = None     # to show once the changed lists are on screen

    @property
    def working(self) -> bool:
        """Whether the app's own work is writing to the store (WorkingApp says when)."""
        return False

    def reload_fleet(self) -> None:
        """Re-read the fleet (and so every list screen) in a worker thread; a newer read replaces an older."""
        self._load_asked += 1
        self._load_worker(self._load_asked)

    @property
    def loading(self) -> bool:
        return self._load_done != self._load_asked

    @work(thread=True, exclusive=True, group="load")
    def _load_worker(self, ask: int) -> None:
        try:
            version = get_store_version(self.store)    # first: the lists hold at least what it counts
            index = load_fleet(self.store, self.fleet, site=self.site)
        except Exception as exc:  # noqa: BLE001 - store problems become the error modal
            self.call_from_thread(self.post_message, FleetLoaded(ask, None, None))
            self.call_from_thread(self.post_message, WorkFailed(user_error_or_raise(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self.post_message, FleetLoaded(ask, index, version))

    def on_fleet_loaded(self, message: FleetLoaded) -> None:
        if message.ask != self._load_asked:    # a newer read is under way (exclusive cancels older ones)
            return
        self._load_done = message.ask
        if message.index is None:              # the read failed: the error modal says why
            return
        self.fleet = message.index
        self.store_version = message.version
        self.fleet_changed.publish(message.index)
        if self._notice is not None:
            self.notify(self._notice, title="Store")
            self._notice = None

    # ---- runs written by other processes ------------------------------------------------

    def watch_store(self) -> None:
        """Start looking for other collectors' runs every `poll_s` seconds (called once mounted)."""
        if self.poll_s > 0:
            self.set_interval(self.poll_s, self.poll_store, name="store-poll")

    def poll_store(self) -> None:
        """Ask the store for its version, unless our own work is writing or the lists are being read."""
        if self.working or self.loading or self._polling or self.store_version is None:
            return
        self._polling = True
        self._poll_worker()

    @work(thread=True, group="poll")
    def _poll_worker(self) -> None:
        try:
            version: StoreVersion | None = get_store_version(self.store)
        except Exception as exc:  # noqa: BLE001 - a failed look is no change; the next reload shows the error
            user_error_or_raise(exc)
            version = None
        try:
            self.call_from_thread(self.post_message, StoreChanged(version))
        except RuntimeError:   # the app closed meanwhile
            pass

    def on_store_changed(self, message: StoreChanged) -> None:
        self._polling = False
        before, after = self.store_version, message.version
        if after is None or before is None or self.working or self.loading:
            return     # our own work began meanwhile: its reloads will read what changed
        if after == before:
            if after.unfinished:
                self.runs_aged.publish(after)
            return
        self._notice = change_notice(before, after)
        self.reload_fleet()

