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
    "cv2_loaded": "cv2" in sys.modules,
}
from hashing._opencv import quiet_cv2
quiet_cv2(); quiet_cv2()
client_api.IntakeClient("http://127.0.0.1:9").close()
client_api.IntakeClient("http://127.0.0.1:9").close()
report["after_use_environ"] = {k: os.environ.get(k) for k in ("OPENCV_LOG_LEVEL", "OPENCV_FFMPEG_LOGLEVEL")}
report["after_use_httpx_filters"] = [type(f).__name__ for f in logging.getLogger("httpx").filters]
print(json.dumps(report))
"""


def test_importing_sets_nothing_and_first_use_quiets_opencv_and_httpx_once():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=environ, capture_output=True, text=True,
                          timeout=120, check=True)
    report = json.loads(done.stdout)
    assert report == {
        "environ_changed": [],
        "httpx_filters": 0,
        "cv2_loaded": False,
        "after_use_environ": {"OPENCV_LOG_LEVEL": "OFF", "OPENCV_FFMPEG_LOGLEVEL": "-8"},
        "after_use_httpx_filters": ["_QuietHttpx"],
    }
