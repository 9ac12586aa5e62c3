"""What the frozen bundle keeps: the rules in ``packaging/bundle_rules.py``, checked without building."""

import pytest

import bundle_rules


@pytest.mark.parametrize(
    ("destination", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6\\Qt\\plugins\\imageformats\\qjpeg.dll", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", True),  # Qt's dialogs in a language the app ships
        ("PySide6/Qt/translations/qtbase_ja.qm", False),  # not one of the app's languages
        ("desktop/locale/ar/LC_MESSAGES/takeback.mo", True),  # the app's own catalogues, compiled
        ("desktop/locale/ar/LC_MESSAGES/takeback.po", False),  # their sources are not read at run time
        ("desktop/locale/takeback.pot", False),
        ("PySide6/Qt/translations/qtbase_pt_PT.qm", False),
        ("PySide6/Qt/translations/qtdeclarative_de.qm", False),
        ("PySide6/Qt/translations/assistant_de.qm", False),
        ("av/video/frame.pxd", False),
        ("numpy/_core/include/numpy/ndarraytypes.h", False),
        ("PySide6/QtCore.pyi", False),
        ("av/video/frame.abi3.so", True),
        ("av.libs/libavcodec-3f1a2d2b.so.62.28.102", True),
        ("pillow_heif.libs/libheif-e72ea93c.so.1.23.6", True),
        ("intake/openapi.json", True),
        ("PySide6/opengl32sw.dll", False),
        ("PySide6/Qt6Widgets.dll", True),
        ("certifi/cacert.pem", True),
        ("libmvec.so.1", False),
        ("numpy.libs/libmvecish-1234.so", True),
    ],
)
def test_keep(destination, kept):
    assert bundle_rules.keep(destination) is kept


@pytest.mark.parametrize(
    ("module", "kept"),
    [("numpy._core.tests.test_api", False), ("scipy.special.tests", False), ("conftest", False),
     ("numpy.testing", True), ("hashing.video", True), ("desktop.cli.hash", True), ("unittest", True),
     ("attestation", True)],
)
def test_keep_module(module, kept):
    assert bundle_rules.keep_module(module) is kept


def test_test_only_and_unused_modules_are_excluded_but_the_app_needs_are_not():
    excluded = set(bundle_rules.EXCLUDED_MODULES)
    assert {"pytest", "pdqhash", "threatexchange", "keyrings", "tkinter", "PySide6.QtQml", "PySide6.QtWebEngineCore",
            "PySide6.Qt3DCore", "PySide6.QtMultimedia", "scipy", "imagehash"} <= excluded
    needed = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg", "av", "pillow_heif",
              "uvicorn", "fastapi", "httpx", "numpy", "PIL", "click", "opentelemetry", "more_itertools"}
    assert not needed & excluded
    assert {"uvicorn", "pillow_heif", "av"} <= set(bundle_rules.HIDDEN_IMPORTS)
    assert {"hypothesis", "rich", "pygments", "markdown_it", "yaml", "unittest", "pydoc_data"} <= excluded


def test_libraries_only_dropped_plugins_link_to_are_dropped_too():
    links = {
        "/site/PySide6/Qt/plugins/platforms/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6", "libxcb.so.1"],
        "/site/PySide6/QtGui.abi3.so": ["libQt6Gui.so.6", "libpyside6.abi3.so.6.12"],
        "/site/av/_core.abi3.so": ["libavcodec-3f1a2d2b.so.62"],
    }
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/site/PySide6/Qt/plugins/platforms/libqxcb.so", "BINARY"),
        ("PySide6/QtGui.abi3.so", "/site/PySide6/QtGui.abi3.so", "EXTENSION"),
        ("av/_core.abi3.so", "/site/av/_core.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/site/PySide6/Qt/lib/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/site/PySide6/Qt/lib/libQt6XcbQpa.so.6", "BINARY"),
        ("PySide6/libpyside6.abi3.so.6.12", "/site/PySide6/libpyside6.abi3.so.6.12", "BINARY"),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "/site/PySide6/Qt/lib/libQt6WaylandClient.so.6", "BINARY"),
        ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
        ("libxcb.so.1", "/usr/lib/libxcb.so.1", "BINARY"),
        ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),
        ("av.libs/libavcodec-3f1a2d2b.so.62", "/site/av.libs/libavcodec-3f1a2d2b.so.62", "BINARY"),
        ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", "/usr/lib/_ssl.so", "EXTENSION"),
    ]
    orphans = bundle_rules.unreachable_libraries(binaries, lambda source: links.get(source, []))
    assert orphans == {"PySide6/Qt/lib/libQt6WaylandClient.so.6", "libgtk-3.so.0"}
