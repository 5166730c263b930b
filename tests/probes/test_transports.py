"""All three HTTP paths to a device (DeviceHttp's GET, the ONVIF client's POST, the
fingerprint's clock POST) share one reader and one error translation (probes/_transport.py):
each is run against the same hostile loopback servers and must end in the same outcome class
within its deadline, and no requests/urllib3/socket/ssl exception may escape untranslated."""

from __future__ import annotations

import http.client
import inspect
import socket
import ssl
import time
from collections.abc import Callable

import pytest
import requests.exceptions
import urllib3.exceptions

from device_simulators.runtime.hostile import RawHostileServer
from probes._transport import Limits, mapped
from probes.errors import ConnectionDropped, ProbeError, ResponseTooLarge, TimedOut
from probes.fingerprint.onvif_clock import get_system_date_and_time
from probes.http import DeviceHttp, HttpSettings
from probes.login import LoginState
from probes.onvif._operations import OPERATIONS
from probes.onvif.client import open_session, send
from tests.conftest import next_base_address

DEADLINE = 1.0
SLACK = 0.8            # thread start-up and one short socket wait on a loaded 2-core machine
MAX_BODY = 256 << 10
# A read timeout far above the deadline: the deadline alone must stop the stall and the drip.
SETTINGS = HttpSettings(connect_timeout=2.0, read_timeout=10.0, deadline=DEADLINE, max_body=MAX_BODY)


def via_device_http(url: str) -> None:
    http = DeviceHttp(url, LoginState(), SETTINGS)
    try:
        http.get("/ISAPI/System/deviceInfo", authenticate=False)
    finally:
        http.close()


ONVIF_LIMITS = Limits(2.0, 10.0, DEADLINE, MAX_BODY)


def via_onvif_transport(url: str, limits: Limits = ONVIF_LIMITS) -> None:
    session = open_session()
    try:
        send(session, url + "/onvif/device_service", OPERATIONS["GetDeviceInformation"], {}, None, None, limits)
    finally:
        session.close()


def via_onvif_clock(url: str) -> None:
    get_system_date_and_time(url + "/onvif/device_service", SETTINGS)


TRANSPORTS: dict[str, Callable[[str], None]] = {
    "device-http": via_device_http, "onvif-transport": via_onvif_transport, "onvif-clock": via_onvif_clock}
HOSTILE = {
    "stall-after-headers": ({"mode": "stall"}, TimedOut),
    "slow-drip": ({"mode": "drip", "interval": 0.05}, TimedOut),
    "dripping-headers": ({"mode": "drip_headers", "interval": 0.05}, TimedOut),
    "huge-body": ({"mode": "endless"}, ResponseTooLarge),
    "reset": ({"mode": "reset"}, ConnectionDropped),
}


@pytest.mark.parametrize("transport", list(TRANSPORTS))
@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_every_transport_ends_a_hostile_answer_with_the_same_outcome_within_its_deadline(transport, hostile):
    params, outcome = HOSTILE[hostile]
    with RawHostileServer(next_base_address(), **params) as server:
        started = time.monotonic()
        with pytest.raises(outcome) as caught:
            TRANSPORTS[transport](server.url)
        took = time.monotonic() - started
    assert took < DEADLINE + SLACK, f"{transport} took {took:.2f} s against {hostile}"
    assert caught.value.reason                     # a sentence for the device's error list
    assert server.log, "the request never reached the server"


def test_a_stall_is_cut_at_the_deadline_not_at_the_read_timeout():
    # 10.0: headers, then nothing. With a 10 s read timeout and a 1 s deadline, 1 s it is.
    with RawHostileServer(next_base_address(), "stall") as server:
        started = time.monotonic()
        with pytest.raises(TimedOut, match="headers and nothing more after 1 s"):
            via_device_http(server.url)
        assert time.monotonic() - started < DEADLINE + SLACK


