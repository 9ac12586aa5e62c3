"""Takeback's icon for every system, rendered from the one SVG the app itself shows (``desktop/resources``).

- Linux: PNGs at the hicolor theme's usual sizes plus the SVG itself (``scalable``).
- Windows: one ``.ico`` holding 16 to 256 pixels (the programs and the installer).
- macOS: one ``.icns`` (the app bundle).

Rendering uses Qt's own SVG renderer (QtSvg, part of PySide6-Essentials), the same code that draws the window
icon; ``.ico`` and ``.icns`` are written by Pillow from those renderings, one bitmap per size, so the small
sizes are drawn for their size rather than shrunk from the large one.

Usage: ``python packaging/icons.py OUT_FOLDER``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import names

__all__ = ["HICOLOR_SIZES", "ICON_SVG", "IconSet", "render"]

ICON_SVG = names.REPO / "desktop" / "resources" / f"{names.APP_ID}.svg"
#: The hicolor theme's usual application sizes (freedesktop Icon Theme Specification).
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
_ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
_ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


class IconSet:
    """Where :func:`render` put each file, inside one output folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def png(self, size: int) -> Path:
        return self.folder / "png" / f"{size}.png"

    @property
    def svg(self) -> Path:
        return self.folder / f"{names.DESKTOP_ID}.svg"

    @property
    def ico(self) -> Path:
        return self.folder / f"{names.APP_ID}.ico"

    @property
    def icns(self) -> Path:
        return self.folder / f"{names.APP_ID}.icns"


def _rendered(sizes: Sequence[int], svg: Path) -> dict[int, bytes]:
    """PNG bytes of the SVG at each size, drawn by QtSvg with antialiasing on a transparent canvas."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([names.APP_ID, "-platform", "offscreen"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG Qt can draw")
    out = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        out[size] = bytes(data)
    return out


def render(folder: Path, svg: Path = ICON_SVG) -> IconSet:
    """Render every icon file into ``folder`` (created) and return where each one is."""
    import io

    from PIL import Image

    icons = IconSet(folder)
    sizes = sorted(set(HICOLOR_SIZES) | set(_ICO_SIZES) | set(_ICNS_SIZES))
    pngs = _rendered(sizes, svg)
    (folder / "png").mkdir(parents=True, exist_ok=True)
    for size, data in pngs.items():
        icons.png(size).write_bytes(data)
    icons.svg.write_bytes(svg.read_bytes())
    images = {size: Image.open(io.BytesIO(pngs[size])) for size in sizes}
    largest_ico = images[max(_ICO_SIZES)]
    largest_ico.save(icons.ico, format="ICO", sizes=[(s, s) for s in _ICO_SIZES],
                     append_images=[images[s] for s in _ICO_SIZES if s != max(_ICO_SIZES)])
    largest_icns = images[max(_ICNS_SIZES)]
    largest_icns.save(icons.icns, format="ICNS",
                      append_images=[images[s] for s in _ICNS_SIZES if s != max(_ICNS_SIZES)])
    return icons


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    icons = render(args.out)
    print(f"icons in {icons.folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
