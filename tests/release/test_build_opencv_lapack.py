"""OpenCV on Debian's reference BLAS/LAPACK instead of its own OpenBLAS: it loads, decodes, and solves right."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import opencv_lapack

SITE = Path(__import__("cv2").__file__).resolve().parents[1]
VIDEO = Path(__file__).resolve().parents[1] / "data" / "videos" / "test-padded-dimensions.mp4"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("patchelf") is None or shutil.which("dpkg") is None
    or not (SITE / "opencv_python_headless.libs").is_dir(),
    reason="needs OpenCV's Linux wheel, patchelf and dpkg (scripts/setup installs them)")

CHECK = """
import cv2, numpy as np
assert cv2.__file__.startswith({internal!r}), cv2.__file__
rng = np.random.default_rng(7)
a = rng.standard_normal((6, 6)); b = rng.standard_normal((6, 2))
ok, x = cv2.solve(a, b, flags=cv2.DECOMP_LU)
assert ok and np.allclose(a @ x, b)
w, u, vt = cv2.SVDecomp(a)
assert np.allclose(np.sort(w.ravel()), np.sort(np.linalg.svd(a, compute_uv=False)))
m = rng.standard_normal((64, 48)).astype(np.float32); n = rng.standard_normal((48, 32)).astype(np.float32)
assert np.allclose(cv2.gemm(m, n, 1.0, None, 0.0), m @ n, atol=1e-4)
spd = a @ a.T + 6 * np.eye(6)
ok, x = cv2.solve(spd, b, flags=cv2.DECOMP_CHOLESKY)
assert ok and np.allclose(spd @ x, b)
capture = cv2.VideoCapture({video!r}, cv2.CAP_FFMPEG)
ok, frame = capture.read()
assert ok and frame.ndim == 3
print("ok")
"""


def test_swapped_opencv_solves_like_numpy_and_still_decodes_video(tmp_path):
    internal = tmp_path / "_internal"
    internal.mkdir()
    for name in ("cv2", "opencv_python_headless.libs"):
        shutil.copytree(SITE / name, internal / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    before, after = opencv_lapack.swap_opencv_blas(internal)
    assert after < before / 3
    assert not list((internal / "opencv_python_headless.libs").glob("libopenblas*"))
    assert sorted(path.name for path in (internal / "lapack").iterdir()) == sorted(opencv_lapack.REFERENCE_LIBRARIES)
    done = subprocess.run([sys.executable, "-c", CHECK.format(internal=str(internal), video=str(VIDEO))],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(internal)})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
