"""A corpus of photos at every size and encoding, made on the fly, to measure our PDQ against the reference.

The people who use Takeback bring screenshots, pictures saved from chat apps and web-sized copies as often as
12-megapixel phone photos, so PDQ must match the platforms' at every size (issue 9). Nothing here is
committed as files: each :class:`Case` names a natural source picture, a size, an aspect ratio and an
encoding, and :func:`encode` renders it in memory. The sources are the test photos in ``tests/data`` (Meta's
ThreatExchange pictures: a bridge, a 12-megapixel phone photo, two PNG photos; see ``tests/data/NOTICE.md``),
an over-saturated bridge (its RGB clamps hard, where a JPEG's Y plane stops being PDQ's luma), and synthetic
natural-like textures drawn from a fixed seed (a brick wall, 1/f "clouds", saturated flowers on grass).

The reference is what a platform computes: Pillow's full RGB decode, EXIF orientation applied, through Meta's
C++ PDQ (``pdqhash``, a test dependency). Run it to print the distance distribution of ``hash_image``, or
with ``--blocks`` the error of JPEG's reduced decoding by block size over PDQ's filter window::

    python tools/pdq_corpus.py [--full] [--max-side N] [--jpeg-only] [--blocks]
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "images"

#: Long sides from thumbnails to 48-megapixel photos, with the sizes web and chat apps save most.
LONG_SIDES = (64, 96, 128, 160, 200, 256, 300, 360, 400, 480, 512, 600, 640, 720, 800, 960, 1000, 1024, 1080,
              1200, 1280, 1440, 1600, 1920, 2048, 2560, 3000, 3024, 3264, 4000, 4032, 5000, 6000, 8000)

#: Size classes the tests and the closing note report on, by long side (inclusive upper bounds).
SIZE_CLASSES = (("tiny <=256", 256), ("web 257-1080", 1080), ("large 1081-2048", 2048),
                ("photo 2049-4032", 4032), ("huge >4032", 10**6))

#: Width : height of the picture as displayed; the last ones are odd, and odd pixel counts come from rounding.
RATIOS = ((4, 3), (3, 4), (16, 9), (9, 16), (1, 1), (3, 2), (2, 3), (21, 9), (1, 2.7), (5, 4.1))

SOURCES = ("bridge", "phone", "coaster", "screenshot", "saturated", "bricks", "clouds", "flowers")
LOSSLESS_FORMATS = ("png", "gif", "bmp", "tiff", "webp", "webp-lossless", "heic", "avif")


@dataclass(frozen=True, slots=True)
class Case:
    """One file of the corpus: what picture, how big, and how it is encoded."""

    source: str
    long_side: int
    ratio: tuple[float, float]
    format: str = "jpeg"  #: "jpeg" or one of LOSSLESS_FORMATS
    quality: int = 90
    progressive: bool = False
    subsampling: str = "4:2:0"  #: or "4:4:4"
    orientation: int = 1  #: EXIF orientation of the file; the displayed picture is the same either way

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the displayed picture."""
        w, h = self.ratio
        if w >= h:
            return self.long_side, max(8, round(self.long_side * h / w))
        return max(8, round(self.long_side * w / h)), self.long_side

    @property
    def size_class(self) -> str:
        return next(name for name, top in SIZE_CLASSES if self.long_side <= top)

    @property
    def name(self) -> str:
        w, h = self.size
        extra = ""
        if self.format == "jpeg":
            extra = f"-q{self.quality}-{'prog' if self.progressive else 'base'}-{self.subsampling.replace(':', '')}"
        return f"{self.source}-{w}x{h}{extra}-o{self.orientation}.{self.format}"


