"""The failure throttle's window, shared by processes, and reading settings from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from intake import Settings, Storage, load_settings
from intake.storage import limit_events
from intake.throttle import FailureThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def storage(empty_db_url: str) -> Iterator[Storage]:
    storage = Storage(empty_db_url)
    storage.migrate()
    yield storage
    storage.dispose()


def test_blocks_after_the_limit_and_frees_when_failures_age_out(storage: Storage) -> None:
    clock = Clock()
    throttle = FailureThrottle(storage, 3, 60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("A") is None
        throttle.failed("A")
        clock.now += 10
    assert throttle.retry_after("A") == pytest.approx(30)  # the oldest failure counts until 1060
    assert throttle.retry_after("B") is None
    clock.now += 31
    assert throttle.retry_after("A") is None


def test_success_clears_the_count(storage: Storage) -> None:
    throttle = FailureThrottle(storage, 2, 60, clock=Clock())
    throttle.failed("A")
    throttle.succeeded("A")
    throttle.failed("A")
    assert throttle.retry_after("A") is None


def test_processes_count_together_and_old_failures_are_deleted(storage: Storage, empty_db_url: str) -> None:
    clock = Clock()
    other_process = Storage(empty_db_url)
    try:
        mine, theirs = FailureThrottle(storage, 2, 60, clock=clock), FailureThrottle(other_process, 2, 60, clock=clock)
        mine.failed("A")
        theirs.failed("A")
        assert mine.retry_after("A") is not None and theirs.retry_after("A") is not None
        clock.now += 61
        theirs.failed("B")  # each failure forgets the expired ones
    finally:
        other_process.dispose()
    with storage.engine.connect() as conn:
        rows = conn.execute(sa.select(limit_events)).all()
    assert len(rows) == 1 and "B" not in repr(rows)  # keys are stored as digests


def test_throttle_rejects_nonsense(storage: Storage) -> None:
    with pytest.raises(ValueError):
        FailureThrottle(storage, 0, 60)


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
