"""Every name a package or module lists in ``__all__`` really exists, and each package lists its public API."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

PACKAGES = ["hashing", "client_api", "intake", "desktop"]


def modules_with_all() -> list[str]:
    names: list[str] = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if info.name.rsplit(".", 1)[-1] == "__main__":  # running it is the command itself
                continue
            names.append(info.name)
    return names


@pytest.mark.parametrize("module_name", modules_with_all())
def test_every_exported_name_exists(module_name):
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", [])
    assert len(exported) == len(set(exported)), "a name is listed twice"
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == []


def test_hashing_exports_its_public_api():
    import hashing

    expected = {"hash_file", "hash_image", "detect_kind", "iter_media_paths", "pdq_from_rgb", "exact_hashes",
                "ImageFingerprints", "VideoFingerprints", "PdqHash", "HashingError", "UnsupportedFormat"}
    assert expected <= set(hashing.__all__)
