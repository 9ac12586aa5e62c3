"""``takeback gui`` and ``takeback`` alone: the options reach the app, and demo mode runs a real service."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import desktop.app
from desktop.cli import main


@pytest.fixture
def started(monkeypatch) -> list[dict]:
    """Replaces the app's event loop with a recorder (and, in demo mode, a call to the embedded service)."""
    calls: list[dict] = []

    def fake_run(*, intake_url: str, shared: bool, argv=(), language=None) -> int:
        call = {"intake_url": intake_url, "shared": shared}
        if intake_url.startswith("http://127.0.0.1:"):
            call["openapi"] = httpx.get(f"{intake_url}/openapi.json", timeout=10).status_code
        calls.append(call)
        return 0

    monkeypatch.setattr(desktop.app, "run", fake_run)
    return calls


@pytest.mark.parametrize(
    ("argv", "shared"),
    [([], False), (["--shared"], True), (["gui"], False), (["gui", "--shared"], True)],
)
def test_takeback_alone_or_with_options_opens_the_app(started, argv, shared):
    assert main(argv) == 0
    assert started == [{"intake_url": desktop.app.DEFAULT_INTAKE_URL, "shared": shared}]


def test_intake_address_is_passed_on(started):
    assert main(["gui", "--intake", "https://intake.example.org"]) == 0
    assert started[0]["intake_url"] == "https://intake.example.org"


def test_demo_runs_a_real_service_on_loopback_and_removes_its_database(started, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # pick up TMPDIR
    assert main(["gui", "--demo", "--shared"]) == 0
    assert started[0]["openapi"] == 200 and started[0]["shared"] is True
    assert list(Path(tmp_path).iterdir()) == []


def test_version_and_help_still_work(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "Takeback" in capsys.readouterr().out
