"""Schema migrations with Alembic: bring a database to this release's schema, and tell whether it is there.

The revisions live in ``revisions/`` beside this module (plain Alembic revision files). They run here, inside
the caller's transaction, rather than through an ``env.py``: ``takeback intake migrate`` is the one way to
upgrade, and the service itself only checks (:func:`check`), so several processes never race to change a
schema under each other.

The first release made its tables with ``create_all`` and marked them ``schema_version`` 1 in ``counters``,
without an ``alembic_version`` table. Such a database is at revision 0001; :func:`upgrade` stamps it so and
carries on from there. The mark stays, raised to 2 from revision 0002 on, so that first release (which
refuses any mark above 1) cannot start on a database a newer service has changed.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from ..errors import DatabaseOutOfDate, DatabaseTooNew

__all__ = ["REVISIONS", "check", "current_revision", "head", "upgrade"]

REVISIONS = Path(__file__).with_name("revisions")
_FIRST_RELEASE = "0001"
# Any fixed number: every `migrate` takes this PostgreSQL advisory lock, so two at once run one after the other.
_MIGRATION_LOCK = 7_162_014


@cache
def _script() -> ScriptDirectory:
    # Alembic tells at INFO which dialect it found each time it looks at a database: noise in the service's
    # log. What it does while upgrading (INFO "Running upgrade ...") stays visible to `takeback intake migrate`.
    logging.getLogger("alembic.runtime.migration").addFilter(_drop_context_notes)
    return ScriptDirectory(str(REVISIONS), version_locations=[str(REVISIONS)])


def _drop_context_notes(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith(("Context impl", "Will assume"))


def _context(conn: Connection, **opts: object) -> MigrationContext:
    _script()  # its logging filter first
    return MigrationContext.configure(conn, opts=opts)


def head() -> str:
    """The revision this release's tables are at."""
    return _script().get_current_head()


def _known() -> frozenset[str]:
    return frozenset(script.revision for script in _script().walk_revisions())


def current_revision(conn: Connection) -> str | None:
    """The database's revision: from ``alembic_version``, else the first release's mark, else None (empty).

    A first-release mark above 1 comes back as ``schema_version N``, which no revision here knows.
    """
    found = _context(conn).get_current_revision()
    if found is not None or not sa.inspect(conn).has_table("counters"):
        return found
    mark = conn.execute(sa.text("SELECT value FROM counters WHERE name = 'schema_version'")).scalar()
    if mark is None:
        return None
    return _FIRST_RELEASE if mark == 1 else f"schema_version {mark}"


def check(conn: Connection, where: str) -> None:
    """Return when the database is at this release's revision; raise otherwise.

    Raises:
        DatabaseOutOfDate: the database is empty or at an older revision (``takeback intake migrate`` fixes it).
        DatabaseTooNew: a newer release changed the database; this one must not touch it.
    """
    found = current_revision(conn)
    if found == head():
        return
    if found is None or found in _known():
        raise DatabaseOutOfDate(where, found, head())
    raise DatabaseTooNew(where, found, head())


def upgrade(conn: Connection, where: str) -> str | None:
    """Bring the database to this release's revision inside the caller's transaction; returns where it was.

    Raises:
        DatabaseTooNew: a newer release changed the database; nothing is touched.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK})
    found = current_revision(conn)
    if found is not None and found not in _known():
        raise DatabaseTooNew(where, found, head())
    script = _script()
    context = _context(conn, fn=lambda heads, _migration: script._upgrade_revs(head(), heads))
    with Operations.context(context):
        if found is not None and context.get_current_revision() is None:
            context.stamp(script, found)  # a first-release database: its tables are revision 0001's
        context.run_migrations()
    return found
