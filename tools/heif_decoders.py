"""Does pi-heif decode every HEIC exactly as pillow-heif does? The check that must pass before the app switches.

pi-heif is pillow-heif's decode-only build (libheif and libde265, without libx265, the 20 MB HEVC encoder the app
never calls), so it would cut the bundle by about 20 MB (issue 13). But the two are released separately, each
with its own libheif, and a fingerprint changes when one decoded pixel does. This script encodes HEIC files with
pillow-heif (the test photos, the PDQ corpus's HEIC cases, every EXIF orientation at odd and even sizes, 4:4:4
chroma, grey, alpha and 10-bit), decodes each with both libraries and compares what the app reads: the raw
pixels, the EXIF, the upright RGB and ``hash_image``'s whole result. It needs pi-heif installed next to the test
environment's pillow-heif (``pip install pi-heif``); it is not a dependency while the app does not use it::

    python tools/heif_decoders.py [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: Displayed sizes for the orientation cases: odd sides make HEVC pad to its block size, and the decoders must
#: crop (and turn) the padded chroma alike.
SIZES = ((787, 485), (101, 77), (65, 27), (33, 33), (64, 48))


def write_inputs(folder: Path) -> Iterator[Path]:
    """Encode every test HEIC into ``folder`` with pillow-heif, yielding each path."""
    import pillow_heif

    from tools import pdq_corpus

    pillow_heif.register_heif_opener()
    seed = folder / "fuzz-seed.heic"
    seed.write_bytes((REPO / "tests" / "data" / "fuzz" / "seeds" / "photo.heic").read_bytes())
    yield seed
    for case in pdq_corpus.lossless_cases(full=True):
        if case.format == "heic":
            path = folder / f"corpus-{case.name}"
            path.write_bytes(pdq_corpus.encode(case))
            yield path
    with Image.open(pdq_corpus.DATA / "bridge-mods" / "aaa-orig.jpg") as image:
        photo = image.convert("RGB")
    for width, height in SIZES:
        picture = photo.resize((width, height), Image.Resampling.LANCZOS)
        for orientation in range(1, 9):
            exif = Image.Exif()
            exif[0x0112] = orientation
            path = folder / f"bridge-{width}x{height}-o{orientation}.heic"
            picture.save(path, "HEIF", quality=80, exif=exif.tobytes())
            yield path
    picture = photo.resize(SIZES[0], Image.Resampling.LANCZOS)
    extra: dict[str, Callable[[Path], None]] = {
        "444": lambda path: picture.save(path, "HEIF", quality=50, chroma=444),
        "lossless": lambda path: picture.save(path, "HEIF", quality=-1),
        **{f"mode-{mode.replace(';', '')}": (lambda path, mode=mode: picture.convert(mode).save(path, "HEIF"))
           for mode in ("L", "LA", "RGBA", "I;16")},
    }
    for name, save in extra.items():
        path = folder / f"bridge-{name}.heic"
        save(path)
        yield path


def decoded(image: Image.Image) -> tuple[object, ...]:
    """What the app reads of a decoded HEIC: mode, size, raw pixels, EXIF and the upright RGB PDQ sees."""
    upright = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    return image.mode, image.size, image.tobytes(), image.info.get("exif") or b"", upright.tobytes()


def compare(paths: list[Path]) -> list[str]:
    """One line per file where the two libraries differ (pixels, EXIF, or the app's fingerprints)."""
    import pi_heif
    import pillow_heif

    import hashing._pillow
    from hashing import hash_image

    differences = []
    for path in paths:
        with pi_heif.HeifImageFile(path) as ours, pillow_heif.HeifImageFile(path) as theirs:
            pixels = decoded(ours) != decoded(theirs)
        fingerprints = []
        for library in (pi_heif, pillow_heif):
            library.register_heif_opener()
            hashing._pillow._register_heif = library.register_heif_opener
            fingerprints.append(hash_image(path))
        if pixels or fingerprints[0] != fingerprints[1]:
            distance = fingerprints[0].pdq[0].hash.distance(fingerprints[1].pdq[0].hash)
            differences.append(f"{path.name}: pixels {'differ' if pixels else 'identical'}, "
                               f"hash_image {'differs' if fingerprints[0] != fingerprints[1] else 'identical'} "
                               f"(displayed PDQ {distance} bits apart)")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the HEIC files here and keep them")
    args = parser.parse_args()
    import pi_heif
    import pillow_heif

    for library in (pi_heif, pillow_heif):
        info = library.libheif_info()
        print(f"{library.__name__} {library.__version__}: libheif {info['libheif']}, {info['decoders']['libde265']}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        paths = list(write_inputs(folder))
        differences = compare(paths)
    print(*differences, sep="\n")
    print(f"{len(paths)} HEIC files, {len(differences)} decoded differently")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
