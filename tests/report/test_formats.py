"""The four formats carry the report's content, escape what devices said, and hold no secrets."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from auditor.report import TABLES, render
from auditor.report.markdown import md
from auditor.report.tables import inert
from device_simulators import bundled_profiles
from models.features import FEATURE_IDS, FEATURE_INFO
from models.store import list_run_devices

from .site import HOSTILE_NAME, WRONG_PASSWORD


def _rows(report, table):
    return list(csv.DictReader(io.StringIO(render(report, "csv", table=table))))


# ---- HTML -------------------------------------------------------------------------------------

def test_html_is_one_self_contained_printable_page(report):
    page = render(report, "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<style>" in page and "@media print" in page and "@page" in page
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page, re.I)   # nothing to fetch or run
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    external = re.findall(r'href="([^"#][^"]*)"', page)                   # links only to the ICO's guidance
    assert len(external) == 2 and all(u.startswith("https://ico.org.uk/for-organisations/") for u in external)


def test_html_sections_carry_the_figures(report, site):
    page = render(report, "html")
    for sid in ("summary", "scope", "changes", "devices", "details", "annex", "appendix"):
        assert f'<section id="{sid}"' in page
    order = [page.index(f'<section id="{sid}"') for sid in ("summary", "scope", "details", "annex", "appendix")]
    assert order == sorted(order)                                           # the summary first, evidence last
    assert '<div class="figure" id="device-count">9</div>' in page
    assert "3 of 9 (33%)" in page                                           # biometric processing active
    assert page.count('<section class="device"') == 9
    assert f"no answer from {site.dead}:80" in page                         # unreachable device listed
    assert page.count("Recommended action:") == sum(1 for d in report.devices for f in d.findings
                                                     if f.recommendation)
    assert "Switched on (relevant)" in page and "Face capture switched on." in page
    assert "No egress analysis in this database" in page


def test_html_shows_unknown_as_unknown(report, site):
    page = render(report, "html")
    anchor = next(d.anchor for d in report.devices if d.audit.address == site.addresses[WRONG_PASSWORD])
    evidence = page.split(f'id="evidence-{anchor}"')[1].split("</details>")[0]     # the annex holds the matrix
    matrix = evidence.split('class="matrix"')[1].split("</table>")[0]
    assert matrix.count('class="tri unknown"') == 2 * len(FEATURE_IDS)     # supported and enabled, one per feature
    assert 'class="tri no"' not in matrix


def test_a_script_in_a_device_name_renders_inert(report):
    page = render(report, "html")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page
    markdown = render(report, "md")
    assert "<script" not in markdown.lower() and "&lt;script&gt;" in markdown


# ---- Markdown ---------------------------------------------------------------------------------

def test_markdown_has_the_same_sections_and_a_heading_per_device(report):
    text = render(report, "md")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# CCTV capability audit: evidence for the DPIA"
    for title in ("## Scope and method", "## Executive summary", "## Changes since the previous audit",
                  "## Devices", "## Device details", "## Appendix: features, remote access and guidance",
                  "### What was not probed, and why", "### Devices by true maker", "### Switched on (relevant)"):
        assert title in headings, title
    device_headings = [h for h in headings if re.match(r"### \d+\. ", h)]
    assert [h.split(". ", 1)[1] for h in device_headings] == [f"{md(d.label)} ({md(d.status)})"
                                                              for d in report.devices]
    assert text.count(f"#### Analytics ({len(FEATURE_IDS)} features)") == 9
    assert "| Biometric processing active | 3 of 9 (33%) |" in text


def test_markdown_escapes_table_breaking_characters():
    assert md("a|b") == "a\\|b"
    assert md("line\nbreak") == "line break"
    assert md("<b>*x*</b>") == "&lt;b&gt;\\*x\\*&lt;/b&gt;"
    assert md("see http://evil.invalid or www.evil.invalid") == "see http:\\/\\/evil.invalid or www\\.evil.invalid"


# ---- JSON -------------------------------------------------------------------------------------

def test_json_round_trips_the_full_data(report, site, site_store):
    doc = json.loads(render(report, "json"))
    dpia = doc.pop("dpia")                                                  # the pack's summary, beside the data
    assert doc == json.loads(json.dumps(report.to_json()))
    assert len(dpia["grid"]["rows"]) == 9 and dpia["grid"]["columns"][0] == "biometric"
    assert {a["device"] for a in dpia["needs_action"]} >= {d.label for d in report.devices if d.status == "unreachable"}
    stored = {a.address: a.to_json() for a in list_run_devices(site_store, run_id=site.run2)}
    assert {d["audit"]["address"]: d["audit"] for d in doc["devices"]} == stored     # every audit, in full
    assert doc["summary"]["biometric_active"] == {"count": 3, "total": 9, "percent": 33}
    assert doc["changes_since_previous"]["relevant_count"] == len(report.drift.relevant) == 3
    assert doc["egress"] == {"available": False, "note": report.egress.note, "runs": []}
    assert [n["status"] for n in doc["scope"]["not_audited"]].count("unreachable") == 1


# ---- CSV --------------------------------------------------------------------------------------

def test_csv_features_has_one_row_per_feature_and_device_matching_the_matrix(report):
    rows = _rows(report, "features")
    assert len(rows) == len(FEATURE_IDS) * len(report.devices)
    by_device: dict[str, list[dict]] = {}
    for row in rows:
        by_device.setdefault(row["device_address"], []).append(row)
    for d in report.devices:
        got = by_device[d.audit.address]
        assert [r["feature"] for r in got] == list(FEATURE_IDS)
        tri = {True: "yes", False: "no", None: "unknown"}
        read = d.status not in ("login failed", "locked", "unreachable")    # not read: never "no"
        assert [(r["supported"], r["enabled"]) for r in got] == [(tri[c.supported], tri[c.enabled] if read
                                                                  else "not read") for c in d.features]
        assert got[0]["label"] == FEATURE_INFO[FEATURE_IDS[0]].label and got[0]["run_id"] == str(report.scope.run_id)


def test_csv_devices_destinations_and_findings_tables(report):
    devices = _rows(report, "devices")
    assert len(devices) == 9 and {r["status"] for r in devices} >= {"read", "unreachable", "login failed"}
    destinations = render(report, "csv", table="destinations").splitlines()
    assert destinations[0].startswith("run_id,device_id,device_address") and len(destinations) == 1  # no egress
    findings = _rows(report, "findings")
    assert len(findings) == sum(len(d.findings) for d in report.devices)
    assert all(r["recommendation"] for r in findings if r["severity"] != "info")


def test_csv_cells_cannot_run_as_spreadsheet_formulas(report):
    names = {r["device_name"] for r in _rows(report, "devices")}
    assert "'" + HOSTILE_NAME in names and HOSTILE_NAME not in names
    assert inert("=1+1") == "'=1+1" and inert("-2") == "'-2" and inert(5) == 5 and inert("V5.5") == "V5.5"


# ---- secrets ----------------------------------------------------------------------------------

def _secrets() -> set[str]:
    found = set()
    for profile in bundled_profiles():
        found |= {a.password for a in profile.accounts}
        found |= {str(s["password"]) for s in profile.remote_access.values() if s.get("password")}
    return {s for s in found if s}


@pytest.mark.parametrize("fmt", ["html", "md", "json", *[f"csv:{t}" for t in TABLES]])
def test_no_password_appears_in_any_format(report, fmt):
    secrets = _secrets()
    assert len(secrets) >= 10 and "Gate-Cam-2019!" in secrets and "ftp-S3cret-gate" in secrets
    kind, _, table = fmt.partition(":")
    text = render(report, kind, table=table or "features")
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked


def test_csv_table_names_match_the_renderers():
    from auditor.report.formats import TABLE_NAMES
    from auditor.report.tables import TABLES as RENDERERS

    assert tuple(RENDERERS) == TABLE_NAMES
