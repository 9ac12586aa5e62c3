"""How close Takeback's video fingerprints are to Meta's own, frame by frame, on Meta's sample videos.

For each sample video with reference outputs in ``tests/data/expected``: the vPDQ hash of every frame against
the reference's (bits apart: mean, max, how many frames are bit for bit the same, whether quality agrees),
and the TMK+PDQF hash against the reference ``.tmk`` (level 1 and 2 scores, and how far the average frame
feature is from the reference's, relative to its length). Prints a Markdown table, as in the issue #13 note.

Run from the repository root:  python benchmarks/video_fidelity.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hashing.matching import parse_vpdq_text  # noqa: E402
from hashing.tmk import read_tmk  # noqa: E402
from hashing.video import hash_video  # noqa: E402

DATA = ROOT / "tests" / "data"


def main() -> None:
    print("| video | frames | vPDQ bits apart: mean / max | frames bit-exact | quality equal "
          "| TMK level 1 / level 2 | TMK average feature, relative error |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for video in sorted((DATA / "videos").glob("*.mp4")):
        expected = DATA / "expected" / "vpdq" / f"{video.stem}.txt"
        if not expected.exists():
            continue
        ours = hash_video(video, vpdq_every=0)
        theirs = parse_vpdq_text(expected.read_text())
        distances = [a.hash.distance(b.hash) for a, b in zip(ours.vpdq, theirs, strict=True)]
        quality = sum(a.hash.quality == b.hash.quality for a, b in zip(ours.vpdq, theirs))
        tmk = "| - | -"
        tmk_path = DATA / "expected" / "tmk" / f"{video.stem}.tmk"
        if tmk_path.exists() and ours.tmk is not None:
            reference = read_tmk(tmk_path)
            error = np.linalg.norm(ours.tmk.average - reference.average) / np.linalg.norm(reference.average)
            tmk = f"| {ours.tmk.level1(reference):.7f} / {ours.tmk.level2(reference):.7f} | {error:.5f}"
        print(f"| {video.stem} | {len(distances)} | {np.mean(distances):.2f} / {max(distances)} "
              f"| {distances.count(0)} | {quality} {tmk} |", flush=True)


if __name__ == "__main__":
    main()
