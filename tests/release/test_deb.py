"""The ``.deb`` as a person gets it: installed with ``dpkg -i`` on this machine, run, removed without a trace.

Needs root (CI and the development container run as root) and Debian's dpkg; the package is built once per
session by ``build.py`` (``release`` in ``conftest.py``).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import build
import linux
import names
import smoke

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux" or shutil.which("dpkg") is None, reason="needs Debian's dpkg"),
    pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="installing a .deb needs root"),
]

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_LOCK_WAIT_S = 300


def dpkg(*args: str) -> subprocess.CompletedProcess:
    """dpkg, waiting (bounded) while another installation on this machine holds dpkg's lock."""
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        done = subprocess.run(["dpkg", *args], capture_output=True, text=True, env={"PATH": SYSTEM_PATH}, timeout=600)
        if done.returncode == 0 or "lock" not in done.stderr or time.monotonic() > deadline:
            return done
        time.sleep(2)


def package_status() -> str:
    done = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", names.APP_ID], capture_output=True,
                          text=True)
    return done.stdout.strip() if done.returncode == 0 else "not-installed"


def test_the_deb_installs_runs_from_opt_and_path_and_dpkg_r_leaves_nothing(release):
    deb = release.files / build.deb_name()
    prefix = Path(str(linux.INSTALL_PREFIX))
    assert package_status() == "not-installed", f"{names.APP_ID} is already installed here; remove it first"
    assert not prefix.exists(), f"{prefix} exists before the test installed anything"
    transcript = [f"$ dpkg -i {deb.name}"]
    installed = dpkg("-i", str(deb))
    transcript.append((installed.stdout + installed.stderr).strip())
    try:
        assert installed.returncode == 0, installed.stdout + installed.stderr
        files = dpkg("-L", names.APP_ID).stdout.split()

        on_path = shutil.which(names.APP_ID, path=SYSTEM_PATH)
        assert on_path == f"/usr/bin/{names.APP_ID}"
        version = subprocess.run([on_path, "--version"], capture_output=True, text=True, timeout=120)
        transcript += [f"$ {names.APP_ID} --version", version.stdout.strip()]
        assert version.returncode == 0 and version.stdout.strip() == f"{names.APP_NAME} {names.__version__}"

        share = Path("/usr/share")
        entry = share / "applications" / f"{names.DESKTOP_ID}.desktop"
        assert f"Exec={prefix / names.APP_NAME}" in entry.read_text()
        for command in (["desktop-file-validate", str(entry)],
                        ["appstreamcli", "validate", "--no-net", str(share / "metainfo" /
                                                                   f"{names.DESKTOP_ID}.metainfo.xml")]):
            checked = subprocess.run(command, capture_output=True, text=True)
            assert checked.returncode == 0, checked.stdout + checked.stderr
        for size in (16, 32, 48, 256):
            assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{names.DESKTOP_ID}.png").is_file()

        # The installed copy, run as a person would: hash like the source tree, show the window (also on X).
        results = smoke.run_checks(prefix, intake=False, media=(smoke.REFERENCE_IMAGE,))
        transcript += [f"smoke {'PASS' if r.passed else 'FAIL'} {r.name}: {r.detail[:160]}" for r in results]
        assert all(result.passed for result in results), "\n".join(transcript)
        assert {"version", "hash", "gui", "gui-xcb"} <= {result.name for result in results}
    finally:
        removed = dpkg("-r", names.APP_ID)
        transcript += [f"$ dpkg -r {names.APP_ID}", (removed.stdout + removed.stderr).strip()]
        print("\n".join(transcript))
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert package_status() == "not-installed"
    left = [path for path in files if Path(path).is_symlink() or (Path(path).exists() and not Path(path).is_dir())]
    assert not left, f"left behind: {left[:20]}"
    assert not prefix.exists(), f"{prefix} is still there: {sorted(p.name for p in prefix.rglob('*'))[:20]}"
