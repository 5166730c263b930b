"""DeviceHttp on urllib3 pools (issue 15): one kept-alive connection per device, digest nonces reused
pre-emptively (one request per GET once challenged), and a connection the device closed while it
sat idle is replaced, not reported as a dropped answer. Loopback servers only."""

from __future__ import annotations

import socket
import threading

import pytest

from probes._transport import Limits, exchange, open_session, with_query
from probes.errors import ConnectionDropped, TlsFailed, Unreachable
from probes.http import DeviceHttp, HttpSettings
from probes.login import Credentials, LoginState
from tests.conftest import next_base_address

BODY = b"<DeviceInfo><model>X</model></DeviceInfo>"


class KeepAliveServer:
    """Answers GETs with HTTP/1.1 keep-alive. `close_idle`: after each answer the connection is closed
    when the next request arrives, unanswered (a device timing out an idle connection as we reuse it)."""

    def __init__(self, close_idle: bool = False) -> None:
        self.close_idle = close_idle
        self.connections = 0
        self.requests: list[str] = []
        self._listener = socket.create_server((next_base_address(), 0))
        self.url = "http://{}:{}".format(*self._listener.getsockname()[:2])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn:
            buffer, answered = b"", 0
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                self.requests.append(head.split(b" ")[1].decode())
                if self.close_idle and answered:
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
                answered += 1

    def __enter__(self) -> KeepAliveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()


def test_one_device_is_read_over_one_kept_alive_connection():
    with KeepAliveServer() as server:
        http = DeviceHttp(server.url, LoginState(), HttpSettings(deadline=4))
        answers = [http.get(f"/ISAPI/x{n}", authenticate=False) for n in range(5)]
        http.close()
    assert [a.body for a in answers] == [BODY] * 5
    assert server.connections == 1 and len(server.requests) == 5


def test_a_connection_the_device_closed_while_idle_is_replaced_once():
    with KeepAliveServer(close_idle=True) as server:
        http = DeviceHttp(server.url, LoginState(), HttpSettings(deadline=4))
        answers = [http.get(f"/ISAPI/x{n}", authenticate=False) for n in range(3)]
        http.close()
    assert [a.status for a in answers] == [200] * 3
    # Each reuse met a closed connection and went once more on a fresh one: nothing else was retried.
    assert server.requests == ["/ISAPI/x0", "/ISAPI/x1", "/ISAPI/x1", "/ISAPI/x2", "/ISAPI/x2"]
    assert server.connections == 3


def test_a_fresh_connection_that_drops_is_not_retried():
    listener = socket.create_server((next_base_address(), 0))
    seen: list[int] = []

    def drop() -> None:
        conn, _ = listener.accept()
        seen.append(len(conn.recv(65536)))
        conn.close()

    threading.Thread(target=drop, daemon=True).start()
    url = "http://{}:{}/x".format(*listener.getsockname()[:2])
    with open_session() as session, pytest.raises(ConnectionDropped):
        exchange(session, "GET", url, Limits(2, 2, 4, 1 << 20))
    listener.close()
    assert len(seen) == 1


def test_digest_reuses_the_nonce_so_a_login_costs_one_request_per_get_after_the_first(start_fleet):
    device = start_fleet("hik-school-bullet").devices[0]
    account = device.profile.accounts[0]
    http = DeviceHttp(device.url(), LoginState([Credentials(account.user, account.password)]))
    before = len(device.log)
    statuses = [http.get("/ISAPI/System/deviceInfo").status for _ in range(4)]
    http.close()
    logged = device.log.entries()[before:]
    assert statuses == [200] * 4
    assert len(logged) == 5                  # one challenge, then each GET once with the same nonce (nc counts)
    assert http.login.outcome == "ok"


@pytest.mark.parametrize(("params", "query"), [
    ({"a": "1", "b": None}, "?a=1"),
    ([("name", "Encode[0].MainFormat"), ("action", "getConfig")], "?name=Encode%5B0%5D.MainFormat&action=getConfig"),
    ({"ids": ["1", "2"]}, "?ids=1&ids=2"),
    (None, ""),
])
def test_query_parameters_are_encoded_as_requests_encoded_them(params, query):
    assert with_query("http://127.0.0.1/cgi-bin/configManager.cgi", params) == \
        "http://127.0.0.1/cgi-bin/configManager.cgi" + query


def test_https_with_a_self_signed_certificate_is_read_without_a_warning(start_fleet, recwarn):
    device = start_fleet("hik-school-bullet").devices[0]
    http = DeviceHttp(device.url("https"), LoginState(), HttpSettings(deadline=4))
    answers = [http.get("/ISAPI/System/deviceInfo", authenticate=False) for _ in range(2)]
    http.close()
    assert [a.tls for a in answers] == [True, True] and answers[0].status == 401    # it asks for a login
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)]


def test_tls_spoken_to_something_that_is_not_tls_is_a_tls_failure():
    listener = socket.create_server((next_base_address(), 0))

    def plain_http() -> None:                 # answers the ClientHello in clear text, as an HTTP-only port does
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=plain_http, daemon=True).start()
    http = DeviceHttp("https://{}:{}".format(*listener.getsockname()[:2]), LoginState(), HttpSettings(deadline=4))
    with pytest.raises(TlsFailed, match="TLS handshake"):
        http.get("/ISAPI/System/deviceInfo", authenticate=False)
    http.close()
    listener.close()


def test_a_closed_port_is_unreachable_not_a_timeout():
    # urllib3's NewConnectionError is a ConnectTimeoutError subclass: the mapping must look at it first.
    listener = socket.create_server((next_base_address(), 0))
    url = "http://{}:{}".format(*listener.getsockname()[:2])
    listener.close()
    http = DeviceHttp(url, LoginState(), HttpSettings(deadline=4))
    with pytest.raises(Unreachable, match="nothing listens"):
        http.get("/ISAPI/System/deviceInfo", authenticate=False)
    http.close()
