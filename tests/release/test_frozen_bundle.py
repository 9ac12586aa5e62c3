"""The real Linux release, built once per session with ``packaging/build.py`` and checked as a person gets it.

Slow (PyInstaller and the two archives take minutes on two cores), so it is built once per session
(``release`` in ``conftest.py``) for all the tests here and in ``test_deb.py``.
"""

import subprocess
import sys
import tarfile

import pytest

import names
import smoke

from tests.xdist_shared import one_at_a_time

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the release build test runs the Linux build"),
]


def only_check(release, name, **which):
    options = {"gui": False, "intake": False, "x_server": False, "media": (), **which}
    results = {result.name: result for result in smoke.run_checks(release.bundle, **options)}
    return results[name]


def test_frozen_takeback_reports_the_app_version(release):
    result = only_check(release, "version")
    assert result.passed, result.detail


def test_frozen_takeback_hashes_photos_and_a_video_exactly_like_the_source_tree(release):
    result = only_check(release, "hash", media=smoke.REFERENCE_MEDIA)
    assert result.passed, result.detail


def test_frozen_takeback_hash_writes_nothing_to_home_or_the_working_folder(release):
    result = only_check(release, "no-traces", media=smoke.REFERENCE_MEDIA)
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


def test_frozen_gui_runs_on_a_real_x_server_with_the_bundled_xcb_platform(release, tmp_path_factory):
    import shutil

    assert shutil.which("xvfb-run"), "xvfb-run is missing: scripts/setup installs the xvfb package"
    with one_at_a_time(tmp_path_factory, "x-server"):  # xvfb-run -a: one new display at a time
        result = only_check(release, "gui-xcb", gui=True, x_server=True)
    assert result.passed, result.detail


def test_release_files_are_listed_in_sha256sums_and_the_tarball_holds_both_programs_and_a_menu_entry(release):
    import build

    stem = names.artefact_stem("linux")
    listed = sorted(path.name for path in release.files.iterdir())
    assert listed == sorted(["SHA256SUMS", f"{stem}.tar.gz", f"{stem}.cdx.json", build.deb_name()])
    checked = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=release.files,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert build.deb_name() in (release.files / "SHA256SUMS").read_text()
    with tarfile.open(release.files / f"{stem}.tar.gz") as tar:
        members = {member.name: member for member in tar.getmembers()}
    console, windowed = names.executable_names("linux")
    for program in [console, "install-desktop-entry.sh"]:
        member = members[f"{stem}/{program}"]
        assert member.isfile() and member.mode & 0o111 and member.mtime == 1700000000
    # One program on Linux: the windowed name links to it (see packaging/launchers/takeback_cli.py).
    assert members[f"{stem}/{windowed}"].issym() and members[f"{stem}/{windowed}"].linkname == console
    share = f"{stem}/share"
    assert f"{share}/applications/{names.DESKTOP_ID}.desktop" in members
    assert f"{share}/icons/hicolor/scalable/apps/{names.DESKTOP_ID}.svg" in members
    assert f"{share}/icons/hicolor/16x16/apps/{names.DESKTOP_ID}.png" in members


#: The download a person on a phone's data plan can afford, and what it may take on their disk (issue #13), in
#: the decimal megabytes download pages and file managers show. Measured on 2026-11-30: 93.3 MB and 220.2 MB.
DOWNLOAD_LIMIT = 100_000_000
UNPACKED_LIMIT = 250_000_000


def test_the_linux_download_and_what_it_unpacks_to_stay_within_their_limits(release):
    stem = names.artefact_stem("linux")
    tarball = (release.files / f"{stem}.tar.gz").stat().st_size
    unpacked = sum(path.lstat().st_size for path in release.bundle.rglob("*") if not path.is_dir())
    assert tarball <= DOWNLOAD_LIMIT, f"the .tar.gz is {tarball / 1e6:.1f} MB (packaging/sizes.py tells what grew)"
    assert unpacked <= UNPACKED_LIMIT, f"the bundle unpacks to {unpacked / 1e6:.1f} MB (packaging/sizes.py)"
    import build

    deb = (release.files / build.deb_name()).stat().st_size  # zstd here; the release workflow's xz is smaller
    assert deb <= DOWNLOAD_LIMIT, f"the .deb is {deb / 1e6:.1f} MB"


