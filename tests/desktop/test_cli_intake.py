"""``takeback intake serve`` and ``takeback intake add-platform`` against real databases and a real server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from threatexchange.exchanges.clients.stopncii.api import StopNCIIAPI

from desktop.cli import _COMMAND_MODULES, main
from desktop.cli import intake as intake_cli
from intake import Settings, serve_in_thread

REPO = Path(__file__).resolve().parents[2]


def run_cli(argv: list[str]) -> int:
    return main(argv)


def test_intake_is_a_registered_command() -> None:
    assert "intake" in _COMMAND_MODULES


def test_add_platform_prints_working_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/intake.sqlite3"
    assert run_cli(["intake", "migrate", "--db", url]) == 0
    capsys.readouterr()
    assert run_cli(["intake", "add-platform", "Example Social", "--db", url, "--signal-types", "ImageMD5"]) == 0
    keys = json.loads(capsys.readouterr().out)
    assert keys["name"] == "Example Social" and keys["signal_types"] == ["ImageMD5"]
    assert len(keys["subscription_key"]) >= 40 and len(keys["function_key"]) >= 40
    with serve_in_thread(Settings(database_url=url, port=0), migrate=False) as server:
        page = StopNCIIAPI(keys["subscription_key"], keys["function_key"], base_url_override=f"{server.url}/v1").fetch_hashes()
    assert page.count == 0 and page.hasMoreRecords is False


def test_add_platform_refuses_a_taken_name_and_unknown_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/intake.sqlite3"
    assert run_cli(["intake", "migrate", "--db", url]) == 0
    assert run_cli(["intake", "add-platform", "Twice", "--db", url]) == 0
    capsys.readouterr()
    assert run_cli(["intake", "add-platform", "Twice", "--db", url]) == 1
    assert "already exists" in capsys.readouterr().err
    assert run_cli(["intake", "add-platform", "Other", "--db", url, "--signal-types", "AudioHash"]) == 2
    assert "AudioHash" in capsys.readouterr().err


def test_default_database_is_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.delenv("TAKEBACK_INTAKE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert run_cli(["intake", "migrate"]) == 0
    assert run_cli(["intake", "add-platform", "Defaults"]) == 0
    created = list(tmp_path.rglob("intake.sqlite3"))
    assert len(created) == 1 and created[0].parent == intake_cli.user_data_dir()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_runs_until_interrupted_and_logs_no_requests(tmp_path: Path) -> None:
    port = _free_port()
    db = tmp_path / "served.sqlite3"
    assert run_cli(["intake", "migrate", "--db", f"sqlite:///{db}"]) == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "intake", "serve", "--db", f"sqlite:///{db}", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.1)
        response = httpx.get(f"{base}/v1/cases/ABC-DEF-GH23", headers={"Authorization": "Bearer " + "0" * 26})
        assert response.status_code == 404
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    stderr = err.decode()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "ABC-DEF-GH23" not in stderr and "GET /v1" not in stderr and "127.0.0.1:" not in stderr.replace(
        f"http://127.0.0.1:{port}", ""
    )
    assert db.exists()


@pytest.mark.parametrize("action", [["serve", "--port", "0"], ["add-platform", "Nowhere"], ["migrate"]])
def test_an_unusable_database_gets_a_clear_message(action: list[str], tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path}/missing-folder/intake.sqlite3"
    assert run_cli(["intake", *action, "--db", url]) == 1
    err = capsys.readouterr().err
    assert "Cannot open the intake database" in err and "Traceback" not in err


def test_database_passwords_are_not_shown(capsys) -> None:
    url = "postgresql://takeback:hunter2secret@127.0.0.1:1/intake"
    assert run_cli(["intake", "add-platform", "Nowhere", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "Cannot open the intake database" in err and "hunter2secret" not in err


def test_migrate_creates_then_reports_up_to_date_and_serve_refuses_an_unmigrated_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/intake.sqlite3"
    for action in (["serve", "--port", "0"], ["add-platform", "Too early"]):
        assert run_cli(["intake", *action, "--db", url]) == 1
        err = capsys.readouterr().err
        assert "has no tables yet" in err and "takeback intake migrate" in err and "Traceback" not in err
    assert run_cli(["intake", "migrate", "--db", url]) == 0
    assert "Created the intake database's tables" in capsys.readouterr().out
    assert run_cli(["intake", "migrate", "--db", url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_serve_reports_a_database_from_a_newer_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/intake.sqlite3"
    assert run_cli(["intake", "migrate", "--db", url]) == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    capsys.readouterr()
    for action in (["serve", "--port", "0"], ["migrate"]):
        assert run_cli(["intake", *action, "--db", url]) == 1
        err = capsys.readouterr().err
        assert "changed by a newer version of the service" in err and "Traceback" not in err


def test_rotated_platform_keys_work_and_the_old_ones_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/intake.sqlite3"
    assert run_cli(["intake", "migrate", "--db", url]) == 0
    assert run_cli(["intake", "add-platform", "Rotating", "--db", url, "--signal-types", "ImageMD5"]) == 0
    old = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert run_cli(["intake", "rotate-platform-keys", "Rotating", "--db", url]) == 0
    new = json.loads(capsys.readouterr().out)
    assert new["name"] == "Rotating" and new["signal_types"] == ["ImageMD5"]
    assert new["subscription_key"] != old["subscription_key"] and new["function_key"] != old["function_key"]
    with serve_in_thread(Settings(database_url=url, port=0), migrate=False) as server:
        def fetch(keys: dict) -> int:
            headers = {"Ocp-Apim-Subscription-Key": keys["subscription_key"], "x-functions-key": keys["function_key"]}
            return httpx.get(f"{server.url}/v1/FetchHashes", headers=headers).status_code

        assert (fetch(new), fetch(old)) == (200, 401)
    assert run_cli(["intake", "rotate-platform-keys", "Nobody", "--db", url]) == 1
    assert "no platform called 'Nobody'" in capsys.readouterr().err
