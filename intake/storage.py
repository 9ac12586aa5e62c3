"""The one storage layer: SQLAlchemy Core over SQLite (default) or PostgreSQL (psycopg 3).

Every write is one transaction, and every write transaction first claims the ``changes`` counter row. That
row lock serialises writers, which keeps the platforms' change feed gap-free (a record committed later always
carries a higher change number than one a platform has already paged past) and makes check-then-insert safe
on both databases. On SQLite the same effect comes from ``BEGIN IMMEDIATE``.

Only days are stored, never times; no addresses, user agents or file names exist here to be stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .errors import CaseWithdrawn, DatabaseUnavailable, IdempotencyConflict
from .identifiers import CASE_NUMBER_ALPHABET, format_case_number, new_case_number
from .model import CaseState, FeedbackValue, HashStatus, Program, SignalType
from .secrets_store import ScryptParams, key_digest, new_platform_key

__all__ = [
    "CaseView",
    "FeedbackCounts",
    "FetchPage",
    "IdempotentAnswer",
    "PlatformAccount",
    "PlatformKeys",
    "Storage",
    "database_url",
    "utc_today",
]

metadata = sa.MetaData()

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

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

_CHANGES = "changes"
_SCHEMA_VERSION = "schema_version"
SCHEMA_VERSION = 1
DEFAULT_SCRYPT = ScryptParams()
_IN_CHUNK = 500
#: Idempotency answers are kept this many days: long enough for any client retry, short enough to hold little.
IDEMPOTENCY_DAYS = 2


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


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    value: FeedbackValue
    platforms: int


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as its person may see it."""

    case_number: str
    program: Program
    state: CaseState
    created_on: dt.date
    updated_on: dt.date
    item_count: int
    fingerprint_count: int
    feedback: tuple[FeedbackCounts, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "case_number": format_case_number(self.case_number),
            "program": self.program.value,
            "state": self.state.value,
            "created_on": self.created_on.isoformat(),
            "updated_on": self.updated_on.isoformat(),
            "item_count": self.item_count,
            "fingerprint_count": self.fingerprint_count,
            "feedback": [{"value": f.value.value, "platforms": f.platforms} for f in self.feedback],
        }


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """What a write answered; ``replayed`` when it is the stored answer to an earlier identical request."""

    status_code: int
    body: dict[str, object]
    replayed: bool


@dataclass(frozen=True, slots=True)
class StoredCaseKey:
    case_id: int
    key_hash: str


@dataclass(frozen=True, slots=True)
class PlatformKeys:
    """A new platform's credentials; shown once, stored only as digests."""

    name: str
    subscription_key: str
    function_key: str
    signal_types: tuple[SignalType, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "subscription_key": self.subscription_key,
            "function_key": self.function_key,
            "signal_types": [t.value for t in self.signal_types],
        }


@dataclass(frozen=True, slots=True)
class PlatformAccount:
    id: int
    name: str
    function_digest: str
    signal_types: frozenset[SignalType]


@dataclass(frozen=True, slots=True)
class FeedRow:
    id: int
    change_seq: int
    signal_type: SignalType
    hash_value: str
    modified_on: dt.date
    case_refs: dict[str, HashStatus]
    feedbacks: tuple[tuple[FeedbackValue, tuple[str, ...], str], ...]  # (value, tags, platform name)


@dataclass(frozen=True, slots=True)
class FetchPage:
    rows: tuple[FeedRow, ...]
    has_more: bool


class _Unchanged(Exception):
    """Leaves a write transaction by rolling it back, carrying the answer to give."""

    def __init__(self, answer: IdempotentAnswer) -> None:
        super().__init__("unchanged")
        self.answer = answer


