"""Offline bundles: fingerprints saved to a file to be submitted later, or from another computer.

For a counsellor, or a person without internet where the photos are. A bundle holds the programme and the
fingerprints, nothing else: no file names, paths, sizes, dates, or who made it. It is versioned JSON::

    {"format": "takeback-bundle", "version": 2, "program": "adult", "items": [ITEM, ...]}

with items exactly as the protocol sends them. Version 2 images may carry up to 8 PDQ hashes (the picture
turned and mirrored); version 1 had at most 2 and is still read, while a Takeback that knows only version 1
asks for an update instead of calling a version 2 file damaged. Loading checks everything strictly, since the file may have
been damaged, truncated or made by something else. Saving writes only where the person chose, through a
temporary file in the same folder that replaces the target in one step, readable only by this user.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import _wire
from .errors import BundleError
from .models import Item, Program

__all__ = ["BUNDLE_FORMAT", "BUNDLE_VERSION", "MAX_BUNDLE_BYTES", "MAX_BUNDLE_ITEMS", "Bundle", "load_bundle", "save_bundle"]

BUNDLE_FORMAT = "takeback-bundle"
BUNDLE_VERSION = 2
_READABLE_VERSIONS = (1, 2)
MAX_BUNDLE_ITEMS = 5_000  #: far more than one person's case; a bigger file is not one of ours
MAX_BUNDLE_BYTES = 256 * 1024 * 1024  #: 5 000 long videos with TMK stay well below this

# Whole sentences, some with fields (the app translates the template and fills the fields in).
_NO_VERSION_MESSAGE = (
    "This fingerprint file is damaged (it has no version), so it cannot be used. "
    "Save the fingerprints again from the original photos and videos."
)
_UNKNOWN_VERSION_TEMPLATE = (
    "This fingerprint file is damaged (it claims to be version {version}, which never existed), so it cannot be "
    "used. Save the fingerprints again from the original photos and videos."
)
_NOT_ONLY_FINGERPRINTS_MESSAGE = (
    "This fingerprint file is damaged (it holds more than fingerprints), so it cannot be used. "
    "Save the fingerprints again from the original photos and videos."
)
_NO_PROGRAMME_MESSAGE = (
    "This fingerprint file is damaged (it does not say which programme it is for), so it cannot be used. "
    "Save the fingerprints again from the original photos and videos."
)
_NO_FINGERPRINTS_MESSAGE = (
    "This fingerprint file is damaged (it holds no fingerprints), so it cannot be used. "
    "Save the fingerprints again from the original photos and videos."
)
_BAD_ITEM_TEMPLATE = (
    "This fingerprint file is damaged (the fingerprints of file {number} are not valid), so it cannot be used. "
    "Save the fingerprints again from the original photos and videos."
)
_TOO_MANY_ITEMS_TEMPLATE = (
    "This fingerprint file holds more than {limit:,} files' fingerprints, more than Takeback accepts. "
    "It was not made by Takeback, or it is damaged."
)


@dataclass(frozen=True, slots=True)
class Bundle:
    """What a bundle file holds: the programme and the fingerprints."""

    program: Program
    items: tuple[Item, ...]


def save_bundle(path: str | os.PathLike[str], program: Program, items: Iterable[Item]) -> None:
    """Write a bundle to ``path``, replacing any file there only once the new one is complete.

    Raises:
        BundleError: the folder is missing or read-only, the disk is full, or ``path`` is a folder.
    """
    if not isinstance(program, Program):
        raise TypeError(f"program is a Program, got {type(program).__name__}")
    all_items = tuple(items)
    if not all_items:
        raise ValueError("a bundle needs at least one item")
    if len(all_items) > MAX_BUNDLE_ITEMS:
        raise ValueError(f"a bundle holds at most {MAX_BUNDLE_ITEMS} items")
    document = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "program": program.value,
        "items": _wire.items_to_json(all_items),
    }
    data = _wire.dumps(document)
    target = Path(path)
    if target.is_dir():
        raise BundleError("A folder was chosen instead of a file name. Choose a name for the new file.")
    temporary = None
    try:
        # mkstemp makes the file readable by this user only, which is what a file of fingerprints should be.
        fd, temporary = tempfile.mkstemp(prefix=".takeback-", suffix=".partial", dir=target.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        temporary = None
    except FileNotFoundError as exc:
        raise BundleError("The folder chosen for this file does not exist any more. Choose another folder.") from exc
    except PermissionError as exc:
        raise BundleError(
            "Takeback may not save files in this folder. Choose another folder, such as your Documents."
        ) from exc
    except OSError as exc:
        raise BundleError(
            "The fingerprint file could not be saved. The disk may be full or disconnected. "
            "Choose another place and try again."
        ) from exc
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read and check a bundle written by ``save_bundle`` (here or on another computer).

    Raises:
        BundleError: the file is missing or unreadable, is not a bundle, is from a newer Takeback, holds too many
            items, or any fingerprint in it is malformed. Nothing is half-loaded.
    """
    data = _read_limited(Path(path))
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, or a number of thousands of digits
        raise BundleError() from exc
    if not isinstance(document, dict) or document.get("format") != BUNDLE_FORMAT:
        raise BundleError()
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise BundleError(_NO_VERSION_MESSAGE)
    if version > BUNDLE_VERSION:
        raise BundleError(
            "This fingerprint file was made by a newer version of Takeback. Update Takeback, then open it again."
        )
    if version not in _READABLE_VERSIONS:
        raise BundleError.from_template(_UNKNOWN_VERSION_TEMPLATE, version=version)
    extra = document.keys() - {"format", "version", "program", "items"}
    if extra:
        raise BundleError(_NOT_ONLY_FINGERPRINTS_MESSAGE)
    try:
        program = Program(document.get("program"))
    except ValueError as exc:
        raise BundleError(_NO_PROGRAMME_MESSAGE) from exc
    raw_items = document.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise BundleError(_NO_FINGERPRINTS_MESSAGE)
    if len(raw_items) > MAX_BUNDLE_ITEMS:
        raise BundleError.from_template(_TOO_MANY_ITEMS_TEMPLATE, limit=MAX_BUNDLE_ITEMS)
    items = []
    for index, raw in enumerate(raw_items):
        try:
            items.append(_wire.item_from_json(raw, where=f"items[{index}]"))
        except _wire.WireFormatError as exc:
            raise BundleError.from_template(_BAD_ITEM_TEMPLATE, number=index + 1) from exc
    return Bundle(program, tuple(items))


def _read_limited(path: Path) -> bytes:
    try:
        # Checked before opening: opening a named pipe or a device would wait forever or read without end.
        if not stat.S_ISREG(path.stat().st_mode):
            raise BundleError("This is not a fingerprint file (it is a folder or a device). Choose the file itself.")
        with path.open("rb") as source:
            data = source.read(MAX_BUNDLE_BYTES + 1)
    except FileNotFoundError as exc:
        raise BundleError(
            "This fingerprint file could not be found. It may have been moved, renamed or deleted."
        ) from exc
    except PermissionError as exc:
        raise BundleError("This fingerprint file could not be opened: Takeback may not read it.") from exc
    except OSError as exc:
        raise BundleError(
            "This fingerprint file could not be read. The disk may have been disconnected; try again."
        ) from exc
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("This file is far too large to be a Takeback fingerprint file.")
    return data
