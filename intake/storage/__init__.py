"""The one storage layer: SQLAlchemy Core over SQLite (default) or PostgreSQL (psycopg 3).

Split by job: ``schema`` (the tables), ``views`` (the records handed back), ``engine`` (connections and the
serialised write transaction), ``migrate`` (Alembic revisions), ``cases`` (the person's writes), ``feed``
(the platforms' side). The ``limit_events`` table of the wrong-key throttle stays in the schema, unused since
the throttle went (issue #12: it let strangers lock people out); a later revision can drop it.
:class:`Storage` is all of it behind one object, the only one the service and the tools use.
"""

from __future__ import annotations

from .cases import IDEMPOTENCY_DAYS, CaseStore, ImportedCase
from .engine import database_url, utc_today
from .feed import PlatformFeed
from .schema import (
    case_hashes,
    cases,
    counters,
    feed_days,
    feedback,
    hash_records,
    idempotency,
    limit_events,
    metadata,
    platforms,
)
from .views import (
    FeedRow,
    FetchPage,
    IdempotentAnswer,
    PlatformAccount,
    PlatformKeys,
    StoredCaseKey,
)

__all__ = [
    "IDEMPOTENCY_DAYS",
    "FeedRow",
    "FetchPage",
    "IdempotentAnswer",
    "ImportedCase",
    "PlatformAccount",
    "PlatformKeys",
    "Storage",
    "StoredCaseKey",
    "case_hashes",
    "cases",
    "counters",
    "database_url",
    "feed_days",
    "feedback",
    "hash_records",
    "idempotency",
    "limit_events",
    "metadata",
    "platforms",
    "utc_today",
]


class Storage(CaseStore, PlatformFeed):
    """All reads and writes of the service. Thread-safe; one instance per process.

    Args:
        url: SQLAlchemy URL (``sqlite:///path``, ``postgresql://user@host:port/db``).
        today: the clock, in days (tests move it).
    """
