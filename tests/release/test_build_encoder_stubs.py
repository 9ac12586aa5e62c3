"""``packaging/encoder_stubs.py`` on small fake bundles (gcc-built stand-ins for PyAV's libraries): the stub
replaces libx265 only when it exports everything its importers use, and the build stops otherwise."""

import ctypes
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import encoder_stubs
import linux

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux" or shutil.which("gcc") is None, reason="Linux with gcc"),
]

X265 = "libx265-0123abcd.so.216"
SVT = "libSvtAv1Enc-0123abcd.so.4.1.0"
SVT_FUNCTIONS = ["svt_add_metadata", "svt_av1_enc_deinit", "svt_av1_enc_deinit_handle", "svt_av1_enc_get_packet",
                 "svt_av1_enc_get_stream_info", "svt_av1_enc_init", "svt_av1_enc_init_handle",
                 "svt_av1_enc_parse_parameter", "svt_av1_enc_release_out_buffer", "svt_av1_enc_send_picture",
                 "svt_av1_enc_set_parameter", "svt_av1_enc_stream_header", "svt_av1_enc_stream_header_release",
                 "svt_metadata_array_free"]  # what PyAV 18.1.0's libavcodec imports (nm -D --undefined-only)


def compile_library(folder: Path, name: str, source: str, *links: Path) -> Path:
    (folder / f"{name}.c").write_text(source, encoding="utf-8")
    out = folder / name
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(out), str(folder / f"{name}.c"), f"-Wl,-soname,{name}",
                    f"-L{folder}", *(f"-l:{link.name}" for link in links), "-Wl,-rpath,$ORIGIN"], check=True)
    return out


def fake_bundle(root: Path, imports: list[str], library: str = X265, defines: tuple[str, ...] = ()) -> Path:
    """``_internal/av.libs`` with a fake encoder ``library`` defining ``defines`` (default: x265_api_get_216
    and x265_other), and a fake libavcodec that needs it and calls ``imports``."""
    libs = root / "Takeback" / "_internal" / "av.libs"
    libs.mkdir(parents=True)
    functions = defines or ("x265_api_get_216", "x265_other")
    encoder = compile_library(libs, library, "".join(f"void *{name}(void) {{ return 0; }}\n" for name in functions)
                              + "char padding[100000] = {1};\n")
    calls = " ".join(f"extern void {name}(void); {name}();" for name in imports)
    compile_library(libs, "libavcodec-fake.so.62", f"void use(void) {{ {calls} }}\n", encoder)
    for source in libs.glob("*.c"):
        source.unlink()
    return root / "Takeback"


def test_the_stub_replaces_libx265_under_its_name_and_exports_what_libavcodec_imports(tmp_path):
    bundle = fake_bundle(tmp_path, ["x265_api_get_216"])
    [(library, before, after)] = encoder_stubs.replace_encoders(bundle, tmp_path / "work")
    assert library.name == X265 and after < before
    assert encoder_stubs.exported_symbols(library) == {"x265_api_get_216"}
    assert encoder_stubs.STUB_MARKER in library.read_bytes()
    assert linux.needed(library)[0] == []
    # What FFmpeg relies on: a table for depth 0 and 8, NULL for the others, and param_alloc() giving NULL.
    stub = ctypes.CDLL(str(library))
    api_get = stub.x265_api_get_216
    api_get.restype, api_get.argtypes = ctypes.c_void_p, [ctypes.c_int]
    assert api_get(10) is None and api_get(12) is None
    table = api_get(0)
    assert table is not None and api_get(8) == table
    ints = (ctypes.c_int * 8).from_address(table)
    assert ints[1] == 216 and ints[7] == 8  # api_build_number, bit_depth
    pointers = (ctypes.c_void_p * 258).from_address(table + 8 * 4 + 2 * 8)
    assert all(pointers), "every function slot is filled (param_alloc, param_free, then 256)"
    assert ctypes.CFUNCTYPE(ctypes.c_void_p)(pointers[0])() is None  # param_alloc
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(pointers[1])(None)  # param_free(NULL) returns
    assert ctypes.CFUNCTYPE(ctypes.c_void_p)(pointers[257])() is None
    # The library that links it still loads with every symbol bound at once, as Python loads extensions.
    ctypes.CDLL(str(library.parent / "libavcodec-fake.so.62"), mode=ctypes.RTLD_GLOBAL | 2)  # 2: RTLD_NOW


def test_the_build_stops_when_the_bundle_imports_a_symbol_the_stub_lacks(tmp_path):
    bundle = fake_bundle(tmp_path, ["x265_api_get_216", "x265_other"])
    original = (bundle / "_internal" / "av.libs" / X265).read_bytes()
    with pytest.raises(encoder_stubs.StubError, match=r"libavcodec-fake\.so\.62: x265_other"):
        encoder_stubs.replace_encoders(bundle, tmp_path / "work")
    assert (bundle / "_internal" / "av.libs" / X265).read_bytes() == original


def test_the_build_stops_when_no_x265_api_get_is_imported(tmp_path):
    bundle = fake_bundle(tmp_path, ["x265_other"])
    with pytest.raises(encoder_stubs.StubError, match="one x265_api_get_<build>"):
        encoder_stubs.replace_encoders(bundle, tmp_path / "work")


def test_the_svt_av1_stub_exports_what_libavcodec_imports_and_refuses_to_make_an_encoder(tmp_path):
    bundle = fake_bundle(tmp_path, SVT_FUNCTIONS, SVT, (*SVT_FUNCTIONS, "svt_other"))
    [(library, before, after)] = encoder_stubs.replace_encoders(bundle, tmp_path / "work")
    assert library.name == SVT and after < before
    assert encoder_stubs.exported_symbols(library) == set(SVT_FUNCTIONS)
    stub = ctypes.CDLL(str(library))
    handle = ctypes.c_void_p(1)
    init_handle = stub.svt_av1_enc_init_handle
    init_handle.restype, init_handle.argtypes = ctypes.c_int32, [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
    assert init_handle(ctypes.byref(handle), None) != 0  # FFmpeg: svt_ret != EB_ErrorNone -> an error
    assert handle.value is None  # so eb_enc_close() skips svt_av1_enc_deinit*


def test_the_build_stops_when_the_bundle_imports_an_svt_function_the_stub_lacks(tmp_path):
    bundle = fake_bundle(tmp_path, [*SVT_FUNCTIONS, "svt_other"], SVT, (*SVT_FUNCTIONS, "svt_other"))
    with pytest.raises(encoder_stubs.StubError, match=r"libavcodec-fake\.so\.62: svt_other"):
        encoder_stubs.replace_encoders(bundle, tmp_path / "work")
