"""hashing/phash.py against its oracle, imagehash.phash (SciPy's pocketfft DCT), on many pictures and sizes."""

import numpy as np
import pytest
from PIL import Image

import imagehash
from hashing.phash import PHASH_SIDE, phash

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"}
SIZES = [(1, 1), (2, 155), (7, 5), (31, 33), (64, 64), (100, 37), (333, 222), (1000, 700)]


def reference(image: Image.Image) -> str:
    return str(imagehash.phash(image))


def reference_ties(image: Image.Image) -> np.ndarray:
    """Which of imagehash's 64 bits are rounding noise: coefficients within 1e-9 of the largest of the median."""
    import scipy.fftpack  # imagehash's own DCT, to look at its coefficients

    pixels = np.asarray(image.convert("L").resize((PHASH_SIDE, PHASH_SIDE), Image.Resampling.LANCZOS))
    low = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
    return (np.abs(low - np.median(low)) <= 1e-9 * np.abs(low).max()).ravel()


def differing_bits(ours: str, theirs: str) -> np.ndarray:
    bits = int(ours, 16) ^ int(theirs, 16)
    return np.array([(bits >> (63 - index)) & 1 for index in range(64)], dtype=bool)


def photos(data_dir):
    for path in sorted((data_dir / "images").rglob("*")):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as image:
                image.load()
                yield path.name, image.copy()


def test_every_test_photo_at_every_size_and_mode_gets_imagehash_bits(data_dir):
    checked = 0
    for name, image in photos(data_dir):
        # reducing_gap: Pillow shrinks by whole factors first, so making the variants costs a third of the time
        variants = [image] + [image.resize(size, reducing_gap=3.0) for size in SIZES[2:]]
        if image.mode not in {"P", "1"}:
            variants += [image.convert("RGB").rotate(30, expand=True), image.convert("L")]
        for variant in variants:
            assert phash(variant) == reference(variant), f"{name} {variant.size} {variant.mode}"
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("seed", range(4))
def test_random_pictures_of_random_sizes_get_imagehash_bits_except_exact_ties(seed):
    """Noise, smooth colour fields and flat, mirrored or banded pictures, 1 to 900 pixels a side.

    Where the two differ, every differing bit must be one imagehash itself decides by rounding noise: a
    coefficient that equals the median in exact arithmetic (flat or symmetric pictures). Natural pictures must
    agree bit for bit, and ties must stay rare.
    """
    rng = np.random.default_rng(seed)
    pictures, mismatched = 0, 0
    for _ in range(60):
        width, height = (int(side) for side in rng.integers(1, 900, 2))
        small = rng.integers(0, 256, (int(rng.integers(2, 9)), int(rng.integers(2, 9)), 3), dtype=np.uint8)
        noise = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        half = rng.integers(0, 256, (32, 16), dtype=np.uint8)
        candidates = {
            "noise": (Image.fromarray(noise), False),
            "smooth": (Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC), False),
            "flat": (Image.new("RGB", (width, height), tuple(int(v) for v in small[0, 0])), True),
            "mirrored": (Image.fromarray(np.concatenate([half, half[:, ::-1]], axis=1)), True),
            "banded": (Image.fromarray(np.tile(noise[:1], (max(height, 2), 1, 1))), True),
        }
        for kind, (picture, degenerate) in candidates.items():
            pictures += 1
            ours, theirs = phash(picture), reference(picture)
            if ours == theirs:
                continue
            mismatched += 1
            differing = differing_bits(ours, theirs)
            ties = reference_ties(picture)
            assert not (differing & ~ties).any(), f"{kind} {picture.size}: bits differ where imagehash has no tie"
            assert degenerate or picture.height <= 2 or picture.width <= 2, f"{kind} {picture.size} differs"
    assert mismatched <= pictures // 20, f"{mismatched} of {pictures} pictures differ"


def test_phash_is_sixteen_hex_digits_and_big_edits_move_it(data_dir):
    picture = Image.open(data_dir / "images" / "bridge-mods" / "aaa-orig.jpg")
    value = phash(picture)
    assert len(value) == 16 and int(value, 16) >= 0
    flipped = phash(picture.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    assert bin(int(value, 16) ^ int(flipped, 16)).count("1") >= 16
