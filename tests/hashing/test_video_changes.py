"""A video that changes while it is read gets ``changed``, as a photo does (issue #12, item 8).

Its fingerprints would describe neither the file as it was nor as it ends up: the MD5 of a half-written
download matches no finished copy anywhere.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hashing import FileChanged, hash_video

VIDEO = Path(__file__).parent.parent / "data" / "videos" / "chair-19-sd-bar.mp4"


@pytest.fixture
def downloading(tmp_path: Path) -> Path:
    path = tmp_path / "still-downloading.mp4"
    shutil.copyfile(VIDEO, path)
    return path


def test_a_video_that_grows_while_it_is_read_is_changed(downloading: Path) -> None:
    def more_arrives(_fraction: float) -> None:
        with downloading.open("ab") as out:
            out.write(bytes(4096))

    with pytest.raises(FileChanged) as caught:
        hash_video(downloading, progress=more_arrives)
    assert caught.value.code == "changed"


def test_a_video_that_shrinks_while_it_is_read_is_changed(downloading: Path) -> None:
    size = downloading.stat().st_size

    def cut_short(_fraction: float) -> None:
        os.truncate(downloading, size - 1000)

    with pytest.raises(FileChanged):
        hash_video(downloading, progress=cut_short)


def test_a_video_left_alone_is_fingerprinted(downloading: Path) -> None:
    assert hash_video(downloading, tmk=False).frame_count > 0
