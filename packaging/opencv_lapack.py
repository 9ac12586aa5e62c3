"""OpenCV's 40 MB OpenBLAS swapped for Debian's reference BLAS and LAPACK (8 MB), in the Linux bundle.

OpenCV's wheel links its own OpenBLAS (plus gfortran and quadmath), and Python loads ``cv2`` with
``RTLD_NOW``, so the library must be there even though the app only calls ``VideoCapture``. ``cv2`` uses 19
standard BLAS/LAPACK functions from it (``cblas_?gemm``, ``?gesv_``, ``?gesdd_``, ``?potrf_``...): the
interface every BLAS implements, which is why Debian can switch implementations with ``update-alternatives``.
This does the same inside the bundle:

1. copy the reference ``libblas.so.3`` and ``liblapack.so.3`` (Debian's ``libblas3``/``liblapack3``, found
   with ``dpkg -L`` so an OpenBLAS alternative on the build host is never picked up) and the ``libgfortran``
   and ``libquadmath`` they need into ``_internal/lapack/``, each finding the others through ``$ORIGIN``;
2. ``patchelf`` ``cv2``'s ``DT_NEEDED`` from OpenBLAS to them and add that folder to its search path;
3. delete OpenBLAS and its gfortran/quadmath once nothing in the bundle links to them.

If a future version of the app calls an OpenCV function that needs BLAS/LAPACK, it gets a correct (slower)
answer rather than a crash; ``tests/release/test_build_opencv_lapack.py`` runs OpenCV's solvers on the
swapped libraries and compares them with NumPy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

__all__ = ["REFERENCE_LIBRARIES", "swap_opencv_blas"]

#: soname -> Debian package that ships the reference implementation (or the runtime it needs).
REFERENCE_LIBRARIES = {
    "libblas.so.3": "libblas3",
    "liblapack.so.3": "liblapack3",
    "libgfortran.so.5": "libgfortran5",
    "libquadmath.so.0": "libquadmath0",
}
_FOLDER = "lapack"


def _readelf_dynamic(path: Path) -> str:
    return subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout


def _needed(path: Path) -> list[str]:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _readelf_dynamic(path))


def _system_file(soname: str, package: str) -> Path:
    """The real file of ``soname`` that ``package`` installed (its path from ``dpkg -L``, symlinks resolved)."""
    listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        raise RuntimeError(f"{package} is not installed: scripts/setup installs it (apt-get install {package})")
    for line in listed.stdout.splitlines():
        if line.endswith(f"/{soname}"):
            return Path(line).resolve()
    raise RuntimeError(f"{package} ships no {soname}")


def swap_opencv_blas(internal: Path) -> tuple[int, int]:
    """Swap OpenCV's OpenBLAS in a bundle's ``_internal`` folder; return (bytes before, bytes after).

    Raises:
        RuntimeError: the bundle's OpenCV does not link an OpenBLAS, or something else still needs it.
    """
    module = next(iter(sorted((internal / "cv2").glob("cv2*.so"))), None)
    libs = internal / "opencv_python_headless.libs"
    if module is None or not libs.is_dir():
        raise RuntimeError(f"no OpenCV wheel in {internal}")
    openblas = next((name for name in _needed(module) if name.startswith("libopenblas")), None)
    if openblas is None:
        raise RuntimeError("this OpenCV does not link OpenBLAS: nothing to swap")
    runtime = [path for path in libs.iterdir() if re.match(r"lib(openblas|gfortran|quadmath)", path.name)]
    before = sum(path.stat().st_size for path in runtime)

    folder = internal / _FOLDER
    folder.mkdir(exist_ok=True)
    for soname, package in REFERENCE_LIBRARIES.items():
        copy = folder / soname
        shutil.copyfile(_system_file(soname, package), copy)
        copy.chmod(0o755)
        subprocess.run(["patchelf", "--set-rpath", "$ORIGIN", str(copy)], check=True)
    search = re.search(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", _readelf_dynamic(module))
    paths = [path for path in (search.group(1).split(":") if search else []) if path]
    # One change per call: patchelf 0.14 (Debian 12) mangles the string table when given several at once.
    for change in (["--replace-needed", openblas, "liblapack.so.3"], ["--add-needed", "libblas.so.3"],
                   ["--force-rpath", "--set-rpath", ":".join([*paths, f"$ORIGIN/../{_FOLDER}"])]):
        subprocess.run(["patchelf", *change, str(module)], check=True)

    others = [path for path in internal.rglob("*") if path.is_file() and not path.is_symlink()
              and path not in runtime and _is_elf(path)]
    still = sorted(str(path.relative_to(internal)) for path in others
                   if any(name in {p.name for p in runtime} for name in _needed(path)))
    if still:
        raise RuntimeError(f"still linked to OpenCV's OpenBLAS runtime: {still}")
    for path in runtime:
        path.unlink()
    for link in internal.rglob("*"):  # PyInstaller's top-level links to the removed files
        if link.is_symlink() and not link.exists():
            link.unlink()
    after = sum(path.stat().st_size for path in folder.iterdir())
    return before, after


def _is_elf(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == b"\x7fELF"
