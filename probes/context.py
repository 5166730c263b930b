"""Everything a probe needs for one device, built once per device by the orchestrator.

It also owns the device's budget (probes/_budget.py) and installs it for the thread that builds
it, so every read and parse of this device's probes is charged to it until `close()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from probes import _budget
from probes.base import Fingerprint, Observation, Target
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
