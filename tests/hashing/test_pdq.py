"""PDQ in numpy is bit-identical to Meta's C++ reference (the pdqhash binding) on the same pixels."""

import numpy as np
import pdqhash
import pytest
from PIL import Image

from hashing.pdq import (
    MIN_DIMENSION,
    dct16,
    fast_pdq_from_bgr,
    fast_pdq_from_rgb,
    luma,
    pdq_dihedral_from_luma,
    pdq_from_rgb,
)
from hashing.results import Dihedral, PdqHash
from tools import pdq_corpus


def reference_pdq(rgb: np.ndarray) -> tuple[str, int]:
    bits, quality = pdqhash.compute(rgb)
    return np.packbits(bits).tobytes().hex(), int(quality)


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    walk = rng.normal(0, 40, (*shape, 3)).cumsum(axis=0) / np.sqrt(shape[0]) + 128
    return np.clip(walk, 0, 255).astype(np.uint8)


SHAPES = [(64, 64), (5, 5), (7, 300), (100, 100), (257, 131), (480, 640), (513, 1024), (1080, 1920)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("texture", ["uniform-noise", "smooth-noise", "stripes"])
def test_bit_identical_to_reference_on_synthetic_pixels(shape, texture):
    rng = np.random.default_rng(sum(shape))
    if texture == "uniform-noise":
        rgb = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    elif texture == "smooth-noise":
        rgb = smooth_noise(rng, shape)
    else:
        rgb = np.full((*shape, 3), 77, np.uint8)
        rgb[::3] = 200
    ours = pdq_from_rgb(rgb)
    assert (ours.hex, ours.quality) == reference_pdq(rgb)


@pytest.mark.parametrize(
    "name",
    ["bridge-mods/aaa-orig.jpg", "bridge-mods/square-128x128.jpg", "dih/bridge-2-rotate-90.jpg",
     "misc/wee.jpg", "misc/small.jpg", "misc/pen-and-coaster.png", "modes/CMYK.jpg"],
)
def test_bit_identical_to_reference_on_real_photos(data_dir, name):
    with Image.open(data_dir / "images" / name) as image:
        rgb = np.asarray(image.convert("RGB"))
    ours = pdq_from_rgb(rgb)
    assert (ours.hex, ours.quality) == reference_pdq(rgb)


def test_too_small_image_hashes_to_zero_quality_like_reference():
    rgb = np.full((MIN_DIMENSION - 1, 40, 3), 128, np.uint8)
    assert pdq_from_rgb(rgb) == PdqHash(bytes(32), 0)


def test_flat_image_has_quality_zero():
    assert pdq_from_rgb(np.full((200, 300, 3), 90, np.uint8)).quality == 0


def test_pdqf_block_matches_reference_float_hash():
    rgb = smooth_noise(np.random.default_rng(7), (64, 64))
    reference = pdqhash.compute_float(rgb)[0][::-1].reshape(16, 16)
    np.testing.assert_allclose(dct16(luma(rgb)), reference, rtol=0, atol=1e-3)


def test_small_edit_small_distance_big_edit_big_distance():
    rng = np.random.default_rng(3)
    rgb = smooth_noise(rng, (300, 400))
    brighter = np.clip(rgb.astype(int) + 12, 0, 255).astype(np.uint8)
    other = smooth_noise(rng, (300, 400))
    original = pdq_from_rgb(rgb)
    assert original.distance(pdq_from_rgb(brighter)) <= 10
    assert original.distance(pdq_from_rgb(other)) >= 80


def test_rejects_non_rgb_arrays():
    with pytest.raises(ValueError, match="uint8 RGB"):
        pdq_from_rgb(np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError, match="uint8 RGB"):
        pdq_from_rgb(np.zeros((10, 10, 3), np.float32))


# The fast variant (for video frames) sums the same linear maps in another order: only float rounding differs.
# Images whose DCT coefficients tie at the median (pure stripes) flip arbitrarily in either version, so they
# are left out: the bar is natural pictures.
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("texture", ["uniform-noise", "smooth-noise"])
def test_fast_variant_within_two_bits_of_exact_on_synthetic_pixels(shape, texture):
    rng = np.random.default_rng(sum(shape))
    rgb = rng.integers(0, 256, (*shape, 3), dtype=np.uint8) if texture == "uniform-noise" else smooth_noise(rng, shape)
    exact, fast = pdq_from_rgb(rgb), fast_pdq_from_rgb(rgb)
    assert exact.distance(fast) <= 2
    assert abs(exact.quality - fast.quality) <= 1


@pytest.mark.parametrize(
    "name",
    ["bridge-mods/aaa-orig.jpg", "bridge-mods/blur-a-lot.jpg", "dih/bridge-2-rotate-90.jpg", "misc/wee.jpg",
     "misc/pen-and-coaster.png", "modes/CMYK.jpg"],
)
def test_fast_variant_within_two_bits_of_exact_on_real_photos(data_dir, name):
    with Image.open(data_dir / "images" / name) as image:
        rgb = np.asarray(image.convert("RGB"))
    exact, fast = pdq_from_rgb(rgb), fast_pdq_from_rgb(rgb)
    assert exact.distance(fast) <= 2 and abs(exact.quality - fast.quality) <= 1
    assert fast_pdq_from_bgr(np.ascontiguousarray(rgb[..., ::-1])) == fast


def test_fast_variant_refuses_what_the_exact_one_refuses():
    assert fast_pdq_from_rgb(np.full((MIN_DIMENSION - 1, 40, 3), 128, np.uint8)) == PdqHash(bytes(32), 0)
    with pytest.raises(ValueError, match="uint8"):
        fast_pdq_from_bgr(np.zeros((10, 10, 3), np.float32))


@pytest.mark.parametrize("length", [64, 378, 3024, 4032])
def test_resampling_matrix_is_exactly_zero_outside_the_filter_support(length):
    # Two box passes of width w reach at most 2w - 1 samples; stray float residues elsewhere once made the
    # reduced photo path multiply dense matrices (70x slower on rotated photos) without changing any hash.
    from hashing.pdq import jarosz_window, resampling_matrix

    window = jarosz_window(length)
    assert (resampling_matrix(length) != 0).sum(axis=1).max() <= 2 * window - 1


TURNS = pdq_corpus.turned_pillow()


def _turned_reference(rgb: np.ndarray) -> dict[Dihedral | None, tuple[str, int]]:
    image = Image.fromarray(rgb)
    turned = {key: np.asarray(image.transpose(op)) for key, op in TURNS.items()}
    return {None: reference_pdq(rgb)} | {key: reference_pdq(np.ascontiguousarray(px)) for key, px in turned.items()}


@pytest.mark.parametrize("shape", [(64, 64), (5, 9), (37, 301), (256, 256), (333, 190), (720, 1280)], ids=str)
def test_every_turn_is_bit_identical_to_the_reference_on_turned_pixels(shape):
    rgb = smooth_noise(np.random.default_rng(shape[1]), shape)
    ours = pdq_dihedral_from_luma(luma(rgb))
    assert {key: (pdq.hex, pdq.quality) for key, pdq in ours.items()} == _turned_reference(rgb)


def test_metas_dct_sign_flips_are_not_the_hash_of_the_turned_picture(photo):
    """Why the turns are filtered one by one: ``computeDihedral`` is far off the hash of the turned pixels.

    Measured on a 256-pixel photo: each of Meta's eight dihedral hashes against the nearest of the eight
    hashes of the turned pictures. Their decimation does not sample symmetrically, so a turn moves the samples.
    """
    rgb = np.ascontiguousarray(np.asarray(photo.resize((256, 161))))
    reference = [bytes.fromhex(hex_) for hex_, _ in _turned_reference(rgb).values()]
    metas = [np.packbits(bits).tobytes() for bits in pdqhash.compute_dihedral(rgb)[0]]
    nearest = [min(PdqHash(m, 100).distance(PdqHash(r, 100)) for r in reference) for m in metas]
    assert nearest[0] == 0  # the untouched picture is the same hash
    assert max(nearest) > 10


def test_a_stack_of_dct_blocks_is_each_block_alone():
    stack = np.random.default_rng(3).uniform(0, 255, (5, 64, 64)).astype(np.float32)
    assert all(np.array_equal(block, dct16(y64)) for block, y64 in zip(dct16(stack), stack, strict=True))
