"""Linux desktop integration: the ``.desktop`` entry, AppStream metainfo, hicolor icons, and the ``.deb``.

The ``.deb`` installs the frozen folder under ``/opt/takeback`` (self-contained, so it does not follow Debian's
FHS split), links ``/usr/bin/takeback`` to the console program, and puts the entry, metainfo and icons where
the desktop finds them. It runs no maintainer scripts: Debian's own triggers (``desktop-file-utils``,
``hicolor-icon-theme``) refresh menus and icon caches when files land in those folders. Dependencies are the
system libraries the bundle links to but does not carry, found with ``dpkg -S`` on the build host.

The tarball for other distributions carries the same entry and icons under ``share/`` plus
``install-desktop-entry.sh``, which places them for the current user (``--uninstall`` takes them away).

Names and the version come from ``desktop/about.py`` through ``names.py``; nothing here retypes them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import icons
import names

__all__ = [
    "INSTALL_PREFIX", "desktop_entry", "elf_files", "install_script", "metainfo", "needed", "stage_deb",
    "stage_share", "strip_debug_symbols", "system_dependencies",
]

INSTALL_PREFIX = PurePosixPath("/opt") / names.APP_ID
_SUMMARY = "Ask platforms to remove your intimate images, without sending the pictures to anyone"
_MAINTAINER = "Takeback project <releases@takeback.app>"
_HOMEPAGE = "https://takeback.app"


def desktop_entry(program: str) -> str:
    """The freedesktop ``.desktop`` entry that starts the windowed program at ``program`` (an absolute path).

    No ``MimeType``: Takeback must never become what opens a person's photos, and it takes no files from the
    launcher (the person chooses them inside the app).
    """
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={names.APP_NAME}",
        "GenericName=Image removal request",
        f"Comment={_SUMMARY}",
        f"Icon={names.DESKTOP_ID}",
        f"Exec={program}",
        f"TryExec={program}",
        "Terminal=false",
        "Categories=Utility;",
        "Keywords=takedown;StopNCII;Take It Down;hash;fingerprint;privacy;",
        f"StartupWMClass={names.APP_NAME}",
        "",
    ])


def metainfo(epoch: int) -> str:
    """AppStream metainfo: what software centres show, with this version's release dated ``epoch``."""
    date = datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<component type="desktop-application">
  <id>{names.DESKTOP_ID}</id>
  <metadata_license>CC0-1.0</metadata_license>
  <project_license>BSD-3-Clause</project_license>
  <name>{names.APP_NAME}</name>
  <summary>Ask platforms to remove your intimate images, privately</summary>
  <description>
    <p>
      If intimate photos or videos of you are being shared, or someone threatens to share them, {names.APP_NAME}
      helps you ask participating platforms to remove them, through programmes such as Take It Down and
      StopNCII.org.
    </p>
    <p>
      The pictures never leave your computer: {names.APP_NAME} computes fingerprints (hashes) of them here, sends
      only those, and gives you a case number to check on or withdraw your request later. It keeps nothing about
      your files unless you ask it to, and a shared-computer mode leaves no trace at all.
    </p>
  </description>
  <launchable type="desktop-id">{names.DESKTOP_ID}.desktop</launchable>
  <icon type="stock">{names.DESKTOP_ID}</icon>
  <url type="homepage">{_HOMEPAGE}</url>
  <developer_name>The {names.APP_NAME} project</developer_name>
  <provides>
    <binary>{names.APP_ID}</binary>
  </provides>
  <categories>
    <category>Utility</category>
  </categories>
  <content_rating type="oars-1.1"/>
  <releases>
    <release version="{names.__version__}" date="{date}"/>
  </releases>
</component>
"""


def install_script() -> str:
    """A POSIX shell script, shipped in the tarball, that adds (or with ``--uninstall`` removes) the menu entry
    and icons for the current user, pointing at wherever the tarball was unpacked."""
    desktop_file = f"{names.DESKTOP_ID}.desktop"
    sizes = " ".join(str(size) for size in icons.HICOLOR_SIZES)
    return f"""#!/bin/sh
