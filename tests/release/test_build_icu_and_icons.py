"""Icons rendered from the app's SVG, and Qt's ICU data cut to the shipped languages, on real files."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import bundle_rules
import icons
import icu_data
import linux
import names


def test_the_icon_renders_at_every_size_each_system_needs(tmp_path, qapp):
    rendered = icons.render(tmp_path)
    for size in icons.HICOLOR_SIZES:
        with Image.open(rendered.png(size)) as png:
            assert png.size == (size, size) and png.mode == "RGBA"
            corner, centre = png.getpixel((0, 0)), png.getpixel((size // 2, size // 2))
            assert corner[3] == 0 and centre[3] == 255  # a rounded tile on a transparent canvas
    with Image.open(rendered.ico) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(rendered.icns) as icns:
        assert (512, 512) in {tuple(size[:2]) for size in icns.info["sizes"]}
    assert rendered.svg.read_bytes() == icons.ICON_SVG.read_bytes()


def test_the_window_uses_the_same_icon_file(qapp):
    from PySide6.QtGui import QIcon

    from desktop.app import ICON

    assert ICON == icons.ICON_SVG
    assert not QIcon(str(ICON)).pixmap(16, 16).isNull()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None or shutil.which("appstreamcli") is None,
                    reason="scripts/setup installs desktop-file-utils and appstream")
def test_menu_entry_and_metainfo_pass_their_validators(tmp_path, qapp):
    files = linux.stage_share(tmp_path / "share", icons.render(tmp_path / "icons"), "/opt/takeback/Takeback",
                              1700000000)
    entry = next(path for path in files if path.suffix == ".desktop")
    info = next(path for path in files if path.name.endswith(".metainfo.xml"))
    assert entry.name == f"{names.DESKTOP_ID}.desktop" and "MimeType" not in entry.read_text()
    for command in (["desktop-file-validate", str(entry)], ["appstreamcli", "validate", "--no-net", str(info)]):
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_icu_items_of_other_languages_and_legacy_converters_go_shared_data_stays():
    items = ["coll/de.res", "coll/ja.res", "zh_Hant_HK.res", "zh.res", "pt_PT.res", "ja.res", "root.res",
             "pool.res", "res_index.res", "supplementalData.res", "ibm-943_P15A-2003.cnv", "cnvalias.icu",
             "brkitr/cjdict.dict", "uts46.nrm", "curr/ur_IN.res", "lang/ko.res", "translit/root.res"]
    dropped = set(icu_data.items_to_drop(items, bundle_rules.APP_LANGUAGES))
    assert dropped == {"coll/ja.res", "ja.res", "ibm-943_P15A-2003.cnv", "lang/ko.res"}


ICU_DATA = sorted((Path(bundle_rules.__file__).resolve().parents[1] / ".venv").glob(
    "lib/python3*/site-packages/PySide6/Qt/lib/libicudata.so.*"))


@pytest.mark.skipif(not ICU_DATA or shutil.which("icupkg") is None,
                    reason="needs PySide6's Linux ICU and icupkg (icu-devtools, from scripts/setup)")
def test_trimmed_icu_data_keeps_the_shipped_languages_collation(tmp_path):
    """Qt's collator, loaded against the trimmed library, still sorts German and Chinese by their rules."""
    qt_lib = ICU_DATA[0].parent
    copy = tmp_path / "lib"
    shutil.copytree(qt_lib, copy, symlinks=True)
    before, after = icu_data.trim_icu_data(copy / ICU_DATA[0].name, bundle_rules.APP_LANGUAGES)
    assert after < before / 2
    script = ("from PySide6.QtCore import QCollator, QLocale\n"
              "de = QCollator(QLocale('de')); zh = QCollator(QLocale('zh_CN'))\n"
              "print(sorted(['Zug', 'Äpfel', 'Apfel'], key=de.sortKey), "
              "sorted(['\u5f20', '\u674e', '\u738b'], key=zh.sortKey), "
              "QCollator(QLocale('ja')).compare('a', 'b'))\n")  # a dropped language falls back to the root
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "LD_PRELOAD": str(copy / ICU_DATA[0].name)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['Apfel', 'Äpfel', 'Zug'] ['李', '王', '张'] -1"
