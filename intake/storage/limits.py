"""The events that limits count, kept in the database so every service process counts the same ones.

Policy (how many, how long) lives with each limit (:mod:`intake.throttle`); this module only keeps dated
events per (scope, key) and forgets them. Keys are stored as SHA-256 digests.
"""

from __future__ import annotations

import sqlalchemy as sa

from .engine import Database, digest_of
from .schema import limit_events

__all__ = ["LimitEvents"]


class LimitEvents(Database):
    """Dated events per (scope, key), shared by all processes on the database."""

    def recent_events(self, scope: str, key: str, since: int) -> list[int]:
        """When (whole seconds) each event of ``key`` at or after ``since`` happened, oldest first."""
        with self._read() as conn:
            return list(
                conn.execute(
                    sa.select(limit_events.c.at)
                    .where(
                        limit_events.c.scope == scope,
                        limit_events.c.key_digest == digest_of(key),
                        limit_events.c.at >= since,
                    )
                    .order_by(limit_events.c.at)
                ).scalars()
            )

    def record_event(self, scope: str, key: str, at: int, *, forget_before: int) -> None:
        """Keep one event of ``key``, and forget every event of ``scope`` older than ``forget_before``."""
        with self._write_unlocked() as conn:
            conn.execute(limit_events.delete().where(limit_events.c.scope == scope, limit_events.c.at < forget_before))
            conn.execute(limit_events.insert().values(scope=scope, key_digest=digest_of(key), at=at))

    def forget_events(self, scope: str, key: str) -> None:
        """Forget every event of ``key`` (a write only when there is something to forget)."""
        where = (limit_events.c.scope == scope, limit_events.c.key_digest == digest_of(key))
        with self._read() as conn:
            if conn.execute(sa.select(limit_events.c.id).where(*where).limit(1)).first() is None:
                return
        with self._write_unlocked() as conn:
            conn.execute(limit_events.delete().where(*where))