# Adds {names.APP_NAME} to your applications menu (for you only), or takes it away again with --uninstall.
# Run it from the folder you unpacked; move the folder first if you want it somewhere else.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${{XDG_DATA_HOME:-$HOME/.local/share}}
entry="$data/applications/{desktop_file}"
if [ "${{1:-}}" = "--uninstall" ]; then
    rm -f "$entry" "$data/metainfo/{names.DESKTOP_ID}.metainfo.xml" \\
        "$data/icons/hicolor/scalable/apps/{names.DESKTOP_ID}.svg"
    for size in {sizes}; do rm -f "$data/icons/hicolor/${{size}}x${{size}}/apps/{names.DESKTOP_ID}.png"; done
    echo "{names.APP_NAME} is no longer in your applications menu. You can now delete $here."
    exit 0
fi
mkdir -p "$data/applications"
for size in {sizes}; do
    mkdir -p "$data/icons/hicolor/${{size}}x${{size}}/apps"
    cp "$here/share/icons/hicolor/${{size}}x${{size}}/apps/{names.DESKTOP_ID}.png" \\
        "$data/icons/hicolor/${{size}}x${{size}}/apps/"
done
mkdir -p "$data/icons/hicolor/scalable/apps"
cp "$here/share/icons/hicolor/scalable/apps/{names.DESKTOP_ID}.svg" "$data/icons/hicolor/scalable/apps/"
# The entry names the program by its full path, so it works wherever the folder was unpacked.
sed -e "s|^Exec=.*|Exec=\\"$here/{names.APP_NAME}\\"|" -e "s|^TryExec=.*|TryExec=$here/{names.APP_NAME}|" \\
    "$here/share/applications/{desktop_file}" > "$entry"
