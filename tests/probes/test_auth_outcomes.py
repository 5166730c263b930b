"""A 401 says different things, and the audit must say which (issue 10): a digest challenge camaudit
cannot answer (no password sent), an endless `stale=true` loop (password not judged), a resource
that refuses a login that works elsewhere (that resource's outcome), and a real rejection. The
one-failed-login-per-account rule holds throughout. Each case runs against a loopback server."""

from __future__ import annotations

import pytest

from device_simulators.runtime.hostile import RawHostileServer
from probes.errors import CredentialsRejected, DigestUnsupported, ResourceRefused, StaleNonceLoop
from probes.http import DeviceHttp, HttpSettings
from probes.login import Credentials, LoginState, unanswerable_digest
from tests.conftest import next_base_address

ADMIN = Credentials("admin", "correct horse")


def client(server: RawHostileServer) -> DeviceHttp:
    return DeviceHttp(server.url, LoginState([ADMIN]), HttpSettings(read_timeout=3, deadline=4))


def sent_password(server: RawHostileServer) -> list[tuple[str, str, bool, int]]:
    return [entry for entry in server.log if entry[2]]


def test_an_unsupported_digest_algorithm_is_reported_as_such_and_no_password_is_sent():
    with RawHostileServer(next_base_address(), "digest_algorithm", algorithm="SHA-512-256") as server:
        http = client(server)
        with pytest.raises(DigestUnsupported) as caught:
            http.get("/ISAPI/System/deviceInfo")
        http.close()
    assert caught.value.reason == ("the device asked for digest algorithm SHA-512-256, which camaudit does not "
                                   "support; no password was sent")
    assert "rejected" not in caught.value.reason
    assert sent_password(server) == []
    assert http.login.rejected == set() and http.login.outcome is None     # not a rejected account


def test_an_endless_stale_loop_is_bounded_and_not_a_rejection():
    with RawHostileServer(next_base_address(), "stale_loop") as server:
        http = client(server)
        with pytest.raises(StaleNonceLoop, match="stale") as caught:
            http.get("/ISAPI/System/deviceInfo")
        tried = len(sent_password(server))
        with pytest.raises(StaleNonceLoop):                 # asked again: nothing more is sent
            http.get("/ISAPI/Smart/capabilities")
        http.close()
    assert "not judged wrong" in caught.value.reason
    assert 1 <= tried <= 3, server.log                      # requests' re-challenge plus at most one of ours
    assert len(sent_password(server)) == tried
    assert http.login.rejected == set() and http.login.outcome is None


def test_a_resource_refusing_the_confirmed_login_is_that_resources_outcome():
    with RawHostileServer(next_base_address(), "restricted", path="/ISAPI/Security") as server:
        http = client(server)
        assert http.get("/ISAPI/System/deviceInfo").status == 200          # the account works
        with pytest.raises(ResourceRefused, match="refused the confirmed login") as caught:
            http.get("/ISAPI/Security/users")
        assert http.get("/ISAPI/Smart/capabilities").status == 200         # later probes keep running
        failed = [e for e in sent_password(server) if e[3] == 401]
        with pytest.raises(ResourceRefused):                               # never asked a second time
            http.get("/ISAPI/Security/users")
        http.close()
    assert "rejected" not in caught.value.reason
    assert failed == [("GET", "/ISAPI/Security/users", True, 401)]
    assert [e for e in sent_password(server) if e[3] == 401] == failed      # still one failed attempt
    assert http.login.outcome == "ok" and http.login.rejected == set()


def test_two_refusals_in_a_row_end_the_account_and_nothing_more_is_sent():
    with RawHostileServer(next_base_address(), "restricted", path="/ISAPI/Security") as server:
        http = client(server)
        http.get("/ISAPI/System/deviceInfo")
        with pytest.raises(ResourceRefused):
            http.get("/ISAPI/Security/users")
        with pytest.raises(CredentialsRejected, match="two resources in a row"):
            http.get("/ISAPI/Security/adminAccesses")
        before = len(server.log)
        with pytest.raises(CredentialsRejected):
            http.get("/ISAPI/System/time")
        http.close()
    assert len(server.log) == before                    # the dropped account is never sent again
    assert http.login.rejected == {"admin"}


def test_a_wrong_password_is_still_a_rejection_tried_once():
    # The restricted server refuses every login on its restricted path: before the account ever
    # worked, that is the ordinary rejected password, and it is not tried again anywhere.
    with RawHostileServer(next_base_address(), "restricted", path="/") as server:
        http = client(server)
        with pytest.raises(CredentialsRejected, match="rejected the password for 'admin'"):
            http.get("/ISAPI/System/deviceInfo")
        with pytest.raises(CredentialsRejected):
            http.get("/ISAPI/System/time")
        http.close()
    assert len([e for e in sent_password(server) if e[3] == 401]) == 1


@pytest.mark.parametrize(("challenge", "problem"), [
    ('Digest realm="x", nonce="n", qop="auth", algorithm=MD5', None),
    ('Digest realm="x", nonce="n", qop="auth", algorithm="SHA-256"', None),
    ('Digest realm="x", nonce="n"', None),
    ('Digest realm="x", nonce="n", qop="auth", algorithm=SHA-512-256', "digest algorithm SHA-512-256"),
    ('Digest realm="x", nonce="n", qop="auth-int"', "digest qop=auth-int"),
])
def test_which_digest_challenges_camaudit_can_answer(challenge, problem):
    assert unanswerable_digest(challenge) == problem