def test_the_tarballs_install_script_adds_the_menu_entry_for_this_user_and_takes_it_away(release, tmp_path):
    stem = names.artefact_stem("linux")
    with tarfile.open(release.files / f"{stem}.tar.gz") as tar:
        tar.extractall(tmp_path, members=[m for m in tar.getmembers() if "/_internal/" not in m.name],
                       filter="tar")
    unpacked, data = tmp_path / stem, tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}
    done = subprocess.run([str(unpacked / "install-desktop-entry.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    entry = data / "applications" / f"{names.DESKTOP_ID}.desktop"
    assert f'Exec="{unpacked}/{names.APP_NAME}"' in entry.read_text()
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / f"{names.DESKTOP_ID}.png").is_file()
    valid = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    done = subprocess.run([str(unpacked / "install-desktop-entry.sh"), "--uninstall"], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert not [path for path in data.rglob("*") if path.is_file()]


def test_the_bundle_leaves_out_test_tools_and_unused_qt_parts(release):
    internal = release.bundle / "_internal"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqoffscreen.so").is_file()
    assert (plugins / "platforms" / "libqxcb.so").is_file()
    assert not (plugins / "platforms" / "libqwayland.so").exists()
    assert not (plugins / "platformthemes").exists()
    assert not list(internal.rglob("libQt6Qml*")) and not list(internal.rglob("libQt6WebEngine*"))
    assert not (internal / "cv2").exists() and not list(internal.rglob("libopenblasp*")), "PyAV decodes videos"
    assert not list(internal.rglob("*.pxd")), "Cython declarations are only read when compiling"
    assert not list(internal.rglob("libscipy_openblas-*")), "SciPy's OpenBLAS left with SciPy"
    assert not list(internal.rglob("libmvec.so*")), "glibc's own libraries come from the host"
    assert not [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]
    toc = (release.out.parent / "build" / "pyinstaller" / "takeback" / "PYZ-00.toc").read_text()
    for module in ("'pytest'", "'pdqhash'", "'threatexchange'", "'tkinter'", "'PySide6.QtQml'", "'hypothesis'",
                   "'rich'", "'pygments'", "'markdown_it'", "'yaml'", "'unittest'", "'pydoc_data'"):
        assert module not in toc
    from desktop.cli import _COMMAND_MODULES

    late_imports = [f"desktop.cli.{name}" for name in _COMMAND_MODULES] + ["hashing.video", "hashing.tmk"]
    def bundled(module: str) -> bool:
        """In the archive, or collected as files (compiled extension modules stay on disk)."""
        path = internal.joinpath(*module.split("."))
        return f"'{module}'" in toc or (path / "__init__.py").is_file() or path.with_suffix(".py").is_file()

    for module in [*late_imports, "uvicorn", "fastapi", "av", "pillow_heif", "hashing.phash"]:
        assert bundled(module), f"{module} is not in the bundle"


def test_the_sbom_lists_what_the_bundle_holds(release):
    import json

    document = json.loads((release.files / f"{names.artefact_stem('linux')}.cdx.json").read_text())
    listed = {component["name"] for component in document["components"]}
    assert {"numpy", "av", "pyside6-essentials", "pillow", "pillow-heif", "cpython"} <= listed
    assert not {"pytest", "pdqhash", "threatexchange", "pywavelets", "pyinstaller", "scipy", "imagehash",
                "opencv-python-headless"} & listed
    assert document["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    native = {component["name"]: component for component in document["components"]
              if component["bom-ref"].startswith("pkg:generic/lib")}
    assert {"libavcodec", "libicudata", "libQt6Core", "libheif", "libpython3.11"} <= set(native)
    provided = {item["name"]: item["value"] for item in native["libavcodec"]["properties"]}
    assert provided["takeback:provided-by"].startswith("pkg:pypi/av@")
