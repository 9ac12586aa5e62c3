"""Linux: replace the video encoders PyAV's FFmpeg links but Takeback never calls with small failing stubs.

Takeback only decodes video. PyAV's wheel carries FFmpeg built with encoder libraries, and ``libavcodec``
names them in ``DT_NEEDED``; Python loads extension modules with ``RTLD_NOW``, so each must exist under its
soname and define every symbol its importers use. ``libx265`` (the HEVC encoder, 19.6 MiB) is replaced here by
``stubs/x265_encoder_absent.c``: a library of the same file name and soname whose ``x265_api`` table makes
opening the encoder fail cleanly. That file says which FFmpeg code it relies on and why that is safe.

The symbols the stub must export are read with ``nm`` from the bundle at build time, from every ELF file
that needs the original; the build fails if the stub lacks any of them (a new PyAV could import more).
``tests/release/test_encoder_stubs.py`` proves the result on the frozen bundle.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import linux

__all__ = ["STUB_MARKER", "X265_SOURCE", "StubError", "exported_symbols", "imports_from", "replace_x265"]

STUBS = Path(__file__).resolve().parent / "stubs"
X265_SOURCE = STUBS / "x265_encoder_absent.c"
#: Bytes every stub carries, so the SBOM credits it to us rather than to the wheel it replaced.
STUB_MARKER = b"takeback encoder stub: "
_X265 = "av.libs/libx265-*.so.*"
_API_GET = re.compile(r"x265_api_get_(\d+)")


class StubError(RuntimeError):
    """The stub cannot stand in for the library it replaces; the build must stop."""


def _nm(path: Path, which: str) -> set[str]:
    done = subprocess.run(["nm", "-D", which, str(path)], capture_output=True, text=True, check=True)
    return {line.split()[-1] for line in done.stdout.splitlines() if line.strip()}


def exported_symbols(library: Path) -> set[str]:
    """The dynamic symbols ``library`` defines (``nm -D --defined-only``; versioned ones keep their ``@``)."""
    return _nm(library, "--defined-only")


def imports_from(bundle: Path, library: Path, *, exports_of: Path | None = None) -> dict[Path, set[str]]:
    """For each ELF file in ``bundle`` that needs ``library`` (by soname): the symbols it imports from it.

    An importer's undefined symbol counts when ``exports_of`` (default: ``library``; give the original to check
    a stub already in place) defines it, with or without a version (``nm`` prints ``name@VERSION`` for
    versioned references, which the stub, having no versions, would not satisfy).
    """
    soname = _soname(library)
    defined = {symbol.split("@")[0] for symbol in exported_symbols(exports_of or library)}
    found = {}
    for path in linux.elf_files(bundle):
        if path == library or soname not in linux.needed(path)[0]:
            continue
        found[path] = {symbol for symbol in _nm(path, "--undefined-only") if symbol.split("@")[0] in defined}
    return found


def _soname(library: Path) -> str:
    done = subprocess.run(["readelf", "-d", "-W", str(library)], capture_output=True, text=True, check=True)
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", done.stdout)
    return match.group(1) if match else library.name


def replace_x265(bundle: Path, work: Path) -> list[tuple[Path, int, int]]:
    """Put the stub in place of PyAV's ``libx265`` in ``bundle``; return (library, bytes before, bytes after).

    Raises:
        StubError: the importers need a symbol the stub would not export, or not exactly one
            ``x265_api_get_<build>``; or gcc is missing.
    """
    replaced = []
    for original in sorted(path for path in bundle.glob(f"_internal/{_X265}") if not path.is_symlink()):
        needs = imports_from(bundle, original)
        wanted = set().union(*needs.values())
        builds = {match.group(1) for symbol in wanted if (match := _API_GET.fullmatch(symbol))}
        if len(builds) != 1:
            raise StubError(f"{original.name}: expected its importers to use one x265_api_get_<build>, "
                            f"they import {sorted(wanted) or 'nothing'}")
        stub = _compile(X265_SOURCE, work / original.name, soname=_soname(original),
                        defines={"X265_API_GET": f"x265_api_get_{next(iter(builds))}",
                                 "X265_BUILD_NUMBER": next(iter(builds))})
        missing = {f"{path.name}: {symbol}" for path, symbols in needs.items()
                   for symbol in symbols - exported_symbols(stub)}
        if missing:
            raise StubError(f"the stub for {original.name} lacks symbols the bundle imports: {sorted(missing)}")
        before = original.stat().st_size
        stub.replace(original)
        original.chmod(0o755)
        replaced.append((original, before, original.stat().st_size))
    return replaced


def _compile(source: Path, out: Path, *, soname: str, defines: dict[str, str]) -> Path:
    """``gcc -shared -nostdlib`` (the stubs call nothing, so they need no library, not even libc), stripped."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = ["gcc", "-shared", "-fPIC", "-O2", "-s", "-nostdlib", "-fvisibility=hidden", "-Wall", "-Wextra",
               "-Werror", *(f"-D{name}={value}" for name, value in sorted(defines.items())),
               f"-Wl,-soname,{soname}", "-Wl,--build-id=sha1", "-o", str(out), str(source)]
    try:
        subprocess.run(command, check=True)
    except FileNotFoundError:
        raise StubError("gcc is needed to build the encoder stubs (Debian: apt install gcc)") from None
    return out
