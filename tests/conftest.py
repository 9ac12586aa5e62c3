"""Test-wide set-up: Qt draws offscreen, helpers to find the test media, the reference videos hashed once, and
quick runs that do not import the modules they leave out."""

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

# Before any QApplication exists: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA = Path(__file__).parent / "data"

#: ``pytestmark = pytest.mark.slow`` or ``pytestmark = [..., pytest.mark.slow]``: every test there is slow.
_WHOLLY_SLOW = re.compile(r"^pytestmark = (pytest\.mark\.slow\b|\[[^\]]*pytest\.mark\.slow\b)", re.MULTILINE)


def _leaves_out_slow(config: pytest.Config) -> bool:
    """Whether ``-m`` deselects every slow test whatever its other markers (as "not slow and not release" does)."""
    expression = config.getoption("markexpr")
    if not expression:
        return False
    try:
        from _pytest.mark.expression import Expression  # pytest's own -m parser; without it, collect as usual
    except ImportError:
        return False
    compiled = Expression.compile(expression)
    return not any(compiled.evaluate(lambda name, other=other, **_: name == "slow" or other) for other in (False, True))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A quick run (``-m "not slow ..."``) does not even import the modules that are slow as a whole.

    Importing costs: Schemathesis builds its test cases while the module is collected, about three seconds of
    CPU in every process (each pytest-xdist worker collects for itself) for tests that are then deselected.
    """
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    if _leaves_out_slow(config) and _WHOLLY_SLOW.search(collection_path.read_text(encoding="utf-8")):
        return True
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def reference_video() -> Callable[[str], object]:
    """``reference_video(name)``: Meta's sample video ``tests/data/videos/<name>.mp4`` through ``hash_video``.

    Every frame's vPDQ and the TMK+PDQF, from one decoding pass per video per session: decoding these videos
    is most of the media tests' time, so every test that only reads the result shares this one. Tests that
    check another way of decoding (a sampling interval, a second thread, OpenCV directly) still decode again.
    """
    from hashing.video import hash_video

    results: dict[str, object] = {}
    lock = threading.Lock()

    def fingerprints(name: str) -> object:
        with lock:
            if name not in results:
                results[name] = hash_video(DATA / "videos" / f"{name}.mp4", vpdq_every=0)
            return results[name]

    return fingerprints


@pytest.fixture(scope="session")
def intake_server(tmp_path_factory: pytest.TempPathFactory):
    """The real intake service on a free loopback port, with SQLite in a temporary folder, for the session.

    Yields a handle with ``.url`` (no trailing slash), ``.app`` and ``.stop()``.
    """
    from intake import Settings, serve_in_thread

    folder = tmp_path_factory.mktemp("intake-server")
    # Proofs of work any first nonce meets: real difficulty costs a second per case (tests/intake covers it).
    settings = Settings(database_url=f"sqlite:///{folder}/intake.sqlite3", port=0, proof_of_work=1,
                        proof_of_work_per_item=0)
    handle = serve_in_thread(settings)
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The throw-away PostgreSQL server that scripts/test starts (scripts/postgres-for-tests).

    In CI (``CI=true``) its absence fails the test; locally it skips with the command that provides it.
    """
    url = os.environ.get("TAKEBACK_TEST_POSTGRES_URL")
    if url:
        return url
    reason = (
        "TAKEBACK_TEST_POSTGRES_URL is not set: run the tests with scripts/test, or export "
        "TAKEBACK_TEST_POSTGRES_URL=$(scripts/postgres-for-tests start)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
