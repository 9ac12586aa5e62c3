"""Photo fingerprinting speed and accuracy against the reference pipeline, in one run (issues 2 and 9).

It times, in the same run and interleaved so both see the same machine load:

- Takeback: ``hashing.hash_image`` end to end (read, MD5, SHA-256, decode, PDQ as shown and as stored, the
  seven turned and mirrored PDQ hashes, pHash); and the same without the turned ones (``dihedral=False``);
- the reference: read, MD5, Pillow full decode with EXIF orientation applied, ``convert("RGB")``, and Meta's
  C++ PDQ through the ``pdqhash`` binding (one hash);

on three sets: the 12-megapixel phone photos of ``../shared/reference/images/exif-rotn/`` (target >= 10x),
1080p JPEGs and 720p PNGs made by ``tools/pdq_corpus.py``. It prints milliseconds per image (median of the
runs), the ratios, and the PDQ distance of the displayed view. CPU milliseconds (all threads) are printed
too: on a busy shared machine wall time swings with other load, CPU time much less. Last, it prints the
distance distribution over the whole corpus of issue 9 per format and size class (target for JPEG: p95 <= 2,
max <= 6; lossless formats: 0). Not a test: run it by hand,
``python benchmarks/bench_images.py [--runs N] [--corpus default|full|none]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hashing import PdqHash, hash_image  # noqa: E402 - after making the repository importable
from tools import pdq_corpus  # noqa: E402
from tools.pdq_corpus import Case  # noqa: E402

_WEB_SOURCES = ("bridge", "phone", "coaster", "clouds", "bricks", "saturated")


def _reference_photos() -> Path:
    """``../shared/reference`` next to the repository; a git worktree one level deeper looks further up."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "reference" / "images" / "exif-rotn"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "reference" / "images" / "exif-rotn"


def reference_pipeline(path: Path) -> PdqHash:
    data = path.read_bytes()
    hashlib.md5(data, usedforsecurity=False).hexdigest()
    with Image.open(io.BytesIO(data)) as image:
        rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    bits, quality = pdqhash.compute(rgb)
    return PdqHash(np.packbits(bits).tobytes(), int(quality))


def takeback(path: Path) -> PdqHash:
    return hash_image(path).pdq[0].hash


def takeback_one_view(path: Path) -> PdqHash:
    return hash_image(path, dihedral=False).pdq[0].hash


def timed(function: Callable[[Path], PdqHash], path: Path) -> tuple[float, float, PdqHash]:
    """Wall and CPU milliseconds of one call, and its displayed-view PDQ."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = function(path)
    return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000, result


def bench_set(title: str, files: list[Path], runs: int, target: float | None) -> None:
    pipelines = {"ref": reference_pipeline, "tb": takeback, "tb1": takeback_one_view}
    for function in pipelines.values():  # first-call imports (scipy for pHash) are not part of per-file cost
        function(files[0])
    print(f"\n{title}")
    print(f"{'file':<34}{'size':>11}{'ref ms':>9}{'tb ms':>9}{'ratio':>7}{'1-view':>8}"
          f"{'ref CPU':>9}{'tb CPU':>8}{'CPU ratio':>10}{'distance':>10}")
    ratios, one_view, cpu_ratios = [], [], []
    for path in files:
        runs_of: dict[str, list[tuple[float, float]]] = {key: [] for key in pipelines}
        hashes: dict[str, PdqHash] = {}
        for _ in range(runs):
            for key, function in pipelines.items():
                wall, cpu, hashes[key] = timed(function, path)
                runs_of[key].append((wall, cpu))
        wall = {key: statistics.median(w for w, _ in values) for key, values in runs_of.items()}
        cpu = {key: statistics.median(c for _, c in values) for key, values in runs_of.items()}
        with Image.open(path) as image:
            size = f"{image.width}x{image.height}"
        ratios.append(wall["ref"] / wall["tb"])
        one_view.append(wall["ref"] / wall["tb1"])
        cpu_ratios.append(cpu["ref"] / cpu["tb"])
        print(f"{path.name[:33]:<34}{size:>11}{wall['ref']:>9.1f}{wall['tb']:>9.1f}{ratios[-1]:>7.1f}"
              f"{one_view[-1]:>8.1f}{cpu['ref']:>9.1f}{cpu['tb']:>8.1f}{cpu_ratios[-1]:>10.1f}"
              f"{hashes['ref'].distance(hashes['tb']):>10}")
    goal = f" (target >= {target:g}x)" if target else ""
    print(f"wall-time ratio with the 7 turned hashes: min {min(ratios):.1f}x, median {statistics.median(ratios):.1f}x"
          f"{goal}; displayed and stored views only: median {statistics.median(one_view):.1f}x; "
          f"CPU-time ratio: median {statistics.median(cpu_ratios):.1f}x")


def made(folder: Path, cases: list[Case]) -> list[Path]:
    paths = []
    for case in cases:
        path = folder / case.name
        path.write_bytes(pdq_corpus.encode(case))
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per file and pipeline (default 5)")
    parser.add_argument("--photos", type=Path, default=_reference_photos(), help="folder of 12 MP JPEG photos")
    parser.add_argument("--corpus", choices=("default", "full", "none"), default="default",
                        help="which distance corpus to measure last (default: the one the tests use)")
    args = parser.parse_args()
    photos = sorted(args.photos.glob("*.jpg"))
    if not photos:
        print(f"No reference photos in {args.photos}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        bench_set("12-megapixel phone photos (JPEG, decoded at 1/8)", photos, args.runs, 10)
        jpegs = made(folder, [Case(source, 1920, (16, 9), quality=90) for source in _WEB_SOURCES])
        bench_set("1080p JPEGs (decoded at 1/2)", jpegs, args.runs, 3)
        pngs = made(folder, [Case(source, 1280, (16, 9), format="png") for source in _WEB_SOURCES])
        bench_set("720p PNGs (decoded in full, hashed exactly)", pngs, args.runs, None)
    if args.corpus != "none":
        full = args.corpus == "full"
        cases = pdq_corpus.jpeg_cases(full=full) + pdq_corpus.lossless_cases(full=full)
        print(f"\nPDQ distance to the reference over {len(cases)} corpus files (displayed view, quality >= 50):")
        results = list(pdq_corpus.measure(cases, lambda path: hash_image(path, dihedral=False).pdq[0].hash))
        print(pdq_corpus.summary(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
