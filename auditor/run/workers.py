"""Worker processes for large scopes: one process tops out at ~6-8 devices/s (its threads contend for
the GIL, so 32 threads cost twice the CPU per device of one), so `--workers N` audits with N child
processes, each taking every N-th target and auditing it with a few threads.

Children only audit: they never open the store. Each sends "started" and the finished DeviceAudit
(plain picklable values) over its own pipe to the parent, whose one writer records them into the one
run. The credentials reach a child inside the pickled process arguments, which `spawn` sends over a
pipe: never in argv, the environment or a file. A child that dies (kill -9, OOM) ends its pipe: the
devices it had not finished are recorded as not audited, with the reason, and the run goes on.
Ctrl-C is the parent's: children ignore SIGINT and are terminated by the parent.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from models.audit import DeviceAudit
from probes.base import Target

WORKERS_FROM = 200       # devices in scope from which worker processes pay for their start (~1 CPU-s each)
PER_WORKER = 100         # at least this many devices per worker process
MAX_WORKERS = 8


def default_workers(target_count: int, cpus: int | None = None) -> int:
    """1 for scopes under WORKERS_FROM devices; else one process per CPU, at most MAX_WORKERS and no
    fewer than PER_WORKER devices each."""
    if target_count < WORKERS_FROM:
        return 1
    return max(1, min(cpus or os.cpu_count() or 1, MAX_WORKERS, target_count // PER_WORKER))


@dataclass(frozen=True)
class Share:
    """What one child audits, and how (pickled to the child through spawn's pipe)."""

    number: int                            # 1-based, for messages
    targets: tuple[tuple[int, Target], ...]   # (index in the whole scope, target)
    credentials: Any                       # auditor.run.credentials.CredentialBook
    options: Any                           # auditor.run.orchestrator.AuditOptions
    threads: int


def child_main(conn: Connection, share: Share) -> None:
    """A worker process: audit the share with `share.threads` threads, send each result, then "end"."""
    from auditor.run.device_audit import audit_device

    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C reaches the whole process group; the parent stops us
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    lock = threading.Lock()
    todo = deque(share.targets)
    options = share.options

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            try:
                conn.send(message)
            except (BrokenPipeError, EOFError, ConnectionResetError):
                os._exit(1)        # the parent is gone (killed): stop quietly, nobody reads our results now

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                index, target = todo.popleft()
            send(("started", index))
            try:
                result = audit_device(target, share.credentials.for_address(target.address), options.probe,
                                      include_intrusive=options.include_intrusive,
                                      intrusive_checks=options.intrusive_checks)
            except Exception:  # noqa: BLE001 - a camaudit bug: the parent surfaces it as it would in-process
                send(("bug", index, traceback.format_exc()))
                return
            send(("done", index, result.audit))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(share.threads,
                                                                                      len(share.targets))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send(("end",))
    conn.close()


def _exit_with_parent(parent: int) -> None:
    """A parent killed with SIGKILL cannot stop us: stop probing devices within half a second of it."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def not_audited(target: Target, reason: str) -> DeviceAudit:
    """A device a dead worker had not finished: recorded, with the reason, as not read."""
    now = dt.datetime.now(dt.UTC)
    return DeviceAudit(address=target.address, port=target.port, errors=[reason], started=now, finished=now)


class ProcessPool:
    """Runs the children and relays their messages; `run` returns when every child has ended."""

    def __init__(self, targets: Sequence[Target], credentials: Any, options: Any, workers: int, *,
                 started: Callable[[Target], None], finished: Callable[[DeviceAudit], None],
                 failed: Callable[[BaseException], None], cancel: threading.Event) -> None:
        self.targets, self.cancel = list(targets), cancel
        self._started, self._finished, self._failed = started, finished, failed
        self.notes: list[str] = []
        context = multiprocessing.get_context("spawn")     # no fork of a process with live threads
        threads = max(1, -(-options.concurrency // workers))
        self._children: list[tuple[Share, Any, Connection]] = []
        self._writers: list[Connection] = []
        for k in range(workers):
            share = Share(k + 1, tuple((i, self.targets[i]) for i in range(k, len(self.targets), workers)),
                          credentials, options, threads)
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=child_main, args=(writer, share), name=f"camaudit-worker-{k + 1}",
                                      daemon=True)
            self._children.append((share, process, reader))
            self._writers.append(writer)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # noqa: BLE001 - a process that cannot start, say: the run stops and says why
            self._failed(exc)

    def _run(self) -> None:
        for (_, process, _), writer in zip(self._children, self._writers, strict=True):
            process.start()
            writer.close()                       # the child holds the only write end: its death is our EOF
        readers = {reader: (share, process) for share, process, reader in self._children}
        done: dict[int, set[int]] = {share.number: set() for share, _, _ in self._children}
        ended: set[int] = set()
        while readers and not self.cancel.is_set():
            for reader in wait(list(readers), timeout=0.25):
                share, process = readers[reader]  # type: ignore[index]
                try:
                    message = reader.recv()  # type: ignore[union-attr]
                except Exception:  # noqa: BLE001 - EOF, or a message cut short by a killed child
                    del readers[reader]  # type: ignore[arg-type]
                    self._child_ended(share, process, done[share.number], share.number in ended)
                    continue
                kind = message[0]
                if kind == "started":
                    self._started(self.targets[message[1]])
                elif kind == "done":
                    done[share.number].add(message[1])
                    self._finished(message[2])
                elif kind == "end":
                    ended.add(share.number)
                elif kind == "bug":
                    self._failed(RuntimeError(f"camaudit failed auditing {self.targets[message[1]].address} "
                                              f"in worker process {share.number}:\n{message[2]}"))

    def _child_ended(self, share: Share, process: Any, done: set[int], clean: bool) -> None:
        process.join(timeout=5)
        if clean or self.cancel.is_set():
            return
        lost = [target for index, target in share.targets if index not in done]
        how = _how(process.exitcode)
        reason = (f"not audited: camaudit's worker process {share.number} stopped ({how}) before this "
                  f"device was finished")
        for target in lost:
            self._finished(not_audited(target, reason))
        self.notes.append(f"worker process {share.number} stopped ({how}); its {len(lost)} unfinished "
                          f"device(s) are recorded as not audited")

    def stop(self) -> None:
        """Terminate the children still running (Ctrl-C, SIGTERM, a failure) and reap them."""
        running = [p for _, p, _ in self._children if p.pid is not None and p.is_alive()]
        for process in running:
            process.terminate()
        for process in running:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=2)
