"""How far camaudit got with one device: the single rule every summary (CLI, TUI, report, CSV,
diff) uses to tell "read and off" from "not read". Pure: a DeviceAudit in, a word out.

    read          logged in (or no login needed) and every probe answered
    partly read   something was read, but some probes were refused or failed
    login failed  reachable, but nothing past identification could be read: the login was refused
                  (or no credentials were given for a device that needs them)
    locked        the account was locked out; nothing was read
    unreachable   the device did not answer (or accepted a connection and then said nothing)

Only "read" and "partly read" values mean anything; for the other three every verdict is
"not read", never "no".
"""

from __future__ import annotations

from collections.abc import Iterable

from models.audit import DeviceAudit

READ = "read"
PARTLY_READ = "partly read"
LOGIN_FAILED = "login failed"
LOCKED = "locked"
UNREACHABLE = "unreachable"
READ_STATUSES = (READ, PARTLY_READ, LOGIN_FAILED, LOCKED, UNREACHABLE)
NOT_READ = frozenset({LOGIN_FAILED, LOCKED, UNREACHABLE})   # nothing about the settings was read
# How the CLI summary and the TUI colour each status (Rich styles).
READ_STATUS_STYLE: dict[str, str] = {READ: "green", PARTLY_READ: "yellow", LOGIN_FAILED: "bold red",
                                     LOCKED: "bold red", UNREACHABLE: "bold red"}

# Probe outcomes (models.audit.ProbeRecord) that mean "answered": "unsupported" is an answer too.
_ANSWERED = frozenset({"ok", "unsupported"})
_FAILED = frozenset({"auth-failed", "locked", "error", "skipped"})
# Answers without a login that read no setting: the fingerprint, and the device-wide exposure probes
# (probes/exposure: an RTSP DESCRIBE and a TLS handshake), which answer whether or not the login works.
_IDENTIFY_ONLY = frozenset({"fingerprint", "rtsp.describe", "tls.certificate"})


def status_of(*, reachable: bool, auth: str | None, outcomes: Iterable[tuple[str, str]],
              protocol_states: Iterable[str] = ()) -> str:
    """The read status from the columns a list view has: (probe id, outcome) pairs and the
    protocol families' states (models.audit.PROTOCOL_STATES)."""
    if not reachable:
        return UNREACHABLE
    pairs = list(outcomes)
    answered = [probe for probe, outcome in pairs if outcome in _ANSWERED and probe not in _IDENTIFY_ONLY]
    failed = [probe for probe, outcome in pairs if outcome in _FAILED]
    if auth == "locked" or (not answered and any(o == "locked" for _, o in pairs)):
        return LOCKED if not answered else PARTLY_READ
    if not answered:
        # A login that worked with probes that all failed (timeouts, errors) read little, but the
        # login was not the problem: its verdicts stay unknown one by one.
        if auth == "failed" or any(o == "auth-failed" for _, o in pairs):
            return LOGIN_FAILED
        # Nothing answered and no login was refused: it accepted a connection but said nothing
        # useful (a stalled or non-camera service).
        return UNREACHABLE if auth is None else PARTLY_READ
    if failed or auth == "failed" or "failed" in set(protocol_states):
        return PARTLY_READ
    return READ


def read_status(audit: DeviceAudit) -> str:
    """The read status of one device audit (see the module docstring)."""
    return status_of(reachable=audit.reachable, auth=audit.auth,
                     outcomes=[(p.probe, p.outcome) for p in audit.probes],
                     protocol_states=[s.state for s in audit.protocol_status.values()])


def read_nothing(audit: DeviceAudit) -> bool:
    """Nothing about the device's settings was read: not read at all, or no probe past identification
    read anything (a device that timed out everywhere after its login worked is "partly read" by the rule
    above; an "unsupported" from a probe whose service list went unanswered is no read either)."""
    if not was_read(read_status(audit)):
        return True
    return not any(p.outcome == "ok" and p.probe not in _IDENTIFY_ONLY for p in audit.probes)


def was_read(status: str) -> bool:
    """Whether the device's settings were read at all (read or partly read)."""
    return status not in NOT_READ
