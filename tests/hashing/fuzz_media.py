"""Fuzzing the media path: mutated photos and videos of every supported format, through ``hashing.hash_file``.

Every input must end one of two ways, within its budget: fingerprints, or one of our coded ``HashingError``s about
its content (a file just written is never "unreadable" or "changed"). A stray exception, a crash of the process,
a file system code, or a file that takes longer than :data:`EXAMPLE_LIMIT_S` is a finding.

Inputs are small seeds (``tests/data/fuzz/seeds``, made by ``python -m tests.hashing.fuzz_media seeds``; plus the
H.264 test video) changed by a few Hypothesis-chosen mutations each: bit flips, interesting bytes, size fields
overwritten with extreme values, cuts, insertions, duplicated and deleted runs. Hypothesis shrinks a failure to
a minimal input, which is saved in ``tests/data/fuzz/findings`` and replayed by ``test_fuzz_media.py`` for ever.

* ``test_fuzz_media.py`` runs a short, derandomised round in every test run (the same examples each time).
* ``scripts/fuzz SECONDS`` runs random rounds for that long in a child process watched from outside, so a
  crash or a hang is caught and its input saved too; it prints how many examples ran and what was found.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "fuzz" / "seeds"
FINDINGS = ROOT / "tests" / "data" / "fuzz" / "findings"
EXTRA_SEEDS = (ROOT / "tests" / "data" / "videos" / "test-padded-dimensions.mp4",)  # H.264, the common codec
#: One input may take this long at most: the longest budget (a video's decode-time grace and a photo's memory
#: estimate refuse bombs within seconds) plus room for a busy test machine.
EXAMPLE_LIMIT_S = 20.0
#: Codes about the file system, not the content: a file the fuzzer just wrote can earn none of them, and the
#: person would be told something untrue (that the disk was disconnected, say) about a merely damaged file.
_ENVIRONMENT_CODES = frozenset({"not_found", "not_a_file", "unreadable", "changed"})
#: A child that reports nothing for this long is hung: it is killed and its current input saved.
_HANG_S = 60.0

_INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF)
_INTERESTING_INTS = (0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
                     0xFFFFFFFF)


def load_seeds() -> dict[str, bytes]:
    seeds = {path.name: path.read_bytes() for path in sorted(SEEDS.iterdir()) if path.is_file()}
    seeds.update({path.name: path.read_bytes() for path in EXTRA_SEEDS})
    return seeds


@st.composite
def mutated_media(draw: st.DrawFn, seeds: dict[str, bytes]) -> tuple[str, bytes]:
    """A seed's name and its bytes after 1-6 mutations, positions biased towards the headers."""
    name = draw(st.sampled_from(sorted(seeds)))
    data = bytearray(seeds[name])
    for _ in range(draw(st.integers(1, 6))):
        size = len(data)
        if size < 2:
            break
        # Mostly past the first 16 bytes (the format's signature, which only tells us what the file is not).
        past_magic = min(16, size - 1)
        position = draw(st.integers(past_magic, min(size - 1, 600)) | st.integers(past_magic, size - 1)
                        | st.integers(0, size - 1))
        kind = draw(st.sampled_from(("flip", "byte", "int", "cut", "insert", "duplicate", "delete")))
        if kind == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[position] = draw(st.sampled_from(_INTERESTING_BYTES) | st.integers(0, 255))
        elif kind == "int":
            width = draw(st.sampled_from((2, 4)))
            value = draw(st.sampled_from(_INTERESTING_INTS) | st.integers(0, 2 ** (8 * width) - 1)) % 2 ** (8 * width)
            data[position : position + width] = value.to_bytes(width, draw(st.sampled_from(("big", "little"))))
        elif kind == "cut":
            del data[max(position, 1) :]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "duplicate":
            length = draw(st.integers(1, 4096))
            data[position:position] = data[position : position + length]
        else:
            del data[position : position + draw(st.integers(1, 256))]
    return name, bytes(data)


class Finding(AssertionError):
    """An input that neither hashed nor failed with one of our errors in time."""


