"""Measure camaudit against answers recorded from REAL Hikvision devices, replayed over loopback.

Our simulators and probes were written from the same notes, so a wrong guess passes on both
sides. This bench replays what real firmware answered instead, in the JSON shape of Home
Assistant's hikvision_next device diagnostics (`{"data": {"ISAPI": {"<path>": {"response":
<XML as xmltodict>} | {"status_code": N}}}}`, as kept in maciej-or/hikvision_next
tests/fixtures/devices/*.json or downloaded from a Home Assistant install). Recordings are not
shipped with camaudit: point the bench at a folder of them.

    python bench/real_replay.py DIR [--mode every|api ...]

Each recording is served on its own loopback address with Digest auth, as real firmware does:
`every` answers 401 to every path without a login (much Hikvision firmware), `api` only under
/ISAPI/. Unknown ISAPI paths answer 403 + ResponseStatus notSupport. camaudit audits it through
its real CLI with the right password, and the bench grades the audit against facts read from the
recording itself: identity, capability flags that are true (a "no" there is a false no) and the
enabled switches of line/field/region/motion configurations. It also counts logged-in requests
and any request that is not a read.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

USER, PASSWORD = "admin", "Replay-Pass-1"
ROOT = Path(__file__).resolve().parent.parent
NOT_SUPPORT = ('<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="1.0" '
               'xmlns="http://www.hikvision.com/ver20/XMLSchema"><requestURL>{url}</requestURL>'
               '<statusCode>4</statusCode><statusString>Invalid Operation</statusString>'
               '<subStatusCode>notSupport</subStatusCode></ResponseStatus>')
# Capability flag -> camaudit feature id, for grading only (auditor/judge/taxonomy.py is what camaudit uses).
FLAGS = {
    "isSupportFaceContrast": "face_recognition", "isSupportFaceSnap": "face_capture",
    "isSupportFaceDetect": "face_detection", "isSupportLineDetection": "line_crossing",
    "isSupportFieldDetection": "intrusion", "isSupportRegionEntrance": "region_entrance",
    "isSupportRegionExiting": "region_exiting", "isSupportHeatmap": "heat_map",
    "isSupportCounting": "people_counting", "isSupportPersonQueueDetection": "queue_detection",
    "isSupportSafetyHelmetDetection": "ppe_detection", "isSupportLoitering": "loitering",
    "isSupportGroup": "crowd_detection", "isSupportUnattendedBaggage": "unattended_object",
    "isSupportAttendedBaggage": "object_removal", "isSupportAudioDetection": "audio_detection",
}
CONFIGS = {"LineDetection": ("line_crossing", "LineItemList", "LineItem"),
           "FieldDetection": ("intrusion", "FieldDetectionRegionList", "FieldDetectionRegion"),
           "RegionEntrance": ("region_entrance", "RegionEntranceRegionList", "RegionEntranceRegion"),
           "RegionExiting": ("region_exiting", "RegionExitingRegionList", "RegionExitingRegion"),
           "MotionDetection": ("motion_detection", None, None)}


def to_xml(name: str, value: Any) -> str:
    """xmltodict's shape back to XML: `@attr`, `#text`, lists for repeated elements."""
    if isinstance(value, list):
        return "".join(to_xml(name, v) for v in value)
    if value is None:
        return f"<{name}/>"
    if not isinstance(value, dict):
        return f"<{name}>{escape(str(value))}</{name}>"
    attrs = "".join(f" {k[1:]}={quoteattr(str(v))}" for k, v in value.items() if k.startswith("@"))
    inner = escape(str(value["#text"])) if "#text" in value else ""
    inner += "".join(to_xml(k, v) for k, v in value.items() if not k.startswith("@") and k != "#text")
    return f"<{name}{attrs}>{inner}</{name}>"


