"""The real Linux release, built once per session with ``packaging/build.py`` and checked as a person gets it.

Slow (a PyInstaller build takes about a minute on two cores), so it is built once for all the tests here.
"""

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

import names
import smoke

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the release build test runs the Linux build"),
]

REPO = Path(__file__).resolve().parents[2]


class Release:
    def __init__(self, out: Path, seconds: float, log: str) -> None:
        self.out, self.seconds, self.log = out, seconds, log
        self.bundle = out / names.bundle_folder()
        self.files = out / "release"
        self.console, self.gui = smoke.frozen_programs(self.bundle, "linux")


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Release:
    out = tmp_path_factory.mktemp("release") / "dist"
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(REPO / "packaging" / "build.py"), "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    seconds = time.monotonic() - started
    assert done.returncode == 0, f"build.py failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return Release(out, seconds, done.stdout)


def only_check(release, name, **which):
    options = {"gui": False, "intake": False, "x_server": False, "media": (), **which}
    results = {result.name: result for result in smoke.run_checks(release.bundle, **options)}
    return results[name]


def test_frozen_takeback_reports_the_app_version(release):
    result = only_check(release, "version")
    assert result.passed, result.detail


def test_frozen_takeback_hashes_an_image_and_a_video_exactly_like_the_source_tree(release):
    result = only_check(release, "hash", media=(smoke.REFERENCE_IMAGE, smoke.REFERENCE_VIDEO))
    assert result.passed, result.detail


def test_frozen_takeback_hash_writes_nothing_to_home_or_the_working_folder(release):
    result = only_check(release, "no-traces", media=(smoke.REFERENCE_IMAGE, smoke.REFERENCE_VIDEO))
    assert result.passed, result.detail


def test_frozen_intake_service_serves_its_openapi_document_on_loopback(release):
    result = only_check(release, "intake", intake=True)
    assert result.passed, result.detail


def test_frozen_gui_starts_offscreen_shows_its_window_and_exits(release):
    result = only_check(release, "gui", gui=True)
    assert result.passed, result.detail


def test_frozen_gui_in_shared_mode_writes_nothing_to_home(release):
    result = only_check(release, "gui-no-traces", gui=True)
    assert result.passed, result.detail


def test_frozen_gui_runs_on_a_real_x_server_with_the_bundled_xcb_platform(release):
    import shutil

    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/setup installs the xvfb package"
    result = only_check(release, "gui-xcb", gui=True, x_server=True)
    assert result.passed, result.detail


def test_release_files_are_listed_in_sha256sums_and_the_tarball_holds_both_programs(release):
    stem = names.artefact_stem("linux")
    listed = sorted(path.name for path in release.files.iterdir())
    assert listed == sorted(["SHA256SUMS", f"{stem}.tar.gz", f"{stem}.cdx.json"])
    checked = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=release.files,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with tarfile.open(release.files / f"{stem}.tar.gz") as tar:
        members = {member.name: member for member in tar.getmembers()}
    for program in names.executable_names("linux"):
        member = members[f"{stem}/{program}"]
        assert member.isfile() and member.mode & 0o111 and member.mtime == 1700000000


def test_the_bundle_leaves_out_test_tools_and_unused_qt_parts(release):
    internal = release.bundle / "_internal"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqoffscreen.so").is_file()
    assert (plugins / "platforms" / "libqxcb.so").is_file()
    assert not (plugins / "platforms" / "libqwayland.so").exists()
    assert not (plugins / "platformthemes").exists()
    assert not list(internal.rglob("libQt6Qml*")) and not list(internal.rglob("libQt6WebEngine*"))
    assert not [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]
    toc = (release.out.parent / "build" / "pyinstaller" / "takeback" / "PYZ-00.toc").read_text()
    for module in ("'pytest'", "'pdqhash'", "'threatexchange'", "'tkinter'", "'PySide6.QtQml'"):
        assert module not in toc
    from desktop.cli import _COMMAND_MODULES

    late_imports = [f"desktop.cli.{name}" for name in _COMMAND_MODULES] + ["hashing.video", "hashing.tmk"]
    def bundled(module: str) -> bool:
        """In the archive, or collected as files (OpenCV's loader must stay on disk)."""
        path = internal.joinpath(*module.split("."))
        return f"'{module}'" in toc or (path / "__init__.py").is_file() or path.with_suffix(".py").is_file()

    for module in [*late_imports, "uvicorn", "fastapi", "cv2", "pillow_heif", "hashing.phash"]:
        assert bundled(module), f"{module} is not in the bundle"


def test_the_sbom_lists_what_the_bundle_holds(release):
    import json

    document = json.loads((release.files / f"{names.artefact_stem('linux')}.cdx.json").read_text())
    listed = {component["name"] for component in document["components"]}
    assert {"numpy", "opencv-python-headless", "pyside6-essentials", "pillow", "pillow-heif", "cpython"} <= listed
    assert not {"pytest", "pdqhash", "threatexchange", "pywavelets", "pyinstaller", "scipy", "imagehash"} & listed
    assert document["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
