"""Videos end to end: a real TMK+PDQF hash becomes the item's .tmk bytes, and a real video goes through submit."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from client_api import CaseCredentials, IntakeClient
from desktop.fingerprints import to_item
from hashing.results import VideoFingerprints
from hashing.tmk import read_tmk
from tests.loopback import RecordingProxy

REPO = Path(__file__).resolve().parents[2]


def test_a_tmk_hash_goes_over_as_metas_tmk_file_bytes(data_dir):
    path = data_dir / "expected" / "tmk" / "chair-19-sd-bar.tmk"
    result = VideoFingerprints(md5="0" * 32, sha256="0" * 64, duration_s=1.0, frame_count=1, vpdq=(),
                               tmk=read_tmk(path))
    assert to_item(result).tmk == path.read_bytes()


@pytest.mark.slow
def test_a_real_video_is_submitted_with_its_frames_and_tmk_and_nothing_else(intake_server, data_dir, tmp_path):
    folder = tmp_path / "Maria Gonzalez videos"
    folder.mkdir()
    video = shutil.copy(data_dir / "videos" / "test-padded-dimensions.mp4", folder / "maria-gonzalez-party.mp4")
    with RecordingProxy(intake_server.url) as proxy:
        result = subprocess.run([sys.executable, "-m", "desktop", "submit", "--intake", proxy.url, "--json", str(video)],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (request,) = [r for r in proxy.requests if r.method == "POST"]  # after its proof-of-work challenge
    body = json.loads(request.body)
    (item,) = body["items"]
    assert item["kind"] == "video" and item["tmk"] and len(item["vpdq"]) > 0
    assert set(item) == {"kind", "md5", "sha256", "vpdq", "tmk"}
    assert b"maria" not in proxy.sent.lower() and b"Gonzalez" not in proxy.sent
    answer = json.loads(result.stdout)
    with IntakeClient(intake_server.url) as client:
        assert client.status(CaseCredentials(answer["case_number"], answer["case_key"])).item_count == 1
