"""How fast Takeback fingerprints videos, next to a reference-style pipeline timed in the same run.

Speed is reported as seconds of video hashed per wall-clock second (higher is better). The reference-style
pipeline is what a platform's script would do with Meta's code: OpenCV decode of every frame, Meta's C++ PDQ
(``pdqhash.compute``) on the frames vPDQ selects, and MD5 of the file. Each figure is the best of
``--repeat`` runs, because the machine is shared.

Run from the repository root:  python benchmarks/bench_video.py [--repeat 3] [--videos DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pdqhash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hashing.pdq import fast_pdq_from_bgr, pdq_from_rgb  # noqa: E402
from hashing.video import hash_video, vpdq_frame_mod  # noqa: E402

# ../shared/reference next to the repository (a worktree may sit one level deeper).
_CANDIDATES = [up / "shared" / "reference" / "videos" for up in ROOT.parents]
DEFAULT_VIDEOS = next((folder for folder in _CANDIDATES if folder.is_dir()), _CANDIDATES[0])


def reference_pipeline(path: Path, seconds_per_hash: float) -> int:
    """cv2 decode + pdqhash.compute per selected frame + MD5, as a script around Meta's code would do it."""
    with open(path, "rb") as handle:
        hashlib.md5(handle.read(), usedforsecurity=False).hexdigest()
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    frame_mod = vpdq_frame_mod(seconds_per_hash, capture.get(cv2.CAP_PROP_FPS))
    hashed = frame_number = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if frame_number % frame_mod == 0:
            pdqhash.compute(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            hashed += 1
        frame_number += 1
    capture.release()
    return hashed


# name -> how to hash one file. Keep the reference first: ratios are against it.
PIPELINES: dict[str, Callable[[Path], object]] = {
    "reference 1 s (cv2+pdqhash+MD5)": lambda p: reference_pipeline(p, 1.0),
    "Takeback MD5+SHA256+vPDQ 1 s": lambda p: hash_video(p, vpdq_every=1.0, tmk=False),
    "reference every frame": lambda p: reference_pipeline(p, 0.0),
    "Takeback MD5+SHA256+vPDQ every frame": lambda p: hash_video(p, vpdq_every=0.0, tmk=False),
    # The default pass (what `takeback hash` does): TMK+PDQF from the same decode. Meta's TMK hasher is a C++
    # program around the ffmpeg executable, not runnable here, so TMK's cost is shown against the pass without it.
    "Takeback MD5+SHA256+vPDQ 1 s + TMK": lambda p: hash_video(p, vpdq_every=1.0, tmk=True),
}
#: Pipelines that add TMK, and the same pass without it: the difference is what TMK costs.
TMK_COST_AGAINST = {"Takeback MD5+SHA256+vPDQ 1 s + TMK": "Takeback MD5+SHA256+vPDQ 1 s"}
#: Which reference each Takeback pipeline is compared with.
RATIO_AGAINST = {
    "Takeback MD5+SHA256+vPDQ 1 s": "reference 1 s (cv2+pdqhash+MD5)",
    "Takeback MD5+SHA256+vPDQ every frame": "reference every frame",
}


def best_time(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def video_seconds(path: Path) -> tuple[float, int, str]:
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    fps, frames = capture.get(cv2.CAP_PROP_FPS), int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    size = f"{int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
    capture.release()
    return frames / fps, frames, size


def per_frame_pdq_ms(path: Path, repeat: int) -> tuple[float, float, float, int]:
    """PDQ alone on the first frame: exact numpy, fast numpy (what video uses), Meta's C++; and fast vs exact bits."""
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    ok, bgr = capture.read()
    capture.release()
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    times = [
        best_time(lambda: pdq_from_rgb(rgb), repeat) * 1000,
        best_time(lambda: fast_pdq_from_bgr(bgr), max(repeat, 5)) * 1000,
        best_time(lambda: pdqhash.compute(rgb), max(repeat, 5)) * 1000,
    ]
    return (*times, pdq_from_rgb(rgb).distance(fast_pdq_from_bgr(bgr)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS, help="folder of .mp4 files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    args = parser.parse_args(argv)
    videos = sorted(args.videos.glob("*.mp4"))
    if not videos:
        parser.error(f"no .mp4 files in {args.videos}")
    for path in videos:  # warm-up: imports, OpenCV's FFmpeg start, file cache
        hash_video(path, tmk=False)
        reference_pipeline(path, 1.0)

    totals = dict.fromkeys(PIPELINES, 0.0)
    total_video = 0.0
    print(f"{'video':28} {'size':>9} {'s':>6}  " + "  ".join(f"{name[:26]:>26}" for name in PIPELINES))
    for path in videos:
        seconds, _, size = video_seconds(path)
        total_video += seconds
        cells = []
        for name, pipeline in PIPELINES.items():
            elapsed = best_time(lambda: pipeline(path), args.repeat)
            totals[name] += elapsed
            cells.append(f"{seconds / elapsed:21.1f} x RT")
        print(f"{path.stem[:28]:28} {size:>9} {seconds:6.1f}  " + "  ".join(f"{c:>26}" for c in cells))
    print()
    print(f"All {len(videos)} videos, {total_video:.1f} s of video (seconds of video per wall-clock second):")
    for name, elapsed in totals.items():
        line = f"  {name:40} {total_video / elapsed:8.1f} x real time   ({elapsed:.2f} s)"
        if name in RATIO_AGAINST:
            line += f"   {totals[RATIO_AGAINST[name]] / elapsed:.2f}x the reference"
        print(line)
    for name, without in TMK_COST_AGAINST.items():
        extra = totals[name] - totals[without]
        share = 100 * extra / totals[without]
        print(f"  TMK adds {share:.0f}% to the 1 s pass ({1000 * extra / total_video:.1f} ms per second of video)")
    print()
    print("PDQ of one frame (ms): exact numpy | fast numpy (video path) | Meta C++ pdqhash | fast-vs-exact bits")
    for path in videos:
        exact_ms, fast_ms, cpp_ms, bits = per_frame_pdq_ms(path, args.repeat)
        print(f"  {path.stem[:28]:28} {exact_ms:8.2f} | {fast_ms:8.2f} | {cpp_ms:8.2f} | {bits}")
    print(f"\nnumpy {np.__version__}, OpenCV {cv2.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
