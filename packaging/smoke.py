"""Smoke tests of a frozen Takeback bundle: what a person runs must behave like the source tree.

1. ``takeback --version`` names the app and version from ``desktop/about.py``.
2. ``takeback hash --json`` on reference photos (JPEG, HEIC, AVIF) and a video prints exactly what the source tree prints
   (same fingerprints, same fields), so a frozen build can never ship a decoder that hashes differently;
   and it writes nothing to HOME or the working folder (no unpacked libraries, caches or logs).
3. ``takeback intake migrate`` creates a database and ``takeback intake serve`` answers on loopback with the OpenAPI document kept in the repository.
4. The windowed program starts offscreen and shows its window (``TAKEBACK_SMOKE_QUIT_AFTER_SHOWN``, see
   ``launchers/takeback_gui.py``), in demo mode when the app offers it, so the embedded intake service loads too;
   in shared-computer mode when the app has it, after which HOME must still be empty; and where ``xvfb-run`` is
   installed, again under a real X server with Qt's xcb platform, as Linux users run it.

Usage: ``python packaging/smoke.py dist/Takeback [--no-gui]`` (on macOS: ``dist/Takeback.app``). Exit status 0
when every check passed; each failure is printed with the command's output.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import names

__all__ = ["CheckResult", "frozen_programs", "run_checks"]

REPO = Path(__file__).resolve().parent.parent
REFERENCE_IMAGE = REPO / "tests" / "data" / "images" / "bridge-mods" / "aaa-orig.jpg"
REFERENCE_VIDEO = REPO / "tests" / "data" / "videos" / "test-padded-dimensions.mp4"
#: A phone's HEIC and an AVIF: their decoders (libheif, libavif) are native libraries the bundle must load.
REFERENCE_HEIF = (REPO / "tests" / "data" / "fuzz" / "seeds" / "photo.heic",
                  REPO / "tests" / "data" / "fuzz" / "seeds" / "photo.avif")
REFERENCE_MEDIA = (REFERENCE_IMAGE, *REFERENCE_HEIF, REFERENCE_VIDEO)
_TIMEOUT_S = 300
#: Lines Qt prints when the bundle lacks a plugin or library it needs.
_QT_TROUBLE = ("Could not load the Qt platform plugin", "could not find or load", "Cannot load library",
               "This application failed to start")


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


def frozen_programs(bundle: Path, system: str | None = None) -> tuple[Path, Path]:
    """(console program, windowed program) inside a one-folder bundle or a macOS ``.app``."""
    system = system or names.current_system()
    console, gui = names.executable_names(system)
    folder = bundle / "Contents" / "MacOS" if bundle.suffix == ".app" else bundle
    suffix = ".exe" if system == "windows" else ""
    return folder / f"{console}{suffix}", folder / f"{gui}{suffix}"


def _clean_env(home: Path) -> dict[str, str]:
    """The environment for a frozen run: a fresh HOME so nothing of the builder's leaks in or out."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), USERPROFILE=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"), XDG_CACHE_HOME=str(home / ".cache"),
               QT_QPA_PLATFORM="offscreen")
    return env


