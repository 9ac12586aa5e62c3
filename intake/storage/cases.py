"""The person-facing writes and reads: create a case, add fingerprints, withdraw, read its status.

Create-case and add-items are both idempotent writes: one helper (:meth:`CaseStore._idempotent_write`)
replays the stored answer to a retried request, refuses a reused key with another body, and otherwise runs
the write and keeps its answer, all inside one serialised write transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import CaseWithdrawn, IdempotencyConflict
from ..identifiers import CASE_NUMBER_ALPHABET, format_case_number, new_case_number
from ..model import CaseState, FeedbackValue, Program, SignalType
from ..schemas import CaseStatusBody, FeedbackCount
from ..secrets_store import key_digest
from .engine import Database, Unchanged, chunks, digest_of
from .schema import case_hashes, cases, feedback, hash_records, idempotency
from .views import IdempotentAnswer, StoredCaseKey

__all__ = ["IDEMPOTENCY_DAYS", "CaseStore", "ImportedCase"]

#: Idempotency answers are kept this many days: long enough for any client retry, short enough to hold little.
IDEMPOTENCY_DAYS = 2

Signals = Sequence[Sequence[tuple[SignalType, str]]]


@dataclass(frozen=True, slots=True)
class ImportedCase:
    """One case of a bulk import: what a create-case request would have carried, its key already hashed."""

    program: Program
    key_hash: str
    signals_per_item: Signals


class CaseStore(Database):
    """Cases and their fingerprints, as the person's requests change them."""

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
        signals_per_item: Signals,
        idempotency_key: str,
        request_digest: str,
    ) -> IdempotentAnswer:
        """Store a new case with its fingerprints, or replay the answer to the same earlier request.

        Raises:
            IdempotencyConflict: the key was used before with another body.
        """

        def write(conn: Connection, seq: int, today: dt.date) -> int:
            case_number = _unused(conn, cases.c.case_number, new_case_number)
            exchange_ref = _unused(conn, cases.c.exchange_ref, _new_exchange_ref)
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
            return case_id

        return self._idempotent_write("create", idempotency_key, request_digest, 201, write)

    def add_items(
        self,
        case_id: int,
        *,
        signals_per_item: Signals,
        idempotency_key: str,
        request_digest: str,
    ) -> IdempotentAnswer:
        """Add fingerprints to an active case, or replay the answer to the same earlier request.

        Raises:
            IdempotencyConflict: the key was used before on this case with another body.
            CaseWithdrawn: the case was withdrawn.
        """

        def write(conn: Connection, seq: int, today: dt.date) -> int:
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
            return case_id

        return self._idempotent_write(f"items:{case_id}", idempotency_key, request_digest, 200, write)

    def import_cases(self, batch: Sequence[ImportedCase], *, day: dt.date | None = None) -> int:
        """Store many new cases in one transaction: a hash list brought from elsewhere, or a benchmark's load.

        The result is what creating the cases one by one on ``day`` (default today) would leave: each case its
        own change number, in order; a hash value already stored is linked and moves up the feed, never
        stored twice. Statements go in batches (``executemany``), so a million records load in minutes.

        Returns:
            The number of new hash records.
        """
        if not batch:
            return 0
        with self._write(len(batch), day=day) as (conn, first_seq, day):
            numbers = _unused_many(conn, cases.c.case_number, new_case_number, len(batch))
            refs = _unused_many(conn, cases.c.exchange_ref, _new_exchange_ref, len(batch))
            case_ids = conn.execute(
                cases.insert().returning(cases.c.id, sort_by_parameter_order=True),
                [
                    {
                        "case_number": number,
                        "exchange_ref": ref,
                        "program": case.program.value,
                        "state": CaseState.ACTIVE.value,
                        "key_hash": case.key_hash,
                        "created_on": day,
                        "updated_on": day,
                        "item_count": len(case.signals_per_item),
                        "fingerprint_count": sum(len(s) for s in case.signals_per_item),
                    }
                    for case, number, ref in zip(batch, numbers, refs)
                ],
            ).scalars().all()
            # The latest case holding a value decides its change number, as one-by-one creation would.
            wanted: dict[tuple[str, str], tuple[str, int]] = {}
            holders: dict[tuple[str, str], list[int]] = {}
            for offset, (case, case_id) in enumerate(zip(batch, case_ids)):
                for signal_type, value in (s for item in case.signals_per_item for s in item):
                    pair = (signal_type.value, digest_of(value))
                    wanted[pair] = (value, first_seq + offset)
                    holders.setdefault(pair, []).append(case_id)
            ids = _hash_ids(conn, set(wanted))
            if ids:
                conn.execute(
                    hash_records.update()
                    .where(hash_records.c.id == sa.bindparam("b_id"))
                    .values(change_seq=sa.bindparam("b_seq"), modified_on=day),
                    [{"b_id": ids[pair], "b_seq": wanted[pair][1]} for pair in ids],
                )
            new = [pair for pair in wanted if pair not in ids]
            if new:
                inserted = conn.execute(
                    hash_records.insert().returning(hash_records.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "signal_type": t,
                            "value_digest": d,
                            "hash_value": wanted[(t, d)][0],
                            "change_seq": wanted[(t, d)][1],
                            "modified_on": day,
                        }
                        for t, d in new
                    ],
                ).scalars().all()
                ids.update(zip(new, inserted))
            links = {(case_id, ids[pair]) for pair, held_by in holders.items() for case_id in held_by}
            conn.execute(case_hashes.insert(), [{"case_id": c, "hash_id": h} for c, h in sorted(links)])
        return len(new)

    def case_status(self, case_id: int) -> CaseStatusBody:
        with self._read() as conn:
            return _case_view(conn, case_id)

    def withdraw(self, case_id: int) -> CaseStatusBody:
        """Withdraw a case (again is fine); its hash records move to the head of the platforms' feed."""
        with self._read() as conn:
            if conn.execute(sa.select(cases.c.state).where(cases.c.id == case_id)).scalar_one() != CaseState.ACTIVE.value:
                return _case_view(conn, case_id)
        with self._write() as (conn, seq, today):
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
            return _case_view(conn, case_id)

    # --- inside a write transaction ---

    def _idempotent_write(
        self,
        scope: str,
        idempotency_key: str,
        request_digest: str,
        status_code: int,
        write: Callable[[Connection, int, dt.date], int],
    ) -> IdempotentAnswer:
        """Run ``write`` once per (scope, idempotency key) and answer with the case's status.

        ``write(conn, change_number, today)`` changes one case and returns its id. A retry with the same key
        and body gets the first answer back and changes nothing; the same key with another body is refused.

        Raises:
            IdempotencyConflict: the key was used before in this scope with another body.
        """
        key = key_digest(idempotency_key)
        try:
            with self._write() as (conn, seq, today):
                _replay_if_known(conn, scope, key, request_digest)
                conn.execute(
                    idempotency.delete().where(idempotency.c.created_on < today - dt.timedelta(days=IDEMPOTENCY_DAYS))
                )
                case_id = write(conn, seq, today)
                body = _case_view(conn, case_id).model_dump(mode="json")
                conn.execute(
                    idempotency.insert().values(
                        scope=scope,
                        key_digest=key,
                        request_digest=request_digest,
                        status_code=status_code,
                        response=json.dumps(body, sort_keys=True),
                        created_on=today,
                    )
                )
                return IdempotentAnswer(status_code, body, replayed=False)
        except Unchanged as unchanged:
            return unchanged.answer

    def _link_hashes(
        self, conn: Connection, case_id: int, signals: Sequence[tuple[SignalType, str]], seq: int, today: dt.date
    ) -> None:
        """Make sure each (type, value) has a hash record, mark it changed, and link it to the case."""
        wanted = {(t.value, digest_of(v)): v for t, v in signals}
        ids = _hash_ids(conn, set(wanted))
        for chunk in chunks(sorted(ids.values())):
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
        for chunk in chunks(sorted(ids.values())):
            linked.update(
                conn.execute(
                    sa.select(case_hashes.c.hash_id).where(case_hashes.c.case_id == case_id, case_hashes.c.hash_id.in_(chunk))
                ).scalars()
            )
        new_links = [{"case_id": case_id, "hash_id": i} for i in sorted(set(ids.values()) - linked)]
        if new_links:
            conn.execute(case_hashes.insert(), new_links)


