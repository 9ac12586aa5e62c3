"""Fingerprint items for client tests: real shapes, random values."""

import secrets

import pytest

from client_api import ImageItem, PdqEntry, VideoItem, VpdqEntry
from client_api.models import TMK_FILE_BYTES, TMK_MAGIC


def random_image_item(pdq_count: int = 2) -> ImageItem:
    return ImageItem(
        md5=secrets.token_hex(16),
        sha256=secrets.token_hex(32),
        pdq=tuple(PdqEntry(secrets.token_hex(32), 100 - 10 * i) for i in range(pdq_count)),
    )


def random_tmk() -> bytes:
    """The shape of a .tmk file (its magic and size) with random features: what the service checks."""
    return TMK_MAGIC + secrets.token_bytes(TMK_FILE_BYTES - len(TMK_MAGIC))


def random_video_item(frames: int = 5, tmk: bool = True) -> VideoItem:
    return VideoItem(
        md5=secrets.token_hex(16),
        sha256=secrets.token_hex(32),
        vpdq=tuple(VpdqEntry(i, i * 1.0, secrets.token_hex(32), 90) for i in range(frames)),
        tmk=random_tmk() if tmk else None,
    )


@pytest.fixture
def some_items():
    return (random_image_item(1), random_image_item(2), random_video_item(), random_video_item(tmk=False))


@pytest.fixture
def make_image_item():
    return random_image_item


@pytest.fixture
def make_video_item():
    return random_video_item
