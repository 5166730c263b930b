"""Parsing is bounded per answer (elements, depth, time) and per device (bytes read, parse time),
and the bounds leave real documents alone (issue 10.3: 2 MiB of flat `<a/>` once cost 62 s and
531 MB; sixteen such devices took an audit to 4.5 GB)."""

from __future__ import annotations

import re
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from device_simulators.runtime.hostile import RawHostileServer
from probes._budget import DeviceBudget, active
from probes._xml import LIMITS, XmlLimits, parse_xml
from probes.base import Target
from probes.context import ProbeContext, ProbeSettings
from probes.dahua._kv import MAX_LINES, parse_kv
from probes.errors import BudgetExhausted, HostileResponse, MalformedResponse, ResponseTooComplex, TimedOut
from probes.http import DeviceHttp, HttpSettings
from probes.login import Credentials, LoginState
from tests.conftest import next_base_address

DATA = Path(__file__).parents[1] / "data"
FLAT = b'<?xml version="1.0"?><r>' + b"<a/>" * (((2 << 20) - 64) // 4) + b"</r>"     # 2 MiB, 524k elements


def test_two_mebibytes_of_flat_xml_stop_at_the_element_bound_quickly_and_small():
    # The time bound is lifted here so that the element bound alone decides, even on a loaded
    # machine under tracemalloc (which slows parsing several times).
    unhurried = replace(LIMITS, max_seconds=120)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ResponseTooComplex, match=f"more than {LIMITS.max_elements} elements"):
            parse_xml(FLAT, "/ISAPI/System/capabilities", limits=unhurried)
        took = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert took < 20, f"{took:.1f} s"                    # was 62 s for the whole answer
    assert peak < 64 << 20, f"peak {peak >> 20} MiB"      # was 531 MB


def test_deep_nesting_stops_at_the_depth_bound():
    deep = b"<d>" * 10_000 + b"</d>" * 10_000
    with pytest.raises(ResponseTooComplex, match="nested more than 128 deep"):
        parse_xml(deep, "deep")


def test_the_time_bound_stops_a_parse_that_is_slow_for_any_reason():
    with pytest.raises(ResponseTooComplex, match="took too long"):
        parse_xml(FLAT, "slow", limits=XmlLimits(max_elements=10**9, max_seconds=0.05))


