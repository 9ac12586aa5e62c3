"""The encoder stubs in the frozen Linux bundle (``packaging/encoder_stubs.py``): decoding is untouched, the
stubbed encoders fail cleanly when something opens them, and each stub satisfies every library that links it."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import encoder_stubs
import linux
import smoke

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the stubs are built for the Linux bundle"),
]

VIDEOS = sorted((smoke.REPO / "tests" / "data" / "videos").glob("*.mp4"))
#: FFmpeg's encoder name -> the library stubbed for it (inside the bundle's ``_internal``).
ENCODERS = {"libx265": "av.libs/libx265-*.so.*", "libsvtav1": "av.libs/libSvtAv1Enc-*.so.*"}
HEIF_X265 = "pillow_heif.libs/libx265-*.so.*"
#: Every stub, and the library that must link it.
STUBS = {**{pattern: "libavcodec" for pattern in ENCODERS.values()}, HEIF_X265: "libheif"}
HEIC = smoke.REPO / "tests" / "data" / "fuzz" / "seeds" / "photo.heic"


def bundled_stub(release, pattern: str) -> Path:
    [stub] = [path for path in (release.bundle / "_internal").glob(pattern)]
    return stub


def original_library(stub: Path) -> Path:
    """The library the stub replaced, as the pinned wheel (PyAV's or pillow-heif's) installed it here."""
    import av

    original = Path(av.__file__).parent.parent / stub.parent.name / stub.name
    assert original.is_file(), f"this environment has no {stub.parent.name}/{stub.name}: not the pinned wheels?"
    return original


@pytest.mark.parametrize("pattern", STUBS)
def test_the_bundles_encoder_library_is_our_small_stub(release, pattern):
    stub = bundled_stub(release, pattern)
    assert stub.stat().st_size < 64 * 1024
    assert encoder_stubs.STUB_MARKER in stub.read_bytes()
    assert linux.needed(stub)[0] == [], "the stub needs no library, not even libc"


def test_every_reference_video_hashes_exactly_like_the_source_tree(release):
    assert len(VIDEOS) >= 7
    result = {check.name: check for check in smoke.run_checks(release.bundle, gui=False, intake=False,
                                                               x_server=False, media=VIDEOS)}["hash"]
    assert result.passed, result.detail


@pytest.mark.parametrize("encoder", ENCODERS)
def test_opening_a_stubbed_encoder_with_the_bundles_pyav_fails_with_a_clean_error(release, tmp_path, encoder):
    """The bundle's PyAV extension modules and FFmpeg libraries, copied next to PyAV's pure-Python files (which
    PyInstaller keeps in its archive), imported by a Python that sees nothing else (``-S``)."""
    stub = bundled_stub(release, ENCODERS[encoder])
    internal = release.bundle / "_internal"
    shutil.copytree(internal / "av", tmp_path / "av")
    shutil.copytree(internal / "av.libs", tmp_path / "av.libs")
    installed = original_library(stub).parent.parent / "av"
    for source in installed.rglob("*.py"):
        target = tmp_path / "av" / source.relative_to(installed)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    script = """
import sys
from fractions import Fraction
import av
encoder = sys.argv[1]
print("formats", ",".join(format.name for format in av.Codec(encoder, "w").video_formats or ()))
for pix_fmt in ("yuv420p", "yuv420p10le", "gray"):
    context = av.CodecContext.create(encoder, "w")
    context.width, context.height, context.pix_fmt, context.time_base = 64, 48, pix_fmt, Fraction(1, 25)
    try:
        context.open()
    except av.FFmpegError as error:
        print("refused", pix_fmt, type(error).__name__, error.errno)
    else:
        print("OPENED", pix_fmt)
