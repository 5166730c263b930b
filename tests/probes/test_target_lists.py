"""-iL lists, --exclude(-file), --from-nmap and --max-scope as the audit and discover commands read them."""

from __future__ import annotations

import argparse

import pytest

from auditor.run.target_lists import add_target_arguments, read_nmap_xml, read_target_list, scope_from_args
from models.errors import TargetError

NMAP_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -oX scan.xml 10.0.0.0/29" version="7.94">
<host><status state="up" reason="arp-response"/>
<address addr="10.0.0.2" addrtype="ipv4"/><address addr="BC:AD:28:00:00:01" addrtype="mac" vendor="Hikvision"/>
<ports><extraports state="closed" count="995"/>
<port protocol="tcp" portid="554"><state state="open"/><service name="rtsp"/></port>
<port protocol="tcp" portid="22"><state state="filtered"/><service name="ssh"/></port>
<port protocol="tcp" portid="443"><state state="open"/><service name="http" tunnel="ssl"/></port>
<port protocol="udp" portid="37020"><state state="open"/></port>
</ports></host>
<host><status state="down" reason="no-response"/><address addr="10.0.0.3" addrtype="ipv4"/></host>
<host><status state="up"/><address addr="2001:db8::5" addrtype="ipv6"/>
<ports><port protocol="tcp" portid="80"><state state="open"/><service name="http"/></port></ports></host>
<host><status state="up"/><address addr="10.0.0.6" addrtype="ipv4"/></host>
</nmaprun>
"""


def args_for(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_target_arguments(parser)
    return parser.parse_args(argv)


def test_a_target_list_skips_comments_and_blank_lines(tmp_path):
    listed = tmp_path / "targets.txt"
    listed.write_text("# site A\n10.0.0.1\n\n  10.0.0.5-6   # the two NVRs\n10.0.1.0/30 [::1]:8080\n# end\n")
    assert read_target_list(str(listed)) == ["10.0.0.1", "10.0.0.5-6", "10.0.1.0/30", "[::1]:8080"]
    scope = scope_from_args(args_for("10.0.2.9", "-iL", str(listed)))
    assert scope.addresses == ("10.0.2.9", "10.0.0.1", "10.0.0.5", "10.0.0.6", "10.0.1.1", "10.0.1.2", "::1")


def test_exclude_and_exclude_file_take_exactly_their_addresses_out(tmp_path):
    excluded = tmp_path / "exclude.txt"
    excluded.write_text("10.0.0.3 # broken camera\n10.0.0.8-9\n")
    scope = scope_from_args(args_for("10.0.0.1-10", "--exclude", "10.0.0.1,10.0.0.5/31", "--exclude", "10.0.0.7",
                                     "--exclude-file", str(excluded)))
    assert scope.addresses == ("10.0.0.2", "10.0.0.6", "10.0.0.10")


@pytest.mark.parametrize("option", ["-iL", "--exclude-file", "--from-nmap"])
def test_a_missing_or_unreadable_file_is_one_sentence(tmp_path, option):
    with pytest.raises(TargetError) as raised:
        scope_from_args(args_for("10.0.0.1", option, str(tmp_path / "nope.txt")))
    assert raised.value.message.startswith("Cannot read the ") and raised.value.message.endswith(": no such file.")
    with pytest.raises(TargetError, match="is a directory"):
        scope_from_args(args_for("10.0.0.1", option, str(tmp_path)))


def test_a_bad_line_in_a_list_is_refused_without_echoing_a_password(tmp_path):
    listed = tmp_path / "targets.txt"
    listed.write_text("10.0.0.1\nhttp://admin:Secr3t@10.0.0.2/\n")
    with pytest.raises(TargetError) as raised:
        scope_from_args(args_for("-iL", str(listed)))
    assert "contains credentials" in raised.value.message and "Secr3t" not in raised.value.message


def test_max_scope_is_an_option_and_is_enforced(tmp_path):
    with pytest.raises(TargetError, match=r"allow more with --max-scope 508\.$"):
        scope_from_args(args_for("10.0.0.0/24", "10.0.1.0/24", "--max-scope", "300"))
    assert len(scope_from_args(args_for("10.0.0.0/24", "10.0.1.0/24", "--max-scope", "508")).addresses) == 508
    with pytest.raises(SystemExit):
        args_for("10.0.0.1", "--max-scope", "0")


def test_an_nmap_scan_gives_the_hosts_up_at_their_open_tcp_ports_web_first(tmp_path):
    scan = tmp_path / "scan.xml"
    scan.write_text(NMAP_XML)
    assert read_nmap_xml(str(scan)) == ["10.0.0.2:443", "10.0.0.2:554", "[2001:db8::5]:80", "10.0.0.6"]
    scope = scope_from_args(args_for("--from-nmap", str(scan), "--exclude", "10.0.0.6"))
    assert scope.addresses == ("10.0.0.2", "2001:db8::5")
    assert scope.given[0].port == 443


@pytest.mark.parametrize(("body", "says"), [
    ("<nmaprun><host>", "could not be read"),
    ('<!DOCTYPE x [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>', "could not be read"),
    ("<report/>", "not an nmap scan"),
    ('<nmaprun><host><status state="down"/><address addr="10.0.0.1" addrtype="ipv4"/></host></nmaprun>',
     "lists no host that is up"),
])
def test_a_bad_nmap_file_is_one_sentence(tmp_path, body, says):
    scan = tmp_path / "scan.xml"
    scan.write_text(body)
    with pytest.raises(TargetError) as raised:
        read_nmap_xml(str(scan))
    assert says in raised.value.message and "\n" not in raised.value.message