def check_one(data: bytes, folder: Path) -> str:
    """Fingerprint ``data`` as a file; the outcome ("hashed" or an error code). Raises ``Finding`` otherwise."""
    import hashing

    path = folder / "input"
    path.write_bytes(data)
    started = time.monotonic()
    try:
        hashing.hash_file(path)
        outcome = "hashed"
    except hashing.HashingError as exc:
        if not exc.code or not str(exc) or "Traceback" in str(exc):
            raise Finding(f"an error without a code or message: {exc!r}") from exc
        outcome = exc.code
        if outcome in _ENVIRONMENT_CODES:
            raise Finding(f"a damaged file reported as {outcome}") from exc
    except Exception as exc:
        raise Finding(f"stray {type(exc).__name__}: {exc}") from exc
    seconds = time.monotonic() - started
    if seconds > EXAMPLE_LIMIT_S:
        raise Finding(f"took {seconds:.1f} s (limit {EXAMPLE_LIMIT_S} s), ended {outcome}")
    return outcome


def run_round(examples: int, *, derandomize: bool, on_example: Callable[[str, bytes], None] | None = None,
              seeds: dict[str, bytes] | None = None) -> dict[str, int]:
    """One Hypothesis round of ``examples`` inputs; outcomes counted. Findings are saved, then raised."""
    seeds = seeds if seeds is not None else load_seeds()
    outcomes: dict[str, int] = {}
    failing: dict[str, tuple[str, bytes]] = {}  # per kind of failure, the last (after shrinking: smallest) input

    @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
              phases=(Phase.generate, Phase.shrink), suppress_health_check=list(HealthCheck), print_blob=False)
    @given(mutated_media(seeds))
    def fuzz(case: tuple[str, bytes]) -> None:
        name, data = case
        if on_example is not None:
            on_example(name, data)
        with tempfile.TemporaryDirectory(prefix="takeback-fuzz-") as folder:
            try:
                outcome = check_one(data, Path(folder))
            except Finding as exc:
                failing[_kind_of(exc)] = case  # Hypothesis replays each shrunk example last
                raise
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    try:
        fuzz()
    except (Finding, ExceptionGroup) as exc:
        for name, data in failing.values():
            save_finding(name, data, kind="failure")
        raise Finding(f"{len(failing)} kind(s) of failure: {', '.join(failing)}") from exc
    return outcomes


def _kind_of(finding: Finding) -> str:
    """What went wrong, without the details that vary from input to input."""
    cause = finding.__cause__
    return type(cause).__name__ if cause is not None else str(finding).split(",")[0][:40]


def save_finding(seed_name: str, data: bytes, kind: str) -> Path:
    """Keep a finding as a regression file: ``<kind>-<seed>-<sha1 prefix>.bin``."""
    FINDINGS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()[:12]
    path = FINDINGS / f"{kind}-{Path(seed_name).stem}-{digest}.bin"
    path.write_bytes(data)
    return path


# -- the long run: a watched child process -------------------------------------------------------------------


def _worker(until: float, current: Path) -> None:
    """Random rounds until ``until`` (epoch seconds); before each input, write it to ``current`` for the parent."""
    seeds = load_seeds()
    total = 0
    findings = 0
    outcomes: dict[str, int] = {}

    def note(name: str, data: bytes) -> None:
        nonlocal total
        total += 1
        current.write_bytes(name.encode() + b"\0" + data)
        if total % 25 == 0:
            print(json.dumps({"examples": total}), flush=True)

    while time.time() < until:
        try:
            for outcome, count in run_round(200, derandomize=False, on_example=note, seeds=seeds).items():
                outcomes[outcome] = outcomes.get(outcome, 0) + count
        except Finding as exc:
            findings += 1
            print(json.dumps({"finding": str(exc)[:300]}), flush=True)
    print(json.dumps({"done": total, "findings": findings, "outcomes": outcomes}), flush=True)


