"""Reading settings from the environment, where the server secret lives, and the quiet log filter."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from intake import Settings, load_settings
from intake.connections import OncePerMinute
from intake.secrets_store import ServerSecret


def test_arguments_win_over_the_environment() -> None:
    environ = {"TAKEBACK_INTAKE_DB": "sqlite:///env.db", "TAKEBACK_INTAKE_PORT": "9000"}
    settings = load_settings({"port": 7000, "host": None}, environ=environ)
    assert (settings.database_url, settings.host, settings.port) == ("sqlite:///env.db", "127.0.0.1", 7000)
    assert load_settings({}, environ=environ).port == 9000


def test_missing_or_malformed_settings_say_which() -> None:
    with pytest.raises(ValueError, match="TAKEBACK_INTAKE_DB"):
        load_settings({}, environ={})
    with pytest.raises(ValueError, match="TAKEBACK_INTAKE_PORT"):
        load_settings({}, environ={"TAKEBACK_INTAKE_DB": "sqlite://", "TAKEBACK_INTAKE_PORT": "eighty"})
    with pytest.raises(ValueError):
        Settings(database_url="sqlite://", port=70000)
    assert load_settings({}, environ={}, default_database_url="sqlite:///d.db").database_url == "sqlite:///d.db"


def test_the_secret_lives_beside_a_sqlite_file_and_must_be_named_for_postgresql(tmp_path: Path) -> None:
    assert Settings(database_url=f"sqlite:///{tmp_path}/i.sqlite3").secret_path() == tmp_path / "i.sqlite3.secret"
    assert Settings(database_url="sqlite://").secret_path() is None
    with pytest.raises(ValueError, match="TAKEBACK_INTAKE_SECRET_FILE"):
        Settings(database_url="postgresql://db.internal/intake").secret_path()
    named = load_settings({}, environ={"TAKEBACK_INTAKE_DB": "postgresql://h/d", "TAKEBACK_INTAKE_SECRET_FILE": "/s"})
    assert named.secret_path() == Path("/s")


def test_processes_starting_together_share_one_secret(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "intake.secret"
    with ThreadPoolExecutor(8) as pool:
        secrets = list(pool.map(lambda _: ServerSecret.load_or_create(path), range(16)))
    assert len({s.key_id for s in secrets}) == 1
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["intake.secret"]  # no staging file left behind
    (tmp_path / "bad.secret").write_text("not hex")
    with pytest.raises(ValueError):
        ServerSecret.load_or_create(tmp_path / "bad.secret")


def test_one_line_per_kind_of_event_per_minute() -> None:
    now = [0.0]
    quiet = OncePerMinute(clock=lambda: now[0])

    def record(msg: str, *args: object) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, msg, args, None)

    assert quiet.filter(record("Invalid HTTP request received."))
    assert not any(quiet.filter(record("Invalid HTTP request received.")) for _ in range(500))
    assert quiet.filter(record("another kind %s", "x"))
    now[0] = 61
    later = record("Invalid HTTP request received.")
    assert quiet.filter(later) and "500 more" in later.getMessage()
