"""Promise 2, proven on disk: after a whole journey, nothing was written to the person's home folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("fresh_home_journey.py")

pytestmark = pytest.mark.slow  # each journey runs the whole app in a new interpreter


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and modification time."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            stat = path.lstat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.mark.parametrize("mode", ["normal", "shared"])
def test_a_whole_journey_writes_nothing_to_home(tmp_path, data_dir, mode):
    home = tmp_path / "home"
    xdg = {name: home / sub for name, sub in (
        ("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"), ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    )}
    for folder in xdg.values():
        folder.mkdir(parents=True)
    media = tmp_path / "media"
    media.mkdir()
    photo = shutil.copy(data_dir / "images" / "bridge-mods" / "aaa-orig.jpg", media / "photo.jpg")
    video = shutil.copy(data_dir / "videos" / "test-padded-dimensions.mp4", media / "video.mp4")
    scratch = tmp_path / "system-temp"
    scratch.mkdir()
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith("XDG_") and key not in ("HOME", "TMPDIR", "PYTHONPATH")
    }
    env.update({name: str(path) for name, path in xdg.items()})
    env.update(HOME=str(home), TMPDIR=str(scratch), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO),
               PYTHONDONTWRITEBYTECODE="1")
    before = _tree(home)
    args = [sys.executable, str(SCRIPT), *(["--shared"] if mode == "shared" else []), str(photo), str(video)]
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "journey finished" in result.stdout
    assert _tree(home) == before
    assert list(scratch.iterdir()) == [], "the demo's temporary database is removed"
    for text in (result.stdout, result.stderr):
        assert str(media) not in text and "photo.jpg" not in text and "video.mp4" not in text
