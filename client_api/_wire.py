"""JSON <-> dataclasses for the intake protocol and offline bundles: the only place items meet dicts.

Parsing is strict: every field is checked for type and shape, unknown fields in items are refused (a bundle
must hold fingerprints and nothing else), and a bad value raises ``WireFormatError`` saying where it is, which
``client.py`` and ``bundle.py`` turn into their own errors for the person.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .models import (
    CaseState,
    CaseStatus,
    Feedback,
    FeedbackValue,
    ImageItem,
    Item,
    PdqEntry,
    Program,
    VideoItem,
    VpdqEntry,
)

# Compact and deterministic: an idempotent retry sends exactly the same bytes, and sizes add up per item.
_DUMP_OPTIONS: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": True, "allow_nan": False}


class WireFormatError(ValueError):
    """A JSON document does not have the shape the protocol (or bundle format) says. ``where`` names the field."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


def dumps(document: object) -> bytes:
    return json.dumps(document, **_DUMP_OPTIONS).encode("ascii")


def item_to_json(item: Item) -> dict[str, object]:
    if isinstance(item, ImageItem):
        return {
            "kind": "image",
            "md5": item.md5,
            "sha256": item.sha256,
            "pdq": [{"hash": p.hash, "quality": p.quality} for p in item.pdq],
        }
    if isinstance(item, VideoItem):
        return {
            "kind": "video",
            "md5": item.md5,
            "sha256": item.sha256,
            "vpdq": [
                {"frame": v.frame, "timestamp": v.timestamp, "hash": v.hash, "quality": v.quality}
                for v in item.vpdq
            ],
            "tmk": base64.b64encode(item.tmk).decode("ascii") if item.tmk is not None else None,
        }
    raise TypeError(f"an item is an ImageItem or a VideoItem, got {type(item).__name__}")


def items_to_json(items: Iterable[Item]) -> list[dict[str, object]]:
    return [item_to_json(item) for item in items]


def _object(value: object, where: str, keys: set[str], optional: frozenset[str] = frozenset()) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise WireFormatError(where, "is not a JSON object")
    missing = keys - optional - value.keys()
    if missing:
        raise WireFormatError(where, f"lacks {', '.join(sorted(missing))}")
    extra = value.keys() - keys
    if extra:
        raise WireFormatError(where, f"has fields that do not belong in it: {', '.join(sorted(extra))}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise WireFormatError(where, "is not a list")
    return value


def _build(where: str, factory: Any, *args: Any) -> Any:
    try:
        return factory(*args)
    except (TypeError, ValueError) as exc:
        raise WireFormatError(where, str(exc)) from exc


def item_from_json(value: object, where: str = "item") -> Item:
    if not isinstance(value, dict):
        raise WireFormatError(where, "is not a JSON object")
    kind = value.get("kind")
    if kind == "image":
        obj = _object(value, where, {"kind", "md5", "sha256", "pdq"})
        pdq = []
        for i, entry in enumerate(_list(obj["pdq"], f"{where}.pdq")):
            e = _object(entry, f"{where}.pdq[{i}]", {"hash", "quality"})
            pdq.append(_build(f"{where}.pdq[{i}]", PdqEntry, e["hash"], e["quality"]))
        return _build(where, ImageItem, obj["md5"], obj["sha256"], tuple(pdq))
    if kind == "video":
        obj = _object(value, where, {"kind", "md5", "sha256", "vpdq", "tmk"}, optional=frozenset({"tmk"}))
        vpdq = []
        for i, entry in enumerate(_list(obj["vpdq"], f"{where}.vpdq")):
            e = _object(entry, f"{where}.vpdq[{i}]", {"frame", "timestamp", "hash", "quality"})
            vpdq.append(_build(f"{where}.vpdq[{i}]", VpdqEntry, e["frame"], e["timestamp"], e["hash"], e["quality"]))
        tmk_text = obj.get("tmk")
        tmk = None
        if tmk_text is not None:
            if not isinstance(tmk_text, str):
                raise WireFormatError(f"{where}.tmk", "is not base64 text")
            try:
                tmk = base64.b64decode(tmk_text, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise WireFormatError(f"{where}.tmk", "is not valid base64") from exc
        return _build(where, VideoItem, obj["md5"], obj["sha256"], tuple(vpdq), tmk)
    raise WireFormatError(f"{where}.kind", "is neither 'image' nor 'video'")


def _date(value: object, where: str) -> dt.date:
    if not isinstance(value, str):
        raise WireFormatError(where, "is not a date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise WireFormatError(where, "is not a date") from exc


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WireFormatError(where, "is not a count")
    return value


def _enum(enum_type: Any, value: object, where: str) -> Any:
    try:
        return enum_type(value)
    except ValueError as exc:
        raise WireFormatError(where, f"is not one of {', '.join(m.value for m in enum_type)}") from exc


_FEEDBACK_VALUES = frozenset(v.value for v in FeedbackValue)


#: The fields of the case-status body (intake's ``CaseStatusBody``); ``feedback`` may be left out.
_STATUS_FIELDS = frozenset(field.name for field in dataclasses.fields(CaseStatus))


def status_to_json(status: CaseStatus) -> dict[str, object]:
    """The service's JSON for a ``CaseStatus`` (its case-status body): what ``takeback status --json`` prints."""
    return {
        "case_number": status.case_number,
        "program": status.program.value,
        "state": status.state.value,
        "created_on": status.created_on.isoformat(),
        "updated_on": status.updated_on.isoformat(),
        "item_count": status.item_count,
        "fingerprint_count": status.fingerprint_count,
        "feedback": [{"value": f.value.value, "platforms": f.platforms} for f in status.feedback],
    }


def status_from_json(value: object) -> CaseStatus:
    """A ``CaseStatus`` from the service's answer. Extra fields are ignored: a newer service may add some."""
    if not isinstance(value, dict):
        raise WireFormatError("status", "is not a JSON object")
    missing = _STATUS_FIELDS - {"feedback"} - value.keys()
    if missing:
        raise WireFormatError("status", f"lacks {', '.join(sorted(missing))}")
    feedback = []
    for i, entry in enumerate(_list(value.get("feedback", []), "status.feedback")):
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            raise WireFormatError(f"status.feedback[{i}]", "has no value")
        platforms = _count(entry.get("platforms"), f"status.feedback[{i}].platforms")
        if entry["value"] in _FEEDBACK_VALUES:
            feedback.append(Feedback(FeedbackValue(entry["value"]), platforms))
        # A value a newer service knows and this client does not is left out, like an extra field.
    number = value["case_number"]
    if not isinstance(number, str):
        raise WireFormatError("status.case_number", "is not text")
    return CaseStatus(
        case_number=number,
        program=_enum(Program, value["program"], "status.program"),
        state=_enum(CaseState, value["state"], "status.state"),
        created_on=_date(value["created_on"], "status.created_on"),
        updated_on=_date(value["updated_on"], "status.updated_on"),
        item_count=_count(value["item_count"], "status.item_count"),
        fingerprint_count=_count(value["fingerprint_count"], "status.fingerprint_count"),
        feedback=tuple(feedback),
    )


def error_from_json(value: object) -> tuple[str | None, str | None]:
    """``(code, message)`` from the protocol's error body, or ``(None, None)`` when it has another shape."""
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        error = value["error"]
        code = error.get("code") if isinstance(error.get("code"), str) else None
        message = error.get("message") if isinstance(error.get("message"), str) else None
        return code, message
    return None, None
