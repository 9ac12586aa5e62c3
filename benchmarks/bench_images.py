"""Photo fingerprinting speed against the reference pipeline, on 12-megapixel phone photos (issue 2, section 4).

For each photo in ``../shared/reference/images/exif-rotn/`` (relative to the repository root) it times, in the
same run and interleaved so both see the same machine load:

- Takeback: ``hashing.hash_image`` end to end (read, MD5, SHA-256, decode, PDQ of both views, pHash);
- the reference: read, MD5, Pillow full decode with EXIF orientation applied, ``convert("RGB")``, and Meta's
  C++ PDQ through the ``pdqhash`` binding;

and prints milliseconds per image (median of the runs), their ratio, and the PDQ distance between the two
displayed-view hashes. CPU milliseconds (all threads) are printed too: on a busy shared machine wall time
swings with other load, CPU time much less. Target: ratio >= 8 with distance <= 10. Not a test: run it by hand,
``python benchmarks/bench_images.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hashing import PdqHash, hash_image  # noqa: E402 - after making the repository importable



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


def timed(function, path: Path) -> tuple[float, float, PdqHash]:
    """Wall and CPU milliseconds of one call, and its displayed-view PDQ."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = function(path)
    return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per photo and pipeline (default 5)")
    parser.add_argument("--photos", type=Path, default=_reference_photos(), help="folder of JPEG photos")
    args = parser.parse_args()
    photos = sorted(args.photos.glob("*.jpg"))
    if not photos:
        print(f"No reference photos in {args.photos}", file=sys.stderr)
        return 1
    takeback(photos[0])  # first-call imports (scipy for pHash) are not part of per-photo cost
    reference_pipeline(photos[0])
    print(f"{'photo':<18}{'size':>11}{'reference ms':>14}{'takeback ms':>13}{'ratio':>7}"
          f"{'ref CPU ms':>12}{'tb CPU ms':>11}{'CPU ratio':>11}{'PDQ distance':>14}")
    ratios, cpu_ratios, distances = [], [], []
    for photo in photos:
        runs: dict[str, list[tuple[float, float]]] = {"ref": [], "ours": []}
        for _ in range(args.runs):
            wall, cpu, ref_hash = timed(reference_pipeline, photo)
            runs["ref"].append((wall, cpu))
            wall, cpu, our_hash = timed(takeback, photo)
            runs["ours"].append((wall, cpu))
        with Image.open(photo) as image:
            size = f"{image.width}x{image.height}"
        ref, ours = (statistics.median(wall for wall, _ in runs[key]) for key in ("ref", "ours"))
        ref_cpu, ours_cpu = (statistics.median(cpu for _, cpu in runs[key]) for key in ("ref", "ours"))
        distance = ref_hash.distance(our_hash)
        ratios.append(ref / ours)
        cpu_ratios.append(ref_cpu / ours_cpu)
        distances.append(distance)
        print(f"{photo.name:<18}{size:>11}{ref:>14.1f}{ours:>13.1f}{ref / ours:>7.1f}"
              f"{ref_cpu:>12.1f}{ours_cpu:>11.1f}{ref_cpu / ours_cpu:>11.1f}{distance:>14}")
    print(f"\nwall-time ratio: min {min(ratios):.1f}x, median {statistics.median(ratios):.1f}x (target >= 8x); "
          f"CPU-time ratio: median {statistics.median(cpu_ratios):.1f}x; "
          f"PDQ distance: max {max(distances)} (target <= 10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
