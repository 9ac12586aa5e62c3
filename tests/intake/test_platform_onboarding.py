"""docs/platforms.md, done by a platform: python-threatexchange's own CLI points its StopNCII exchange at the
service, fetches the hash list, and matches a re-encoded copy of a photo a person submitted."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from intake_testkit import idempotency_key, new_case_key
from PIL import Image

from hashing import hash_file
from intake import ServerHandle

#: Part of the full run only (runs the threatexchange command line several times); the quick loop leaves it out.
pytestmark = pytest.mark.slow

IMAGES = Path(__file__).parents[1] / "data" / "images" / "misc"
PHOTO = IMAGES / "pen-and-coaster.png"


def threatexchange(home: Path, *args: str, credentials: str) -> str:
    """Run the ``threatexchange`` command as a platform's operator would, with its state in ``home``."""
    executable = shutil.which("threatexchange", path=str(Path(sys.executable).parent)) or "threatexchange"
    done = subprocess.run(
        [executable, *args],
        env={**os.environ, "HOME": str(home), "TX_STOPNCII_KEYS": credentials},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"threatexchange {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def _item(photo: Path) -> dict[str, object]:
    """The photo's fingerprints as the desktop app sends them (hashing/ computes them)."""
    fingerprints = hash_file(photo)
    return {
        "kind": "image",
        "md5": fingerprints.md5,
        "sha256": fingerprints.sha256,
        "pdq": [{"hash": p.hash.hex, "quality": p.hash.quality} for p in fingerprints.pdq],
    }


def test_a_platform_fetches_with_the_threatexchange_cli_and_matches_a_reencoded_photo(
    server: ServerHandle, client: httpx.Client, tmp_path: Path
) -> None:
    # Two photos: python-threatexchange 1.2's PDQ index of exactly one hash matches nothing once saved to disk.
    items = [_item(PHOTO), _item(IMAGES / "c.png")]
    body = {"program": "adult", "client": "takeback/test", "case_key": new_case_key(), "items": items}
    assert client.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()}).status_code == 201

    keys = server.storage.add_platform("Example Social (HMA)", [])
    # The credentials string of docs/platforms.md: function key, subscription key, this service's /v1 URL.
    credentials = f"{keys.function_key},{keys.subscription_key},{server.url}/v1"
    home = tmp_path / "platform-home"
    home.mkdir()
    threatexchange(home, "config", "collab", "edit", "stop_ncii", "--create", "Takeback", credentials=credentials)
    threatexchange(home, "fetch", credentials=credentials)

    # What the platform sees uploaded: the same photo, scaled down and saved as a JPEG.
    copy = tmp_path / "upload.jpg"
    with Image.open(PHOTO) as original:
        smaller = original.convert("RGB").resize((original.width * 3 // 4, original.height * 3 // 4))
        buffer = io.BytesIO()
        smaller.save(buffer, "JPEG", quality=70)
    copy.write_bytes(buffer.getvalue())
    assert copy.read_bytes() != PHOTO.read_bytes()
    matched = threatexchange(home, "match", "photo", str(copy), credentials=credentials)
    assert "pdq" in matched and "Takeback" in matched, matched

    unrelated = threatexchange(home, "match", "photo", str(IMAGES.parent / "bridge-mods" / "aaa-orig.jpg"), credentials=credentials)
    assert "Takeback" not in unrelated, unrelated
