"""The failure throttle's window and memory bound, and reading settings from the environment."""

from __future__ import annotations

import pytest

from intake import Settings, load_settings
from intake.throttle import FailureThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_the_limit_and_frees_when_failures_age_out() -> None:
    clock = Clock()
    throttle = FailureThrottle(3, 60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("A") is None
        throttle.failed("A")
        clock.now += 10
    assert throttle.retry_after("A") == pytest.approx(30)  # the oldest failure counts until 1060
    assert throttle.retry_after("B") is None
    clock.now += 31
    assert throttle.retry_after("A") is None


def test_success_clears_the_count() -> None:
    throttle = FailureThrottle(2, 60, clock=Clock())
    throttle.failed("A")
    throttle.succeeded("A")
    throttle.failed("A")
    assert throttle.retry_after("A") is None


def test_memory_is_bounded() -> None:
    clock = Clock()
    throttle = FailureThrottle(1, 60, clock=clock, max_tracked=100)
    for i in range(1000):
        throttle.failed(f"key{i}")
    assert len(throttle._failures) <= 100
    assert throttle.retry_after("key999") is not None


def test_throttle_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        FailureThrottle(0, 60)


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
