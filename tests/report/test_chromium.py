"""The HTML report opened in headless Chromium (Debian's package): it renders, logs no console
error, keeps device strings inert, prints to A4 pages, and leaves a screenshot to look at.

Set CAMAUDIT_SCREENSHOT_DIR to keep the screenshot and the PDF after the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed; `make test` installs "
                                                         "Debian's chromium package for this test")
# Chromium logs page console messages as "...:INFO:CONSOLE:1] "text", source: ..." at --v=0
# (older builds: "CONSOLE(1)]");
# CSP refusals (a script that escaped escaping) are console errors too.
CONSOLE = re.compile(r"CONSOLE[:(]\d+\)?\]|Uncaught|Refused to (execute|load|apply)")


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, url],
        capture_output=True, text=True, timeout=90)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


@pytest.fixture(scope="module")
def page(report, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "camaudit-report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path


def test_the_console_check_catches_a_page_error(tmp_path):
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><script>console.error("camaudit-control")</script></body></html>')
    done = chromium(tmp_path, control.as_uri(), "--dump-dom")
    assert any("camaudit-control" in line for line in console_errors(done.stderr)), done.stderr[-2000:]


def test_report_renders_the_device_count_without_console_errors(page, report, tmp_path):
    done = chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert re.search(r'id="device-count">\s*9\s*<', dom)
    assert f"{report.summary.devices} devices recorded" in dom
    assert "3 of 9 (33%)" in dom
    assert dom.count('class="device"') == 9
    assert not console_errors(done.stderr), console_errors(done.stderr)
    # the hostile device name is text in the DOM, not an element
    assert "<script" not in dom.lower() and "&lt;script&gt;alert(\"pwned\")&lt;/script&gt;" in dom


def test_report_screenshot_and_print_to_pdf(page, tmp_path):
    shot, pdf = tmp_path / "camaudit-report.png", tmp_path / "camaudit-report.pdf"
    done = chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000",
                    "--hide-scrollbars")
    assert done.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", done.stderr[-2000:]
    assert shot.stat().st_size > 50_000                     # a rendered page, not a blank one
    printed = chromium(tmp_path, page.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert printed.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", printed.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 9 + 6                                   # each device and each section starts a page
    keep = os.environ.get("CAMAUDIT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep)
        shutil.copy(pdf, keep)