def _replay_if_known(conn: Connection, scope: str, key: str, request_digest: str) -> None:
    """Raise the stored answer (as :class:`Unchanged`) or :class:`IdempotencyConflict` for a reused key."""
    row = conn.execute(sa.select(idempotency).where(idempotency.c.scope == scope, idempotency.c.key_digest == key)).first()
    if row is None:
        return
    if row.request_digest != request_digest:
        raise IdempotencyConflict()
    raise Unchanged(IdempotentAnswer(row.status_code, json.loads(row.response), replayed=True))


def _hash_ids(conn: Connection, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the stored hash records among ``wanted`` (signal type, value digest) pairs."""
    ids: dict[tuple[str, str], int] = {}
    for chunk in chunks(sorted({digest for _, digest in wanted})):
        for row in conn.execute(
            sa.select(hash_records.c.id, hash_records.c.signal_type, hash_records.c.value_digest).where(
                hash_records.c.value_digest.in_(chunk)
            )
        ):
            if (row.signal_type, row.value_digest) in wanted:
                ids[(row.signal_type, row.value_digest)] = row.id
    return ids


def _unused_many(conn: Connection, column: sa.Column, make: Callable[[], str], count: int) -> list[str]:
    """``count`` new distinct values of ``column`` that no row has yet."""
    chosen: set[str] = set()
    while len(chosen) < count:
        fresh = {make() for _ in range(count - len(chosen))} - chosen
        for chunk in chunks(sorted(fresh)):
            fresh -= set(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
        chosen |= fresh
    return sorted(chosen)


def _unused(conn: Connection, column: sa.Column, make: Callable[[], str]) -> str:
    for _ in range(20):
        candidate = make()
        if conn.execute(sa.select(column).where(column == candidate)).first() is None:
            return candidate
    raise RuntimeError(f"could not find an unused {column.name} after 20 tries")


def _new_exchange_ref() -> str:
    return "TB" + "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(12))


def _case_view(conn: Connection, case_id: int) -> CaseStatusBody:
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
    return CaseStatusBody(
        case_number=format_case_number(row.case_number),
        program=Program(row.program),
        state=CaseState(row.state),
        created_on=row.created_on,
        updated_on=row.updated_on,
        item_count=row.item_count,
        fingerprint_count=row.fingerprint_count,
        feedback=[FeedbackCount(value=FeedbackValue(value), platforms=n) for value, n in counts],
    )
