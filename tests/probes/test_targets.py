"""TARGET parsing: every accepted form, the /16 cap, and one-sentence errors for the rest."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.run.targets import DEFAULT_MAX_SCOPE, parse_target, parse_targets, resolve_host
from models.errors import TargetError
from probes.discovery import Given

HOSTS = {"cam.local": "192.168.1.64", "nvr.site.example": "10.20.0.5"}


def fake_resolve(name: str) -> str:
    if name not in HOSTS:
        raise TargetError(f"The host name '{name}' could not be resolved (test); give the address instead.")
    return HOSTS[name]


def parse(*texts: str):
    return parse_targets(texts, resolve=fake_resolve)


@pytest.mark.parametrize(("text", "address", "port", "scheme", "kind"), [
    ("192.168.1.20", "192.168.1.20", None, None, "address"),
    (" 192.168.1.20 ", "192.168.1.20", None, None, "address"),
    ("192.168.1.20:8080", "192.168.1.20", 8080, None, "address"),
    ("fe80::1", "fe80::1", None, None, "address"),
    ("fe80::1%eth0", "fe80::1%eth0", None, None, "address"),
    ("[2001:db8::10]:8443", "2001:db8::10", 8443, None, "address"),
    ("cam.local", "192.168.1.64", None, None, "host"),
    ("cam.local:81", "192.168.1.64", 81, None, "host"),
    ("http://cam.local/", "192.168.1.64", 80, "http", "url"),
    ("https://nvr.site.example:8443/doc/page/login.asp", "10.20.0.5", 8443, "https", "url"),
    ("HTTPS://192.168.1.20", "192.168.1.20", 443, "https", "url"),
    ("http://[2001:db8::10]:8080/", "2001:db8::10", 8080, "http", "url"),
])
def test_single_hosts_are_given_with_their_port_and_scheme(text, address, port, scheme, kind):
    scope = parse(text)
    assert scope.addresses == (address,)
    assert scope.given == (Given(address, port, scheme, text),)
    assert scope.entries[0].kind == kind


def test_cidr_expands_to_host_addresses_and_is_not_given():
    scope = parse("192.168.7.0/24")
    assert len(scope.addresses) == 254
    assert scope.addresses[0] == "192.168.7.1" and scope.addresses[-1] == "192.168.7.254"
    assert scope.given == ()
    assert scope.entries[0].network == ipaddress.ip_network("192.168.7.0/24")
    assert scope.notes == ()


def test_cidr_with_host_bits_scans_the_network_and_says_so():
    scope = parse("192.168.7.9/30")
    assert scope.addresses == ("192.168.7.9", "192.168.7.10")
    assert scope.notes == ("'192.168.7.9/30' has host bits set; scanning the network 192.168.7.8/30.",)


def test_a_slash_16_is_the_largest_network_by_default():
    assert len(parse("10.9.0.0/16").addresses) == 65_534
    with pytest.raises(TargetError) as raised:
        parse("10.0.0.0/15")
    assert raised.value.message == ("'10.0.0.0/15' covers 131,072 addresses, more than the 65,536 camaudit scans "
                                    "in one run; narrow the targets or allow more with --max-scope 131072.")
    with pytest.raises(TargetError, match=r"--max-scope allows at most 1,048,576 \(a /12\), so audit the site"):
        parse("2001:db8::/64")


def test_all_targets_together_are_bounded_and_the_bound_is_configurable():
    with pytest.raises(TargetError) as raised:
        parse("10.1.0.0/16", "10.2.0.0/24")
    assert raised.value.message == ("The targets cover 65,788 addresses, more than the 65,536 camaudit scans in "
                                    "one run; narrow the targets or allow more with --max-scope 65788.")
    assert len(parse_targets(["10.1.0.0/16", "10.2.0.0/24"], resolve=fake_resolve, max_scope=65_788).addresses) \
        == 65_534 + 254
    with pytest.raises(TargetError, match="--max-scope 1025"):
        parse_targets(["10.0.0.0/22", "10.0.8.1-3"], resolve=fake_resolve, max_scope=1024)
    # A range is bounded before it is expanded: 0-255 in every octet is 4 billion addresses.
    with pytest.raises(TargetError, match="covers 4,294,967,296 addresses"):
        parse("0-255.0-255.0-255.0-255")
    assert DEFAULT_MAX_SCOPE == 65_536


def test_duplicates_collapse_and_order_is_kept():
    scope = parse("192.168.1.3", "192.168.1.0/30", "cam.local", "192.168.1.64:8080")
    assert scope.addresses == ("192.168.1.3", "192.168.1.1", "192.168.1.2", "192.168.1.64")
    # The first mention of an address decides how it is given.
    assert scope.given == (Given("192.168.1.3", None, None, "192.168.1.3"),
                           Given("192.168.1.64", None, None, "cam.local"))


@pytest.mark.parametrize("text", ["10.0.0.300/24", "10.0.0.300", "999.1.1.1", "cam_01.local", "-cam.local",
                                  "192.168.1.0/33", "[not-an-address]:80", "a..b", "1.2.3", "cam.local/24"])
def test_malformed_targets_get_one_sentence_with_examples(text):
    with pytest.raises(TargetError) as raised:
        parse(text)
    assert raised.value.message == (f"'{text}' is not an address, host name, CIDR, range or URL; examples: "
                                    "192.168.1.20, 192.168.1.0/24, 192.168.1.1-50, cam.local:8080.")
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(("text", "fragment"), [
    ("192.168.1.20:0", "port '0', which is not a number from 1 to 65535"),
    ("cam.local:http", "port 'http', which is not a number from 1 to 65535"),
    ("[2001:db8::1]:70000", "port '70000'"),
    ("ftp://cam.local/", "is not an http:// or https:// URL with a host"),
    ("http://", "is not an http:// or https:// URL with a host"),
    ("http://cam.local:99999/", "is not a usable URL"),
    ("http://admin:secret@cam.local/", "contains credentials; put them in the credentials file instead"),
    ("", "An empty target was given"),
    ("192.168.1.1-5:8080", "a range takes no port"),
])
def test_other_bad_input_names_what_is_wrong(text, fragment):
    with pytest.raises(TargetError) as raised:
        parse(text)
    assert fragment in raised.value.message
    assert raised.value.message.endswith(".")
    assert "secret" not in raised.value.message


def test_credentials_in_a_url_are_not_echoed():
    with pytest.raises(TargetError) as raised:
        parse("http://admin:secret@cam.local:99999/x")
    assert raised.value.message.startswith("'http://***@cam.local:99999/x' contains credentials")


def test_url_path_is_ignored_with_a_note():
    scope = parse("https://nvr.site.example:8443/doc/page/login.asp")
    assert scope.notes == ("'https://nvr.site.example:8443/doc/page/login.asp': only the scheme, host and port "
                           "are used; the path is ignored.",)


def test_unresolvable_host_is_a_target_error():
    with pytest.raises(TargetError, match="'nowhere.invalid' could not be resolved"):
        parse("nowhere.invalid")


def test_real_resolver_resolves_once_and_reports_failures():
    assert resolve_host("localhost") in ("127.0.0.1", "::1")
    # .invalid never resolves (RFC 2606), so this needs no network.
    with pytest.raises(TargetError) as raised:
        resolve_host("camera.invalid")
    assert raised.value.message.startswith("The host name 'camera.invalid' could not be resolved (")
    assert raised.value.message.endswith("give the camera's address instead.")


def test_no_targets_at_all():
    with pytest.raises(TargetError, match="No target was given"):
        parse()


def test_loopback_only_scope_never_allows_multicast():
    assert not parse("127.0.0.0/24", "127.0.1.5").has_non_loopback
    assert parse("127.0.0.1", "192.168.1.20").has_non_loopback


def test_parse_target_returns_the_entry():
    entry = parse_target("10.1.2.0/31", resolve=fake_resolve)
    assert entry.kind == "network" and entry.addresses == ("10.1.2.0", "10.1.2.1") and entry.given is None


# --- nmap-style targets: octet ranges, exclusions, lists and scans (issue 11) ---

def test_octet_ranges_expand_to_exactly_these_addresses():
    assert parse("192.168.1.1-5").addresses == tuple(f"192.168.1.{n}" for n in range(1, 6))
    scope = parse("192.168.1-3.1-254")
    assert set(scope.addresses) == {f"192.168.{c}.{d}" for c in (1, 2, 3) for d in range(1, 255)}
    assert len(scope.addresses) == 3 * 254
    assert scope.given == () and scope.entries[0].kind == "range"
    assert parse("10.0.0.7-7").addresses == ("10.0.0.7",)


@pytest.mark.parametrize(("text", "octet"), [("192.168.1.50-1", "50-1"), ("192.168.1.1-256", "1-256"),
                                             ("192.168.300-301.1", "300-301")])
def test_a_bad_octet_range_names_the_octet(text, octet):
    with pytest.raises(TargetError) as raised:
        parse(text)
    assert raised.value.message.startswith(f"'{text}' has the octet '{octet}'; each octet is a number from 0 to 255")


def test_exclusions_take_exactly_their_addresses_out():
    scope = parse_targets(["10.0.0.0/24", "cam.local", "10.0.1.1-10"], resolve=fake_resolve,
                          exclude=["10.0.0.0/25", "10.0.0.200-254", "10.0.1.5", "cam.local", "10.0.1.9:80"])
    assert set(scope.addresses) == ({f"10.0.0.{n}" for n in range(128, 200)}
                                    | {f"10.0.1.{n}" for n in (1, 2, 3, 4, 6, 7, 8, 10)})
    assert scope.given == ()                             # the only address named one by one was excluded
    assert scope.notes == ("185 of 265 address(es) excluded.",)


def test_an_exclusion_is_matched_not_expanded_and_everything_excluded_is_refused():
    # A /8 exclusion would be 16 million addresses if it were expanded; it is matched instead.
    assert parse_targets(["10.0.0.1", "192.168.1.1"], resolve=fake_resolve, exclude=["10.0.0.0/8"]).addresses \
        == ("192.168.1.1",)
    with pytest.raises(TargetError, match="Every address in the targets is excluded"):
        parse_targets(["10.0.0.1-3"], resolve=fake_resolve, exclude=["0-255.0-255.0-255.0-255"])
    with pytest.raises(TargetError) as raised:
        parse_targets(["10.0.0.1"], resolve=fake_resolve, exclude=["http://admin:secret@10.0.0.1/"])
    assert "secret" not in raised.value.message


def test_ipv6_literals_with_and_without_port_and_the_ambiguous_form_refused():
    assert parse("[::1]:80").given == (Given("::1", 80, None, "[::1]:80"),)
    assert parse("::1").given == (Given("::1", None, None, "::1"),)
    with pytest.raises(TargetError, match=r"ambiguous: write \[::1\]:80"):
        parse("::1:80")
    assert parse_targets(["::1", "[::2]:80"], resolve=fake_resolve, exclude=["::2"]).addresses == ("::1",)