def test_hostile_and_malformed_xml_keep_their_own_outcomes():
    with pytest.raises(HostileResponse):
        parse_xml(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "xxe")
    with pytest.raises(HostileResponse):
        parse_xml(b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', "bomb")
    with pytest.raises(MalformedResponse):
        parse_xml(b"<a><b>", "truncated")


def _nvr_triggers(channels: int) -> bytes:
    """A 64-channel NVR's trigger list built from the recorded one (every trigger, every channel)."""
    one = (DATA / "isapi" / "triggers_nvr.xml").read_bytes()
    inner = one[one.index(b"<EventTrigger>"):one.rindex(b"</EventTriggerList>")]
    body = b"".join(re.sub(rb"-1<|>1<", lambda m, ch=ch: m.group().replace(b"1", str(ch).encode()), inner)
                    for ch in range(1, channels + 1))
    return (b'<?xml version="1.0" encoding="UTF-8"?><EventTriggerList version="2.0" '
            b'xmlns="http://www.isapi.org/ver20/XMLSchema">' + body + b"</EventTriggerList>")


def test_real_documents_are_well_inside_the_bounds():
    recorded = [p for p in (DATA / "isapi").glob("*.xml") if not p.name.startswith("doctype")]  # hostile samples
    assert len(recorded) > 20
    for path in recorded:
        parse_xml(path.read_bytes(), path.name)
    big = _nvr_triggers(64)
    root = parse_xml(big, "triggers").root
    assert len(root) > 64 and len(big) > 200_000
    assert sum(1 for _ in root.iter()) * 5 < LIMITS.max_elements     # a 64-channel list uses < 1/5


# -- per device ---------------------------------------------------------------------------
def test_parse_time_past_the_device_budget_fails_fast_without_parsing():
    budget = DeviceBudget(max_parse_seconds=0.01)
    with active(budget):
        with pytest.raises(ResponseTooComplex):
            parse_xml(FLAT, "first")                 # costs well over 10 ms
        assert budget.parse_seconds > 0.01
        started = time.monotonic()
        with pytest.raises(BudgetExhausted, match="parsing"):
            parse_xml(b"<a/>", "second")
        with pytest.raises(BudgetExhausted):
            parse_kv(b"a=1\r\n", "third")
        assert time.monotonic() - started < 0.05


def test_bytes_past_the_device_budget_stop_further_requests_before_they_are_sent():
    budget = DeviceBudget(max_bytes=3 << 20)
    with RawHostileServer(next_base_address(), "flat", megabytes=1.9) as server:
        http = DeviceHttp(server.url, LoginState(), HttpSettings(), budget=budget)
        try:
            for _ in range(2):
                http.get("/ISAPI/System/capabilities", authenticate=False)
            with pytest.raises(BudgetExhausted, match="3 MiB read") as caught:
                http.get("/ISAPI/System/capabilities", authenticate=False)
        finally:
            http.close()
    assert len(server.log) == 2                       # the third read never left the machine
    assert "remaining reads were skipped" in caught.value.reason


def test_a_flat_xml_device_costs_a_bounded_amount_and_still_reports_identity(start_fleet):
    from probes.base import IdentitySignal
    from probes.isapi import PROBES

    profile = bundled_profile("hik-school-bullet")
    flat = replace(profile, protocols=frozenset({"isapi"}),
                   quirks=profile.quirks + (Quirk("flat_xml", {"paths": ["/ISAPI/Smart/", "/ISAPI/Event/"]}),))
    device = start_fleet(flat).devices[0]
    account = device.profile.accounts[0]
    found = []
    started = time.monotonic()
    ctx = ProbeContext(Target(device.address, device.ports["http"]),
                       LoginState([Credentials(account.user, account.password)]), ProbeSettings())
    try:
        for probe in PROBES:
            try:
                found += probe.run(ctx)
            except Exception:  # noqa: BLE001, S112 - probe-level outcomes are not this test's subject
                continue
    finally:
        ctx.close()
    problems = ctx.problems
    assert time.monotonic() - started < 60
    assert any(isinstance(p, ResponseTooComplex) and "/ISAPI/" in p.reason for p in problems), problems
    assert any(isinstance(o, IdentitySignal) and o.field == "serial" for o in found)
    assert ctx.budget.bytes_read <= ctx.budget.max_bytes + (2 << 20)


def test_dahua_key_value_is_bounded_in_lines_and_keys():
    with pytest.raises(ResponseTooComplex, match="lines"):
        parse_kv(b"a=1\n" * (MAX_LINES + 1), "flood")
    doc = parse_kv(b"table.A[" + b"9" * 5000 + b"]=1\r\ntable.B=2\r\n" + b"x." * 200 + b"y=3\r\n", "odd")
    assert doc.pairs == [("table.B", "2")] and any("ignored" in n for n in doc.notes)


def test_a_device_that_keeps_timing_out_has_its_remaining_reads_skipped():
    budget = DeviceBudget(max_timeouts=2)
    with RawHostileServer(next_base_address(), "stall") as server:
        http = DeviceHttp(server.url, LoginState(), HttpSettings(read_timeout=0.3, deadline=0.5), budget=budget)
        try:
            for path in ("/a", "/b"):
                with pytest.raises(TimedOut):
                    http.get(path, authenticate=False)
            with pytest.raises(BudgetExhausted, match="2 requests timed out"):
                http.get("/c", authenticate=False)
        finally:
            http.close()
    assert [entry[1] for entry in server.log] == ["/a", "/b"]


def test_a_dropped_context_leaves_no_budget_behind():
    import gc

    from probes import _budget

    ctx = ProbeContext(Target("127.0.0.1", 9), LoginState(), ProbeSettings())
    assert _budget.current() is ctx.budget
    ctx.budget.timeouts = ctx.budget.max_timeouts            # spent
    del ctx                                                  # never closed
    gc.collect()
    assert _budget.current() is None
    parse_xml(b"<a/>", "after")                              # not refused by someone else's budget