def handler_for(answers: dict[str, Any], mode: str, realm: str, log: list[tuple[str, str, bool | None]]):
    nonce = hashlib.md5(os.urandom(8)).hexdigest()

    class Replay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return "App-webs/"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", ctype: str = "application/xml",
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _login(self) -> bool | None:
            header = self.headers.get("Authorization") or ""
            if not header.lower().startswith("digest"):
                return None
            p = dict(re.findall(r'(\w+)="?([^",]+)"?', header))
            ha1 = hashlib.md5(f"{p.get('username')}:{realm}:{PASSWORD}".encode()).hexdigest()
            ha2 = hashlib.md5(f"{self.command}:{p.get('uri')}".encode()).hexdigest()
            tail = f"{p.get('nc')}:{p.get('cnonce')}:{p.get('qop')}:" if "qop" in p else ""
            want = hashlib.md5(f"{ha1}:{p.get('nonce')}:{tail}{ha2}".encode()).hexdigest()
            return p.get("username") == USER and p.get("response") == want

        def do_GET(self) -> None:   # noqa: N802 - http.server's naming
            self._answer()

        def do_POST(self) -> None:  # noqa: N802 - ONVIF Get* reads come as SOAP POSTs
            self._answer()

        def do_PUT(self) -> None:   # noqa: N802 - never expected: counted as a write
            log.append(("WRITE", self.path, None))
            self._send(403)

        do_DELETE = do_PUT

        def _answer(self) -> None:
            if length := int(self.headers.get("Content-Length") or 0):
                self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            login = self._login()
            log.append((self.command, self.path, login))
            if login is False or (login is None and (mode == "every" or path.startswith("/ISAPI/"))):
                return self._send(401, b"<html>401 Unauthorized</html>", "text/html", {
                    "WWW-Authenticate": f'Digest qop="auth", realm="{realm}", nonce="{nonce}", stale="FALSE"'})
            if not path.startswith("/ISAPI/"):
                return self._send(404, b"<html>404 Not Found</html>", "text/html")
            entry = answers.get(path[len("/ISAPI/"):])
            if entry is None or entry.get("status_code") == 403:
                return self._send(403, NOT_SUPPORT.format(url=escape(path)).encode())
            if entry.get("status_code"):
                return self._send(int(entry["status_code"]))
            if not entry.get("response"):
                return self._send(200)
            ((root, value),) = entry["response"].items()
            self._send(200, ('<?xml version="1.0" encoding="UTF-8"?>\n' + to_xml(root, value)).encode())

    return Replay


def truth(answers: dict[str, Any]) -> dict[str, Any]:
    """What a correct audit must say, read from the recording itself."""
    info = answers["System/deviceInfo"]["response"]["DeviceInfo"]
    kind, model = info.get("deviceType", "").upper(), info["model"]
    device_type = ("dvr" if kind == "DVR" else "nvr" if "NVR" in kind else "thermal" if model.startswith("DS-2TD")
                   else "ptz" if kind == "IPDOME" else "camera")
    facts = {"model": model, "firmware": info.get("firmwareVersion"), "serial": info.get("serialNumber"),
             "mac": (info.get("macAddress") or "").lower(), "manufacturer": "Hikvision", "device_type": device_type,
             "auth": "ok"}
    flags: dict[str, bool] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                text = value.get("#text") if isinstance(value, dict) else value
                if key in FLAGS and text in ("true", "false"):
                    flags[key] = flags.get(key, False) or text == "true"
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(answers["System/capabilities"].get("response"))
    enabled: dict[str, bool] = {}
    for entry in answers.values():
        if not isinstance(entry.get("response"), dict):
            continue
        ((root, value),) = entry["response"].items()
        if root in CONFIGS and isinstance(value, dict):
            fid, holder, item = CONFIGS[root]
            on = value.get("enabled") == "true"
            if on and holder:
                items = (value.get(holder) or {}).get(item) or []
                items = items if isinstance(items, list) else [items]
                on = any(i.get("enabled", "true") == "true" for i in items if isinstance(i, dict)) if items else on
            enabled[fid] = enabled.get(fid, False) or on
    return {"facts": facts, "supported": {FLAGS[k]: v for k, v in flags.items()}, "enabled": enabled}


