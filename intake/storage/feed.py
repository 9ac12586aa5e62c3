"""The platforms' side: their accounts, the hash-list feed they page through, and the feedback they send."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import CaseState, FeedbackValue, HashStatus, SignalType
from ..secrets_store import key_digest, new_platform_key
from .engine import Database, chunks, digest_of
from .schema import case_hashes, cases, feed_days, feedback, hash_records, platforms
from .views import FeedRow, FetchPage, PlatformAccount, PlatformKeys

__all__ = ["PlatformFeed"]


class PlatformFeed(Database):
    """Platform accounts and the change feed of hash records."""

    def add_platform(self, name: str, signal_types: Iterable[SignalType]) -> PlatformKeys:
        """Register a platform and return its new keys (the only time they exist in clear).

        Raises:
            ValueError: the name is empty, too long, or taken.
        """
        name = name.strip()
        if not 0 < len(name) <= 100:
            raise ValueError("a platform name has 1 to 100 characters")
        types = tuple(sorted(set(signal_types), key=lambda t: t.value))
        keys = PlatformKeys(name, new_platform_key(), new_platform_key(), types)
        with self._write_unlocked() as conn:
            if conn.execute(sa.select(platforms.c.id).where(platforms.c.name == name)).first() is not None:
                raise ValueError(f"a platform called {name!r} already exists")
            conn.execute(
                platforms.insert().values(
                    name=name,
                    subscription_digest=key_digest(keys.subscription_key),
                    function_digest=key_digest(keys.function_key),
                    signal_types=",".join(t.value for t in types),
                    created_on=self.today(),
                )
            )
        return keys

    def rotate_platform_keys(self, name: str) -> PlatformKeys:
        """Give a platform new keys; the old ones stop working at once. Returns the new keys (shown once).

        Raises:
            ValueError: no platform has that name.
        """
        new = PlatformKeys(name.strip(), new_platform_key(), new_platform_key(), ())
        with self._write_unlocked() as conn:
            row = conn.execute(
                platforms.update()
                .where(platforms.c.name == new.name)
                .values(
                    subscription_digest=key_digest(new.subscription_key), function_digest=key_digest(new.function_key)
                )
                .returning(platforms.c.signal_types)
            ).first()
        if row is None:
            raise ValueError(f"there is no platform called {new.name!r}")
        types = tuple(SignalType(v) for v in row.signal_types.split(",") if v)
        return PlatformKeys(new.name, new.subscription_key, new.function_key, types)

    def platform_by_subscription_key(self, subscription_key: str) -> PlatformAccount | None:
        with self._read() as conn:
            row = conn.execute(
                sa.select(platforms).where(platforms.c.subscription_digest == key_digest(subscription_key))
            ).first()
        if row is None:
            return None
        types = frozenset(SignalType(v) for v in row.signal_types.split(",") if v)
        return PlatformAccount(row.id, row.name, row.function_digest, types)

    def fetch_page(
        self,
        *,
        since: dt.date,
        after: tuple[int, int],
        signal_types: frozenset[SignalType],
        page_size: int,
        byte_budget: int,
    ) -> FetchPage:
        """Hash records changed on or after ``since`` and after the ``(change_seq, id)`` cursor, in feed order.

        A page stops early once its hash values pass ``byte_budget`` (TMK values are 350 KB each), but always
        holds at least one record so paging moves on.
        """
        seq, last_id = after
        with self._read() as conn:
            if (seq, last_id) == (-1, -1):
                # A first page: start at the first change number written on or after ``since`` (feed_days
                # holds one row per day), not at the feed's beginning. Every record changed on those days
                # has that number or a later one, whatever the order of days along the feed.
                first = conn.execute(sa.select(sa.func.min(feed_days.c.first_seq)).where(feed_days.c.day >= since)).scalar()
                if first is None:
                    return FetchPage((), False)
                seq, last_id = first, -1
            position = sa.tuple_(hash_records.c.change_seq, hash_records.c.id)
            wanted = (
                hash_records.c.modified_on >= since,
                hash_records.c.signal_type.in_([t.value for t in signal_types]),
                # A row comparison, which PostgreSQL and SQLite answer by seeking the feed index; the
                # equivalent OR of two conditions made PostgreSQL walk the index from its start (0.56 s
                # a page in the middle of a million records, against 7 ms).
                position > sa.tuple_(seq, last_id),
                # Implied by the row comparison, but PostgreSQL estimates rows only from plain bounds: without
                # them it guessed a page's joins would touch a quarter of the table and chose full scans.
                hash_records.c.change_seq >= seq,
            )
            rows = conn.execute(
                sa.select(
                    hash_records.c.id,
                    hash_records.c.change_seq,
                    hash_records.c.signal_type,
                    hash_records.c.hash_value,
                    hash_records.c.value_digest,
                    hash_records.c.modified_on,
                )
                .where(*wanted)
                .order_by(hash_records.c.change_seq, hash_records.c.id)
                .limit(page_size + 1)
            ).all()
            has_more = len(rows) > page_size
            kept, used = [], 0
            for row in rows[:page_size]:
                if kept and used + len(row.hash_value) > byte_budget:
                    has_more = True
                    break
                kept.append(row)
                used += len(row.hash_value)
            # The page's records are one stretch of the feed: its cases and feedback come from two joins over
            # that stretch, not from IN lists of thousands of ids (which cost more to send than to answer).
            page = (
                (*wanted, position <= sa.tuple_(kept[-1].change_seq, kept[-1].id), hash_records.c.change_seq <= kept[-1].change_seq)
                if kept
                else (sa.false(),)
            )
            refs = _case_refs(conn, page)
            fbs = _feedbacks(conn, page)
        return FetchPage(
            tuple(
                FeedRow(
                    r.id,
                    r.change_seq,
                    SignalType(r.signal_type),
                    r.hash_value,
                    r.modified_on,
                    refs.get(r.id, {}),
                    fbs.get(r.value_digest, ()),
                )
                for r in kept
            ),
            has_more,
        )

    def submit_feedback(
        self, platform_id: int, items: Sequence[tuple[str, FeedbackValue, Sequence[str]]]
    ) -> tuple[int, int]:
        """Record a platform's latest feedback per hash value; returns (recorded, unknown hash values)."""
        latest: dict[str, tuple[FeedbackValue, tuple[str, ...]]] = {}
        for value, fb, tags in items:
            latest[digest_of(value)] = (fb, tuple(sorted(set(tags))))
        with self._write() as (conn, seq, today):
            known: set[str] = set()
            for chunk in chunks(list(latest)):
                known.update(
                    conn.execute(
                        sa.select(hash_records.c.value_digest).where(hash_records.c.value_digest.in_(chunk)).distinct()
                    ).scalars()
                )
            existing: set[str] = set()
            for chunk in chunks(sorted(known)):
                existing.update(
                    conn.execute(
                        sa.select(feedback.c.value_digest).where(
                            feedback.c.platform_id == platform_id, feedback.c.value_digest.in_(chunk)
                        )
                    ).scalars()
                )
            for digest in sorted(known):
                fb, tags = latest[digest]
                values = {"feedback_value": fb.value, "tags": json.dumps(list(tags)), "modified_on": today}
                if digest in existing:
                    conn.execute(
                        feedback.update()
                        .where(feedback.c.platform_id == platform_id, feedback.c.value_digest == digest)
                        .values(**values)
                    )
                else:
                    conn.execute(feedback.insert().values(platform_id=platform_id, value_digest=digest, **values))
            for chunk in chunks(sorted(known)):
                conn.execute(
                    hash_records.update()
                    .where(hash_records.c.value_digest.in_(chunk))
                    .values(change_seq=seq, modified_on=today)
                )
        return len(known), len(latest) - len(known)


