"""Start-up of the frozen app: launch to first visible window, and ``takeback hash`` of one photo.

Run from the repository root after a build:
    .venv/bin/python benchmarks/bench_startup.py [dist/Takeback] [--baseline OTHER_BUNDLE] [--repeat 7]

Prints, all measured in this run on this machine (``--repeat`` runs of each, round-robin, so a busy moment on
the shared machine hits every variant alike; the best run is the least disturbed one, as in ``bench_tmk.py``,
and the ratios compare best runs; medians are shown beside them):
* window: from starting the windowed program (offscreen Qt, a fresh HOME) to its first visible window, as the
  program itself reports on the system's monotonic clock (``TAKEBACK_SMOKE_QUIT_AFTER_SHOWN``, see
  ``packaging/launchers/takeback_gui.py``);
* hash: wall time of ``takeback hash PHOTO`` on one reference photo, start to exit;
* the same two from the source tree (``python packaging/launchers/takeback_gui.py`` and
  ``python -m desktop hash``) as the reference, and from ``--baseline`` (an older bundle) when given, with
  ratios against the bundle measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

import smoke  # noqa: E402  (packaging/smoke.py: the programs inside a bundle, a clean environment)

PHOTO = ROOT / "tests" / "data" / "images" / "bridge-mods" / "aaa-orig.jpg"


def window_seconds(argv: Sequence[str], cwd: Path) -> float:
    """Seconds from starting ``argv`` to the first visible window it reports."""
    with tempfile.TemporaryDirectory(prefix="takeback-bench-") as scratch:
        home = Path(scratch)
        report = home / "report.txt"
        env = {**smoke._clean_env(home), "TAKEBACK_SMOKE_QUIT_AFTER_SHOWN": "1",
               "TAKEBACK_SMOKE_REPORT": str(report)}
        if cwd == ROOT:  # the source tree runs on the build environment's Python
            env["PYTHONPATH"] = str(ROOT)
        started = time.monotonic()
        done = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
        lines = report.read_text(encoding="utf-8").splitlines() if report.is_file() else []
    shown = [line.rsplit(" ", 1)[1] for line in lines if line.startswith("smoke: shown at monotonic ")]
    if done.returncode != 0 or not shown:
        raise SystemExit(f"{argv[0]}: no window reported (status {done.returncode}): {done.stderr[-2000:]}")
    return float(shown[0]) - started


def hash_seconds(argv: Sequence[str], cwd: Path) -> float:
    """Wall time of ``argv hash PHOTO`` from start to exit."""
    with tempfile.TemporaryDirectory(prefix="takeback-bench-") as scratch:
        env = smoke._clean_env(Path(scratch))
        started = time.monotonic()
        done = subprocess.run([*argv, "hash", str(PHOTO)], env=env, cwd=cwd, capture_output=True, text=True,
                              timeout=120, check=False)
        elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} hash failed (status {done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def variants(bundle: Path, baseline: Path | None) -> dict[str, tuple[list[str], list[str], Path]]:
    """name -> (windowed argv, console argv, working folder)."""
    found = {}
    for name, folder in (("bundle", bundle), ("baseline", baseline)):
        if folder is not None:
            console, windowed = smoke.frozen_programs(folder.resolve())
            found[name] = ([str(windowed)], [str(console)], folder.resolve())
    found["source"] = ([sys.executable, str(ROOT / "packaging" / "launchers" / "takeback_gui.py")],
                       [sys.executable, "-m", "desktop"], ROOT)
    return found


def measure(repeat: int, runs: dict[str, tuple[list[str], list[str], Path]]) -> dict[str, dict[str, list[float]]]:
    samples: dict[str, dict[str, list[float]]] = {name: {"window": [], "hash": []} for name in runs}
    checks: dict[str, Callable[[Sequence[str], Path], float]] = {"window": window_seconds, "hash": hash_seconds}
    for _ in range(repeat):
        for name, (windowed, console, cwd) in runs.items():
            samples[name]["window"].append(checks["window"](windowed, cwd))
            samples[name]["hash"].append(checks["hash"](console, cwd))
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, nargs="?", default=ROOT / "dist" / "Takeback")
    parser.add_argument("--baseline", type=Path, help="an older bundle to compare with")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        raise SystemExit(f"{args.bundle} is not a bundle: build one with packaging/build.py first")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    samples = measure(args.repeat, variants(args.bundle, args.baseline))
    best = {name: {what: min(values) for what, values in kinds.items()} for name, kinds in samples.items()}
    print(f"Start-up, best (median) of {args.repeat} runs (offscreen Qt; photo {PHOTO.name}):")
    print(f"  {'':10} {'first window':>20} {'hash one photo':>20}")
    for name, kinds in samples.items():
        cells = [f"{min(kinds[what]):.3f} s ({statistics.median(kinds[what]):.3f})" for what in ("window", "hash")]
        print(f"  {name:10} {cells[0]:>20} {cells[1]:>20}")
    for name in ("baseline", "source"):
        if name in best:
            print(f"  bundle / {name}: window {best['bundle']['window'] / best[name]['window']:.2f}x, "
                  f"hash {best['bundle']['hash'] / best[name]['hash']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
