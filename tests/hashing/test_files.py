"""hash_file picks the right hasher by content; iter_media_paths turns a selection into files, in order."""

from __future__ import annotations

import pytest

from hashing import ImageFingerprints, VideoFingerprints, hash_file, iter_media_paths
from hashing.errors import EmptyFile, UnsupportedFormat
from tests._unreadable import unreadable


def test_photo_with_any_name_goes_to_the_photo_hasher(photo, save):
    result = hash_file(save(photo, "looks-like-a.mov", format="PNG"))
    assert isinstance(result, ImageFingerprints)


def test_non_media_and_empty_files_fail_clearly(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("shopping list")
    with pytest.raises(UnsupportedFormat):
        hash_file(text)
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(EmptyFile):
        hash_file(empty)


def test_negative_frame_interval_is_a_programming_error(photo, save):
    with pytest.raises(ValueError, match="vpdq_every"):
        hash_file(save(photo, "a.png"), vpdq_every=-1)


@pytest.fixture
def selection(tmp_path, photo, save):
    """album/ with nested folders, a hidden file, a document, an empty file and a link back to itself."""
    album = tmp_path / "album"
    (album / "b-later").mkdir(parents=True)
    (album / "a-first").mkdir()
    small = photo.reduce(8)
    save(small, "album/z.jpg")
    save(small, "album/b-later/2.png")
    save(small, "album/b-later/10.gif")
    save(small, "album/a-first/photo-without-extension", format="JPEG")
    save(small, "album/.hidden.jpg")
    (album / "a-first" / "notes.txt").write_text("not a photo")
    (album / "a-first" / "empty.jpg").touch()
    (album / "b-later" / "loop").symlink_to(album, target_is_directory=True)
    loose = save(small, "loose.webp")
    return tmp_path, album, loose


def test_folders_are_walked_in_name_order_and_files_kept_as_given(selection):
    root, album, loose = selection
    missing = root / "missing.jpg"
    document = album / "a-first" / "notes.txt"
    found = list(iter_media_paths([loose, album, missing, document]))
    assert found == [
        loose,
        album / "a-first" / "photo-without-extension",
        album / "b-later" / "10.gif",
        album / "b-later" / "2.png",
        album / "z.jpg",
        missing,  # named directly: kept, so the person hears it is missing
        document,
    ]


def test_same_folder_twice_is_walked_twice_but_links_never_loop(selection):
    _root, album, _loose = selection
    once = list(iter_media_paths([album]))
    assert list(iter_media_paths([album, album])) == once + once
    through_link = album / "b-later" / "loop"
    assert [path.relative_to(through_link) for path in iter_media_paths([through_link])] == [
        path.relative_to(album) for path in once
    ]


def test_folder_contents_are_yielded_lazily(selection):
    _root, album, _loose = selection
    walker = iter_media_paths([album])
    assert next(walker) == album / "a-first" / "photo-without-extension"


def test_unreadable_file_inside_a_folder_is_kept_so_the_person_hears_about_it(selection):
    _root, album, _loose = selection
    locked = album / "z.jpg"
    with unreadable(locked):
        assert locked in list(iter_media_paths([album]))


def test_video_goes_to_the_video_hasher_with_its_options(data_dir):
    video = data_dir / "videos" / "test-padded-dimensions.mp4"
    result = hash_file(video, vpdq_every=2.0, tmk=False)
    assert isinstance(result, VideoFingerprints)
    assert result.tmk is None
    assert [frame.frame for frame in result.vpdq] == [0, 60, 120]
