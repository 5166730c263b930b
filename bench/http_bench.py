"""Micro-benchmark: client CPU per GET through DeviceHttp against one simulated device (issue 15).

    python bench/http_bench.py [--requests 2000] [--base 127.0.94.1] [--profile hik-school-bullet]

Prints ms of CPU per GET of the calling thread only (time.thread_time; the simulator's server
threads run in this process but are not counted), for: DeviceHttp with digest (pre-emptive nonce
reuse after the first challenge), DeviceHttp without a login, the same over HTTPS, and for reference
requests.Session and a bare urllib3 pool on the same URL. Also the requests each DeviceHttp run
cost the device (its request log). Asserts nothing. Loopback addresses only.

Measured 2026-12-06 on the shared 2-core machine (load average ~20, so +-20%), 1,000 GETs each,
ms of client CPU per GET, before (requests.Session under DeviceHttp) -> after (urllib3 pools, keep-alive):

                       http digest   http no login   https digest   https no login
    DeviceHttp before     1.145          0.469           1.440          1.220
    DeviceHttp after      0.460          0.262           0.782          0.438
    reference: requests.Session 0.55-0.94 (http), 1.02-1.19 (https); bare urllib3 pool 0.15-0.17, 0.26-0.30

Both sides send one request per GET once logged in (the digest nonce is reused, nc counting up).
Before, every GET opened a new connection (TCP, and a TLS handshake over HTTPS): requests closed each
connection whose body it had not read itself, and the capped reader reads the raw stream. Now the
device's connection is kept alive.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import requests
import urllib3

from device_simulators import Fleet
from device_simulators.profile import bundled_profile
from probes.http import DeviceHttp, HttpSettings
from probes.login import Credentials, LoginState

PATH = "/ISAPI/System/deviceInfo"


def cpu_per_call(call: Callable[[], object], count: int) -> float:
    call()                                  # connect, first challenge: not what is measured
    started = time.thread_time()
    for _ in range(count):
        call()
    return (time.thread_time() - started) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--base", default="127.0.94.1", help="loopback address of the simulated device")
    parser.add_argument("--profile", default="hik-school-bullet")
    args = parser.parse_args()
    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
    profile = bundled_profile(args.profile)
    account = profile.accounts[0]
    with Fleet([profile], args.base) as fleet:
        device = fleet.devices[0]
        print(f"{args.requests} GETs of {PATH} on {profile.id} ({device.address}), ms of client CPU per GET:")
        for service in ("http", "https"):
            if service not in device.ports:
                continue
            url = device.url(service)
            for label, login in (("digest", LoginState([Credentials(account.user, account.password)])),
                                 ("no login", None)):
                http = DeviceHttp(url, login or LoginState(), HttpSettings())
                before = len(device.log)
                ms = cpu_per_call(lambda h=http, a=login is not None: h.get(PATH, authenticate=a), args.requests)
                sent = len(device.log) - before
                http.close()
                print(f"  DeviceHttp {service:5} {label:8}  {ms:.3f} ms  "
                      f"({sent / (args.requests + 1):.2f} device requests per GET)")
            with requests.Session() as session:
                session.verify = False
                ms = cpu_per_call(lambda s=session, u=url: s.get(u + PATH, verify=False).content, args.requests)
                print(f"  requests.Session {service:5} no login  {ms:.3f} ms  (reference)")
            tls = {"cert_reqs": "CERT_NONE"} if service == "https" else {}
            pool = urllib3.connection_from_url(url, retries=False, **tls)
            ms = cpu_per_call(lambda p=pool: p.urlopen("GET", PATH).data, args.requests)
            pool.close()
            print(f"  urllib3 pool {service:5} no login  {ms:.3f} ms  (reference)")


if __name__ == "__main__":
    main()
