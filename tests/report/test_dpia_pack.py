"""The DPIA pack from a real audit of the simulated fleet: the summary pages first (cover, grid, where
data goes, actions, sign-off), options and config file, organisation templates, and the PDF."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from auditor.report import render
from auditor.report.dpia import pack_summary
from auditor.report.pack import PackOptions
from models.features import FEATURES

from .site import WRONG_PASSWORD
from .test_chromium import CHROMIUM
from .test_cli import camaudit, one_line_error

COVER = PackOptions(organisation="Ysgol Uwchradd Example", site="Main campus", author="A. Auditor",
                    classification="OFFICIAL-SENSITIVE")


def _summary(page: str) -> str:
    """The first two pages: everything before the scope section."""
    return page[:page.index('<section id="scope"')]


def test_the_summary_pages_hold_cover_grid_data_flows_actions_and_sign_off(report, site):
    page = render(report, "html", options=COVER)
    summary = _summary(page)
    for text in ("Ysgol Uwchradd Example", "Main campus", "A. Auditor", "OFFICIAL-SENSITIVE",
                 'id="grid"', 'id="where-data-goes"', 'id="actions"', 'id="sign-off"', "Reviewed by", "Decision"):
        assert text in summary, text
    assert summary.count("<svg") == 2                       # the grid and features on (no country known: no map)
    grid = summary[summary.index('aria-label="Fleet by analytics class'):summary.index("</svg>")]
    assert grid.count("<rect") == 9 * 6 + 4                 # a cell per device and class, and the legend
    pack = pack_summary(report)
    wrong = next(r for r in pack.grid if r.label == next(d.label for d in report.devices
                                                          if d.audit.address == site.addresses[WRONG_PASSWORD]))
    assert set(wrong.cells.values()) == {"unknown"}         # a login that failed is unknown, never "no"
    nvr = next(r for r in pack.grid if site.addresses["hik-acusense-nvr"] in r.label)
    assert nvr.cells["biometric"] == "on"                   # face recognition on (the profile's expect block)
    # every device that could not be read, and every device with a critical finding, needs action
    needing = {a.label for a in pack.actions}
    assert {d.label for d in report.devices if d.status in ("unreachable", "login failed")} <= needing
    assert {d.label for d in report.devices if any(f.severity == "critical" for f in d.findings)} <= needing
    for a in pack.actions:
        assert f'href="#{a.anchor}"' in summary
    assert "Not audited (unreachable)" in summary
    assert "<script" not in page.lower() and "url(" not in page      # still nothing to run or fetch


def test_the_where_data_goes_summary_lists_configured_destinations_by_country(report):
    pack = pack_summary(report)
    configured = {d for p in pack.places for d in p.destinations}
    assert "smtp.office365.com" in configured and "47.254.132.18:7660" in configured   # the NVR's e-mail and ISUP
    assert all(p.country == "not known" and p.owner == "not known" for p in pack.places)  # no egress analysis
    assert sum(p.undisclosed for p in pack.places) == 0 and not pack.egress_analysed


def test_markdown_and_json_carry_the_same_summary(report):
    text = render(report, "md", options=COVER)
    assert text.index("## DPIA summary") < text.index("## Scope and method")
    for heading in ("### The fleet and its analytics", "### Where data goes", "### Devices that need action",
                    "### Sign-off"):
        assert heading in text
    assert "| Organisation | Ysgol Uwchradd Example |" in text
    import json

    doc = json.loads(render(report, "json", options=COVER))["dpia"]
    assert doc["organisation"] == "Ysgol Uwchradd Example" and doc["grid"]["states"] == ["on", "unknown",
                                                                                          "supported", "no"]
    assert [r["cells"] for r in doc["grid"]["rows"]] == [r.cells for r in pack_summary(report).grid]


def test_evidence_levels_keep_or_drop_the_annex(report):
    full = render(report, "html", options=PackOptions(evidence="full"))
    summary = render(report, "html", options=PackOptions(evidence="summary"))
    none = render(report, "html", options=PackOptions(evidence="none"))
    assert full.count('<details class="evidence-device"') == 9 and 'class="matrix"' in full
    assert "<details" not in summary and 'id="annex"' in summary and 'class="fleet-features"' in summary
    assert 'id="annex"' not in none and 'id="appendix"' in none
    assert len(summary) < len(full) / 2
    # the summary annex has one row per feature and a cell per device
    table = summary[summary.index('class="fleet-features"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == len(FEATURES) + 1 and table.count('<td class="cell') == len(FEATURES) * 9


def test_markdown_honours_the_evidence_level(report):
    full = render(report, "md", options=PackOptions(evidence="full"))
    for level in ("summary", "none"):
        short = render(report, "md", options=PackOptions(evidence=level))
        assert f"Written with --evidence {level}" in short and "Written with --evidence" not in full
        assert "| Evidence |\n" in full and "| Evidence |\n" not in short          # the evidence column
        assert "#### Identity and OEM evidence" in full and "#### Identity and OEM evidence" not in short
        assert "  - Evidence: " in full and "  - Evidence: " not in short
        # the states stay: every device section and every feature row is still there (9 devices + the appendix)
        assert short.count("#### Analytics (") == full.count("#### Analytics (") == 9
        assert short.count("| face\\_recognition |") == full.count("| face\\_recognition |") == 9 + 1
        assert len(short) < len(full)


def test_an_organisation_template_replaces_a_bundled_one_and_a_broken_one_is_one_line(report, tmp_path):
    (tmp_path / "method-checks.html.j2").write_text('<h3 id="checks">Gwiriadau</h3><p>{{ s.run_id }}</p>')
    page = render(report, "html", options=PackOptions(template_dir=tmp_path))
    assert "<h3 id=\"checks\">Gwiriadau</h3>" in page and 'id="grid"' in page       # the rest stays bundled
    (tmp_path / "method-checks.html.j2").write_text("{% if %}")
    from models.errors import UsageError

    with pytest.raises(UsageError, match="not valid Jinja2 at line 1"):
        render(report, "html", options=PackOptions(template_dir=tmp_path))
    (tmp_path / "method-checks.html.j2").write_text("{{ no_such_thing }}")
    with pytest.raises(UsageError, match="no_such_thing"):
        render(report, "html", options=PackOptions(template_dir=tmp_path))
    with pytest.raises(UsageError, match="does not exist or is not a folder"):
        render(report, "html", options=PackOptions(template_dir=tmp_path / "missing"))


def test_cover_options_and_config_file_through_the_cli(site, tmp_path):
    config = tmp_path / "pack.toml"
    config.write_text('organisation = "Cyngor Sir Example"\nsite = "Depot"\ndate = 2026-12-01\n')
    done = camaudit("report", "--db", str(site.db), "--report-config", str(config), "--author", "DPO",
                    "--classification", "OFFICIAL", "--evidence", "none", "--out", "-")
    assert done.returncode == 0, done.stderr
    summary = _summary(done.stdout)
    assert all(t in summary for t in ("Cyngor Sir Example", "Depot", "2026-12-01", "DPO", "OFFICIAL"))
    assert 'id="annex"' not in done.stdout
    config.write_text('organisaton = "typo"\n')
    line = one_line_error(camaudit("report", "--db", str(site.db), "--report-config", str(config), "--out", "-"))
    assert "unknown key(s) organisaton" in line and "known keys: author, classification" in line
    config.write_text('date = "1 December"\n')
    assert "date must be a TOML date" in one_line_error(
        camaudit("report", "--db", str(site.db), "--report-config", str(config), "--out", "-"))
    missing = one_line_error(camaudit("report", "--db", str(site.db), "--template", str(tmp_path / "nope"),
                                      "--out", "-"))
    assert "does not exist or is not a folder" in missing


def test_pdf_without_chromium_is_one_readable_line(site, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMAUDIT_CHROMIUM", str(tmp_path / "no-chromium"))
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "auditor.cli", "report", "--db", str(site.db), "--format", "pdf",
                           "--out", str(tmp_path / "r.pdf")], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})
    line = one_line_error(done)
    assert "Chromium, which is not installed" in line and not (tmp_path / "r.pdf").exists()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`make chromium`)")
def test_the_summary_pdf_of_nine_devices_stays_short(site, tmp_path):
    out = tmp_path / "pack.pdf"
    done = camaudit("report", "--db", str(site.db), "--format", "pdf", "--out", str(out), "--classification",
                    "OFFICIAL-SENSITIVE", "--organisation", "Ysgol Example")
    assert done.returncode == 0, done.stderr
    pdf = out.read_bytes()
    assert pdf[:5] == b"%PDF-" and 6 <= pdf_pages(pdf) <= 13          # summary copy (the PDF default): 12 here
    full = tmp_path / "full.pdf"
    assert camaudit("report", "--db", str(site.db), "--format", "pdf", "--evidence", "full",
                    "--out", str(full)).returncode == 0
    assert pdf_pages(full.read_bytes()) > pdf_pages(pdf) + 9          # the annex opens every device's evidence
    keep = __import__("os").environ.get("CAMAUDIT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(out, keep)
