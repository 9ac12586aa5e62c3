"""MD5 and SHA-256 of a file's bytes, streamed in constant memory so multi-gigabyte videos are fine.

Platforms match exact copies with these (StopNCII's VideoMD5, NCMEC's MD5/SHA1 lists).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._safe_open import checked_open
from .errors import Cancelled, FileUnreadable

__all__ = ["CHUNK_SIZE", "ExactHashes", "exact_hashes"]

CHUNK_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class ExactHashes:
    md5: str
    sha256: str
    size: int  #: bytes read; local use only (progress), never sent


def exact_hashes(
    path: str | Path,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> ExactHashes:
    """Hash every byte of ``path``.

    Args:
        cancel: set it to stop early; the call then raises ``Cancelled``.
        progress: called with the fraction read so far (0..1), at most once per megabyte.

    Raises:
        HashingError: the file is missing, not a file, unreadable or empty.
    """
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    read = 0
    with checked_open(path) as (handle, size):
        try:
            while chunk := handle.read(CHUNK_SIZE):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                md5.update(chunk)
                sha256.update(chunk)
                read += len(chunk)
                if progress is not None:
                    progress(min(1.0, read / size))
        except OSError as exc:
            raise FileUnreadable() from exc
    return ExactHashes(md5.hexdigest(), sha256.hexdigest(), read)