def jpeg_cases(*, full: bool = False, max_side: int = 10**6) -> list[Case]:
    """JPEG cases at every long side, cycling through sources, ratios, encodings and EXIF orientations.

    The default set gives every size a landscape, a portrait and an odd ratio, with every source, both
    subsamplings, baseline and progressive, and an EXIF orientation in turn; ``full`` has three times as many.
    """
    cases = []
    per_size = 9 if full else 3
    counter = 0
    for long_side in LONG_SIDES:
        if long_side > max_side:
            continue
        for k in range(per_size):
            counter += 1
            cases.append(Case(
                source=SOURCES[counter % len(SOURCES)],
                long_side=long_side,
                ratio=RATIOS[(counter * 7 + k) % len(RATIOS)],
                quality=(95, 90, 75, 85, 60)[counter % 5],
                progressive=counter % 3 == 1,
                subsampling=("4:2:0", "4:4:4")[(counter // 2) % 2],
                orientation=(1, 6, 1, 3, 8, 1, 2, 5, 7, 4)[counter % 10],
            ))
    return cases


def lossless_cases(*, full: bool = False, max_side: int = 10**6) -> list[Case]:
    """Cases in every lossless-decoded format, at sizes from thumbnails to screenshots."""
    sides = (64, 200, 256, 360, 512, 720, 1024, 1280, 1920) if full else (64, 256, 512, 720, 1280)
    cases = []
    counter = 0
    for long_side in sides:
        if long_side > max_side:
            continue
        for fmt in LOSSLESS_FORMATS:
            if fmt in ("heic", "avif") and long_side > 720:
                continue  # their encoders take seconds per picture; the decoders behave alike at any size
            counter += 1
            cases.append(Case(
                source=SOURCES[counter % len(SOURCES)],
                long_side=long_side,
                ratio=RATIOS[counter % len(RATIOS)],
                format=fmt,
                orientation=(1, 6, 1, 3, 8, 1, 2)[counter % 7] if fmt in ("png", "webp", "tiff") else 1,
            ))
    return cases


def picture(case: Case) -> Image.Image:
    """The displayed RGB picture of ``case``: its source, cropped to the ratio and resized (Lanczos)."""
    width, height = case.size
    source = _source(case.source, max(width, height))
    scale = max(width / source.width, height / source.height)
    crop_w, crop_h = min(source.width, round(width / scale)), min(source.height, round(height / scale))
    left, top = (source.width - crop_w) // 2, (source.height - crop_h) // 2
    return source.resize((width, height), Image.Resampling.LANCZOS, box=(left, top, left + crop_w, top + crop_h))


def encode(case: Case, shown: Image.Image | None = None) -> bytes:
    """The file of ``case``: its picture stored so that applying the EXIF orientation shows it upright."""
    shown = picture(case) if shown is None else shown
    stored = shown.transpose(_STORE[case.orientation]) if case.orientation != 1 else shown
    options: dict[str, object] = {}
    if case.orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = case.orientation
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    if case.format == "jpeg":
        stored.save(out, "JPEG", quality=case.quality, progressive=case.progressive,
                    subsampling=case.subsampling, **options)
    elif case.format == "gif":
        stored.quantize(256, dither=Image.Dither.FLOYDSTEINBERG).save(out, "GIF")
    elif case.format in ("heic", "avif"):
        import pillow_heif

        pillow_heif.register_heif_opener()
        if case.format == "avif":
            stored.save(out, "AVIF", quality=80)
        else:
            stored.save(out, "HEIF", quality=80)
    elif case.format == "webp-lossless":
        stored.save(out, "WEBP", lossless=True, **options)
    elif case.format == "webp":
        stored.save(out, "WEBP", quality=80, **options)
    else:
        stored.save(out, case.format.upper(), **options)
    return out.getvalue()


# Transpose that stores a displayed picture so that ImageOps.exif_transpose(orientation) shows it again.
_STORE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def turned_pillow() -> dict:
    """Each :class:`hashing.Dihedral` turn as the Pillow operation a platform's copy would have gone through."""
    from hashing import Dihedral

    return {
        Dihedral.ROTATE_90: Image.Transpose.ROTATE_90,
        Dihedral.ROTATE_180: Image.Transpose.ROTATE_180,
        Dihedral.ROTATE_270: Image.Transpose.ROTATE_270,
        Dihedral.FLIP_HORIZONTAL: Image.Transpose.FLIP_LEFT_RIGHT,
        Dihedral.FLIP_VERTICAL: Image.Transpose.FLIP_TOP_BOTTOM,
        Dihedral.TRANSPOSE: Image.Transpose.TRANSPOSE,
        Dihedral.TRANSVERSE: Image.Transpose.TRANSVERSE,
    }


def reference_rgb(data: bytes) -> np.ndarray:
    """What a platform decodes: Pillow's RGB of the file with EXIF orientation applied."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        return np.ascontiguousarray(np.asarray(ImageOps.exif_transpose(image).convert("RGB")))


def reference_pdq(rgb: np.ndarray) -> tuple[bytes, int]:
    """Meta's C++ PDQ of an RGB array: (32-byte digest, quality)."""
    import pdqhash

    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return np.packbits(bits).tobytes(), int(quality)


def _source(name: str, long_side: int) -> Image.Image:
    """A source picture with at least ``long_side`` pixels of detail where it can have them."""
    if name == "bridge":
        return _open("bridge-mods/aaa-orig.jpg")
    if name == "phone":
        return _open("exif-rotn/exif-rotn-1.jpg")
    if name == "coaster":
        return _open("misc/pen-and-coaster.png")
    if name == "screenshot":
        return _open("misc/c.png")
    if name == "saturated":
        bridge = _open("bridge-mods/aaa-orig.jpg")
        return ImageEnhance.Contrast(ImageEnhance.Color(bridge).enhance(3.5)).enhance(1.4)
    # Textures are drawn at the next of a few sizes (then resized), so their detail is near pixel scale.
    side = next((tier for tier in (512, 1024, 2048) if long_side <= tier), 4096)
    if name in _TEXTURES:
        return _texture(name, side)
    raise ValueError(f"no corpus source named {name!r}")


@functools.lru_cache(maxsize=3)
def _texture(name: str, side: int) -> Image.Image:
    return _TEXTURES[name](side)


@functools.cache
def _open(relative: str) -> Image.Image:
    with Image.open(DATA / relative) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def _bricks(side: int) -> Image.Image:
    """A brick wall: fine, high-contrast periodic edges, the texture the issue found 34 bits off."""
    rng = np.random.default_rng(9)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32)
    brick_h = max(3.0, side / 100.0)  # a wall seen from afar: bricks a few pixels high at every size
    brick_w = brick_h * 2.1
    row = np.floor(y / brick_h)
    shifted = x + (row % 2) * brick_w / 2
    mortar = ((y % brick_h) < max(1.0, brick_h * 0.25)) | ((shifted % brick_w) < max(1.0, brick_w * 0.12))
    tint = rng.uniform(0.75, 1.15, size=(int(row.max()) + 2, int(side / brick_w) + 3))
    colour = tint[row.astype(int), (shifted / brick_w).astype(int)]
    grain = rng.normal(0, 12, size=(side, side)).astype(np.float32)
    base = np.where(mortar, 200.0, 150.0 * colour) + grain
    rgb = np.stack([base * 1.05, base * 0.55, base * 0.45], axis=-1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def _clouds(side: int) -> Image.Image:
    """Coloured 1/f noise: the power spectrum of natural scenes, without any one dominant edge."""
    rng = np.random.default_rng(10)
    freq = np.hypot(*np.meshgrid(np.fft.fftfreq(side), np.fft.rfftfreq(side), indexing="ij"))
    freq[0, 0] = 1.0
    channels = []
    for _ in range(3):
        spectrum = (rng.normal(size=freq.shape) + 1j * rng.normal(size=freq.shape)) / freq
        field = np.fft.irfft2(spectrum, s=(side, side))
        channels.append((field - field.mean()) / field.std())
    mixed = np.stack(channels, axis=-1) @ np.array([[1.0, 0.6, 0.3], [0.2, 1.0, 0.4], [0.1, 0.3, 1.0]])
    return Image.fromarray(np.clip(128 + 45 * mixed, 0, 255).astype(np.uint8))


def _flowers(side: int) -> Image.Image:
    """Strongly saturated red, magenta and yellow petals on green: RGB clamps where the JPEG's colours peak."""
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    rgb = np.stack([30 + 40 * y, 140 + 60 * x, 20 + 30 * x * y], axis=-1)
    palette = np.array([[255, 0, 20], [240, 0, 255], [255, 230, 0], [0, 40, 255], [255, 120, 0]], np.float32)
    for _ in range(60):
        cx, cy, radius = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.02, 0.09)
        angle = np.arctan2(y - cy, x - cx)
        petal = np.hypot(x - cx, y - cy) < radius * (0.6 + 0.4 * np.abs(np.cos(2.5 * angle)))
        rgb[petal] = palette[rng.integers(len(palette))]
    rgb += rng.normal(0, 6, size=rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


_TEXTURES = {"bricks": _bricks, "clouds": _clouds, "flowers": _flowers}


@dataclass(frozen=True, slots=True)
class Measured:
    case: Case
    distance: int
    reference_quality: int


def measure(cases: list[Case], hash_file) -> Iterator[Measured]:
    """Distance between ``hash_file(path)`` (a displayed-view PdqHash) and the reference, case by case."""
    with tempfile.TemporaryDirectory() as folder:
        for case in cases:
            data = encode(case)
            digest, quality = reference_pdq(reference_rgb(data))
            path = Path(folder) / case.name
            path.write_bytes(data)
            ours = hash_file(path)
            distance = (int.from_bytes(digest, "big") ^ int.from_bytes(ours.digest, "big")).bit_count()
            path.unlink()
            yield Measured(case, distance, quality)


def summary(results: list[Measured]) -> str:
    """Distance distribution (median, p95, max) per format and size class, over pictures with quality >= 50."""
    lines = [f"{'format':<14}{'size class':<18}{'files':>6}{'median':>8}{'p95':>6}{'max':>6}  worst file"]
    groups: dict[tuple[str, str], list[Measured]] = {}
    for result in results:
        if result.reference_quality >= 50:
            fmt = "jpeg" if result.case.format == "jpeg" else result.case.format
            groups.setdefault((fmt, result.case.size_class), []).append(result)
            groups.setdefault((fmt, "all sizes"), []).append(result)
    for (fmt, size_class), group in sorted(groups.items(), key=lambda item: (item[0][0], _class_order(item[0][1]))):
        distances = np.array([r.distance for r in group])
        worst = max(group, key=lambda r: r.distance)
        lines.append(f"{fmt:<14}{size_class:<18}{len(group):>6}{np.median(distances):>8.1f}"
                     f"{np.percentile(distances, 95):>6.1f}{distances.max():>6}  {worst.case.name}")
    return "\n".join(lines)


def _class_order(name: str) -> int:
    names = [n for n, _ in SIZE_CLASSES] + ["all sizes"]
    return names.index(name)


def block_error_table(cases: list[Case]) -> str:
    """Distance to the reference of JPEGs decoded at 1/2, 1/4 and 1/8, by block size over PDQ's filter window.

    This is the evidence for the decoding rule in ``hashing/_reduced_pdq.py``: each JPEG (quality >= 50) is
    decoded by libjpeg's DCT scaling as RGB, and its luma block means are hashed with the reference filter.
    """
    from hashing._reduced_pdq import pdq_from_block_means
    from hashing.pdq import jarosz_window, luma

    buckets = ((0, 1 / 4, "<= 1/4"), (1 / 4, 1 / 3 + 1e-9, "1/4 .. 1/3"), (1 / 3 + 1e-9, 0.5 + 1e-9, "1/3 .. 1/2"),
               (0.5 + 1e-9, 0.9, "1/2 .. 0.9"), (0.9, 99, ">= 0.9"))
    found: dict[str, list[tuple[int, str]]] = {label: [] for _, _, label in buckets}
    for case in cases:
        data = encode(case)
        digest, quality = reference_pdq(reference_rgb(data))
        if quality < 50:
            continue
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
        window = min(jarosz_window(width), jarosz_window(height))
        for block in (2, 4, 8):
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (width // block, height // block))
                image.load()
                if image.size != (-(-width // block), -(-height // block)):
                    continue
                ours = pdq_from_block_means(luma(np.asarray(image)), (height, width), block, orientation)
            distance = (int.from_bytes(digest, "big") ^ int.from_bytes(ours.digest, "big")).bit_count()
            ratio = block / window
            label = next(label for low, high, label in buckets if low <= ratio < high)
            found[label].append((distance, case.name))
    lines = [f"{'block / window':<16}{'hashes':>7}{'median':>8}{'p95':>6}{'max':>5}  worst file"]
    for label, results in found.items():
        if results:
            distances = np.array([d for d, _ in results])
            lines.append(f"{label:<16}{len(results):>7}{np.median(distances):>8.1f}{np.percentile(distances, 95):>6.1f}"
                         f"{distances.max():>5}  {max(results)[1]}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="three times as many JPEG cases, more lossless sizes")
    parser.add_argument("--max-side", type=int, default=10**6, help="skip pictures with a longer side")
    parser.add_argument("--jpeg-only", action="store_true")
    parser.add_argument("--blocks", action="store_true",
                        help="instead: the JPEG error by block size over filter window (the decoding rule's evidence)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from hashing import hash_image

    if args.blocks:
        print(block_error_table(jpeg_cases(full=args.full, max_side=args.max_side)))
        return 0

    cases = jpeg_cases(full=args.full, max_side=args.max_side)
    if not args.jpeg_only:
        cases += lossless_cases(full=args.full, max_side=args.max_side)
    results = []
    for result in measure(cases, lambda path: hash_image(path).pdq[0].hash):
        results.append(result)
        if result.distance > 2:
            print(f"  {result.case.name}: distance {result.distance} (quality {result.reference_quality})",
                  file=sys.stderr)
    print(summary(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
