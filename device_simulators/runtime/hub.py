"""One event loop per process that waits on every simulated device's listening sockets.

A thousand devices used to mean five thousand threads, each waking every 0.2 s to poll its own
socket (socketserver's serve_forever): the fleet took minutes to come up and burnt CPU idle. Here
one thread sleeps in a selector over all listeners and only wakes for real traffic. Accepted TCP
connections are still served on their own short-lived thread by the same socketserver handlers,
so what a device answers, and how slowly (`slow_endpoints`, `slow_drip`), is unchanged; discovery
datagrams are answered on the loop thread, as they are small and quick.
"""

from __future__ import annotations

import os
import selectors
import socket
import threading
from collections.abc import Callable

Ready = Callable[[], None]


class Hub:
    """A selector loop on one daemon thread; registration is thread-safe and synchronous."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._lock = threading.Lock()
        self._pending: list[tuple[Callable[[], None], threading.Event]] = []
        self._thread = threading.Thread(target=self._run, name="simulator-hub", daemon=True)
        self._thread.start()

    def add(self, sock: socket.socket, ready: Ready) -> None:
        """Call `ready()` on the loop thread whenever `sock` is readable."""
        self._call(lambda: self._selector.register(sock, selectors.EVENT_READ, ready))

    def remove(self, sock: socket.socket) -> None:
        """Stop watching `sock`; when this returns, `ready` is not running and will not run again."""
        def unregister() -> None:
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
        self._call(unregister)

    def _call(self, action: Callable[[], None]) -> None:
        if threading.current_thread() is self._thread:
            action()
            return
        done = threading.Event()
        with self._lock:
            self._pending.append((action, done))
        self._wake_w.send(b"\0")
        done.wait()

    def _run_pending(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        with self._lock:
            pending, self._pending = self._pending, []
        for action, done in pending:
            try:
                action()
            finally:
                done.set()

    def _run(self) -> None:
        while True:
            for key, _ in self._selector.select():
                if key.data is None:
                    self._run_pending()
                    continue
                try:
                    key.data()
                except Exception:  # noqa: BLE001,S112 - one bad connection must not stop every device
                    continue


_hub: Hub | None = None
_hub_pid = 0
_hub_lock = threading.Lock()


def hub() -> Hub:
    """The process's hub, started on first use (and again in a forked child)."""
    global _hub, _hub_pid  # noqa: PLW0603 - one loop per process is the point
    with _hub_lock:
        if _hub is None or _hub_pid != os.getpid():
            _hub, _hub_pid = Hub(), os.getpid()
        return _hub
