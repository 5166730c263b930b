"""`camaudit advisories list` and `camaudit advisories update FILE --sha256 HEX`.

Advisory data is matched offline; `update` installs a newer vendor file, checked for format and
against the sha256 published beside it, into the user data directory (over the bundled file).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

from rich.console import Console
from rich.table import Table

ORDER = 60
MAX_BYTES = 1_000_000          # a vendor file is a few kilobytes; refuse anything absurd before parsing it
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "advisories", help="the security advisories camaudit matches firmware against (list, update)",
        description="Security advisories are data: one file per vendor, matched against each device's firmware "
                    "version and build date. Nothing is ever sent to a device to test a flaw.")
    sub = p.add_subparsers(dest="advisories_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list the advisories in force and the data's date")
    ls.add_argument("--json", action="store_true", help="print the advisories as JSON on stdout")
    ls.set_defaults(func=cmd_list)
    up = sub.add_parser("update", help="install a newer vendor advisory file (checked, sha256 verified)")
    up.add_argument("file", type=Path, metavar="FILE", help="the new advisory file (TOML, one vendor)")
    up.add_argument("--sha256", required=True, metavar="HEX", help="the file's sha256, as published beside it")
    up.set_defaults(func=cmd_update)


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    from auditor.judge.advisories.data import load

    data = load()
    if args.json:
        rows = [{"cve": a.cve, "vendor_id": a.vendor_id, "vendor": a.vendor, "severity": a.severity,
                 "cvss_score": a.cvss_score, "cvss_vector": a.cvss_vector, "kev": a.kev, "fixed": a.fixed,
                 "range_verified": all(r.range_verified for r in a.affected),
                 "families": [r.describe() for r in a.affected], "sources": list(a.sources)} for a in data.advisories]
        print(json.dumps({"updated": data.updated.isoformat() if data.updated else None,
                          "files": {k: str(v) for k, v in data.files.items()}, "advisories": rows}, indent=2))
        return 0
    table = Table(title=f"Advisory data dated {data.updated}", title_justify="left")
    for col in ("advisory", "vendor", "severity", "CVSS", "CISA KEV", "range", "fixed in"):
        table.add_column(col, overflow="fold", no_wrap=col in ("advisory", "vendor"))
    kev = {True: "yes", False: "no", None: "not checked"}
    for a in data.advisories:
        verified = "as listed" if all(r.range_verified for r in a.affected) else "unverified"
        name = a.cve + (f"\n{a.vendor_id}" if a.vendor_id else "")
        table.add_row(name, a.vendor, a.severity, f"{a.cvss_score:g}", kev[a.kev], verified, a.fixed)
    console.print(table)
    for name, path in sorted(data.files.items()):
        console.print(f"{name}: {path}", highlight=False)
    return 0


def cmd_update(args: argparse.Namespace, console: Console) -> int:
    from auditor.judge.advisories.data import AdvisoryDataError, check, load, user_dir
    from auditor.judge.advisories.findings import current

    if not _HEX.match(args.sha256.strip()):
        raise AdvisoryDataError("--sha256 must be the file's 64-character hex sha256, as published beside it.")
    try:
        size = args.file.stat().st_size
        if size > MAX_BYTES:
            raise AdvisoryDataError(f"{args.file} is {size} bytes; an advisory file is at most {MAX_BYTES} bytes.")
        raw = args.file.read_bytes()
    except OSError as exc:
        raise AdvisoryDataError(f"Cannot read {args.file}: {exc.strerror or exc}.") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != args.sha256.strip().lower():
        raise AdvisoryDataError(f"{args.file} has sha256 {digest}, not the {args.sha256.strip().lower()} given; "
                                "download it again and check where the checksum came from. Nothing was installed.")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AdvisoryDataError(f"{args.file} is not a valid TOML advisory file ({exc}). Nothing was installed.") \
            from None
    advisories, updated = check(doc, args.file.name)
    vendor = advisories[0].vendor
    name = re.sub(r"[^a-z0-9]+", "-", vendor.lower()).strip("-") + ".toml"
    in_force = load()
    if name in in_force.files:
        _, current_date = _dated(in_force.files[name])
        if updated < current_date:
            raise AdvisoryDataError(f"{args.file} is dated {updated}, older than the {vendor} data in force "
                                    f"({current_date}); nothing was installed.")
    target_dir = user_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target_dir, suffix=".tmp", delete=False) as tmp:
        tmp.write(raw)
    os.replace(tmp.name, target_dir / name)
    current.cache_clear()
    console.print(f"Installed {name}: {len(advisories)} {vendor} advisories dated {updated}, in {target_dir}; "
                  "it takes precedence over the bundled file.", highlight=False)
    return 0


def _dated(path: Path):
    from auditor.judge.advisories.data import load_file

    return load_file(path)
