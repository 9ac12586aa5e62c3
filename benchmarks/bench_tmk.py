"""TMK+PDQF costs: level-2 scoring per pair, hashing speed against plain decoding, and memory on a long video.

Run from the repository root:  .venv/bin/python benchmarks/bench_tmk.py [--long-seconds 180]

Prints, all measured in this run on this machine:
* level-1 and level-2 cost per pair (Meta's sample hashes chair-19 vs chair-20), and the one-off cost of the
  offset tables level 2 caches;
* per-frame costs of the accumulator's parts at common frame sizes (the squash both ways: Pillow's bicubic on an
  array, and FFmpeg's scaler on a decoded YUV frame as the video pass does it);
* seconds of video hashed per wall-clock second on the sample videos: decoding alone, decoding + TMK, and
  the full video pass (``hash_video``: MD5, SHA-256, vPDQ every second) with and without TMK. Variants run
  round-robin and each keeps its best of ``--repeat`` runs: the machine is shared;
* peak memory while hashing a generated long video of a few minutes, next to one a tenth as long: the
  accumulator keeps no per-frame data, so the peak must not grow with the length.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hashing import tmk as tmk_module  # noqa: E402
from hashing import video as video_module  # noqa: E402
from hashing._av import quiet_av  # noqa: E402
from hashing.tmk import TmkAccumulator, pdqf_feature, read_tmk, squash_to_64  # noqa: E402

VIDEOS = ROOT / "tests" / "data" / "videos"
HASHES = ROOT / "tests" / "data" / "expected" / "tmk"


def best_of(repeats: int, function, *args) -> float:
    """Smallest wall time of ``repeats`` calls, in seconds (the least disturbed by other work on the machine)."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best


def bench_scores() -> None:
    a, b = read_tmk(HASHES / "chair-19-sd-bar.tmk"), read_tmk(HASHES / "chair-20-sd-bar.tmk")
    tmk_module._offset_table.cache_clear()
    cold = best_of(1, a.level2, b)
    level2 = best_of(200, a.level2, b)
    level1 = best_of(2000, a.level1, b)
    print("Scores (chair-19 vs chair-20):")
    print(f"  level 1: {level1 * 1e6:8.1f} us per pair")
    print(f"  level 2: {level2 * 1e3:8.3f} ms per pair (first call, building the cached tables: {cold * 1e3:.1f} ms)")
    tables = sum(tmk_module._offset_table(p, 31).nbytes for p in tmk_module.PERIODS)
    print(f"  cached offset tables: {tables / 2**20:.1f} MiB; level 2 / level 1 = {level2 / level1:.0f}x")


def bench_frame_parts() -> None:
    photo = cv2.imread(str(ROOT / "tests" / "data" / "images" / "bridge-mods" / "aaa-orig.jpg"))
    print("Per decoded frame:")
    for height, width in ((480, 720), (720, 1280), (1080, 1920), (2160, 3840)):
        frame = cv2.resize(photo, (width, height))
        squash = best_of(20, squash_to_64, frame)
        yuv = quiet_av().VideoFrame.from_ndarray(frame, format="bgr24").reformat(format="yuv420p")
        swscale = best_of(20, video_module.FrameConverter().tmk_rgb64, yuv)
        small = squash_to_64(frame)
        feature = best_of(200, pdqf_feature, small)
        whole = best_of(3, lambda: [accumulator.add(frame, k / 30) for accumulator in [TmkAccumulator(30)]
                                    for k in range(90)]) / 90  # fmt: skip
        print(
            f"  {width}x{height}: squash to 64x64 {squash * 1e3:6.2f} ms (swscale from YUV {swscale * 1e3:5.2f} ms), "
            f"PDQF {feature * 1e6:5.1f} us, "
            f"add() at 30 fps (half the frames kept) {whole * 1e3:6.2f} ms"
        )


def decode(path: Path, accumulator: TmkAccumulator | None) -> tuple[int, float]:
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    frames, last = 0, 0.0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        last = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
        if accumulator is not None:
            accumulator.add(frame, last)
        frames += 1
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    if accumulator is not None:
        accumulator.finish()
    return frames, last + 1 / fps


