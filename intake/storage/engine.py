"""Connections and transactions: the engine for each database, and the one write transaction every change uses.

Every write is one transaction, and every write transaction first claims the ``changes`` counter row. That
row lock serialises writers, which keeps the platforms' change feed gap-free (a record committed later always
carries a higher change number than one a platform has already paged past) and makes check-then-insert safe
on both databases. On SQLite the same effect comes from ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import DatabaseUnavailable
from .migrate import check as check_revision
from .migrate import upgrade as upgrade_revision
from .schema import CHANGES, counters, feed_days
from .views import IdempotentAnswer

__all__ = ["Database", "Unchanged", "chunks", "database_url", "digest_of", "utc_today"]

_IN_CHUNK = 500


def utc_today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def database_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here; anything else passes through."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def digest_of(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def chunks(values: list, size: int = _IN_CHUNK) -> Iterator[list]:
    """``values`` in slices small enough for an ``IN (...)`` list on every database."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Unchanged(Exception):
    """Leaves a write transaction by rolling it back, carrying the answer to give."""

    def __init__(self, answer: IdempotentAnswer) -> None:
        super().__init__("unchanged")
        self.answer = answer


class Database:
    """The engine and the transactions of one storage layer. Thread-safe; one instance per process.

    Args:
        url: SQLAlchemy URL (``sqlite:///path``, ``postgresql://user@host:port/db``).
        today: the clock, in days (tests move it).
    """

    def __init__(
        self,
        url: str,
        *,
        today: Callable[[], dt.date] = utc_today,
    ) -> None:
        self.url = database_url(url)
        self.today = today
        self.engine = _make_engine(self.url)
        self._writer = self.engine.execution_options(takeback_write=True)

    # --- lifecycle ---

    def migrate(self) -> str | None:
        """Create or upgrade the tables to this release's schema (safe to repeat); returns the revision found.

        Raises:
            DatabaseUnavailable: the database cannot be reached, opened or written.
            DatabaseTooNew: a newer release changed the database (refuse, never downgrade).
        """
        with self._guarded():
            with self._write_unlocked() as conn:
                return upgrade_revision(conn, self.where)

    def check_schema(self) -> None:
        """Return when the database is at this release's schema; the service calls this before it serves.

        Raises:
            DatabaseUnavailable: the database cannot be reached or opened.
            DatabaseOutOfDate: the database is empty or older (``takeback intake migrate`` upgrades it).
            DatabaseTooNew: a newer release changed the database.
        """
        with self._guarded():
            with self._read() as conn:
                check_revision(conn, self.where)

    @property
    def where(self) -> str:
        """The database's URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseUnavailable(self.where) from exc

    def dispose(self) -> None:
        self.engine.dispose()

    # --- transactions ---

    @contextmanager
    def _write_unlocked(self) -> Iterator[Connection]:
        """A write transaction that leaves the change counter alone: for writes platforms never see."""
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _write(self, changes: int = 1, *, day: dt.date | None = None) -> Iterator[tuple[Connection, int, dt.date]]:
        """A write transaction holding the change counter: yields the first of the ``changes`` numbers it
        claimed, and the day (default today) its changed records carry.

        The day is noted in ``feed_days`` with the first change number written on it, which is how a platform's
        first page finds where a day starts in the feed without scanning it (see ``PlatformFeed.fetch_page``).
        Raising :class:`Unchanged` inside rolls everything back (the counter too): a replay changes nothing.
        """
        with self._writer.begin() as conn:
            last = conn.execute(
                counters.update()
                .where(counters.c.name == CHANGES)
                .values(value=counters.c.value + changes)
                .returning(counters.c.value)
            ).scalar_one()
            first, day = last - changes + 1, day or self.today()
            # Writers are serialised by the counter, so this check-then-insert cannot race.
            if conn.execute(sa.select(feed_days.c.day).where(feed_days.c.day == day)).first() is None:
                conn.execute(feed_days.insert().values(day=day, first_seq=first))
            yield conn, first, day

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn


def _make_engine(url: str) -> Engine:
    # hide_parameters: a failing statement's message must never carry fingerprints or key hashes into a log.
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, hide_parameters=True, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # connect_timeout: a readiness probe or a start-up against an unreachable server fails in seconds, not minutes.
    return sa.create_engine(url, hide_parameters=True, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _configure_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide where transactions start, and start writes IMMEDIATE.

    A deferred transaction that reads and then writes fails at once (no busy wait) when another writer got
    in between; taking the write lock up front makes concurrent writers queue instead.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("takeback_write") else "BEGIN")
