"""Intake fixtures: every storage-touching test runs on SQLite and on the real PostgreSQL server.

One server per database backend serves the whole session (starting and stopping uvicorn costs more than most
tests); each test gets it with every table emptied first. Tests that need other settings start their own
server on the same database.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from intake_testkit import person_client, postgres_schema

from intake import ServerHandle, Settings, serve_in_thread
from intake.storage import counters, metadata
from intake.storage import database_url as driver_url

_TLS = ssl.create_default_context()

#: A proof of work that any first nonce meets, so creating a case costs tests one scrypt call, not a second;
#: test_proof_of_work.py covers the real cost.
FREE_WORK = {"proof_of_work": 1, "proof_of_work_per_item": 0}


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for the session: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('intake-db')}/intake.sqlite3"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001
    """A database of its own for one test, with no tables at all: a new SQLite file or PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    secret = tmp_path_factory.mktemp("intake-secret") / "intake.secret"
    return Settings(database_url=backend_url, port=0, secret_file=str(secret), **FREE_WORK)


@pytest.fixture(scope="session")
def shared_server(settings: Settings) -> Iterator[ServerHandle]:
    handle = serve_in_thread(settings)
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def cleaning_engine(backend_url: str) -> Iterator[sa.Engine]:
    """One connection pool for emptying the database between tests (a new one per test costs a connection)."""
    engine = sa.create_engine(driver_url(backend_url))
    yield engine
    engine.dispose()


@pytest.fixture
def db_url(backend_url: str, shared_server: ServerHandle, cleaning_engine: sa.Engine) -> str:
    """The session's database, emptied: every table as a fresh install leaves it."""
    with cleaning_engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table is not counters:
                conn.execute(table.delete())
        conn.execute(counters.update().where(counters.c.name == "changes").values(value=0))
    return backend_url


@pytest.fixture
def server(db_url: str, shared_server: ServerHandle) -> ServerHandle:
    return shared_server


@pytest.fixture
def client(server: ServerHandle) -> Iterator[httpx.Client]:
    # Plain http to loopback: sharing one TLS context saves loading the CA bundle (~20 ms) for every test.
    with person_client(server.url, timeout=30, verify=_TLS) as http:
        yield http
