"""The domain rules every room shares (models/features.py), pinned: changing one is a decision, not an accident."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from models.features import (
    CALLS_HOME_SETTINGS,
    CLOUD_SETTINGS,
    EGRESS_CALLS_HOME_LABELS,
    EGRESS_LABELS,
    ON_OFF,
    REMOTE_ACCESS,
    REMOTE_ACCESS_IDS,
    REMOTE_ACCESS_INFO,
    SEVERITIES,
    SEVERITY_STYLE,
    YES_NO_SHORT,
    counts_as_remote,
    remote_name,
    severity_rank,
    severity_style,
    tri_state_text,
    worst,
)
from models.read_status import READ_STATUS_STYLE, READ_STATUSES

JUDGE = Path(__file__).resolve().parents[2] / "auditor" / "judge"


def test_remote_access_table_is_pinned():
    # (id, short name, counts as remote access, vendor cloud / platform, calls home on its own)
    assert [(r.id, r.name, r.counts_as_remote, r.cloud, r.calls_home) for r in REMOTE_ACCESS_INFO] == [
        ("hik_connect", "Hik-Connect / EZVIZ cloud", True, True, True),
        ("isup", "ISUP / EHome platform access", True, True, True),
        ("dahua_p2p", "Dahua P2P / Easy4IP cloud", True, True, True),
        ("ddns", "Dynamic DNS", True, False, True),
        ("upnp", "UPnP port mapping", True, False, False),
        ("ntp", "Network time", False, False, False),
        ("email", "Alarm e-mail through an SMTP server", True, False, False),
        ("ftp", "FTP upload of pictures or video", True, False, False),
        ("auto_register", "Auto-register to a remote platform", True, True, True),
    ]
    assert REMOTE_ACCESS_IDS == tuple(r.id for r in REMOTE_ACCESS_INFO)     # the audit JSON's key order
    assert REMOTE_ACCESS["ntp"] == "Network time (NTP) server"
    assert CLOUD_SETTINGS == ("hik_connect", "isup", "dahua_p2p", "auto_register")
    assert CALLS_HOME_SETTINGS == {"hik_connect", "isup", "dahua_p2p", "ddns", "auto_register"}
    assert EGRESS_CALLS_HOME_LABELS == {"vendor-cloud", "unknown"} and EGRESS_CALLS_HOME_LABELS <= set(EGRESS_LABELS)
    # An id this version does not know counts as remote access and is shown by its id: never hidden.
    assert counts_as_remote("new_cloud") and not counts_as_remote("ntp")
    assert remote_name("new_cloud") == "new_cloud" and remote_name("ddns") == "Dynamic DNS"


def test_severity_ranking_puts_an_unknown_severity_first():
    assert SEVERITIES == ("critical", "high", "medium", "low", "info")
    assert [severity_rank(s) for s in SEVERITIES] == [0, 1, 2, 3, 4]
    assert severity_rank("urgent") < severity_rank("critical")           # unknown: shown first, never hidden
    assert worst(["info", "medium", "low"]) == "medium"
    assert worst(["info", "urgent", "critical"]) == "urgent"
    assert worst([]) is None
    assert set(SEVERITY_STYLE) == set(SEVERITIES)
    assert severity_style("urgent") == severity_style("critical")


def test_read_status_styles_cover_every_status():
    assert set(READ_STATUS_STYLE) == set(READ_STATUSES)


def test_three_valued_words():
    assert [tri_state_text(v) for v in (True, False, None)] == ["yes", "no", "unknown"]
    assert [tri_state_text(v, ON_OFF) for v in (True, False, None)] == ["on", "off", "unknown"]
    assert [tri_state_text(v, YES_NO_SHORT) for v in (True, False, None)] == ["yes", "no", "?"]
    with pytest.raises(TypeError):
        tri_state_text("yes")  # type: ignore[arg-type]


def _literal_severities(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_every_severity_the_judge_writes_is_known():
    """Unknown severities rank first at display time; our own rules must never write one (a typo)."""
    seen: list[tuple[str, str]] = []
    for path in sorted(JUDGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding" and len(node.args) > 1:
                seen += [(f"{path.name}:{node.lineno}", s) for s in _literal_severities(node.args[1])]
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CLOUD" for t in node.targets):
                assert isinstance(node.value, ast.Dict)
                seen += [(f"{path.name}:{node.lineno}", v.elts[1].value) for v in node.value.values
                         if isinstance(v, ast.Tuple) and isinstance(v.elts[1], ast.Constant)]
    assert len(seen) > 20                      # the scan found the rules
    assert [(where, s) for where, s in seen if s not in SEVERITIES] == []