def _run(argv: Sequence[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_S,
                          check=False)


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_version(console: Path, env: dict[str, str], cwd: Path) -> CheckResult:
    done = _run([str(console), "--version"], env, cwd)
    expected = f"{names.APP_NAME} {names.__version__}"
    passed = done.returncode == 0 and done.stdout.strip() == expected
    return CheckResult("version", passed, f"expected {expected!r}, got {done.stdout.strip()!r} "
                                          f"(status {done.returncode}) {done.stderr[-2000:]}")


def check_hash_matches_source(console: Path, media: Sequence[Path], env: dict[str, str], cwd: Path) -> CheckResult:
    """Same JSON from the frozen program and from ``python -m desktop`` in the source tree, line by line."""
    paths = [str(path.resolve()) for path in media]
    frozen = _run([str(console), "hash", "--json", *paths], env, cwd)
    source = subprocess.run([sys.executable, "-m", "desktop", "hash", "--json", *paths], cwd=REPO,
                            capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    if source.returncode != 0:
        return CheckResult("hash", False, f"the source tree failed (status {source.returncode}): "
                                          f"{source.stderr[-2000:]}")
    if frozen.returncode != 0:
        return CheckResult("hash", False, f"the frozen program failed (status {frozen.returncode}): "
                                          f"{frozen.stderr[-2000:]}")
    frozen_items, source_items = _json_lines(frozen.stdout), _json_lines(source.stdout)
    if len(source_items) != len(media) or any(item.get("kind") == "error" for item in source_items):
        return CheckResult("hash", False, f"the source tree did not fingerprint every file: {source.stdout[:2000]}")
    if frozen_items != source_items:
        return CheckResult("hash", False, f"frozen output differs from the source tree:\nfrozen: "
                                          f"{frozen.stdout[:3000]}\nsource: {source.stdout[:3000]}")
    kinds = ", ".join(f"{item['kind']} pdq/vpdq={len(item.get('pdq', item.get('vpdq', [])))}" for item in frozen_items)
    return CheckResult("hash", True, f"{len(frozen_items)} files identical to the source tree ({kinds})")


def check_no_traces(*folders: Path) -> CheckResult:
    """Hashing leaves nothing behind: the frozen program writes no file to HOME or the working folder."""
    return CheckResult("no-traces", *_nothing_written(*folders))


def _nothing_written(*folders: Path) -> tuple[bool, str]:
    written = sorted(str(path) for folder in folders for path in folder.rglob("*") if not path.is_dir())
    return not written, "nothing written" if not written else f"written: {written}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def check_intake_serves_its_openapi(console: Path, env: dict[str, str], cwd: Path) -> CheckResult:
    """``takeback intake migrate`` then ``serve`` on loopback answers with the OpenAPI document the repository keeps.

    Proves the frozen web stack (uvicorn, FastAPI, pydantic, SQLAlchemy with SQLite, Alembic and the schema
    revisions it reads as files) loads and serves.
    """
    port = _free_port()
    database = f"sqlite:///{(cwd / 'intake.sqlite3').as_posix()}"
    migrated = subprocess.run([str(console), "intake", "migrate", "--db", database], env=env, cwd=cwd,
                              capture_output=True, text=True, timeout=120)
    if migrated.returncode != 0:
        return CheckResult("intake", False, f"takeback intake migrate failed: {(migrated.stdout + migrated.stderr)[-3000:]}")
    server = subprocess.Popen([str(console), "intake", "serve", "--db", database, "--port", str(port)], env=env,
                              cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served, error = None, ""
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=5) as reply:
                    served = json.load(reply)
                break
            except OSError as exc:
                error = str(exc)
                time.sleep(0.5)
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    expected = json.loads((REPO / "intake" / "openapi.json").read_text(encoding="utf-8"))
    if served is None:
        return CheckResult("intake", False, f"no answer on port {port} ({error}); output: {output[-3000:]}")
    return CheckResult("intake", served == expected, "served the repository's OpenAPI document"
                       if served == expected else f"served a different OpenAPI document: {json.dumps(served)[:2000]}")


def has_command(console: Path, command: str, env: dict[str, str], cwd: Path) -> bool:
    return _run([str(console), command, "--help"], env, cwd).returncode == 0


def gui_arguments(console: Path, env: dict[str, str], cwd: Path) -> list[str] | None:
    """Arguments for the windowed program, or None when this build of the app has no GUI yet."""
    done = _run([str(console), "gui", "--help"], env, cwd)
    if done.returncode != 0:
        return None
    # Demo mode loads the embedded intake service too; shared-computer mode promises to write nothing.
    return [option for option in ("--demo", "--shared") if option in done.stdout]


def check_gui(gui: Path, arguments: Sequence[str], env: dict[str, str], cwd: Path, *, x_server: bool = False
              ) -> CheckResult:
    """The windowed program shows a window and exits 0, with no Qt plugin or library trouble on stderr.

    Args:
        x_server: run under a real X server (``xvfb-run``) with Qt's xcb platform, the one Linux users get,
            instead of the offscreen platform.
    """
    report = cwd / ("smoke-xcb.txt" if x_server else "smoke.txt")
    report.unlink(missing_ok=True)
    env = {**env, "TAKEBACK_SMOKE_QUIT_AFTER_SHOWN": "1", "TAKEBACK_SMOKE_REPORT": str(report)}
    argv = [str(gui), *arguments]
    if x_server:
        env["QT_QPA_PLATFORM"] = "xcb"
        argv = ["xvfb-run", "--auto-servernum", *argv]
    done = _run(argv, env, cwd)
    trouble = [line for line in done.stderr.splitlines() if any(marker in line for marker in _QT_TROUBLE)]
    seen = report.read_text(encoding="utf-8") if report.is_file() else ""
    report.unlink(missing_ok=True)
    shown = "smoke: window shown" in seen
    passed = done.returncode == 0 and shown and not trouble
    return CheckResult("gui-xcb" if x_server else "gui", passed,
                       f"status {done.returncode}; {' '.join(arguments) or 'no arguments'}; {seen.strip()!r}; "
                       f"stderr: {done.stderr[-3000:]}")


def run_checks(bundle: Path, *, gui: bool = True, intake: bool = True, x_server: bool | None = None,
               media: Sequence[Path] = REFERENCE_MEDIA) -> list[CheckResult]:
    """Run every check against the bundle, in a scratch HOME and working folder that are removed afterwards."""
    console, windowed = frozen_programs(bundle.resolve())
    if x_server is None:  # by default wherever xvfb-run is installed (Linux)
        x_server = shutil.which("xvfb-run") is not None
    with tempfile.TemporaryDirectory(prefix="takeback-smoke-") as scratch:
        home, cwd = Path(scratch) / "home", Path(scratch) / "cwd"
        home.mkdir()
        cwd.mkdir()
        env = _clean_env(home)
        results = [check_version(console, env, cwd)]
        if media:
            results.append(check_hash_matches_source(console, media, env, cwd))
            results.append(check_no_traces(home, cwd))
        if intake and has_command(console, "intake", env, cwd):
            results.append(check_intake_serves_its_openapi(console, env, cwd))
        if gui:
            arguments = gui_arguments(console, env, cwd)
            if arguments is None:
                results.append(CheckResult("gui", False, "this build has no `takeback gui` sub-command"))
            else:
                results.append(check_gui(windowed, arguments, env, cwd))
                if "--shared" in arguments:
                    results.append(CheckResult("gui-no-traces", *_nothing_written(home)))
                if x_server:
                    results.append(check_gui(windowed, arguments, env, cwd, x_server=True))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="dist/Takeback, or dist/Takeback.app on macOS")
    parser.add_argument("--no-gui", action="store_true", help="skip the windowed program (say why in the log)")
    args = parser.parse_args(argv)
    results = run_checks(args.bundle, gui=not args.no_gui)
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'} {result.name}: {result.detail}", file=sys.stderr)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
