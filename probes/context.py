"""Everything a probe needs for one device, built once per device by the orchestrator.

It also owns the device's budget (probes/_budget.py) and installs it for the thread that builds
it, so every read and parse of this device's probes is charged to it until `close()`, and the
device's problem list: every ProbeError met while auditing it, even those a probe recovers from
(a probe that cannot read one endpoint keeps going with the others, but the audit must still say
"the triggers document was over the size cap"). Recording is explicit: the code at a read's
boundary calls `record`; expected answers (NotSupported) are not problems, nor is anything inside
`expected()` (asking without a login to learn whether the device needs one). One context per
device, so devices audited in parallel never mix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from probes import _budget
from probes.base import Fingerprint, Observation, Target
from probes.errors import ProbeError
from probes.http import DeviceHttp, HttpSettings
from probes.login import LoginState

T = TypeVar("T")


@dataclass(frozen=True)
class ProbeSettings:
    http: HttpSettings = field(default_factory=HttpSettings)
    onvif_timeout: float = 6.0
    max_channels: int = 64            # never walk more NVR channels than this


@dataclass
class ProbeContext:
    target: Target
    login: LoginState
    settings: ProbeSettings
    fingerprint: Fingerprint = field(default_factory=Fingerprint)
    http: DeviceHttp = field(init=False)
    budget: _budget.DeviceBudget = field(default_factory=_budget.DeviceBudget)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _published: dict[str, list[Observation]] = field(default_factory=dict, init=False, repr=False)
    problems: list[ProbeError] = field(default_factory=list, init=False, repr=False)
    _expected: int = field(default=0, init=False, repr=False)
    _token: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.http = DeviceHttp(self.target.base_url, self.login, self.settings.http, budget=self.budget)
        self._token = _budget.install(self.budget)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute once per device (e.g. the ISAPI capability document several probes read).

        A failure is remembered too, so the device is asked once, not once per probe.
        """
        if key not in self._memo:
            try:
                self._memo[key] = ("ok", compute())
            except Exception as exc:
                self._memo[key] = ("error", exc)
        status, value = self._memo[key]
        if status == "error":
            raise value
        return value

    def record(self, error: ProbeError) -> None:
        """Add `error` to this device's problems, unless it is an expected answer (NotSupported) or
        was met inside `expected()`. A detached copy is kept (ProbeError.detached)."""
        if not self._expected and error.outcome != "unsupported":
            self.problems.append(error.detached())

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record every ProbeError leaving the block: one device read's boundary."""
        try:
            yield
        except ProbeError as exc:
            self.record(exc)
            raise

    @contextmanager
    def expected(self) -> Iterator[None]:
        """Errors inside this block are an expected step (e.g. asking without a login to learn
        whether the device needs one), not problems of the device."""
        self._expected += 1
        try:
            yield
        finally:
            self._expected -= 1

    def publish(self, probe_id: str, observations: Sequence[Observation]) -> list[Observation]:
        """What probe `probe_id` found on this device, kept for the probes that run after it (isapi.triggers
        adds where each analytic's events go to what the configuration probes observed). Returns them."""
        self._published[probe_id] = list(observations)
        return list(observations)

    def published(self, *probe_ids: str) -> list[Observation]:
        """What these probes published on this device, in the order named. A probe that has not run,
        or failed, published nothing: the reader works with what was read, never runs another probe."""
        return [obs for pid in probe_ids for obs in self._published.get(pid, [])]

    def close(self) -> None:
        self.http.close()
        if self._token is not None:
            _budget.uninstall(self._token)
            self._token = None
        for _, value in self._memo.values():
            closer = getattr(value, "close", None)
            if callable(closer) and not isinstance(value, BaseException):
                closer()
