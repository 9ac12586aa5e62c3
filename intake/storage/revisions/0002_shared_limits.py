"""Limits count across processes: the ``limit_events`` table; the first release's mark goes to 2.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

The first release refuses a ``schema_version`` mark above 1, so raising it keeps that release off a database
this one has changed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # UNLOGGED: the rows live minutes, so keep them out of the WAL, replicas and crash recovery.
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "limit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        prefixes=unlogged,
    )
    op.create_index("ix_limit_events_key", "limit_events", ["scope", "key_digest", "at"])
    op.create_index("ix_limit_events_at", "limit_events", ["at"])
    op.execute("UPDATE counters SET value = 2 WHERE name = 'schema_version'")


def downgrade() -> None:
    op.execute("UPDATE counters SET value = 1 WHERE name = 'schema_version'")
    op.drop_table("limit_events")