def bench_speed(repeats: int) -> None:
    videos = sorted(VIDEOS.glob("*.mp4"))
    durations = {video: decode(video, None)[1] for video in videos}  # also warms the file cache
    total = sum(durations.values())
    variants = {
        "decode only": lambda video: decode(video, None),
        "decode + TMK": lambda video: decode(video, TmkAccumulator(30.0)),
    }
    try:
        from hashing.video import hash_video
    except ImportError:
        hash_video = None
    if hash_video is not None:
        variants["MD5 + vPDQ (no TMK)"] = lambda video: hash_video(video, tmk=False)
        variants["MD5 + vPDQ + TMK"] = lambda video: hash_video(video)
    # Round-robin, best of ``repeats`` per video and variant: load from other work on the machine hits all
    # variants alike instead of whichever happened to run during it.
    best = {(name, video): math.inf for name in variants for video in videos}
    for _ in range(repeats):
        for video in videos:
            for name, run in variants.items():
                start = time.perf_counter()
                run(video)
                best[name, video] = min(best[name, video], time.perf_counter() - start)
    elapsed = {name: sum(best[name, video] for video in videos) for name in variants}
    print(f"Speed on the {len(videos)} sample videos ({total:.1f} s of video, 720x480 to 1080x1080), "
          f"seconds of video per wall-clock second (best of {repeats}):")  # fmt: skip
    for name, seconds in elapsed.items():
        print(f"  {name:22} {total / seconds:6.1f}")
    print(f"  TMK adds {100 * (elapsed['decode + TMK'] / elapsed['decode only'] - 1):.0f}% to decoding alone")
    if hash_video is None:
        print("  (hashing.video.hash_video is not on this branch: no full-pass figures)")
        return
    extra = elapsed["MD5 + vPDQ + TMK"] - elapsed["MD5 + vPDQ (no TMK)"]
    print(f"  TMK adds {100 * extra / elapsed['MD5 + vPDQ (no TMK)']:.0f}% to the video pass "
          f"({1000 * extra / total:.0f} ms per second of video)")  # fmt: skip


def write_long_video(path: Path, seconds: float) -> None:
    """A low-resolution 30-fps video whose every frame differs (a window gliding over a photo)."""
    photo = cv2.imread(str(ROOT / "tests" / "data" / "images" / "bridge-mods" / "aaa-orig.jpg"))
    photo = cv2.resize(photo, (640, 400))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (160, 120))
    for k in range(round(seconds * 30)):
        t = k / 30
        y = int(140 * (0.5 + 0.5 * math.sin(t / 5)))
        x = int(320 * (0.5 + 0.5 * math.cos(t / 3)))
        writer.write(np.ascontiguousarray(cv2.resize(photo[y : y + 260, x : x + 320], (160, 120))))
    writer.release()


def peak_while_hashing(path: Path) -> tuple[int, int, float]:
    tracemalloc.start()
    start = time.perf_counter()
    accumulator = TmkAccumulator(30.0)
    frames, _ = decode(path, accumulator)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return frames, peak, elapsed


def bench_memory(long_seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        short_path, long_path = Path(folder) / "short.mp4", Path(folder) / "long.mp4"
        write_long_video(short_path, long_seconds / 10)
        write_long_video(long_path, long_seconds)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        short_frames, short_peak, _ = peak_while_hashing(short_path)
        long_frames, long_peak, elapsed = peak_while_hashing(long_path)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("Memory (tracemalloc peak of Python/numpy allocations while decoding + hashing, 160x120 @ 30 fps):")
    print(f"  {short_frames:6d} frames ({long_seconds / 10:5.0f} s): peak {short_peak / 2**20:6.2f} MiB")
    print(
        f"  {long_frames:6d} frames ({long_seconds:5.0f} s): peak {long_peak / 2**20:6.2f} MiB "
        f"(ratio long / short {long_peak / short_peak:.2f}; {long_seconds / elapsed:.0f} s of video per second)"
    )
    print(f"  process max RSS grew by {(rss_after - rss_before) / 1024:.1f} MiB over both runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long-seconds", type=float, default=180.0, help="length of the generated long video")
    parser.add_argument("--repeat", type=int, default=3, help="runs per speed figure; the best is kept")
    args = parser.parse_args()
    bench_scores()
    bench_frame_parts()
    bench_speed(args.repeat)
    bench_memory(args.long_seconds)


if __name__ == "__main__":
    main()
