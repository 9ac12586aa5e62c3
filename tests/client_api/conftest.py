"""Fingerprint items for client tests: real shapes, random values."""

import secrets

import pytest

from client_api import ImageItem, PdqEntry, VideoItem, VpdqEntry


def random_image_item(pdq_count: int = 2) -> ImageItem:
    return ImageItem(
        md5=secrets.token_hex(16),
        sha256=secrets.token_hex(32),
        pdq=tuple(PdqEntry(secrets.token_hex(32), 100 - 10 * i) for i in range(pdq_count)),
    )


def random_video_item(frames: int = 5, tmk_bytes: int | None = 263_344) -> VideoItem:
    return VideoItem(
        md5=secrets.token_hex(16),
        sha256=secrets.token_hex(32),
        vpdq=tuple(VpdqEntry(i, i * 1.0, secrets.token_hex(32), 90) for i in range(frames)),
        tmk=secrets.token_bytes(tmk_bytes) if tmk_bytes else None,
    )


@pytest.fixture
def some_items():
    return (random_image_item(1), random_image_item(2), random_video_item(), random_video_item(tmk_bytes=None))


@pytest.fixture
def make_image_item():
    return random_image_item


@pytest.fixture
def make_video_item():
    return random_video_item
