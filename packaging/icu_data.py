"""Qt's ICU data cut down to the languages Takeback ships: 31 MB -> about 11 MB in the Linux bundle.

PySide6's Linux wheels carry ICU with all of its data compiled into ``libicudata.so.NN`` (one symbol,
``icudtNN_dat``, holding an ICU data package). Qt reaches into it for collation, case mapping and time-zone
and locale names; most of it is locale data for 800-odd locales, and character-set converters for legacy
encodings the app never reads. This is ICU's own documented way to subset the data (the "ICU Data Build
Tool" does the same), with Debian's ``icu-devtools`` and binutils:

1. copy the package out of the library (the symbol's bytes, located with ``readelf``);
2. ``icupkg -r`` the locale bundles of other languages and the ``.cnv`` converters; items that a kept
   bundle depends on (``zh_Hant_HK`` on ``yue``, say) stay;
3. assemble a library that holds the smaller package under the same symbol and soname (``.incbin``, ``as``,
   ``ld -shared``).

ICU looks data up lazily and falls back to the root locale when an item is absent, so the app's own
languages keep full data and nothing else changes. ``tests/release`` runs the result.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["items_to_drop", "trim_icu_data"]

#: Bundles named after a locale live at the top level and in these trees; everything else is shared data.
_LOCALE_TREES = {"", "brkitr", "coll", "curr", "lang", "rbnf", "region", "unit", "zone"}
#: Top-level ``.res`` files that are not locales (supplemental data every locale uses).
_SHARED_BUNDLES = {
    "pool", "res_index", "supplementalData", "metaZones", "timezoneTypes", "windowsZones", "keyTypeData",
    "numberingSystems", "likelySubtags", "plurals", "pluralRanges", "zoneinfo64", "tzdbNames", "genderList",
    "dayPeriods", "grammaticalFeatures", "units", "icuver", "icustd", "currencyNumericCodes", "langInfo",
    "metadata",
}
_LOCALE = re.compile(r"^(?P<language>[a-z]{2,3})(_[A-Za-z0-9]+)*$")


def items_to_drop(items: Iterable[str], languages: Iterable[str]) -> list[str]:
    """Package items (``coll/ja.res``, ``ibm-943_P15A-2003.cnv``) that serve none of ``languages``.

    Args:
        items: the package's item names, as ``icupkg -l`` lists them.
        languages: locale names the app ships (``pt_BR``); their language part (``pt``) is what is kept.
    """
    keep = {language.split("_")[0] for language in languages} | {"root", "en"}
    dropped = []
    for item in items:
        tree, _, name = item.rpartition("/")
        if item.endswith(".cnv"):
            dropped.append(item)
            continue
        if tree not in _LOCALE_TREES or not name.endswith(".res"):
            continue
        stem = name.removesuffix(".res")
        match = _LOCALE.match(stem)
        if stem in _SHARED_BUNDLES or match is None or match.group("language") in keep:
            continue
        dropped.append(item)
    return dropped


def _symbol_bytes(library: Path) -> tuple[str, bytes]:
    """(name, bytes) of the one data symbol ``icudtNN_dat`` in ``library``."""
    symbols = subprocess.run(["readelf", "--dyn-syms", "-W", str(library)], capture_output=True, text=True,
                             check=True).stdout
    found = re.search(r"\s([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+\S+\s+(icudt\d+_dat)\s*$",
                      symbols, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"{library.name} holds no ICU data symbol")
    address, size, name = int(found.group(1), 16), int(found.group(2), 0), found.group(3)
    sections = subprocess.run(["readelf", "-S", "-W", str(library)], capture_output=True, text=True,
                              check=True).stdout
    for line in sections.splitlines():
        parts = re.match(r"\s*\[\s*\d+\]\s+\S+\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if parts:
            start, offset, length = (int(value, 16) for value in parts.groups())
            if start <= address < start + length:
                with library.open("rb") as stream:
                    stream.seek(offset + address - start)
                    return name, stream.read(size)
    raise RuntimeError(f"{library.name}: no section holds {name}")


def trim_icu_data(library: Path, languages: Iterable[str]) -> tuple[int, int]:
    """Rewrite ``library`` (``libicudata.so.NN``) to hold only the data ``languages`` need.

    Returns:
        (size before, size after) in bytes.
    """
    languages = list(languages)
    before = library.stat().st_size
    soname = re.search(r"SONAME\)\s+Library soname: \[([^\]]+)\]",
                       subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True,
                                      check=True).stdout).group(1)
    symbol, data = _symbol_bytes(library)
    with tempfile.TemporaryDirectory(prefix="takeback-icu-") as scratch:
        work = Path(scratch)
        # icupkg takes the package's name (the prefix of every item inside) from the file name: icudt73l.dat.
        package = f"{symbol.removesuffix('_dat')}{'l' if sys.byteorder == 'little' else 'b'}.dat"
        (work / "in").mkdir()
        (work / "out").mkdir()
        full, small = work / "in" / package, work / "out" / package
        full.write_bytes(data)
        items = subprocess.run(["icupkg", "-l", str(full)], capture_output=True, text=True, check=True).stdout.split()
        dropped = items_to_drop(items, languages)
        while True:  # keep what a kept bundle depends on; icupkg names one missing item per line
            (work / "drop.txt").write_text("\n".join(dropped) + "\n", encoding="utf-8")
            done = subprocess.run(["icupkg", "-r", str(work / "drop.txt"), str(full), str(small)],
                                  capture_output=True, text=True, check=False)
            needed = set(re.findall(r"depends on missing item (\S+)", done.stdout + done.stderr))
            if not needed:
                break
            dropped = [item for item in dropped if item not in needed]
        if done.returncode != 0:
            raise RuntimeError(f"icupkg failed: {done.stderr[-2000:]}")
        assembly = work / "data.s"
        assembly.write_text(
            f'\t.section .note.GNU-stack,"",%progbits\n\t.section .rodata\n\t.balign 16\n'
            f"\t.globl {symbol}\n\t.type {symbol},%object\n\t.size {symbol},{small.stat().st_size}\n"
            f'{symbol}:\n\t.incbin "{small}"\n', encoding="utf-8")
        subprocess.run(["as", "-o", str(work / "data.o"), str(assembly)], check=True)
        subprocess.run(["ld", "-shared", "-soname", soname, "-o", str(work / library.name), str(work / "data.o")],
                       check=True)
        mode = library.stat().st_mode
        shutil.copyfile(work / library.name, library)
        library.chmod(mode)
    return before, library.stat().st_size
