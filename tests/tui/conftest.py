"""TUI fixtures: databases in tmp_path, the app built by the same make_app the CLI uses."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path

import pytest

from tests.tui.builders import NOW, build_school_db
from tui.app import CamauditApp, make_app


@pytest.fixture(scope="session")
def school_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Recorded once per session; every test gets its own copy (the app may write its WAL)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return build_school_db(tmp_path_factory.mktemp("school") / "school.db", monkeypatch)


@pytest.fixture
def school_db(school_db_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "school.db"
    shutil.copyfile(school_db_template, copy)   # the store was closed, so the WAL is checkpointed
    return copy


@pytest.fixture(scope="session")
def real_site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real audits of the simulated fleet and a real egress analysis, pinned (tests/tui/real_site.py)."""
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed (the real site database includes a real egress analysis)")
    from tests.tui.real_site import build_real_site_db

    with pytest.MonkeyPatch.context() as monkeypatch:
        return build_real_site_db(tmp_path_factory.mktemp("real-site") / "site.db", monkeypatch)


@pytest.fixture
def real_site_db(real_site_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site.db"
    shutil.copyfile(real_site_template, copy)
    return copy


@pytest.fixture
def school_app(school_db: Path) -> CamauditApp:
    return make_app(school_db, now=lambda: NOW, cursor_blink=False)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests here on a fresh event loop (App.run_test is async; no asyncio plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
