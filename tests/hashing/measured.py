"""Fingerprint one file in a fresh Python process and report what it cost: answer, seconds and peak memory.

Decoder bombs are measured from outside: a bomb that still works must fail its test quickly instead of taking
the test run (or the machine) down with it. The child runs under a hard address-space limit and a wall-clock
timeout; its peak resident memory is read with ``resource`` after the interpreter, numpy, Pillow and PyAV are
loaded, so the figure is what fingerprinting the file added.

Run directly (``python tests/hashing/measured.py FILE``) it prints the same JSON line, for the closing notes.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cost", "measure"]

_ROOT = Path(__file__).resolve().parents[2]
#: The child may reserve this much address space at most: enough for any file within budget (threads and
#: libraries reserve far more than they touch), small enough that a runaway decoder fails instead of swapping.
_ADDRESS_SPACE_LIMIT = 6 * 1024**3


@dataclass(frozen=True, slots=True)
class Cost:
    answer: str  #: "hashed", an error code such as "too_large", "timeout", or "crash: ..."
    seconds: float
    peak_mb: float  #: resident memory added while fingerprinting (MB)


def measure(path: Path, timeout: float = 60.0) -> Cost:
    """Fingerprint ``path`` with ``hashing.hash_file`` in a child process; never waits more than ``timeout``."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE_LIMIT, _ADDRESS_SPACE_LIMIT))

    try:
        done = subprocess.run(
            [sys.executable, __file__, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=_ROOT,
            preexec_fn=limit,  # noqa: PLW1509 - no threads in the test process rely on fork safety here
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Cost("timeout", timeout, float("nan"))
    if done.returncode != 0:
        return Cost(f"crash: exit {done.returncode}: {done.stderr[-500:]}", float("nan"), float("nan"))
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return Cost(report["answer"], report["seconds"], report["peak_mb"])


def _child(path: str) -> None:
    import time

    sys.path.insert(0, str(_ROOT))
    import imagehash  # noqa: F401 - loaded before the baseline, like a running app has its libraries
    import numpy  # noqa: F401

    import hashing
    from hashing._av import quiet_av

    quiet_av()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    try:
        hashing.hash_file(path)
        answer = "hashed"
    except hashing.HashingError as exc:
        answer = exc.code
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, kilobytes on Linux
    print(json.dumps({"answer": answer, "seconds": round(seconds, 3), "peak_mb": round((peak - baseline) * scale / 1e6, 1)}))


if __name__ == "__main__":
    _child(sys.argv[1])
