"""TARGETs from where nmap users keep them: -iL lists, --exclude(-file) and nmap XML scans.

`add_target_arguments` gives `camaudit audit` and `camaudit discover` the same target options;
`scope_from_args` turns them into one Scope (auditor/run/targets.py), so both commands refuse the
same input with the same sentence. Nothing here reads a password: a URL with user:password@ in
a list file is refused by parse_target, which never echoes it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from auditor.run.target_sets import DEFAULT_MAX_SCOPE, HARD_MAX_SCOPE
from auditor.run.userfiles import read_user_text
from models.errors import TargetError

if TYPE_CHECKING:       # the commands import this module for --help; the parser and probes load on use
    from auditor.run.targets import Scope

MAX_FILE_BYTES = 64 << 20          # a /16 one per line is ~1 MiB; nmap XML of a /16 with open ports tens of MiB


def _read(path: str, what: str) -> str:
    """A file's text ('-' is stdin, as nmap's -iL takes it); any failure is one TargetError sentence."""
    if path == "-":
        return sys.stdin.read(MAX_FILE_BYTES)
    return read_user_text(path, what, TargetError, max_bytes=MAX_FILE_BYTES, encoding="utf-8-sig")


def read_target_list(path: str, what: str = "target list") -> list[str]:
    """Targets from a file as nmap -iL takes them: whitespace-separated, `#` starts a comment, blanks skipped.

    The texts are checked by parse_targets with the others; its message quotes the bad one.
    """
    return [text for line in _read(path, what).splitlines() for text in line.partition("#")[0].split()]


def read_nmap_xml(path: str) -> list[str]:
    """host:port targets from an nmap XML scan (-oX): hosts that are up, one target per open TCP port.

    HTTP services (nmap's service name http/https, or tunnel="ssl") come first for each host, because
    the first mention of an address decides the port a --no-discover audit uses. A host that is up
    with no open port listed is its bare address. nmap writes a `<!DOCTYPE nmaprun>` line, so DTDs
    are allowed; entities and external references stay forbidden (defusedxml).
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    from auditor.run.targets import shown

    text = _read(path, "nmap XML file")
    try:
        root = fromstring(text.encode("utf-8"), forbid_dtd=False)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise TargetError(f"The nmap XML file {path} could not be read ({type(exc).__name__}: "
                          f"{shown(str(exc))[:120]}); write it with nmap -oX.") from None
    if root.tag != "nmaprun":
        raise TargetError(f"The file {path} is XML but not an nmap scan (its root is <{shown(root.tag)[:40]}>, "
                          "not <nmaprun>); write it with nmap -oX.")
    targets = []
    for host in root.iter("host"):
        status = host.find("status")
        if status is None or status.get("state") != "up":
            continue
        addresses = [a.get("addr", "") for a in host.findall("address") if a.get("addrtype") in ("ipv4", "ipv6")]
        if not addresses:
            continue
        address = addresses[0]
        open_ports = []
        for port in host.iter("port"):
            state = port.find("state")
            if port.get("protocol") != "tcp" or state is None or state.get("state") != "open":
                continue
            service = port.find("service")
            name = service.get("name", "") if service is not None else ""
            web = name.startswith("http") or (service is not None and service.get("tunnel") == "ssl")
            open_ports.append((not web, int(port.get("portid", "0") or 0)))
        hosted = f"[{address}]" if ":" in address else address
        ports = [p for _, p in sorted(open_ports) if 0 < p < 65536]
        targets.extend([f"{hosted}:{p}" for p in ports] or [address])
    if not targets:
        raise TargetError(f"The nmap XML file {path} lists no host that is up; nothing to audit.")
    return targets


def max_scope(text: str) -> int:
    """--max-scope N: a whole number of addresses from 1 to HARD_MAX_SCOPE."""
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        value = 0
    if not 0 < value <= HARD_MAX_SCOPE:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of addresses from 1 to {HARD_MAX_SCOPE:,}")
    return value


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """TARGET… and the nmap-style options that add to or take from it."""
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help="address, host[:port], [IPv6]:port, CIDR, octet range (192.168.1-3.1-254) or URL")
    group = parser.add_argument_group("targets (as nmap takes them)")
    group.add_argument("-iL", dest="target_lists", action="append", default=[], metavar="FILE",
                       help="read targets from FILE ('-' for stdin): one or more a line, '#' starts a comment")
    group.add_argument("--exclude", action="append", default=[], metavar="T1,T2",
                       help="leave out these targets (comma-separated, any TARGET form)")
    group.add_argument("--exclude-file", action="append", default=[], metavar="FILE",
                       help="leave out the targets listed in FILE (same format as -iL)")
    group.add_argument("--from-nmap", action="append", default=[], metavar="SCAN.xml",
                       help="audit the hosts an nmap XML scan (-oX) found up, at their open ports")
    group.add_argument("--max-scope", type=max_scope, default=DEFAULT_MAX_SCOPE, metavar="N",
                       help=f"refuse scopes of more than N addresses (default {DEFAULT_MAX_SCOPE:,}, a /16)")


def target_texts(args: argparse.Namespace) -> list[str]:
    """Every TARGET given, in order: on the command line, then -iL files, then nmap scans."""
    texts = list(args.targets)
    for path in args.target_lists:
        texts.extend(read_target_list(path))
    for path in args.from_nmap:
        texts.extend(read_nmap_xml(path))
    return texts


def exclude_texts(args: argparse.Namespace) -> list[str]:
    texts = [t for value in args.exclude for t in value.split(",") if t.strip()]
    for path in args.exclude_file:
        texts.extend(read_target_list(path, "exclude file"))
    return texts


def scope_from_args(args: argparse.Namespace, texts: Sequence[str] | None = None) -> Scope:
    """The Scope the target options describe; TargetError (one sentence) for anything unusable."""
    from auditor.run.targets import parse_targets

    texts = target_texts(args) if texts is None else texts
    return parse_targets(texts, exclude=exclude_texts(args), max_scope=args.max_scope)


def recorded_scope(args: argparse.Namespace, texts: Sequence[str]) -> list[str]:
    """The scope as the run records it (reports show it as given): the targets, then `--exclude T` per exclusion."""
    from auditor.run.targets import shown

    return [*texts, *(f"--exclude {shown(t.strip())}" for t in exclude_texts(args))]
