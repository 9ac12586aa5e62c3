"""One entry point for any file, and the list of files a person's selection of files and folders stands for."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .detect import detect_format
from .errors import FileChanged, FileUnreadable, HashingError
from .image import hash_image
from .results import ImageFingerprints, MediaKind, VideoFingerprints

__all__ = ["hash_file", "iter_media_paths"]


def hash_file(
    path: str | Path,
    *,
    vpdq_every: float = 1.0,
    tmk: bool = True,
    dihedral: bool = True,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImageFingerprints | VideoFingerprints:
    """Fingerprint a photo or a video, telling which it is from the file's content.

    Args:
        vpdq_every: videos only: seconds between hashed frames (0 = every frame).
        tmk: videos only: also compute the TMK+PDQF hash.
        dihedral: photos only: also hash the picture turned and mirrored.
        cancel: set it to stop early; the call then raises ``Cancelled``.
        progress: called with the fraction done (0..1).

    Raises:
        HashingError: the file cannot be fingerprinted; the message is meant for the person.
        ValueError: ``vpdq_every`` is negative.
    """
    if vpdq_every < 0:
        raise ValueError(f"vpdq_every is seconds between frames (0 = all), got {vpdq_every}")
    if detect_format(path).kind is MediaKind.IMAGE:
        return hash_image(path, dihedral=dihedral, cancel=cancel, progress=progress)
    from .video import hash_video  # PyAV and FFmpeg are only loaded when there is a video

    return hash_video(path, vpdq_every=vpdq_every, tmk=tmk, cancel=cancel, progress=progress)


def iter_media_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files to fingerprint for what the person chose: files as given, folders walked.

    Files named directly are yielded in the order given, whatever they hold, so a wrong choice gets its own
    clear error. Inside folders (walked recursively, in name order, following links but never the same folder
    twice) only photos and videos are yielded, by content; hidden files and other documents are skipped, but a
    file that cannot be read is kept so the person hears about it.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, set())
        else:
            yield path


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path]:
    try:
        info = folder.stat()
    except OSError:
        yield folder  # vanished or unreadable since it was listed: hashing it reports why
        return
    if (info.st_dev, info.st_ino) in seen:  # a link back up the tree, or to a folder already walked
        return
    seen.add((info.st_dev, info.st_ino))
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        yield folder
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, seen)
        elif _worth_hashing(path):
            yield path


def _worth_hashing(path: Path) -> bool:
    try:
        detect_format(path)
    except (FileUnreadable, FileChanged):
        return True  # it may well be a photo: keep it, so the person hears why it could not be read
    except HashingError:
        return False  # not media, empty, a device, a broken link: not something they meant to fingerprint
    return True