# -- no foreign exception escapes -------------------------------------------------------------
def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for module in (requests.exceptions, urllib3.exceptions, http.client, ssl):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            # Only the modules' own classes: requests re-exports json's JSONDecodeError, which no
            # transport path raises (camaudit never calls response.json()).
            if issubclass(cls, BaseException) and cls not in found and cls.__module__.startswith(
                    ("requests", "urllib3", "http.client", "ssl")):
                found.append(cls)
    found += [socket.timeout, socket.gaierror, socket.herror, ConnectionResetError, ConnectionRefusedError,
              BrokenPipeError, TimeoutError, OSError]
    return found


CLASSES = _exception_classes()


def test_the_enumeration_sees_the_classes_that_crashed_runs_before():
    assert urllib3.exceptions.ReadTimeoutError in CLASSES and requests.exceptions.ChunkedEncodingError in CLASSES
    assert ssl.SSLCertVerificationError in CLASSES and http.client.RemoteDisconnected in CLASSES
    assert len(CLASSES) > 60


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_transport_exception_becomes_a_probe_error(cls):
    error = cls.__new__(cls)            # constructors differ; the class is what the mapping decides on
    with pytest.raises(ProbeError) as caught:
        with mapped("/x", "http://127.0.0.1:1/x"):
            raise error
    assert caught.value.reason and caught.value.__cause__ is error


def test_a_camaudit_bug_is_not_disguised_as_a_device_outcome():
    with pytest.raises(KeyError):
        with mapped("/x"):
            raise KeyError("ours")


# -- 10.0 end to end: one stalling device does not end the run ---------------------------------
def test_a_stalling_device_next_to_a_normal_one_is_recorded_and_the_run_completes(start_fleet, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from models.db import open_store
    from models.store import list_devices

    normal = start_fleet("hik-school-bullet").devices[0]
    account = normal.profile.accounts[0]
    creds = tmp_path / "creds.toml"
    creds.write_text(f'[[account]]\ntargets = ["{normal.address}"]\nuser = "{account.user}"\n'
                     'password_env = "CAM_PW_STALL_TEST"\n')
    db = tmp_path / "run.db"
    with RawHostileServer(next_base_address(), "stall") as stalling:
        stall_target = f"{stalling.address}:{stalling.port}"
        normal_target = f"{normal.address}:{normal.ports['http']}"
        done = subprocess.run(
            [sys.executable, "-m", "auditor.cli", "audit", stall_target, normal_target, "--no-discover",
             "--timeout", "2", "--credentials", str(creds), "--db", str(db), "--json"],
            capture_output=True, text=True, timeout=150, env={**os.environ, "CAM_PW_STALL_TEST": account.password})
    assert done.returncode == 3, done.stderr[-2000:]      # complete, but the stalling device was not read
    assert "Traceback" not in done.stderr
    doc = json.loads(done.stdout)
    assert doc["complete"] is True
    devices = {d["address"]: d for d in doc["devices"]}
    assert (devices[stalling.address]["status"], devices[normal.address]["status"]) == ("unreachable", "read")
    assert set(devices) == {stalling.address, normal.address}
    assert any("did not answer within 2 s" in e for e in devices[stalling.address]["errors"]), \
        devices[stalling.address]["errors"]
    assert devices[normal.address]["auth"] == "ok"
    assert devices[normal.address]["features"]["face_capture"]["enabled"] is True
    with open_store(db) as store:
        stored = {d.address for d in list_devices(store)}
    assert stored >= {stalling.address, normal.address}


@pytest.mark.parametrize("transport", ["onvif-transport", "onvif-clock"])
@pytest.mark.parametrize(("mode", "words"), [("flat", "elements"), ("deep", "nested")])
def test_xml_past_the_bounds_stops_before_the_onvif_client_or_the_clock_builds_it(transport, mode, words):
    from probes.errors import ResponseTooComplex

    with RawHostileServer(next_base_address(), mode) as server:      # 1.9 MiB flat, 100000 deep
        with pytest.raises(ResponseTooComplex, match=words) as caught:
            if transport == "onvif-clock":
                get_system_date_and_time(server.url + "/onvif/device_service", HttpSettings())
            else:
                via_onvif_transport(server.url, Limits(3.0, 6.0, 12.0, HttpSettings().max_body))
    assert "/onvif/device_service" in caught.value.reason or "GetSystemDateAndTime" in caught.value.reason