def audit(recording: Path, mode: str, address: str) -> tuple[dict[str, Any] | None, list, str]:
    answers = json.loads(recording.read_text())["data"]["ISAPI"]
    info = answers["System/deviceInfo"]["response"]["DeviceInfo"]
    recorder = "NVR" in info.get("deviceType", "").upper() or info.get("deviceType", "").upper() == "DVR"
    realm = info["model"] if recorder else f"IP Camera({info['serialNumber'][-5:]})"
    log: list[tuple[str, str, bool | None]] = []
    server = ThreadingHTTPServer((address, 0), handler_for(answers, mode, realm, log))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [sys.executable, "-m", "auditor.cli", "audit", f"{address}:{server.server_address[1]}",
                 "--no-discover", "--user", USER, "--password-env", "CAMAUDIT_REPLAY_PASSWORD", "--json",
                 "--db", f"{tmp}/replay.db"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                env=dict(os.environ, CAMAUDIT_REPLAY_PASSWORD=PASSWORD))
    finally:
        server.shutdown()
        server.server_close()
    try:
        return json.loads(done.stdout)["devices"][0], log, ""
    except (ValueError, KeyError, IndexError):
        return None, log, done.stderr.strip().splitlines()[-1:] and done.stderr.strip().splitlines()[-1]


def grade(device: dict[str, Any], want: dict[str, Any]) -> tuple[int, int, list[str]]:
    right, misses = 0, []
    for key, value in want["facts"].items():
        ok = (device.get(key) or "").lower() == (value or "").lower()
        right += ok
        misses += [] if ok else [f"{key}: want {value!r}, got {device.get(key)!r}"]
    for part, table in (("supported", want["supported"]), ("enabled", want["enabled"])):
        for fid, value in table.items():
            got = device["features"][fid][part]
            ok = got is True if value else got is not True     # a "yes" must be yes; a "no" may stay unknown
            right += ok
            misses += [] if ok else [f"{fid}.{part}: want {value}, got {got}"]
    total = len(want["facts"]) + len(want["supported"]) + len(want["enabled"])
    return right, total, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="folder of hikvision_next diagnostics JSON files")
    parser.add_argument("--mode", action="append", choices=("every", "api"), help="auth behaviour (default both)")
    args = parser.parse_args()
    if args.folder is None:
        print("real_replay: no folder of real-device recordings given; skipped "
              "(python bench/real_replay.py DIR, see its docstring).")
        return 0
    recordings = sorted(Path(p) for p in glob.glob(str(args.folder / "*.json")))
    if not recordings:
        print(f"real_replay: no *.json recordings in {args.folder}.", file=sys.stderr)
        return 2
    for mode in args.mode or ["every", "api"]:
        right = total = identified = 0
        for n, recording in enumerate(recordings):
            device, log, error = audit(recording, mode, f"127.77.{n // 250}.{n % 250 + 2}")
            if device is None:
                print(f"[{mode}] {recording.stem}: the audit failed: {error}")
                total += 1
                continue
            want = truth(json.loads(recording.read_text())["data"]["ISAPI"])
            r, t, misses = grade(device, want)
            right, total = right + r, total + t
            identified += device.get("model") == want["facts"]["model"] and device.get("manufacturer") == "Hikvision"
            false_no = [m for m in misses if m.endswith("got False") and "want True" in m]
            print(f"[{mode}] {recording.stem}: {r}/{t}, {sum(1 for e in log if e[2] is True)} logged-in requests, "
                  f"{sum(1 for e in log if e[0] == 'WRITE')} writes, false no: {len(false_no)}")
            for miss in misses:
                print(f"      {miss}")
        print(f"== {mode}: {right}/{total} graded facts right ({100 * right / max(total, 1):.0f}%), "
              f"{identified}/{len(recordings)} devices identified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
