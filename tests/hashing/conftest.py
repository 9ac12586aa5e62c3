"""Shared helpers for the hashing tests: a test photo in memory, files made from it, and the reference PDQ."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
import pillow_heif
import pytest
from PIL import Image, ImageOps

from hashing.results import PdqHash

DATA = Path(__file__).parent.parent / "data"


def _reference_pdq(source: Path | bytes | Image.Image, *, transpose: bool = True) -> PdqHash:
    """What a platform computes: Pillow's RGB decode (EXIF orientation applied) through Meta's C++ PDQ."""
    if isinstance(source, Image.Image):
        rgb = _upright_rgb(source, transpose)
    else:
        pillow_heif.register_heif_opener()
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            rgb = _upright_rgb(image, transpose)
    bits, quality = pdqhash.compute(rgb)
    return PdqHash(np.packbits(bits).tobytes(), int(quality))


def _upright_rgb(image: Image.Image, transpose: bool) -> np.ndarray:
    if transpose:
        image = ImageOps.exif_transpose(image)
    return np.ascontiguousarray(np.asarray(image.convert("RGB")))


@pytest.fixture(scope="session")
def reference_pdq() -> Callable[..., PdqHash]:
    """``reference_pdq(path_or_bytes_or_image, transpose=True)``: the platform's PDQ of that picture."""
    return _reference_pdq


@pytest.fixture(scope="session")
def photo() -> Image.Image:
    """An ordinary photo (Meta's bridge test image) at 800x502, small enough to re-encode quickly."""
    with Image.open(DATA / "images" / "bridge-mods" / "aaa-orig.jpg") as image:
        return image.convert("RGB").reduce(2)


@pytest.fixture
def save(tmp_path: Path) -> Callable[..., Path]:
    """``save(image, "name.ext", **pillow_options)`` writes a file with Pillow and returns its path."""

    def saver(image: Image.Image, name: str, **options: object) -> Path:
        path = tmp_path / name
        pillow_heif.register_heif_opener()
        image.save(path, **options)
        return path

    return saver
