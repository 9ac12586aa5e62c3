"""Linux: replace the encoders PyAV's FFmpeg and pillow-heif's libheif link but Takeback never calls with failing stubs.

Takeback only decodes video. PyAV's wheel carries FFmpeg built with encoder libraries, and ``libavcodec``
names them in ``DT_NEEDED``; Python loads extension modules with ``RTLD_NOW``, so each must exist under its
soname and define every symbol its importers use. Three are replaced here, each by a library of the same file
name and soname, built from a C file in ``stubs/`` that says which FFmpeg code it relies on and why opening the
encoder then fails cleanly:

- ``libx265`` (HEVC encoder, 19.6 MiB): ``stubs/x265_encoder_absent.c``;
- ``libSvtAv1Enc`` (SVT-AV1 encoder, 6.7 MiB): ``stubs/svtav1_encoder_absent.c``;
- pillow-heif's own ``libx265`` (19.9 MiB), which its libheif links for saving HEIC:
  ``stubs/x265_heif_encoder_absent.c`` (libheif checks for NULL where FFmpeg does not, so it gets NULL).

x264 (2.1 MiB) and libvpx (2.3 MiB, which also holds VP8/VP9 decoders FFmpeg does not use) stay: too little
for a new piece of C each.

The symbols a stub must export are read with ``nm`` from the bundle at build time, from every ELF file that
needs the original; the build fails if the stub lacks any of them (a new PyAV could import more).
``tests/release/test_encoder_stubs.py`` proves the result on the frozen bundle.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import linux

__all__ = [
    "STUBS", "STUB_MARKER", "Stub", "StubError", "bound_elsewhere", "exported_symbols", "imports_from",
    "replace_encoders",
]

_SOURCES = Path(__file__).resolve().parent / "stubs"
#: Bytes every stub carries, so the SBOM credits it to us rather than to the wheel it replaced.
STUB_MARKER = b"takeback encoder stub: "
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


def bound_elsewhere(importer: Path, bundle: Path, original: Path) -> set[str]:
    """Symbols ``importer`` takes from ``original`` today that will not need the stub.

    pillow-heif's libx265 also exports pieces of a newer C++ runtime, and its libheif, linked against them,
    lists two among its imports: ``std::__throw_bad_array_new_length``, which the loader binds in the
    bundle's ``libstdc++.so.6`` (libheif links that too) once the stub does not define it, and
    ``std::ios_base_library_init``, a marker GCC 13 puts in the symbol table that no relocation uses, so
    nothing ever binds it. A stub defining a C++ runtime function would be wrong: it would be bound first.
    """
    relocated = subprocess.run(["readelf", "-rW", str(importer)], capture_output=True, text=True, check=True).stdout
    bound = {field.split("@")[0] for line in relocated.splitlines() for field in line.split()[4:5]}
    others = set()
    for name in linux.needed(importer)[0]:
        if name == _soname(original):
            continue
        for library in bundle.rglob(name):
            if library.is_file():
                others |= {symbol.split("@")[0] for symbol in exported_symbols(library)}
    return {symbol for symbol in _nm(importer, "--undefined-only")
            if symbol.split("@")[0] not in bound or symbol.split("@")[0] in others}


def _soname(library: Path) -> str:
    done = subprocess.run(["readelf", "-d", "-W", str(library)], capture_output=True, text=True, check=True)
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", done.stdout)
    return match.group(1) if match else library.name


def _x265_defines(wanted: set[str]) -> dict[str, str]:
    """The x265 build the importers were linked against names the one function they import."""
    builds = {match.group(1) for symbol in wanted if (match := _API_GET.fullmatch(symbol))}
    if len(builds) != 1:
        raise StubError(f"expected the importers of libx265 to use one x265_api_get_<build>, "
                        f"they import {sorted(wanted) or 'nothing'}")
    [build] = builds
    return {"X265_API_GET": f"x265_api_get_{build}", "X265_BUILD_NUMBER": build}


@dataclass(frozen=True)
class Stub:
    """One encoder library to replace: where it is in the bundle, the C file, and gcc's -D from its imports."""

    pattern: str
    source: Path
    defines: Callable[[set[str]], dict[str, str]] = lambda wanted: {}


STUBS = (
    Stub("_internal/av.libs/libx265-*.so.*", _SOURCES / "x265_encoder_absent.c", _x265_defines),
    Stub("_internal/av.libs/libSvtAv1Enc-*.so.*", _SOURCES / "svtav1_encoder_absent.c"),
    Stub("_internal/pillow_heif.libs/libx265-*.so.*", _SOURCES / "x265_heif_encoder_absent.c", _x265_defines),
)


def replace_encoders(bundle: Path, work: Path, stubs: tuple[Stub, ...] = STUBS) -> list[tuple[Path, int, int]]:
    """Put each stub in place of its library in ``bundle``; return (library, bytes before, bytes after).

    Raises:
        StubError: the importers need a symbol the stub would not export (that library stays as it was), or
            gcc is missing.
    """
    replaced = []
    for stub in stubs:
        for original in sorted(path for path in bundle.glob(stub.pattern) if not path.is_symlink()):
            needs = imports_from(bundle, original)
            built = _compile(stub.source, work / original.name, soname=_soname(original),
                             defines=stub.defines(set().union(*needs.values())))
            missing = {f"{path.name}: {symbol}" for path, symbols in needs.items()
                       for symbol in symbols - exported_symbols(built) - bound_elsewhere(path, bundle, original)}
            if missing:
                raise StubError(f"the stub for {original.name} lacks symbols the bundle imports: {sorted(missing)}")
            before = original.stat().st_size
            built.replace(original)
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
