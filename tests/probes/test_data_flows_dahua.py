"""Where data leaves a Dahua device: PictureHttpUpload, NAS shares and Encode audio, as pure
readers on recorded bodies (tests/data/dahua, see its README) and as the dahua.data-flows probe
against the simulator over loopback (read-only, no secret kept)."""

from __future__ import annotations

import dataclasses

from device_simulators import bundled_profile
from probes.base import DataFlowObservation, RemoteAccessObservation, Target
from probes.context import ProbeContext, ProbeSettings
from probes.dahua import PROBES
from probes.dahua._kv import node, parse_kv
from probes.dahua.data_flows import read_audio, read_shares, read_uploads
from probes.errors import ProbeError
from probes.login import Credentials, LoginState
from tests.probes.test_dahua_kv import body


def table(name: str, config: str):
    return node(parse_kv(body(name), name).tree, ("table", config))


def test_picture_upload_keeps_the_server_and_drops_the_token():
    [(on, target, detail, excerpt)] = read_uploads("PictureHttpUpload", table("PictureHttpUpload.txt",
                                                                               "PictureHttpUpload"))
    assert (on, target, detail) == (True, "https://203.0.113.45:8443/notification", "PictureHttpUpload (HTTPS)")
    assert "Dh-Token-Invented" not in excerpt + target          # the 0.0.0.0 entry is not a destination


def test_upload_switched_off_without_servers_is_nothing_configured():
    assert read_uploads("PictureHttpUpload", table("PictureHttpUpload_off.txt", "PictureHttpUpload")) == []


def test_nas_shares_leave_the_ftp_entry_to_remote_access_and_keep_their_switch():
    shares = read_shares(table("NAS_shares.txt", "NAS"))
    assert [(on, target, detail) for on, target, detail, _ in shares] == [
        (True, "192.168.2.20:445", "SMB/CIFS /cctv"), (False, "192.168.2.21", "NFS /export/rec")]
    assert not any("Pass-Invented" in excerpt for *_, excerpt in shares)


def test_audio_per_channel_main_or_extra_stream_and_a_channel_without_the_key():
    got = {channel: (on, detail) for channel, on, detail, _ in read_audio(table("Encode.txt", "Encode"))}
    assert got == {1: (True, "audio in MainFormat (AAC)"), 2: (False, "audio off"), 3: (None, "no AudioEnable key")}


def run_probes(start_fleet, profile):
    fleet = start_fleet(dataclasses.replace(profile, protocols=frozenset({"dahua_cgi"})))
    device = fleet.devices[0]
    account = profile.accounts[0]
    ctx = ProbeContext(Target(device.address, device.ports["http"]),
                       LoginState([Credentials(account.user, account.password)]), ProbeSettings())
    observations = []
    try:
        for probe in PROBES:
            try:
                observations += probe.run(ctx)
            except ProbeError:          # recorded per probe, as the orchestrator does (face_db: no groups)
                pass
    finally:
        ctx.close()
    return device, observations


def test_profile_flows_come_back_from_the_simulator_read_only_without_secrets(start_fleet):
    profile = bundled_profile("dahua-bullet-upload-nas")
    device, observations = run_probes(start_fleet, profile)
    flows = [(o.kind, o.enabled, o.destination, o.channel) for o in observations if isinstance(o, DataFlowObservation)]
    assert flows == [("http_push", True, "https://events.parkwatch.example:443/upload", None),
                     ("nas", True, "10.70.0.25:445", None), ("audio_recording", True, None, 1)]
    assert device.log.writes() == [] and {e.method for e in device.log} == {"GET"}
    assert all("action=getConfig" in e.target or "action=get" in e.target for e in device.log
               if e.path.endswith("configManager.cgi"))
    text = repr(observations)
    for secret in ("pw-41-secret-token", "Nas-Pass-41", "nvrsvc", profile.accounts[0].password):
        assert secret not in text
    # The FTP entry in the same NAS table is still the ftp setting, off here.
    ftp = next(o for o in observations if isinstance(o, RemoteAccessObservation) and o.setting == "ftp")
    assert (ftp.enabled, ftp.supported) == (False, True)


def test_a_dahua_device_without_uploads_or_shares_says_off(start_fleet):
    _, observations = run_probes(start_fleet, bundled_profile("dahua-wizmind-face"))
    flows = {(o.kind, o.enabled, o.destination) for o in observations if isinstance(o, DataFlowObservation)}
    assert flows == {("http_push", False, None), ("nas", False, None), ("audio_recording", False, None)}


def test_a_missing_table_is_not_supported_off(start_fleet):
    """The Dahua Error for a remote-access table means the service does not exist: supported=False."""
    profile = bundled_profile("dahua-wizmind-face")
    remote = {k: v for k, v in profile.remote_access.items() if k != "ddns"}
    _, observations = run_probes(start_fleet, dataclasses.replace(profile, remote_access=remote))
    ddns = next(o for o in observations if isinstance(o, RemoteAccessObservation) and o.setting == "ddns")
    assert (ddns.supported, ddns.enabled) == (False, False)