def _case_refs(conn: Connection, page: tuple) -> dict[int, dict[str, HashStatus]]:
    """Per hash record of the page (``page``: conditions on hash_records), its cases' references and states."""
    refs: dict[int, dict[str, HashStatus]] = {}
    for hash_id, ref, state in conn.execute(
        sa.select(hash_records.c.id, cases.c.exchange_ref, cases.c.state)
        .join(case_hashes, case_hashes.c.hash_id == hash_records.c.id)
        .join(cases, cases.c.id == case_hashes.c.case_id)
        .where(*page)
    ):
        status = HashStatus.ACTIVE if state == CaseState.ACTIVE.value else HashStatus.WITHDRAWN
        refs.setdefault(hash_id, {})[ref] = status
    return refs


def _feedbacks(conn: Connection, page: tuple) -> dict[str, tuple[tuple[FeedbackValue, tuple[str, ...], str], ...]]:
    """Per hash value of the page, every platform's feedback (value, tags, platform name), by platform name."""
    found: dict[str, list[tuple[FeedbackValue, tuple[str, ...], str]]] = {}
    for digest, value, tags, name in conn.execute(
        sa.select(feedback.c.value_digest, feedback.c.feedback_value, feedback.c.tags, platforms.c.name)
        .distinct()
        .join(hash_records, hash_records.c.value_digest == feedback.c.value_digest)
        .join(platforms, platforms.c.id == feedback.c.platform_id)
        .where(*page)
        .order_by(feedback.c.value_digest, platforms.c.name)
    ):
        found.setdefault(digest, []).append((FeedbackValue(value), tuple(json.loads(tags)), name))
    return {d: tuple(v) for d, v in found.items()}
