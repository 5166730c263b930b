"""Whole-request deadlines: a watchdog per request that cuts its sockets when the deadline passes,
wherever the request is waiting (a device dripping its status line and headers keeps requests
waiting a full read timeout per byte, without end). All watchdogs share one timer thread.
"""

from __future__ import annotations

import heapq
import socket
import threading
import time

from probes.errors import TimedOut

inflight = threading.local()          # the Watchdog of the request this thread is sending


class _Alarms:
    """One thread for every request's deadline. A threading.Timer per request started a thread for
    each of the ~45 requests a device gets (a tenth of the audit's CPU); here deadlines wait in a
    heap, and a cancelled one is simply skipped when its time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._wake = threading.Condition()
        self._seq = 0
        self._thread: threading.Thread | None = None

    def at(self, due: float, watchdog: Watchdog) -> None:
        with self._wake:
            self._seq += 1
            heapq.heappush(self._heap, (due, self._seq, watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="camaudit-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is watchdog:
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                due, _, watchdog = self._heap[0]
                left = due - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
            if not watchdog.cancelled:
                watchdog.fire()


_alarms = _Alarms()


class Watchdog:
    """Cuts the sockets of one request when its deadline passes, wherever the request is waiting."""

    def __init__(self, deadline: float, where: str) -> None:
        self.deadline, self.where = deadline, where
        self.sockets: list[socket.socket] = []
        self.fired = False
        self.cancelled = False
        self.reused = False               # the request went out on a kept-alive connection
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self.sockets.append(sock)
            fired = self.fired
        if fired:
            _cut(sock)

    def fire(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
            sockets = list(self.sockets)
        for sock in sockets:
            _cut(sock)

    def __enter__(self) -> Watchdog:
        inflight.current = self
        _alarms.at(time.monotonic() + self.deadline + 0.05, self)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        with self._lock:
            self.cancelled = True
        inflight.current = None
        if self.fired and exc is not None and not isinstance(exc, TimedOut):
            raise TimedOut(f"{self.where} was still sending its answer after {self.deadline:g} s; "
                           "the connection was cut") from None


def _cut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)   # the plain socket's: safe under a TLS reader
    except OSError:
        pass