def fuzz_for(seconds: float) -> int:
    """Fuzz for ``seconds`` in watched child processes; print a summary. Returns the number of findings."""
    deadline = time.time() + seconds
    examples = 0
    findings: list[str] = []
    outcomes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="takeback-fuzz-") as folder:
        current = Path(folder) / "current"
        while time.time() < deadline - 1:
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.hashing.fuzz_media", "worker", str(deadline), str(current)],
                cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True,
            )
            base = examples
            hung, lines = _watch(child)
            for line in lines:
                report = json.loads(line)
                if "examples" in report:
                    examples = base + report["examples"]
                elif "finding" in report:
                    findings.append(report["finding"])
                elif "done" in report:
                    examples = base + report["done"]
                    for key, count in report["outcomes"].items():
                        outcomes[key] = outcomes.get(key, 0) + count
            if hung or child.returncode not in (0, None):
                kind = "hang" if hung else f"crash{-child.returncode if child.returncode < 0 else child.returncode}"
                if current.exists():
                    name, _, data = current.read_bytes().partition(b"\0")
                    saved = save_finding(name.decode(), data, kind)
                    findings.append(f"{kind}: {saved.name}")
                    examples += 1
    print(json.dumps({"seconds": seconds, "examples": examples, "findings": findings, "outcomes": outcomes},
                     indent=2))
    return len(findings)


def _watch(child: subprocess.Popen[str]) -> tuple[bool, list[str]]:
    """The child's lines once it exits, and whether it had to be killed for being silent too long (a hang)."""
    import selectors

    lines: list[str] = []
    assert child.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    last = time.monotonic()
    while True:
        if selector.select(timeout=1.0):
            line = child.stdout.readline()
            if not line:
                child.wait()
                return False, lines
            lines.append(line)
            last = time.monotonic()
        elif time.monotonic() - last > _HANG_S:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            return True, lines


# -- seeds ----------------------------------------------------------------------------------------------------


def make_seeds(folder: Path) -> None:
    """Write one small file of every supported format to ``folder`` (64 x 48, a few frames for animations)."""
    import numpy as np
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    folder.mkdir(parents=True, exist_ok=True)
    diagonal = np.indices((48, 64)).sum(axis=0)[..., None]
    frames = [Image.fromarray((diagonal * (i + 1) * np.array([3, 5, 7]) % 256).astype(np.uint8)) for i in range(4)]
    still = frames[0]
    exif = Image.Exif()
    exif[0x0112] = 6
    saves = {
        "photo.jpg": lambda out: still.save(out, "JPEG", quality=80, exif=exif),
        "progressive.jpg": lambda out: still.save(out, "JPEG", quality=80, progressive=True),
        "photo.png": lambda out: still.convert("RGBA").save(out, "PNG"),
        "animated.png": lambda out: still.save(out, "PNG", save_all=True, append_images=frames[1:], duration=100),
        "animated.gif": lambda out: still.save(out, "GIF", save_all=True, append_images=frames[1:], duration=100),
        "photo.webp": lambda out: still.save(out, "WEBP", quality=80),
        "animated.webp": lambda out: still.save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100),
        "photo.heic": lambda out: still.save(out, "HEIF", quality=50),
        "photo.avif": lambda out: still.save(out, "AVIF", quality=50),
        "photo.bmp": lambda out: still.save(out, "BMP"),
        "photo.tif": lambda out: still.save(out, "TIFF", compression="tiff_lzw"),
    }
    for name, save in saves.items():
        buffer = io.BytesIO()
        save(buffer)
        (folder / name).write_bytes(buffer.getvalue())
    _write_videos(folder, [np.asarray(frame)[..., ::-1] for frame in frames])


def _write_videos(folder: Path, frames: list) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.opencv import quiet_cv2

    cv2 = quiet_cv2()
    for name, fourcc in (("video.mp4", "mp4v"), ("video.avi", "MJPG"), ("video.mkv", "VP80")):
        path = folder / name
        writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*fourcc), 10, (64, 48))
        for index in range(10):
            writer.write(frames[index % len(frames)].copy())
        writer.release()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hashing.fuzz_media")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seeds", help="(re)make the seed files")
    run = commands.add_parser("run", help="fuzz for SECONDS in watched child processes")
    run.add_argument("seconds", type=float)
    worker = commands.add_parser("worker")
    worker.add_argument("until", type=float)
    worker.add_argument("current", type=Path)
    args = parser.parse_args(argv)
    if args.command == "seeds":
        make_seeds(SEEDS)
        return 0
    if args.command == "worker":
        _worker(args.until, args.current)
        return 0
    return 1 if fuzz_for(args.seconds) else 0


if __name__ == "__main__":
    sys.exit(main())
