"""The report as PDF: the same HTML page, printed to A4 by headless Chromium.

Chromium rather than WeasyPrint: the tests already install Debian's chromium to check the page
renders without console errors, so the PDF is printed by the engine that was tested; it supports
CSS grid, inline SVG and `@page` margin boxes (the classification marking and page numbers), and
it adds no Python dependency with native libraries (WeasyPrint needs Pango/cairo). Chromium gets
a file: URL of a page whose CSP forbids scripts and every fetch, its own throw-away profile, and
no network features.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from models.errors import UsageError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120
MISSING = ("camaudit report --format pdf prints the HTML report with headless Chromium, which is not installed: "
           "install it (Debian: apt-get install chromium; `make chromium`) or set CAMAUDIT_CHROMIUM to its path, "
           "or write --format html and print that.")


def find_chromium() -> str | None:
    """The browser to print with: $CAMAUDIT_CHROMIUM, else the first of CANDIDATES on PATH."""
    named = os.environ.get("CAMAUDIT_CHROMIUM")
    if named:
        return named if Path(named).is_file() and os.access(named, os.X_OK) else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def html_to_pdf(html: str, *, chromium: str | None = None) -> bytes:
    """Print `html` to PDF bytes.

    Raises:
        UsageError: Chromium is missing, failed, or did not finish within TIMEOUT_S.
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise UsageError(MISSING)
    with tempfile.TemporaryDirectory(prefix="camaudit-pdf-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                   "--disable-background-networking", "--disable-component-update", "--disable-quic",
                   f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
                   f"--print-to-pdf={out}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise UsageError(f"Chromium ({browser}) did not finish printing the report within {TIMEOUT_S} s; "
                             "write --format html and print that instead.") from None
        except OSError as exc:
            raise UsageError(f"Cannot start Chromium ({browser}): {exc.strerror or exc}.") from None
        if done.returncode != 0 or not out.is_file() or out.read_bytes()[:5] != b"%PDF-":
            last = (done.stderr.strip().splitlines() or ["no message"])[-1][:200]
            raise UsageError(f"Chromium ({browser}) could not print the report (exit {done.returncode}: {last}); "
                             "write --format html and print that instead.")
        return out.read_bytes()
