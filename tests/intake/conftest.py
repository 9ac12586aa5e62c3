"""Intake fixtures: every storage-touching test runs on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa

from intake import ScryptParams, ServerHandle, Settings, serve_in_thread
from intake.storage import database_url as driver_url

#: Cheap scrypt for the many authenticated calls; test_defaults_use_strong_scrypt covers the real cost.
FAST_SCRYPT = ScryptParams(n=2**10, r=8, p=1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/intake.sqlite3"
        return
    base = driver_url(request.getfixturevalue("postgres_url"))
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, port=0, scrypt=FAST_SCRYPT)


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerHandle]:
    handle = serve_in_thread(settings)
    yield handle
    handle.stop()


@pytest.fixture
def client(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http
