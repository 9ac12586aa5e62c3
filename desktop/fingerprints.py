"""Turns what ``hashing`` computed into what ``client_api`` sends: fingerprints only, nothing else.

This is the one crossing point between the two packages (neither imports the other). What stays behind on
purpose: a video's duration and frame count, warnings, pHash (no platform list takes it), and an animated
image's frame hashes (the protocol's image item has no place for them; its first-frame PDQ is sent).
"""

from __future__ import annotations

from client_api import ImageItem, Item, PdqEntry, VideoItem, VpdqEntry
from client_api.models import MAX_VPDQ_FRAMES_PER_VIDEO
from hashing.results import ImageFingerprints, VideoFingerprints, VpdqFrame

__all__ = ["fingerprint_count", "to_item", "to_items"]


def _thinned(frames: tuple[VpdqFrame, ...]) -> tuple[VpdqFrame, ...]:
    """At most the protocol's frame limit, spread evenly over the video.

    Only a video of more than five and a half hours at one frame a second hits the limit. vPDQ matches a video by
    the share of frames that agree, so evenly spaced frames still match; dropping the end would not.
    """
    if len(frames) <= MAX_VPDQ_FRAMES_PER_VIDEO:
        return frames
    step = len(frames) / MAX_VPDQ_FRAMES_PER_VIDEO
    return tuple(frames[int(i * step)] for i in range(MAX_VPDQ_FRAMES_PER_VIDEO))


def to_item(result: ImageFingerprints | VideoFingerprints, *, dihedral: bool = True) -> Item:
    """The client item for one file's fingerprints.

    An image carries every PDQ hash computed for it: as displayed, as stored when its EXIF orientation turns
    it, and (unless ``dihedral`` is false) turned and mirrored, since a platform may see any of these forms.
    Each distinct hash is sent once, the displayed one first: the stored view is one of the turns, and a
    symmetric picture can hash the same turned.
    """
    if isinstance(result, ImageFingerprints):
        hashes = [entry.hash for entry in result.pdq]
        if dihedral:
            hashes += [entry.hash for entry in result.dihedral]
        distinct = {pdq.digest: pdq for pdq in hashes}  # dicts keep the first key's place
        return ImageItem(
            md5=result.md5,
            sha256=result.sha256,
            pdq=tuple(PdqEntry(pdq.hex, pdq.quality) for pdq in distinct.values()),
        )
    if isinstance(result, VideoFingerprints):
        return VideoItem(
            md5=result.md5,
            sha256=result.sha256,
            vpdq=tuple(
                VpdqEntry(frame.frame, frame.timestamp, frame.hash.hex, frame.hash.quality)
                for frame in _thinned(result.vpdq)
            ),
            tmk=result.tmk.to_bytes() if result.tmk is not None else None,
        )
    raise TypeError(f"expected ImageFingerprints or VideoFingerprints, got {type(result).__name__}")


def to_items(results: list[ImageFingerprints | VideoFingerprints], *, dihedral: bool = True) -> tuple[Item, ...]:
    return tuple(to_item(result, dihedral=dihedral) for result in results)


def fingerprint_count(result: ImageFingerprints | VideoFingerprints, *, dihedral: bool = True) -> int:
    """How many fingerprints the review screen counts for one file: MD5 and SHA-256, every distinct PDQ hash
    sent (turned and mirrored ones too unless ``dihedral`` is false), and every frame and TMK+PDQF hash."""
    exact = 2
    if isinstance(result, VideoFingerprints):
        return exact + len(result.vpdq) + (1 if result.tmk is not None else 0)
    return exact + len(to_item(result, dihedral=dihedral).pdq) + len(result.vpdq)
