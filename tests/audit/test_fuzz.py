"""Property tests: whatever a user types into the credentials file or as a TARGET, camaudit answers
with a value or one of its own errors (a sentence), never another exception or a traceback."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.run.credentials import KEYS, CredentialBook, parse_credentials
from auditor.run.targets import ScopeEntry, parse_target, parse_targets
from models.errors import CamauditError, CredentialsError, TargetError

SECRET = "Pw-7f3a-never-shown"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

toml_scalar = st.one_of(
    st.text(max_size=30).map(json.dumps),
    st.integers().map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.booleans().map(lambda b: str(b).lower()), st.just("1979-05-27T07:32:00Z"),
    st.sampled_from(['"*"', '"10.0.0.0/24"', '"::1"', '"fe80::1%eth0"', '"300.1.1.1"', '"10.0.0.0/33"', '""']),
)
toml_value = st.one_of(toml_scalar, st.lists(toml_scalar, max_size=4).map(lambda v: "[" + ", ".join(v) + "]"),
                       st.just("{ a = 1 }"))
key = st.one_of(st.sampled_from((*KEYS, "target", "users", "pass")), st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}",
                                                                                   fullmatch=True))


@st.composite
def credentials_files(draw: st.DrawFn) -> str:
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        pairs = draw(st.dictionaries(key, toml_value, max_size=6))
        if draw(st.booleans()):
            pairs["password"] = json.dumps(SECRET)
        entries.append("[[account]]\n" + "".join(f"{k} = {v}\n" for k, v in pairs.items()))
    prefix = draw(st.sampled_from(["", "title = 1\n", "[account]\nuser = 'a'\n", "account = 3\n"]))
    return prefix + "\n".join(entries)


def _assert_credentials_outcome(text: str) -> None:
    try:
        book = parse_credentials(text, "fuzz.toml")
    except CredentialsError as exc:
        assert "\n" not in exc.message and SECRET not in exc.message
        return
    assert isinstance(book, CredentialBook) and len(book) > 0
    assert all(SECRET not in w for w in book.warnings)
    for address in ("10.0.0.1", "::1", "not-an-address"):
        assert len({c.user for c in book.for_address(address)}) == len(book.for_address(address))


@FAST
@given(credentials_files())
def test_any_credentials_file_gives_accounts_or_one_credentials_error(text):
    _assert_credentials_outcome(text)


@FAST
@given(st.text(max_size=200))
def test_any_text_as_credentials_gives_accounts_or_one_credentials_error(text):
    _assert_credentials_outcome(text)


def _resolve(name: str) -> str:
    if name.startswith("x"):
        raise TargetError(f"The host name '{name}' could not be resolved.")
    return "127.0.0.1"


target_like = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"(https?://)?(\[?[0-9a-f:.%]{0,40}\]?|[a-z0-9.-]{0,30})(:[0-9]{0,6})?(/[0-9]{0,3})?/?",
                  fullmatch=True),
    st.ip_addresses().map(str),
    st.tuples(st.ip_addresses(), st.integers(-5, 70000)).map(lambda t: f"[{t[0]}]:{t[1]}"),
    st.tuples(st.ip_addresses(v=6), st.integers(0, 70000)).map(lambda t: f"{t[0]}:{t[1]}"),
)


@FAST
@given(target_like)
def test_any_target_gives_a_scope_entry_or_one_target_error(text):
    try:
        entry = parse_target(text, resolve=_resolve)
    except TargetError as exc:
        assert "\n" not in exc.message
        return
    assert isinstance(entry, ScopeEntry) and entry.addresses
    assert len(entry.addresses) <= 65_536


@settings(max_examples=100, deadline=None)
@given(st.lists(target_like, max_size=5))
def test_any_list_of_targets_gives_a_scope_or_a_project_error(texts):
    try:
        scope = parse_targets(texts, resolve=_resolve)
    except CamauditError:
        return
    assert scope.addresses


@FAST
@given(st.sampled_from(["", "http://", "https://", "rtsp://", "http:/"]), st.text(max_size=8),
       st.sampled_from([":", ""]), target_like)
def test_a_target_with_a_password_is_refused_without_echoing_it(scheme, user, colon, rest):
    text = f"{scheme}{user}{colon}{SECRET}@{rest}"
    try:
        parse_target(text, resolve=_resolve)
    except TargetError as exc:
        assert SECRET not in exc.message
    else:
        raise AssertionError(f"{text!r} was accepted")


octet = st.tuples(st.integers(0, 255), st.integers(0, 3)).map(lambda t: (t[0], min(255, t[0] + t[1])))


@FAST
@given(st.lists(octet, min_size=4, max_size=4))
def test_an_octet_range_expands_to_exactly_the_product_of_its_octets(octets):
    text = ".".join(f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in octets)
    expected = {".".join(map(str, (a, b, c, d))) for a in range(*_span(octets[0])) for b in range(*_span(octets[1]))
                for c in range(*_span(octets[2])) for d in range(*_span(octets[3]))}
    assert set(parse_targets([text], resolve=_resolve).addresses) == expected


def _span(bounds: tuple[int, int]) -> tuple[int, int]:
    return bounds[0], bounds[1] + 1


small_v4 = st.integers(0, 15).map(lambda n: f"10.9.8.{n}")


@FAST
@given(st.lists(small_v4, min_size=1, max_size=8), st.lists(st.one_of(small_v4, st.sampled_from(
    ["10.9.8.0/29", "10.9.8.4-7", "10.9.0-8.1-2", "10.0.0.0/8", "192.168.0.0/16"])), max_size=4))
def test_exclusions_leave_exactly_the_addresses_they_do_not_cover(targets, excludes):
    def covered(address: str) -> bool:
        last = int(address.rsplit(".", 1)[1])
        return any(address == e or (e == "10.9.8.0/29" and last < 8) or (e == "10.9.8.4-7" and 4 <= last <= 7)
                   or (e == "10.9.0-8.1-2" and last in (1, 2)) or e == "10.0.0.0/8" for e in excludes)
    expected = [a for a in dict.fromkeys(targets) if not covered(a)]
    try:
        scope = parse_targets(targets, resolve=_resolve, exclude=excludes)
    except TargetError as exc:
        assert not expected and "Every address in the targets is excluded" in exc.message
        return
    assert list(scope.addresses) == expected


@FAST
@given(st.lists(target_like, max_size=3), st.integers(1, 300))
def test_any_exclusion_and_bound_give_a_bounded_scope_or_one_target_error(excludes, bound):
    try:
        scope = parse_targets(["10.1.0.0/23", "[::1]:80", "10.2.0.1-20"], resolve=_resolve, exclude=excludes,
                              max_scope=bound)
    except TargetError as exc:
        assert "\n" not in exc.message and SECRET not in exc.message
        return
    assert 0 < len(scope.addresses) <= bound


@FAST
@given(st.text(max_size=300))
def test_any_text_as_a_target_list_gives_targets_or_one_target_error(tmp_path_factory, text):
    from auditor.run.target_lists import read_target_list

    path = tmp_path_factory.mktemp("list") / "targets.txt"
    path.write_text(text, encoding="utf-8", errors="replace")
    try:
        parse_targets(read_target_list(str(path)) or ["127.0.0.1"], resolve=_resolve)
    except TargetError as exc:
        assert "\n" not in exc.message