print("loaded", *sorted({line.split()[-1] for line in open("/proc/self/maps") if sys.argv[2] in line}))
"""
    done = subprocess.run([sys.executable, "-S", "-c", script, encoder, stub.name.split("-")[0]], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, f"status {done.returncode} (a crash or abort is negative)\n{done.stdout}\n{done.stderr}"
    lines = done.stdout.splitlines()
    assert "OPENED" not in done.stdout, done.stdout
    # x265: param_alloc() gave NULL; SVT-AV1: init_handle gave EB_ErrorInsufficientResources. FFmpeg: ENOMEM.
    assert "refused yuv420p MemoryError 12" in lines, done.stdout
    assert all(line.startswith("refused ") for line in lines if line.split()[1:2] in (["yuv420p10le"], ["gray"]))
    assert lines[-1] == f"loaded {tmp_path / 'av.libs' / stub.name}"
    assert hashlib.sha256((tmp_path / "av.libs" / stub.name).read_bytes()).digest() == \
        hashlib.sha256(stub.read_bytes()).digest()
    assert not done.stderr


@pytest.mark.parametrize("pattern", STUBS)
def test_the_stub_exports_every_symbol_any_bundled_library_imports_from_the_original(release, pattern):
    stub = bundled_stub(release, pattern)
    needs = encoder_stubs.imports_from(release.bundle, stub, exports_of=original_library(stub))
    assert any(path.name.startswith(STUBS[pattern]) for path in needs), f"{STUBS[pattern]} links {stub.name}"
    exported = encoder_stubs.exported_symbols(stub)
    for path, symbols in needs.items():
        assert symbols, f"{path.name} needs {stub.name} but imports nothing from it"
        unmet = symbols - exported - encoder_stubs.bound_elsewhere(path, release.bundle, stub)
        assert not unmet, f"{path.name} imports {sorted(unmet)}, which the stub lacks"
        assert any(symbol.startswith("x265_") or symbol.startswith("svt_") for symbol in symbols & exported)


def test_the_sbom_credits_each_stub_to_takeback_and_its_source_file(release):
    import json

    import names

    document = json.loads((release.files / f"{names.artefact_stem('linux')}.cdx.json").read_text())
    for pattern in STUBS:
        stub = bundled_stub(release, pattern)
        path = f"_internal/{stub.parent.name}/{stub.name}"
        [component] = [item for item in document["components"]
                       if {"name": "takeback:path", "value": path} in item.get("properties", ())]
        properties = {item["name"]: item["value"] for item in component["properties"]}
        assert properties["takeback:provided-by"] == f"pkg:generic/{names.APP_ID}@{names.__version__}"
        assert properties["takeback:stub"].startswith("takeback encoder stub: packaging/stubs/")


def test_the_bundles_heif_library_decodes_as_before_and_refuses_to_save_through_the_stub(release, tmp_path):
    """The bundle's pillow-heif extension and libraries (libheif, libde265, the x265 stub), with pillow-heif's
    pure-Python files from this environment beside them (PyInstaller keeps those in its archive)."""
    import pillow_heif

    internal = release.bundle / "_internal"
    [extension] = internal.glob("_pillow_heif.*.so")
    shutil.copyfile(extension, tmp_path / extension.name)
    shutil.copytree(internal / "pillow_heif.libs", tmp_path / "pillow_heif.libs")
    shutil.copytree(Path(pillow_heif.__file__).parent, tmp_path / "pillow_heif",
                    ignore=shutil.ignore_patterns("__pycache__"))
    script = """
import hashlib, io, sys
import pillow_heif
from PIL import Image
pillow_heif.register_heif_opener()
with Image.open(sys.argv[1]) as picture:
    print("decoded", hashlib.sha256(picture.convert("RGB").tobytes()).hexdigest())
try:
    Image.new("RGB", (64, 64), "teal").save(io.BytesIO(), format="HEIF")
except RuntimeError as error:
    print("refused", error)
else:
    print("SAVED")
print("loaded", *sorted({line.split()[-1] for line in open("/proc/self/maps") if "libx265" in line}))
"""
    done = subprocess.run([sys.executable, "-c", script, str(HEIC)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, f"status {done.returncode} (a crash or abort is negative)\n{done.stdout}\n{done.stderr}"
    lines = done.stdout.splitlines()
    from PIL import Image

    pillow_heif.register_heif_opener()
    with Image.open(HEIC) as picture:  # the source tree's pillow-heif, with the real libx265 beside it
        expected = hashlib.sha256(picture.convert("RGB").tobytes()).hexdigest()
    assert lines[0] == f"decoded {expected}"
    assert lines[1].startswith("refused ") and "x265" in lines[1], done.stdout
    stub = bundled_stub(release, HEIF_X265)
    assert lines[2] == f"loaded {tmp_path / 'pillow_heif.libs' / stub.name}"
    assert not done.stderr