class Storage:
    """All reads and writes of the service. Thread-safe; one instance per process.

    Args:
        url: SQLAlchemy URL (``sqlite:///path``, ``postgresql://user@host:port/db``).
        scrypt: cost of case-key hashing.
        today: the clock, in days (tests move it).
    """

    def __init__(
        self,
        url: str,
        *,
        scrypt: ScryptParams = DEFAULT_SCRYPT,
        today: Callable[[], dt.date] = utc_today,
    ) -> None:
        self.url = database_url(url)
        self.scrypt = scrypt
        self.today = today
        self.engine = _make_engine(self.url)
        self._writer = self.engine.execution_options(takeback_write=True)

    # --- lifecycle ---

    def create_schema(self) -> None:
        """Create missing tables, the change counter and the schema version mark (safe to repeat).

        Raises:
            DatabaseUnavailable: the database cannot be reached, opened or written.
            RuntimeError: the database was made by a newer version of the service (refuse, never downgrade).
        """
        try:
            self._create_schema()
        except sa.exc.SQLAlchemyError as exc:
            # The URL is shown without its password.
            raise DatabaseUnavailable(self.engine.url.render_as_string(hide_password=True)) from exc

    def _create_schema(self) -> None:
        with self._write_unlocked() as conn:
            metadata.create_all(conn)
            marks = {name: value for name, value in conn.execute(sa.select(counters.c.name, counters.c.value))}
            found = marks.get(_SCHEMA_VERSION, SCHEMA_VERSION)
            if found > SCHEMA_VERSION:
                raise RuntimeError(
                    f"the database has schema version {found}, newer than this service's {SCHEMA_VERSION}; "
                    "run the newer service"
                )
            # Upgrades from older versions go here, one step per version, in this same transaction.
            if _CHANGES not in marks:
                conn.execute(counters.insert().values(name=_CHANGES, value=0))
            if _SCHEMA_VERSION not in marks:
                conn.execute(counters.insert().values(name=_SCHEMA_VERSION, value=SCHEMA_VERSION))

    def dispose(self) -> None:
        self.engine.dispose()

    # --- transactions ---

    @contextmanager
    def _write_unlocked(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[tuple[Connection, int]]:
        """A write transaction holding the change counter; yields the change number it claimed.

        Raising :class:`_Unchanged` inside rolls everything back (the counter too): a replay changes nothing.
        """
        with self._writer.begin() as conn:
            seq = conn.execute(
                counters.update()
                .where(counters.c.name == _CHANGES)
                .values(value=counters.c.value + 1)
                .returning(counters.c.value)
            ).scalar_one()
            yield conn, seq

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # --- person-facing ---

    def case_key_hash(self, case_number: str) -> StoredCaseKey | None:
        """The stored key hash of a case, or None when there is no such case."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(cases.c.id, cases.c.key_hash).where(cases.c.case_number == case_number)
            ).first()
        return None if row is None else StoredCaseKey(row.id, row.key_hash)

    def replace_key_hash(self, case_id: int, old: str, new: str) -> None:
        """Rewrite a case's stored key form (an old scrypt row, upgraded when its owner uses it), unless it
        changed in between."""
        with self._write_unlocked() as conn:
            conn.execute(cases.update().where(cases.c.id == case_id, cases.c.key_hash == old).values(key_hash=new))

    def create_case(
        self,
        *,
        program: Program,
        key_hash: str,
        signals_per_item: Sequence[Sequence[tuple[SignalType, str]]],
        idempotency_key: str,
        request_digest: str,
    ) -> IdempotentAnswer:
        """Store a new case with its fingerprints, or replay the answer to the same earlier request.

        Raises:
            IdempotencyConflict: the key was used before with another body.
        """
        key = key_digest(idempotency_key)
        try:
            return self._create_case(program, key_hash, signals_per_item, key, request_digest)
        except _Unchanged as unchanged:
            return unchanged.answer

    def _create_case(
        self,
        program: Program,
        key_hash: str,
        signals_per_item: Sequence[Sequence[tuple[SignalType, str]]],
        key: str,
        request_digest: str,
    ) -> IdempotentAnswer:
        with self._write() as (conn, seq):
            today = self.today()
            self._replay_if_known(conn, "create", key, request_digest)
            conn.execute(idempotency.delete().where(idempotency.c.created_on < today - dt.timedelta(days=IDEMPOTENCY_DAYS)))
            case_number = self._unused(conn, cases.c.case_number, new_case_number)
            exchange_ref = self._unused(conn, cases.c.exchange_ref, _new_exchange_ref)
            case_id = conn.execute(
                cases.insert()
                .values(
                    case_number=case_number,
                    exchange_ref=exchange_ref,
                    program=program.value,
                    state=CaseState.ACTIVE.value,
                    key_hash=key_hash,
                    created_on=today,
                    updated_on=today,
                    item_count=len(signals_per_item),
                    fingerprint_count=sum(len(s) for s in signals_per_item),
                )
                .returning(cases.c.id)
            ).scalar_one()
            self._link_hashes(conn, case_id, [s for item in signals_per_item for s in item], seq, today)
            body = self._case_view(conn, case_id).to_json()
            self._remember(conn, "create", key, request_digest, 201, body, today)
            return IdempotentAnswer(201, body, replayed=False)

    def add_items(
        self,
        case_id: int,
        *,
        signals_per_item: Sequence[Sequence[tuple[SignalType, str]]],
        idempotency_key: str,
        request_digest: str,
    ) -> IdempotentAnswer:
        """Add fingerprints to an active case, or replay the answer to the same earlier request.

        Raises:
            IdempotencyConflict: the key was used before on this case with another body.
            CaseWithdrawn: the case was withdrawn.
        """
        scope, key = f"items:{case_id}", key_digest(idempotency_key)
        try:
            return self._add_items(case_id, signals_per_item, scope, key, request_digest)
        except _Unchanged as unchanged:
            return unchanged.answer

    def _add_items(
        self,
        case_id: int,
        signals_per_item: Sequence[Sequence[tuple[SignalType, str]]],
        scope: str,
        key: str,
        request_digest: str,
    ) -> IdempotentAnswer:
        with self._write() as (conn, seq):
            today = self.today()
            self._replay_if_known(conn, scope, key, request_digest)
            state = conn.execute(sa.select(cases.c.state).where(cases.c.id == case_id)).scalar_one()
            if state != CaseState.ACTIVE.value:
                raise CaseWithdrawn()
            conn.execute(
                cases.update()
                .where(cases.c.id == case_id)
                .values(
                    updated_on=today,
                    item_count=cases.c.item_count + len(signals_per_item),
                    fingerprint_count=cases.c.fingerprint_count + sum(len(s) for s in signals_per_item),
                )
            )
            self._link_hashes(conn, case_id, [s for item in signals_per_item for s in item], seq, today)
            body = self._case_view(conn, case_id).to_json()
            self._remember(conn, scope, key, request_digest, 200, body, today)
            return IdempotentAnswer(200, body, replayed=False)

    def case_status(self, case_id: int) -> CaseView:
        with self._read() as conn:
            return self._case_view(conn, case_id)

    def withdraw(self, case_id: int) -> CaseView:
        """Withdraw a case (again is fine); its hash records move to the head of the platforms' feed."""
        with self._read() as conn:
            if conn.execute(sa.select(cases.c.state).where(cases.c.id == case_id)).scalar_one() != CaseState.ACTIVE.value:
                return self._case_view(conn, case_id)
        with self._write() as (conn, seq):
            today = self.today()
            conn.execute(
                cases.update()
                .where(cases.c.id == case_id, cases.c.state == CaseState.ACTIVE.value)
                .values(state=CaseState.WITHDRAWN.value, updated_on=today)
            )
            conn.execute(
                hash_records.update()
                .where(hash_records.c.id.in_(sa.select(case_hashes.c.hash_id).where(case_hashes.c.case_id == case_id)))
                .values(change_seq=seq, modified_on=today)
            )
            return self._case_view(conn, case_id)

    # --- platform-facing ---

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
                # A first page: jump to the first change of that day through the day index instead of walking
                # the feed from its beginning (days only grow along the feed).
                first = conn.execute(
                    sa.select(sa.func.min(hash_records.c.change_seq)).where(hash_records.c.modified_on >= since)
                ).scalar()
                if first is not None:
                    seq, last_id = first, -1
            rows = conn.execute(
                sa.select(
                    hash_records.c.id,
                    hash_records.c.change_seq,
                    hash_records.c.signal_type,
                    hash_records.c.hash_value,
                    hash_records.c.value_digest,
                    hash_records.c.modified_on,
                )
                .where(
                    hash_records.c.modified_on >= since,
                    hash_records.c.signal_type.in_([t.value for t in signal_types]),
                    sa.or_(
                        hash_records.c.change_seq > seq,
                        sa.and_(hash_records.c.change_seq == seq, hash_records.c.id > last_id),
                    ),
                )
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
            refs = self._case_refs(conn, [r.id for r in kept])
            fbs = self._feedbacks(conn, {r.value_digest for r in kept})
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
        with self._write() as (conn, seq):
            today = self.today()
            known: set[str] = set()
            for chunk in _chunks(list(latest)):
                known.update(
                    conn.execute(
                        sa.select(hash_records.c.value_digest).where(hash_records.c.value_digest.in_(chunk)).distinct()
                    ).scalars()
                )
            existing: set[str] = set()
            for chunk in _chunks(sorted(known)):
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
            for chunk in _chunks(sorted(known)):
                conn.execute(
                    hash_records.update()
                    .where(hash_records.c.value_digest.in_(chunk))
                    .values(change_seq=seq, modified_on=today)
                )
        return len(known), len(latest) - len(known)

    # --- helpers (inside a transaction) ---

    @staticmethod
    def _unused(conn: Connection, column: sa.Column, make: Callable[[], str]) -> str:
        for _ in range(20):
            candidate = make()
            if conn.execute(sa.select(column).where(column == candidate)).first() is None:
                return candidate
        raise RuntimeError(f"could not find an unused {column.name} after 20 tries")

    @staticmethod
    def _replay_if_known(conn: Connection, scope: str, key: str, request_digest: str) -> None:
        """Raise the stored answer (as :class:`_Unchanged`) or :class:`IdempotencyConflict` for a reused key."""
        row = conn.execute(
            sa.select(idempotency).where(idempotency.c.scope == scope, idempotency.c.key_digest == key)
        ).first()
        if row is None:
            return
        if row.request_digest != request_digest:
            raise IdempotencyConflict()
        raise _Unchanged(IdempotentAnswer(row.status_code, json.loads(row.response), replayed=True))

    @staticmethod
    def _remember(
        conn: Connection, scope: str, key: str, request_digest: str, status: int, body: dict, today: dt.date
    ) -> None:
        conn.execute(
            idempotency.insert().values(
                scope=scope,
                key_digest=key,
                request_digest=request_digest,
                status_code=status,
                response=json.dumps(body, sort_keys=True),
                created_on=today,
            )
        )

    def _link_hashes(
        self, conn: Connection, case_id: int, signals: Sequence[tuple[SignalType, str]], seq: int, today: dt.date
    ) -> None:
        """Make sure each (type, value) has a hash record, mark it changed, and link it to the case."""
        wanted = {(t.value, digest_of(v)): v for t, v in signals}
        ids: dict[tuple[str, str], int] = {}
        for chunk in _chunks(sorted({d for _, d in wanted})):
            for row in conn.execute(
                sa.select(hash_records.c.id, hash_records.c.signal_type, hash_records.c.value_digest).where(
                    hash_records.c.value_digest.in_(chunk)
                )
            ):
                if (row.signal_type, row.value_digest) in wanted:
                    ids[(row.signal_type, row.value_digest)] = row.id
        for chunk in _chunks(sorted(ids.values())):
            conn.execute(
                hash_records.update().where(hash_records.c.id.in_(chunk)).values(change_seq=seq, modified_on=today)
            )
        for (signal_type, digest), value in wanted.items():
            if (signal_type, digest) not in ids:
                ids[(signal_type, digest)] = conn.execute(
                    hash_records.insert()
                    .values(
                        signal_type=signal_type,
                        value_digest=digest,
                        hash_value=value,
                        change_seq=seq,
                        modified_on=today,
                    )
                    .returning(hash_records.c.id)
                ).scalar_one()
        linked: set[int] = set()
        for chunk in _chunks(sorted(ids.values())):
            linked.update(
                conn.execute(
                    sa.select(case_hashes.c.hash_id).where(case_hashes.c.case_id == case_id, case_hashes.c.hash_id.in_(chunk))
                ).scalars()
            )
        new_links = [{"case_id": case_id, "hash_id": i} for i in sorted(set(ids.values()) - linked)]
        if new_links:
            conn.execute(case_hashes.insert(), new_links)

    @staticmethod
    def _case_view(conn: Connection, case_id: int) -> CaseView:
        row = conn.execute(sa.select(cases).where(cases.c.id == case_id)).one()
        digests = sa.select(hash_records.c.value_digest).join(case_hashes, case_hashes.c.hash_id == hash_records.c.id).where(
            case_hashes.c.case_id == case_id
        )
        counts = conn.execute(
            sa.select(feedback.c.feedback_value, sa.func.count(sa.distinct(feedback.c.platform_id)))
            .where(feedback.c.value_digest.in_(digests))
            .group_by(feedback.c.feedback_value)
            .order_by(feedback.c.feedback_value)
        ).all()
        return CaseView(
            case_number=row.case_number,
            program=Program(row.program),
            state=CaseState(row.state),
            created_on=row.created_on,
            updated_on=row.updated_on,
            item_count=row.item_count,
            fingerprint_count=row.fingerprint_count,
            feedback=tuple(FeedbackCounts(FeedbackValue(value), n) for value, n in counts),
        )

    @staticmethod
    def _case_refs(conn: Connection, hash_ids: list[int]) -> dict[int, dict[str, HashStatus]]:
        refs: dict[int, dict[str, HashStatus]] = {}
        for chunk in _chunks(hash_ids):
            for hash_id, ref, state in conn.execute(
                sa.select(case_hashes.c.hash_id, cases.c.exchange_ref, cases.c.state)
                .join(cases, cases.c.id == case_hashes.c.case_id)
                .where(case_hashes.c.hash_id.in_(chunk))
            ):
                status = HashStatus.ACTIVE if state == CaseState.ACTIVE.value else HashStatus.WITHDRAWN
                refs.setdefault(hash_id, {})[ref] = status
        return refs

    @staticmethod
    def _feedbacks(conn: Connection, digests: set[str]) -> dict[str, tuple[tuple[FeedbackValue, tuple[str, ...], str], ...]]:
        found: dict[str, list[tuple[FeedbackValue, tuple[str, ...], str]]] = {}
        for chunk in _chunks(sorted(digests)):
            for digest, value, tags, name in conn.execute(
                sa.select(feedback.c.value_digest, feedback.c.feedback_value, feedback.c.tags, platforms.c.name)
                .join(platforms, platforms.c.id == feedback.c.platform_id)
                .where(feedback.c.value_digest.in_(chunk))
                .order_by(platforms.c.name)
            ):
                found.setdefault(digest, []).append((FeedbackValue(value), tuple(json.loads(tags)), name))
        return {d: tuple(v) for d, v in found.items()}


def _new_exchange_ref() -> str:
    return "TB" + "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(12))


def _chunks(values: list, size: int = _IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _make_engine(url: str) -> Engine:
    # hide_parameters: a failing statement's message must never carry fingerprints or key hashes into a log.
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, hide_parameters=True, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, hide_parameters=True, pool_pre_ping=True)


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