echo "{names.APP_NAME} is now in your applications menu."
"""


def stage_share(share: Path, icon_set: icons.IconSet, program: str, epoch: int) -> list[Path]:
    """Write ``applications/``, ``metainfo/`` and ``icons/hicolor/`` under ``share``; return the files."""
    entry = share / "applications" / f"{names.DESKTOP_ID}.desktop"
    info = share / "metainfo" / f"{names.DESKTOP_ID}.metainfo.xml"
    files = {entry: desktop_entry(program).encode(), info: metainfo(epoch).encode()}
    for size in icons.HICOLOR_SIZES:
        files[share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{names.DESKTOP_ID}.png"] = \
            icon_set.png(size).read_bytes()
    files[share / "icons" / "hicolor" / "scalable" / "apps" / f"{names.DESKTOP_ID}.svg"] = icon_set.svg.read_bytes()
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files)


def _is_elf(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == b"\x7fELF"


def needed(path: Path) -> tuple[list[str], list[tuple[int, ...]]]:
    """The sonames an ELF file asks the dynamic linker for, and the glibc symbol versions it needs (binutils)."""
    done = subprocess.run(["readelf", "-d", "-V", "-W", str(path)], capture_output=True, text=True, check=False)
    sonames = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", done.stdout)
    glibc = [tuple(int(part) for part in found.split(".")) for found in re.findall(r"Name: GLIBC_([0-9.]+)\b",
                                                                                    done.stdout)]
    return sonames, glibc


def elf_files(bundle: Path) -> Iterable[Path]:
    """Every ELF file in ``bundle`` (programs and libraries, not symlinks), in path order."""
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink() and _is_elf(path):
            yield path


def system_dependencies(bundle: Path) -> list[str]:
    """Debian packages providing the libraries the bundle links to but does not carry (glibc, GL, fonts...).

    Each missing soname is resolved on the build host with ``ldconfig -p`` and ``dpkg -S``, like
    ``dpkg-shlibdeps`` would do for a package built from source; ``libc6`` gets the newest glibc symbol version
    any bundled binary needs as its minimum.

    Raises:
        RuntimeError: a needed library is neither in the bundle nor installed here.
    """
    carried = {path.name for path in bundle.rglob("*")}
    needs = [needed(path) for path in elf_files(bundle)]
    wanted = sorted({name for sonames, _glibc in needs for name in sonames} - carried)
    newest_glibc = max((version for _sonames, glibc in needs for version in glibc), default=None)
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    packages = set()
    for soname in wanted:
        match = re.search(rf"^\s*{re.escape(soname)} \(libc6,x86-64[^)]*\) => (\S+)$", cache, re.MULTILINE) or \
            re.search(rf"^\s*{re.escape(soname)} \([^)]*\) => (\S+)$", cache, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"the bundle needs {soname}, which is neither bundled nor installed here")
        packages.add(_owning_package(Path(match.group(1))))
    # The bundle runs on the glibc it was built against or newer: say so, so dpkg refuses an older system.
    return [f"{name} (>= {'.'.join(map(str, newest_glibc))})" if name == "libc6" and newest_glibc else name
            for name in sorted(packages)]


def _owning_package(library: Path) -> str:
    for candidate in (library, library.resolve()):
        for path in {str(candidate), str(candidate).replace("/usr/lib/", "/lib/", 1),
                     str(candidate).replace("/lib/", "/usr/lib/", 1)}:
            done = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
            if done.returncode == 0:
                return done.stdout.split(":", 1)[0].strip()
    raise RuntimeError(f"no Debian package owns {library}")


def stage_deb(root: Path, bundle: Path, icon_set: icons.IconSet, epoch: int, arch: str) -> Path:
    """Lay out the ``.deb``'s file tree and ``DEBIAN/control`` under ``root`` (emptied first); return ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    opt = root / INSTALL_PREFIX.relative_to("/")
    shutil.copytree(bundle, opt, symlinks=True)
    console, windowed = names.executable_names("linux")
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / console).symlink_to(INSTALL_PREFIX / console)
    stage_share(root / "usr" / "share", icon_set, str(INSTALL_PREFIX / windowed), epoch)
    debian = root / "DEBIAN"
    debian.mkdir()
    installed_kib = sum(path.lstat().st_size for path in root.rglob("*") if not path.is_dir()) // 1024 + 1
    control = {
        "Package": names.APP_ID,
        "Version": names.__version__,
        "Architecture": {"x86_64": "amd64", "arm64": "arm64"}.get(arch, arch),
        "Maintainer": _MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(system_dependencies(bundle)),
        "Section": "utils",
        "Priority": "optional",
        "Homepage": _HOMEPAGE,
        "Description": f"{_SUMMARY}\n Takeback computes fingerprints (hashes) of intimate photos and videos on this"
                       f"\n computer and sends only those to take-down programmes such as Take It Down and"
                       f"\n StopNCII.org. The pictures themselves never leave the computer.",
    }
    (debian / "control").write_text("".join(f"{key}: {value}\n" for key, value in control.items()), encoding="utf-8")
    sums = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and debian not in path.parents:
            sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}\n")
    (debian / "md5sums").write_text("".join(sums), encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        os.utime(path, (epoch, epoch), follow_symlinks=False)
    return root


_SYMBOL_SECTIONS = re.compile(r"^\s*\[\s*\d+\]\s+(\.debug\S*|\.symtab)\s", re.MULTILINE)


def strip_debug_symbols(bundle: Path) -> tuple[int, int]:
    """Strip symbol tables and debug sections from the bundle's shared libraries; return (files, bytes saved).

    ``strip --strip-unneeded`` keeps what the dynamic linker uses (``.dynsym``), as Debian's ``dh_strip`` does
    for shared libraries. The two programs are left alone: PyInstaller appends their Python archive to the
    executable, and ``strip`` would cut it off. Only files that carry something to strip are rewritten.
    """
    programs = {bundle / name for name in names.executable_names("linux")}
    count, saved = 0, 0
    for path in elf_files(bundle):
        if path in programs:
            continue
        sections = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True, check=True)
        if not _SYMBOL_SECTIONS.search(sections.stdout):
            continue
        before = path.stat().st_size
        stripped = path.with_name(path.name + ".stripped")
        subprocess.run(["strip", "--strip-unneeded", "--preserve-dates", "-o", str(stripped), str(path)], check=True)
        if not _loadable(stripped):
            stripped.unlink()  # WORKAROUND: see _loadable; this library keeps its symbols
            continue
        shutil.copymode(path, stripped)
        stripped.replace(path)
        count, saved = count + 1, saved + before - path.stat().st_size
    return count, saved


def _loadable(path: Path) -> bool:
    """Every LOAD segment's file offset and address agree modulo its alignment, as the loader demands.

    WORKAROUND: binutils' ``strip`` re-lays-out libraries whose program headers ``patchelf`` moved (auditwheel
    does this to wheels' bundled libraries, e.g. NumPy's OpenBLAS), and the result fails to load with "ELF
    load command address/offset not page-aligned" (https://github.com/NixOS/patchelf/issues/10).
    """
    headers = subprocess.run(["readelf", "-l", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    for offset, address, align in re.findall(
            r"^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+\S+\s+0x([0-9a-f]+)",
            headers, re.MULTILINE):
        if int(offset, 16) % int(align, 16) != int(address, 16) % int(align, 16):
            return False
    return True
