"""What takes the room in a frozen bundle, by component, and how two bundles compare.

Usage: ``python packaging/sizes.py dist/Takeback [--before OLD_BUNDLE]``: prints a Markdown table in MB
(MiB, 2^20 bytes, as ``du -h`` counts them), one row per component, for ``packaging/README.md``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

__all__ = ["COMPONENTS", "component_of", "measure"]

#: (component, pattern on the path inside ``_internal``), first match wins.
COMPONENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(pattern)) for name, pattern in (
    ("OpenCV's BLAS/LAPACK", r"^opencv_python_headless\.libs/lib(openblas|gfortran|quadmath)|^lapack/"),
    ("OpenCV's FFmpeg and codecs", r"^opencv_python_headless\.libs/"),
    ("OpenCV", r"^cv2/"),
    ("PyAV's FFmpeg and codecs", r"^av\.libs/"),
    ("PyAV", r"^av/"),
    ("Qt's ICU data", r"^PySide6/Qt/lib/libicudata"),
    ("Qt translations", r"^PySide6/Qt/translations/"),
    ("Qt (PySide6)", r"^(PySide6|shiboken6)/"),
    ("NumPy's BLAS/LAPACK", r"^numpy\.libs/|^blas64/"),
    ("NumPy", r"^numpy/"),
    ("SciPy and its OpenBLAS", r"^scipy(\.libs)?/"),
    ("pillow-heif (libheif, HEVC)", r"^pillow_heif(\.libs)?/"),
    ("Pillow", r"^(PIL|pillow\.libs)/"),
    ("cryptography (keyring's Secret Service)", r"^cryptography/"),
    ("intake server stack", r"^(sqlalchemy|pydantic_core|pydantic|fastapi|starlette|uvicorn|greenlet|"
                            r"httptools|uvloop|websockets|watchfiles)/|libsqlite3|_sqlite3"),
    ("Python", r"^(libpython|python3|base_library\.zip|lib-dynload)"),
))


def component_of(relative: str) -> str:
    """The component a file inside ``_internal`` belongs to (``other`` when none matches)."""
    for name, pattern in COMPONENTS:
        if pattern.search(relative):
            return name
    return "other (system libraries, smaller packages)"


def measure(bundle: Path) -> Counter[str]:
    """Bytes per component; the two programs (whose archives hold all pure-Python code) count as ``programs``."""
    sizes: Counter[str] = Counter()
    internal = bundle / "_internal"
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if internal in path.parents:
            sizes[component_of(path.relative_to(internal).as_posix())] += path.stat().st_size
        else:
            sizes["programs (with the Python code archive)"] += path.stat().st_size
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--before", type=Path)
    args = parser.parse_args(argv)
    after = measure(args.bundle)
    before = measure(args.before) if args.before else None
    names = sorted(set(after) | set(before or ()), key=lambda name: -max(after[name], (before or after)[name]))
    mb = lambda value: f"{value / 2**20:.1f}"  # noqa: E731
    print("| component | before (MB) | after (MB) |" if before else "| component | MB |")
    print("|---|---:|---:|" if before else "|---|---:|")
    for name in [*names, "total"]:
        now = sum(after.values()) if name == "total" else after[name]
        if before is not None:
            then = sum(before.values()) if name == "total" else before[name]
            print(f"| {name} | {mb(then)} | {mb(now)} |")
        else:
            print(f"| {name} | {mb(now)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
