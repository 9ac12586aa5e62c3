"""The tables, as SQLAlchemy Core metadata: what the service stores, and nothing else.

Only days are stored, never times; no addresses, user agents or file names exist here to be stored. The
database itself is made and upgraded by the Alembic migrations in ``intake/migrations``; a test checks that
they build exactly these tables.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "CHANGES",
    "case_hashes",
    "cases",
    "counters",
    "feed_days",
    "feedback",
    "hash_records",
    "idempotency",
    "limit_events",
    "metadata",
    "platforms",
]

metadata = sa.MetaData()

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

#: The ``counters`` row every write transaction claims first (see :mod:`intake.storage.engine`).
CHANGES = "changes"

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_number", sa.String(10), nullable=False, unique=True),
    # What platforms see in caseNumbers: the person's number would let anyone holding the list throttle them
    # out of their own case by guessing keys.
    sa.Column("exchange_ref", sa.String(16), nullable=False, unique=True),
    sa.Column("program", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(200), nullable=False),
    sa.Column("created_on", sa.Date, nullable=False),
    sa.Column("updated_on", sa.Date, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("fingerprint_count", sa.Integer, nullable=False),
)

hash_records = sa.Table(
    "hash_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("signal_type", sa.String(16), nullable=False),
    # Values can be 350 KB (TMK); indexes use their SHA-256 instead.
    sa.Column("value_digest", sa.String(64), nullable=False, index=True),
    sa.Column("hash_value", sa.Text, nullable=False),
    sa.Column("change_seq", sa.BigInteger, nullable=False),
    sa.Column("modified_on", sa.Date, nullable=False, index=True),
    sa.UniqueConstraint("signal_type", "value_digest", name="uq_hash_records_type_digest"),
    sa.Index("ix_hash_records_feed", "change_seq", "id"),
)

#: The first change number written on each day: where a platform's sync from that day starts in the feed.
feed_days = sa.Table(
    "feed_days",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
)

case_hashes = sa.Table(
    "case_hashes",
    metadata,
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("hash_id", sa.Integer, sa.ForeignKey("hash_records.id"), primary_key=True, index=True),
)

platforms = sa.Table(
    "platforms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("subscription_digest", sa.String(64), nullable=False, unique=True),
    sa.Column("function_digest", sa.String(64), nullable=False),
    sa.Column("signal_types", sa.String(200), nullable=False),
    sa.Column("created_on", sa.Date, nullable=False),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("platform_id", sa.Integer, sa.ForeignKey("platforms.id"), primary_key=True),
    sa.Column("value_digest", sa.String(64), primary_key=True, index=True),
    sa.Column("feedback_value", sa.String(32), nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("modified_on", sa.Date, nullable=False),
)

idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("scope", sa.String(40), primary_key=True),
    sa.Column("key_digest", sa.String(64), primary_key=True),
    sa.Column("request_digest", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("created_on", sa.Date, nullable=False, index=True),
)

#: Recent events that limits count (failed case look-ups today), shared by every service process. Rows live
#: only as long as a limit's window; on PostgreSQL the table is UNLOGGED (never in the WAL or on replicas).
limit_events = sa.Table(
    "limit_events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(16), nullable=False),
    # SHA-256 of what is limited (a case number): the table never holds the number itself.
    sa.Column("key_digest", sa.String(64), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),  # whole seconds since 1970, kept one window at most
    sa.Index("ix_limit_events_key", "scope", "key_digest", "at"),
    sa.Index("ix_limit_events_at", "at"),
)
