"""Importing our packages changes nothing outside them; the set-up they need happens when first used.

The check runs in a fresh interpreter: this one has long since imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_PROBE = """
import json, logging, os, sys
before = dict(os.environ)
import hashing, client_api, intake
report = {
    "environ_changed": sorted(k for k in set(os.environ) | set(before) if os.environ.get(k) != before.get(k)),
    "httpx_filters": len(logging.getLogger("httpx").filters),
    "av_loaded": "av" in sys.modules,
    "cv2_loaded": "cv2" in sys.modules,
}
from hashing._av import quiet_av
import av.logging
av.logging.set_level(av.logging.INFO)  # someone asked PyAV for FFmpeg's messages before the first video
quiet_av(); quiet_av()
report["after_use_av_level"] = av.logging.get_level()
client_api.IntakeClient("http://127.0.0.1:9").close()
client_api.IntakeClient("http://127.0.0.1:9").close()
report["after_use_httpx_filters"] = [type(f).__name__ for f in logging.getLogger("httpx").filters]
print(json.dumps(report))
"""


def test_importing_sets_nothing_and_first_use_quiets_ffmpeg_and_httpx_once():
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=True)
    report = json.loads(done.stdout)
    assert report == {
        "environ_changed": [],
        "httpx_filters": 0,
        "av_loaded": False,
        "cv2_loaded": False,
        "after_use_av_level": None,
        "after_use_httpx_filters": ["_QuietHttpx"],
    }
