"""The schema of the first release (its ``schema_version`` mark is 1).

Revision ID: 0001
Revises:
Create Date: 2026-11-30

Databases that release made with ``create_all`` have exactly these tables and no ``alembic_version``;
:func:`intake.storage.migrate.upgrade` stamps them with this revision instead of running it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_number", sa.String(10), nullable=False, unique=True),
        sa.Column("exchange_ref", sa.String(16), nullable=False, unique=True),
        sa.Column("program", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(200), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("updated_on", sa.Date, nullable=False),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("fingerprint_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "hash_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("signal_type", sa.String(16), nullable=False),
        sa.Column("value_digest", sa.String(64), nullable=False),
        sa.Column("hash_value", sa.Text, nullable=False),
        sa.Column("change_seq", sa.BigInteger, nullable=False),
        sa.Column("modified_on", sa.Date, nullable=False),
        sa.UniqueConstraint("signal_type", "value_digest", name="uq_hash_records_type_digest"),
    )
    op.create_index("ix_hash_records_value_digest", "hash_records", ["value_digest"])
    op.create_index("ix_hash_records_modified_on", "hash_records", ["modified_on"])
    op.create_index("ix_hash_records_feed", "hash_records", ["change_seq", "id"])
    op.create_table(
        "case_hashes",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("hash_id", sa.Integer, sa.ForeignKey("hash_records.id"), primary_key=True),
    )
    op.create_index("ix_case_hashes_hash_id", "case_hashes", ["hash_id"])
    op.create_table(
        "platforms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("subscription_digest", sa.String(64), nullable=False, unique=True),
        sa.Column("function_digest", sa.String(64), nullable=False),
        sa.Column("signal_types", sa.String(200), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("platform_id", sa.Integer, sa.ForeignKey("platforms.id"), primary_key=True),
        sa.Column("value_digest", sa.String(64), primary_key=True),
        sa.Column("feedback_value", sa.String(32), nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("modified_on", sa.Date, nullable=False),
    )
    op.create_index("ix_feedback_value_digest", "feedback", ["value_digest"])
    op.create_table(
        "idempotency",
        sa.Column("scope", sa.String(40), primary_key=True),
        sa.Column("key_digest", sa.String(64), primary_key=True),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    op.create_index("ix_idempotency_created_on", "idempotency", ["created_on"])
    op.bulk_insert(counters, [{"name": "changes", "value": 0}, {"name": "schema_version", "value": 1}])


def downgrade() -> None:
    raise NotImplementedError("the first schema has nothing to go back to")
