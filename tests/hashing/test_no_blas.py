"""Hashing never calls BLAS: its results must not depend on which BLAS NumPy carries, or on the CPU.

An OpenBLAS picks a kernel per CPU and splits work over threads, and those choices round float32 sums
differently: when TMK's frame features were BLAS products, the TMK of ``chair-19-sd-bar.mp4`` differed in
53,005 of its 263,344 bytes between OpenBLAS's SkylakeX and Haswell kernels on the same machine. The release
bundle also swaps NumPy's OpenBLAS for the reference BLAS (``packaging/numpy_blas.py``), and the frozen
program must hash exactly as the source tree does.

The proof: every BLAS/LAPACK function NumPy imports is replaced, through ``LD_PRELOAD``, by one that aborts the
process, and the hashing library then fingerprints a photo and a video and scores TMK pairs. Only NumPy's
own import-time self-check (one ``sdot``) is answered before the trap is armed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent.parent / "data"
MODULES = [Path(np._core._multiarray_umath.__file__), Path(np.linalg._umath_linalg.__file__)]

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("cc") is None or shutil.which("nm") is None,
    reason="needs Linux, a C compiler and nm (binutils) to build the trap library",
)

#: BLAS and LAPACK names as NumPy's wheels import them: ``scipy_cblas_sdot64_``, ``scipy_dgesv_64_``, or plain.
_BLAS_NAME = re.compile(r"^(scipy_)?(cblas_\w+|[sdcz][a-z]{3,6}_(64_)?)$")

_TRAP_HEADER = r"""
#include <stdio.h>
#include <stdlib.h>
static int armed;
void blas_trap_arm(void) { armed = 1; }
static void trapped(const char *name) { fprintf(stderr, "BLAS CALLED: %s\n", name); abort(); }
"""

SCRIPT = """
import ctypes, sys
import numpy as np
ctypes.CDLL(sys.argv[1]).blas_trap_arm()
from hashing.image import hash_image
from hashing.pdq import fast_pdq_from_bgr
from hashing.tmk import read_tmk, tmk_match
from hashing.video import hash_video
photo = hash_image(sys.argv[2])
video = hash_video(sys.argv[3], vpdq_every=0)
rgb = np.random.default_rng(1).integers(0, 256, (720, 1280, 3), dtype=np.uint8)
fast_pdq_from_bgr(rgb)
pair = tmk_match(read_tmk(sys.argv[4]), video.tmk)
print("hashed without BLAS", len(photo.pdq), len(video.vpdq), round(pair.level1, 3))
"""


def _trap_source(names: list[str]) -> str:
    lines = [_TRAP_HEADER]
    for name in names:
        if "cblas_sdot" in name:  # numpy.__init__'s self-check; answered until armed
            lines.append(
                f"float {name}(long n, const float *x, long incx, const float *y, long incy) {{\n"
                f'    if (armed) trapped("{name}");\n'
                "    double sum = 0; for (long i = 0; i < n; i++) sum += (double)x[i * incx] * y[i * incy];\n"
                "    return (float)sum; }\n"
            )
        else:
            lines.append(f'void {name}(void) {{ trapped("{name}"); }}\n')
    return "".join(lines)


def _blas_names() -> list[str]:
    listed = subprocess.run(["nm", "-D", "--undefined-only", *map(str, MODULES)], capture_output=True, text=True,
                            check=True).stdout
    return sorted({name for name in re.findall(r"\bU (\S+)", listed) if _BLAS_NAME.match(name.split("@")[0])})


def test_hashing_runs_with_every_blas_function_trapped(tmp_path):
    names = _blas_names()
    if not names:  # a NumPy built without BLAS cannot show the trap working; CI's pinned wheel always has one
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("this NumPy imports no BLAS function, so the trap proves nothing: not the pinned wheel?")
        pytest.skip("this NumPy calls no BLAS")
    assert any("dgemm" in name for name in names) and any("dgesv" in name for name in names), names
    source = tmp_path / "trap.c"
    source.write_text(_trap_source(names))
    library = tmp_path / "libtrap.so"
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    env = {**os.environ, "LD_PRELOAD": str(library), "PYTHONPATH": str(Path(__file__).parents[2])}

    # The trap works: a matrix product after arming aborts.
    caught = subprocess.run([sys.executable, "-c", SCRIPT.split("from hashing")[0] + "np.ones((9, 9)) @ np.ones((9, 9))",
                             str(library)], capture_output=True, text=True, env=env, timeout=120)
    assert caught.returncode != 0 and "BLAS CALLED: " in caught.stderr, caught.stderr[-2000:]

    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(library), str(DATA / "images" / "bridge-mods" / "aaa-orig.jpg"),
         str(DATA / "videos" / "chair-19-sd-bar.mp4"), str(DATA / "expected" / "tmk" / "chair-20-sd-bar.tmk")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0 and "hashed without BLAS" in done.stdout, done.stderr[-3000:]
