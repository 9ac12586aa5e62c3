"""File names of Takeback's programs and release artefacts, derived from ``desktop/about.py``, never retyped."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop.about import APP_ID, APP_NAME, DESKTOP_ID, __version__  # noqa: E402

SYSTEMS = ("linux", "windows", "macos")

#: Overridable because only the organisation that owns the Apple developer account can choose it.
MACOS_BUNDLE_ID_ENV = "TAKEBACK_MACOS_BUNDLE_ID"


def current_system() -> str:
    """The build host as one of :data:`SYSTEMS`; PyInstaller cannot build for another system."""
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    raise RuntimeError(f"Takeback has no release build for {sys.platform!r}.")


def executable_names(system: str) -> tuple[str, str]:
    """(console program, windowed program) without extension.

    Windows and macOS file systems ignore case, so ``takeback`` and ``Takeback`` cannot sit side by side
    there: the console program is ``takeback-cli`` on those systems.
    """
    _check_system(system)
    console = APP_ID if system == "linux" else f"{APP_ID}-cli"
    return console, APP_NAME


def bundle_folder() -> str:
    """The one-folder bundle's name inside ``dist/``."""
    return APP_NAME


def machine() -> str:
    """The CPU architecture in release file names: ``x86_64`` or ``arm64``."""
    arch = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(arch, arch)


def artefact_stem(system: str, arch: str | None = None) -> str:
    """``Takeback-0.1.0-linux-x86_64``: the common stem of one system's release files."""
    _check_system(system)
    return f"{APP_NAME}-{__version__}-{system}-{arch or machine()}"


def macos_bundle_id() -> str:
    return os.environ.get(MACOS_BUNDLE_ID_ENV) or DESKTOP_ID


def _check_system(system: str) -> None:
    if system not in SYSTEMS:
        raise ValueError(f"system must be one of {', '.join(SYSTEMS)}, not {system!r}")


__all__ = [
    "APP_ID", "APP_NAME", "DESKTOP_ID", "REPO", "SYSTEMS", "__version__", "artefact_stem", "bundle_folder", "current_system",
    "executable_names", "machine", "macos_bundle_id",
]
