"""What the frozen Takeback bundle keeps and what it leaves out, in one place the spec and the tests share.

PyInstaller follows imports, and its Qt hooks add every plugin and translation a Qt module might ever load. Most
of those serve QML, Wayland compositors, embedded framebuffers or databases that Takeback never touches, so
the spec removes them after analysis with :func:`keep`. Each rule says why, so a later reader can tell a
deliberate cut from an accident. The smoke test (``packaging/smoke.py``) proves the trimmed bundle still
hashes media and opens its window.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

import names  # noqa: F401  (puts the repository on sys.path, for desktop.i18n below)
from desktop.i18n import LANGUAGES

#: Our own packages: every submodule is bundled, because ``desktop.cli`` imports its sub-command modules by
#: name and ``hashing`` imports its video/TMK modules only when a video arrives; static analysis sees neither.
OUR_PACKAGES = ("desktop", "hashing", "client_api", "intake")

#: Third-party modules the app reaches only through strings or inside functions PyInstaller cannot follow.
HIDDEN_IMPORTS = (
    "pillow_heif",  # registered as a Pillow opener at run time: HEIC/HEIF photos from phones
    "av",  # PyAV with its FFmpeg libraries: decodes every video (imported when the first video arrives)
    "uvicorn",  # `takeback intake serve` and demo mode's embedded intake service
    "uvicorn.logging",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
    "fastapi",
    "sqlalchemy.dialects.sqlite",  # the intake service's default store (demo mode)
    "keyring.backends",  # opt-in "remember on this computer"; backends are found through entry points
)

#: Modules that would otherwise be dragged in, with the reason each is safe to drop.
EXCLUDED_MODULES = (
    # Test-only dependencies (the oracles our hashes are checked against) and test runners.
    "pytest", "_pytest", "pytestqt", "pdqhash", "threatexchange", "faiss", "jsonschema", "trustme",
    # Test tools, and what only they or a command-line helper reach (found in PyInstaller's xref file): Hypothesis
    # (through pydantic.v1's Hypothesis plugin, which only Hypothesis loads); rich, its markdown_it and Pygments
    # (through httpx's `httpx` command, imported in `try/except ImportError`, and pydantic's and Mako's optional
    # pretty-printers); PyYAML (uvicorn's and NumPy's optional YAML config and output, both guarded); unittest
    # and doctest (numpy.testing, loaded only when someone asks for `np.testing`); pydoc_data (help() texts).
    "hypothesis", "rich", "pygments", "markdown_it", "yaml", "unittest", "doctest", "pydoc_data",
    # keyrings.alt gives the tests a keyring in a plain file; a person's case key must only ever go to the
    # operating system's keyring (Keychain, Credential Manager, Secret Service), never to such a file.
    "keyrings",
    # GUI toolkits and tools the app does not use.
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "matplotlib", "IPython",
    # imagehash is the test oracle of hashing/phash.py, which computes the same bits with NumPy; with it go
    # SciPy and SciPy's own OpenBLAS (35 MB) and PyWavelets, which the test environment still installs.
    "imagehash", "scipy", "pywt",
    # Hashing calls no BLAS (tests/hashing/test_no_blas.py), so nothing needs to limit BLAS threads; an older
    # environment may still have threadpoolctl installed, and it must not ride along.
    "threadpoolctl",
    # The production intake service runs from source on a server with PostgreSQL; the desktop bundle only ever
    # runs the embedded SQLite service of demo mode.
    "psycopg", "psycopg_binary", "psycopg2",
    # Packaging tools.
    "PyInstaller", "setuptools", "pkg_resources", "pip", "distutils", "lib2to3",
    # Qt modules nobody imports: excluding the Python binding keeps their hooks from collecting libraries,
    # plugins and translations.
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets", "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation", "PySide6.Qt3DExtras", "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets", "PySide6.QtSpatialAudio", "PySide6.QtTextToSpeech", "PySide6.QtPdf",
    "PySide6.QtPdfWidgets", "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs",
    "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools", "PySide6.QtSql", "PySide6.QtTest",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning", "PySide6.QtLocation", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtSerialBus", "PySide6.QtRemoteObjects", "PySide6.QtScxml",
    "PySide6.QtStateMachine", "PySide6.QtNetworkAuth", "PySide6.QtHttpServer", "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets", "PySide6.QtPrintSupport", "PySide6.QtConcurrent", "PySide6.QtXml",
    "PySide6.QtAxContainer", "PySide6.QtDBus",
)

#: Qt plugins kept, by plugin folder; a folder not named here is dropped whole. ``None`` keeps the whole folder.
#: Names are matched without the platform's prefix and suffix (``libqxcb.so``, ``qwindows.dll`` -> ``qxcb``,
#: ``qwindows``).
QT_PLUGINS_KEPT: dict[str, frozenset[str] | None] = {
    # offscreen: tests and smoke tests; xcb: X11 and XWayland on Linux; cocoa and windows: the other systems;
    # minimal: a last resort Qt tries itself. Wayland, eglfs, linuxfb, vnc serve kiosks and compositors.
    "platforms": frozenset({"qoffscreen", "qminimal", "qxcb", "qcocoa", "qwindows", "qdirect2d"}),
    "xcbglintegrations": None,  # lets xcb use GL when the desktop offers it; small
    # Photos the app may show as a (blurred, opt-in) preview arrive through Pillow; Qt reads only our own
    # icons and the formats people drop in: PNG is built into QtGui.
    "imageformats": frozenset({"qjpeg", "qgif", "qico", "qsvg", "qicns", "qwebp"}),
    "iconengines": None,  # SVG icons
    "styles": None,  # the native look on Windows and macOS (qmodernwindowsstyle, qmacstyle)
    # Dead keys and compose sequences (compose) and Chinese/Japanese/Korean input (ibus) on Linux.
    "platforminputcontexts": frozenset({"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}),
    # Deliberately absent: platformthemes (GTK3/portal file dialogs write the desktop's recent-files list, which
    # a person on a shared or monitored computer must not get), wayland*, egldeviceintegrations, generic (evdev
    # input for framebuffers), tls and networkinformation (QtNetwork is unused), sqldrivers, qmltooling,
    # printsupport, designer, vectorimageformats.
}

#: The languages the app ships (``desktop.i18n.LANGUAGES``); Qt's ICU data keeps their locale data (``icu_data``).
APP_LANGUAGES = tuple(language.code for language in LANGUAGES)

#: Qt's own translations kept: ``qtbase`` (its dialogs and buttons) for exactly the languages the app ships
#: that Qt translates (``desktop.i18n.LANGUAGES``; Qt has no Hindi, Vietnamese or Urdu). The rest (5.8 MB of
#: qtbase_*.qm alone, plus every other Qt module's) would never be read.
QT_TRANSLATIONS_KEPT = re.compile(r"^qtbase_(ar|de|es|fr|pt_BR|zh_CN)\.qm$")

#: Files nobody reads: type stubs and Cython declarations, C headers, package tests, Qt's software
#: OpenGL for Windows (20 MB: only QtQuick and OpenGL widgets draw with it; Qt Widgets paint with the raster
#: engine), and our translation sources (the app reads the compiled ``.mo`` files beside them).
DROPPED_DATA = re.compile(
    r"\.pyi$|\.pxd$|(^|/)include/|(^|/)tests?/|(^|/)__pycache__/|(^|/)opengl32sw\.dll$"
    r"|(^|/)desktop/locale/.*\.pot?$",
    re.IGNORECASE,
)

#: Parts of the C library that PyInstaller's own exclude list (glibc, libm, libpthread, ld-linux...) misses:
#: libmvec, glibc's vector maths, which libx265 links to. It reads the running dynamic loader's private state
#: (``_rtld_global_ro@GLIBC_PRIVATE``), so a copy from the build host's glibc is only right on that same glibc;
#: every glibc system since 2.22 has its own (Debian: in libc6, which the .deb depends on).
HOST_C_LIBRARY = re.compile(r"(^|/)libmvec\.so(\.\d+)*$")

_PLUGIN_NAME = re.compile(r"^(lib)?(?P<name>.+?)(\.debug)?\.(so|dll|dylib)$")


def keep(destination: str) -> bool:
    """Decide whether a collected file (its path inside the bundle) belongs in the trimmed bundle.

    Args:
        destination: the file's path relative to the bundle's ``_internal`` folder, with ``/`` or ``\\``.

    Returns:
        False for Qt plugins, Qt translations, data files and C library parts the rules above leave out; True
        otherwise.
    """
    path = PurePosixPath(destination.replace("\\", "/"))
    parts = path.parts
    if "plugins" in parts and _is_qt_path(parts):
        index = parts.index("plugins")
        if len(parts) < index + 3:
            return True
        folder, filename = parts[index + 1], parts[-1]
        if folder not in QT_PLUGINS_KEPT:
            return False
        wanted = QT_PLUGINS_KEPT[folder]
        if wanted is None:
            return True
        match = _PLUGIN_NAME.match(filename)
        return match is not None and match.group("name") in wanted
    if "translations" in parts and _is_qt_path(parts):
        return bool(QT_TRANSLATIONS_KEPT.match(parts[-1]))
    return not DROPPED_DATA.search(path.as_posix()) and not HOST_C_LIBRARY.search(path.as_posix())


def _is_qt_path(parts: tuple[str, ...]) -> bool:
    return bool(parts) and parts[0] in {"PySide6", "PyQt6"}


_TEST_PACKAGE = re.compile(r"(^|\.)(tests?|conftest)(\.|$)")


def keep_module(name: str) -> bool:
    """Decide whether a collected Python module belongs in the bundle: packages' own test suites do not.

    Args:
        name: the module's dotted name, e.g. ``numpy._core.tests.test_api``.
    """
    return not _TEST_PACKAGE.search(name)


_EXTENSION_MODULE = re.compile(r"(\.cpython-[^/]*\.so|\.abi3\.so|\.pyd|\.so)$")
_SHARED_LIBRARY = re.compile(r"\.so(\.[0-9A-Za-z_-]+)*$|\.dylib$|\.dll$", re.IGNORECASE)
_ALWAYS_ROOTS = re.compile(r"^libpython\d", re.IGNORECASE)  # loaded by the bootloader, which no library names


def is_root_binary(destination: str) -> bool:
    """True for binaries something loads by path: Python extension modules, Qt plugins, the Python library.

    Every other shared library is in the bundle only because one of these links to it.
    """
    path = PurePosixPath(destination.replace("\\", "/"))
    name = path.name
    if "plugins" in path.parts or _ALWAYS_ROOTS.match(name):
        return True
    if not _SHARED_LIBRARY.search(name):
        return True
    # ``libfoo.so`` in a package folder is an extension module only when Python imports it by that name;
    # libraries proper live at the top level, in ``*.libs`` folders (auditwheel) or in Qt's ``lib`` folder.
    in_library_folder = len(path.parts) == 1 or any(
        part.endswith(".libs") or part == "lib" for part in path.parts[:-1]
    )
    if in_library_folder:
        return bool(re.search(r"\.cpython-[^/]*\.so$|\.abi3\.so$|\.pyd$", name))
    return bool(_EXTENSION_MODULE.search(name))


def unreachable_libraries(
    binaries: list[tuple[str, str, str]], linked_names: Callable[[str], Iterable[str]]
) -> set[str]:
    """The destinations of shared libraries that no kept extension module, plugin or executable links to.

    PyInstaller resolves library dependencies before the spec can drop plugins, so a dropped plugin's libraries
    (GTK for the GTK theme, Wayland's client library, EGL device integrations) would stay behind without this.

    Args:
        binaries: PyInstaller's TOC entries ``(destination, source, typecode)`` after :func:`keep`.
        linked_names: returns the file names a binary (by source path) links to, transitively (``ldd``'s view).

    Returns:
        Destinations safe to remove.
    """
    needed: set[str] = set()
    for destination, source, _typecode in binaries:
        if is_root_binary(destination):
            needed.add(PurePosixPath(destination.replace("\\", "/")).name)
            needed.update(PurePosixPath(name).name for name in linked_names(source))
    return {
        destination
        for destination, _source, _typecode in binaries
        if not is_root_binary(destination) and PurePosixPath(destination.replace("\\", "/")).name not in needed
    }
